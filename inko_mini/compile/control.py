"""Inlined control forms: `if`, `if_true`, `if_false`, `and`, `or`,
`while_true`, `while_false` and `loop` on literal blocks run in the
caller's frame, guarded by objects.FAST (off when a program redefines the
built-in method they imitate).
"""

from __future__ import annotations

from inko_mini.compile.fastpaths import make_fused_if, make_fused_while
from inko_mini.compile.send_closures import make_send
from inko_mini.runtime import objects as O
from inko_mini.runtime.calls import _budget, out_of_reductions, truth
from inko_mini.runtime.objects import FAST
from inko_mini.syntax import ast


class ControlMixin:
    """Compiler methods for the inlined control forms."""

    def inline_block(self, node, scope):
        """Compile a literal `{ ... }` into the current frame, if safe."""
        if type(node) is not ast.BlockLit or node.kind != "brace" or node.params:
            return None
        if _declares_and_captures(node.body):
            return None
        sends = scope.defer_sends
        scope.dicts.append({})
        fn = self.body(node.body, scope)
        scope.dicts.pop()
        if scope.defer_sends != sends:
            # A block that sends `defer` owns what it defers: keep it a block.
            return None
        return fn

    def try_inline_control(self, node, scope):  # noqa: C901 (one branch per inlined control message)
        name = node.name
        args = node.args
        file = self.ctx.file
        line = node.span.line
        if name in ("if_true", "if_false", "and", "or") and len(args) == 1:
            body = self.inline_block(args[0], scope)
            if body is None:
                return None
            recv = self.c(node.receiver, scope)
            slow = make_send(None, name, [None], [], line, self.ctx)
            blk = self.c(args[0], scope)
            marks = _inline_marks(file, args[0].span.line, name, line)
            return _make_cond(name, recv, body, blk, slow, marks)
        if name == "if" and len(args) == 0 and len(node.kwargs) == 2:
            kw = dict(node.kwargs)
            if set(kw) != {"true", "false"}:
                return None
            t = self.inline_block(kw["true"], scope)
            fl = self.inline_block(kw["false"], scope)
            if t is None or fl is None:
                return None
            recv = self.c(node.receiver, scope)
            tb, fb = self.c(kw["true"], scope), self.c(kw["false"], scope)
            slow = make_send(None, "if", [], [("true", None), ("false", None)], line, self.ctx)
            order = [k for k, _ in node.kwargs]
            t_mark = _inline_marks(file, kw["true"].span.line, name, line)[0]
            f_marks = _inline_marks(file, kw["false"].span.line, name, line)

            def if_(f):
                r = recv(f)
                if (r is True or r is False or r is None) and FAST["cond"]:
                    if r is True:
                        _inline = t_mark  # noqa: F841 (read by stack traces)
                        return t(f)
                    _inline = f_marks[1] if r is False else f_marks[2]  # noqa: F841
                    return fl(f)
                kws = (
                    {"true": tb(f), "false": fb(f)}
                    if order[0] == "true"
                    else {"false": fb(f), "true": tb(f)}
                )
                return slow.invoke(r, [], kws)

            cmp = self.pure_comparison(node.receiver, scope)
            if cmp is not None:
                return make_fused_if(
                    *cmp,
                    self.branch_operand(kw["true"], t, scope),
                    self.branch_operand(kw["false"], fl, scope),
                    (t_mark, f_marks[1]),
                    if_,
                )
            return if_
        if name in ("while_true", "while_false") and len(args) == 1:
            cond = self.inline_block(node.receiver, scope)
            if cond is None:
                return None
            body = self.inline_block(args[0], scope)
            if body is None:
                return None
            recv = self.c(node.receiver, scope)
            blk = self.c(args[0], scope)
            slow = make_send(None, name, [None], [], line, self.ctx)
            want = name == "while_true"
            # Block#while_true & co. are native: no library frame between.
            cond_mark = (file, node.receiver.span.line, "<block>", None, name, line)
            body_mark = (file, args[0].span.line, "<block>", None, name, line)
            receiver_body = node.receiver.body
            cmp = self.pure_comparison(receiver_body[0], scope) if len(receiver_body) == 1 else None
            if cmp is not None:
                return make_fused_while(
                    *cmp,
                    want,
                    body,
                    cond,
                    (cond_mark, body_mark),
                    slow,
                    recv,
                    blk,
                    _budget,
                    out_of_reductions,
                )

            def while_(f):
                if not FAST["loop"]:
                    return slow.invoke(recv(f), [blk(f)])
                budget = _budget
                while True:
                    _inline = cond_mark  # noqa: F841 (read by stack traces)
                    c = cond(f)
                    if (c is True or (c is not False and c is not None and truth(c))) is not want:
                        return None
                    _inline = body_mark  # noqa: F841
                    body(f)
                    budget[0] -= 1
                    if budget[0] <= 0:
                        out_of_reductions()

            return while_
        if name == "loop" and not args:
            body = self.inline_block(node.receiver, scope)
            if body is None:
                return None
            recv = self.c(node.receiver, scope)
            slow = make_send(None, name, [], [], line, self.ctx)
            mark = (file, node.receiver.span.line, "<block>", None, name, line)

            def loop(f):
                if not FAST["loop"]:
                    return slow.invoke(recv(f), [])
                _inline = mark  # noqa: F841 (read by stack traces)
                budget = _budget
                while True:
                    body(f)
                    budget[0] -= 1
                    if budget[0] <= 0:
                        out_of_reductions()

            return loop
        return None


def _inline_marks(file, block_line, name, send_line):
    """What a stack trace shows for a block run inline by the method `name`
    of True, False and Nil: a `<block>` frame inside that method's frame."""
    return tuple(
        (file, block_line, "<block>", owner, name, send_line)
        for owner in (O.TRUE_OBJ, O.FALSE_OBJ, O.NIL_OBJ)
    )


def _declares_and_captures(nodes) -> bool:
    """True when a block both declares locals and creates nested blocks;
    inlining it would make those blocks share one variable across calls."""
    lets = False
    blocks = False
    stack = list(nodes)
    while stack:
        n = stack.pop()
        if isinstance(n, (ast.LetLocal,)):
            lets = True
        if isinstance(n, ast.BlockLit):
            blocks = True
        if isinstance(n, (ast.MethodDef, ast.ObjectDef, ast.TraitDef, ast.ImplDef)):
            continue
        if lets and blocks:
            return True
        for slot in getattr(type(n), "__slots__", ()):
            v = getattr(n, slot, None)
            if isinstance(v, ast.Node):
                stack.append(v)
            elif isinstance(v, list):
                for x in v:
                    if isinstance(x, ast.Node):
                        stack.append(x)
                    elif isinstance(x, tuple):
                        stack.extend(y for y in x if isinstance(y, ast.Node))
    return lets and blocks


def _make_cond(name, recv, body, blk, slow, marks):  # noqa: C901 (hot path: one specialised closure per control form)
    on_true, on_false, on_nil = marks
    if name == "if_true":

        def if_true(f):
            r = recv(f)
            if (r is True or r is False or r is None) and FAST["cond"]:
                if r is True:
                    _inline = on_true  # noqa: F841 (read by stack traces)
                    return body(f)
                return None
            return slow.invoke(r, [blk(f)])

        return if_true
    if name == "if_false":

        def if_false(f):
            r = recv(f)
            if (r is True or r is False or r is None) and FAST["cond"]:
                if r is True:
                    return None
                _inline = on_false if r is False else on_nil  # noqa: F841
                return body(f)
            return slow.invoke(r, [blk(f)])

        return if_false
    if name == "and":

        def and_(f):
            r = recv(f)
            if (r is True or r is False or r is None) and FAST["cond"]:
                if r is True:
                    _inline = on_true  # noqa: F841
                    return body(f)
                return False
            return slow.invoke(r, [blk(f)])

        return and_

    def or_(f):
        r = recv(f)
        if (r is True or r is False or r is None) and FAST["cond"]:
            if r is True:
                return True
            _inline = on_false if r is False else on_nil  # noqa: F841
            return body(f)
        return slow.invoke(r, [blk(f)])

    return or_
