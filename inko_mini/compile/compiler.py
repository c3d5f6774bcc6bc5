"""AST -> Python closures (DESIGN.md §2).

Every node is compiled once into a function `fn(frame)`; running a program
is calling those functions. A frame is a list `[parent, self,
return_target, *locals]` (see runtime/calls.py); locals are resolved at
compile time to (depth, index) so closures capture outer frames by
reference and no name is looked up in a dict on the hot path.

Sends use a one-entry inline cache per call site, keyed on the object where
method lookup starts (the prototype for plain objects, the type's prototype
for Python natives) and invalidated by objects.VERSION. Integer, Float and
String operators, `if`/`if_true`/`if_false`/`and`/`or` on booleans and Nil,
and `while_true`/`while_false`/`loop` on literal blocks have fast paths
guarded by objects.FAST, which turns off when a program redefines the
built-in method they imitate.

The Compiler class is assembled from one mixin per subject: sends.py (Send
nodes), control.py (inlined control forms), primitive_calls.py (`_INKOC`
calls), definitions.py (blocks, methods, objects, traits, impls);
send_closures.py generates the send closures and scope.py holds the
compile-time scopes. This file keeps the entry points, literals, names,
bindings, `return`/`throw`/`try` and operands.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from inko_mini.compile.control import ControlMixin
from inko_mini.compile.definitions import DefinitionsMixin
from inko_mini.compile.fastpaths import (
    _OPS,
    COMPARISONS,
    INLINE_BINOPS,
    Operand,
    binop_operand,
    make_binary,
)
from inko_mini.compile.primitive_calls import PrimitiveCallsMixin
from inko_mini.compile.scope import ModuleContext, Scope
from inko_mini.compile.sends import SendsMixin
from inko_mini.errors import ThrowSignal
from inko_mini.runtime.calls import OWN, Code
from inko_mini.runtime.deferred import adopt, deferring, run_pending_of
from inko_mini.runtime.objects import MISSING, InkoObject, holder, lookup_from, set_attr
from inko_mini.runtime.sends import _panic, send_dyn, try_panic
from inko_mini.runtime.signals import InkoCompileError, ReturnSignal
from inko_mini.syntax import ast

_PURE_NODES = (ast.IntLit, ast.FloatLit, ast.StrLit, ast.SelfRef, ast.Identifier)


def _is_binary_send(node: ast.Node, names: Collection[str]) -> bool:
    """Whether `node` is `a OP b` with OP in `names` (one argument, no keywords)."""
    return (
        type(node) is ast.Send
        and node.receiver is not None
        and node.name in names
        and len(node.args) == 1
        and not node.kwargs
    )


class Compiler(SendsMixin, ControlMixin, PrimitiveCallsMixin, DefinitionsMixin):
    def __init__(self, ctx: ModuleContext):
        self.ctx = ctx
        # operand() compiles a receiver to see whether an inline form fits and
        # may then compile the whole send, which compiles that receiver again:
        # without this memo a chain `1 + 1 + ... + 1` took 2^n steps.
        self._operands: dict[tuple[int, int], tuple[Any, Any, Operand]] = {}

    # --- entry points ------------------------------------------------------

    def compile_module(self, module: ast.Module, name="main", hook=None) -> Code:
        """The module body; `hook(node, fn)` may wrap each top-level statement."""
        scope = Scope("module")
        code = Code(name, self.ctx.file, module.span.line, "module", [], self.ctx)
        if hook is None:
            body = self.body(module.body, scope)
            if scope.owns_deferred:
                body = deferring(body)
        else:
            fns = [hook(n, self.c(n, scope), self, scope) for n in module.body]
            fns = [fn for fn in fns if fn is not None]

            def body(f):
                result = None
                for fn in fns:
                    result = fn(f)
                return result

        code.finish(body, scope.nslots)
        return code

    def compile_statement_list(self, nodes, scope):
        return self.body(nodes, scope)

    # --- helpers -----------------------------------------------------------

    def error(self, message, node):
        return InkoCompileError(message, node.span)

    def body(self, nodes, scope):
        fns = [self.c(n, scope) for n in nodes]
        fns = [f for f in fns if f is not None] or [lambda f: None]
        if len(fns) == 1:
            return fns[0]
        if len(fns) == 2:
            a, b = fns

            def body2(f):
                a(f)
                return b(f)

            body2.parts = fns  # fused loops call the statements themselves
            return body2
        if len(fns) == 3:
            a, b, c = fns

            def body3(f):
                a(f)
                b(f)
                return c(f)

            body3.parts = fns
            return body3
        init, last = tuple(fns[:-1]), fns[-1]

        def body_n(f):
            for fn in init:
                fn(f)
            return last(f)

        return body_n

    def c(self, node, scope):
        method = getattr(self, "c_" + type(node).__name__, None)
        if method is None:
            raise self.error(f"cannot compile {type(node).__name__}", node)
        return method(node, scope)

    # --- literals ----------------------------------------------------------

    def c_IntLit(self, node, scope):
        v = node.value
        return lambda f: v

    c_FloatLit = c_IntLit
    c_StrLit = c_IntLit

    def c_ArrayLit(self, node, scope):
        fns = [self.c(i, scope) for i in node.items]
        if not fns:
            return lambda f: []
        if len(fns) == 1:
            a = fns[0]
            return lambda f: [a(f)]
        return lambda f: [fn(f) for fn in fns]

    def c_HashLit(self, node, scope):
        pairs = [(self.c(k, scope), self.c(v, scope)) for k, v in node.pairs]
        hm = self.constant_getter("HashMap", node)
        _line = node.span.line

        def hash_lit(f):
            if False:
                _line  # noqa: B018 (read by stack traces)
            m = send_dyn(hm(f), "new", [])
            for k, v in pairs:
                send_dyn(m, "[]=", [k(f), v(f)])
            return m

        return hash_lit

    # --- names -------------------------------------------------------------

    def c_SelfRef(self, node, scope):
        return lambda f: f[1]

    def local_getter(self, depth, i):
        if depth == 0:
            return lambda f: f[i]
        if depth == 1:
            return lambda f: f[0][i]
        if depth == 2:
            return lambda f: f[0][0][i]

        def deep(f):
            for _ in range(depth):
                f = f[0]
            return f[i]

        return deep

    def local_setter(self, depth, i, value):
        if depth == 0:

            def set0(f):
                v = f[i] = value(f)
                return v

            return set0
        if depth == 1:

            def set1(f):
                v = f[0][i] = value(f)
                return v

            return set1

        def set_deep(f):
            v = value(f)
            g = f
            for _ in range(depth):
                g = g[0]
            g[i] = v
            return v

        return set_deep

    def c_Identifier(self, node, scope):
        found = scope.resolve(node.name)
        if found is not None:
            return self.local_getter(*found)
        return self.implicit_send(node.name, [], [], node, scope=scope, ident=True)

    def constant_getter(self, name, node):
        ctx = self.ctx
        _line = node.span.line
        g = ctx.globals
        if name == "ThisModule":
            return lambda f: ctx.module

        def const(f):
            s = f[1]
            if type(s) is InkoObject:
                v = s.attrs.get(name, MISSING)
                if v is MISSING:
                    v = lookup_from(s.proto, name)
            else:
                v = lookup_from(holder(s), name)
            if v is MISSING:
                v = g.get(name, MISSING)
                if v is MISSING:
                    sig = _panic(f"The constant {name} is undefined", _line)
                    sig.hint = ("constant", s, name, ctx)  # runtime/hints.py
                    raise sig
            return v

        return const

    def c_Constant(self, node, scope):
        return self.constant_getter(node.name, node)

    def c_ConstPath(self, node, scope):
        recv = self.c(node.receiver, scope)
        name = node.name

        def const_path(f):
            v = lookup_from(holder(recv(f)), name)
            return None if v is MISSING else v

        return const_path

    def c_ModuleGlobal(self, node, scope):
        g = self.ctx.globals
        name = node.name
        return lambda f: g.get(name)

    def c_AttrRef(self, node, scope):
        name = node.name

        def attr(f):
            s = f[1]
            if type(s) is InkoObject:
                v = s.attrs.get(name, MISSING)
                if v is not MISSING:
                    return v
                v = lookup_from(s.proto, name)
            else:
                v = lookup_from(holder(s), name)
            return None if v is MISSING else v

        return attr

    # --- bindings ----------------------------------------------------------

    def c_LetLocal(self, node, scope):
        binary = self.binary_parts(node.value, scope)
        value = self.c(node.value, scope) if binary is None else None
        i = scope.declare(node.name)
        if binary is not None:
            return make_binary(*binary, store="local0", slot=i)
        return self.local_setter(0, i, value)

    def binary_parts(self, node, scope):
        """(op, lhs, rhs, slow) when `node` is `a OP b` with a fast path."""
        if not _is_binary_send(node, _OPS):
            return None
        lhs = self.operand(node.receiver, scope)
        rhs = self.operand(node.args[0], scope)
        return node.name, lhs, rhs, self.slow_binary(node.name, node)

    def pure_comparison(self, node, scope):
        """(op, lhs, rhs) for `a < b` & co. whose operands are plain reads."""
        if not _is_binary_send(node, COMPARISONS):
            return None
        lhs = self.operand(node.receiver, scope)
        rhs = self.operand(node.args[0], scope)
        if not (lhs.pure and rhs.pure):
            return None
        return node.name, lhs, rhs

    def branch_operand(self, block, fn, scope):
        """An inlined block as an Operand: read inline when it is just a
        local, literal or `self`."""
        body = block.body
        if len(body) == 1 and type(body[0]) in _PURE_NODES:
            op = self.operand(body[0], scope)
            if op.pure:
                return op
        return Operand("call", fn)

    def c_AssignLocal(self, node, scope):
        found = scope.resolve(node.name)
        if found is None:
            raise self.error(f'The local variable "{node.name}" is undefined', node)
        if found[0] <= 1:
            binary = self.binary_parts(node.value, scope)
            if binary is not None:
                return make_binary(
                    *binary, store="local0" if found[0] == 0 else "local1", slot=found[1]
                )
        value = self.c(node.value, scope)
        return self.local_setter(found[0], found[1], value)

    def c_LetAttr(self, node, scope):
        value = self.c(node.value, scope)
        name = node.name

        def let_attr(f):
            return set_attr(f[1], name, value(f))

        return let_attr

    c_AssignAttr = c_LetAttr

    def c_LetConst(self, node, scope):
        value = self.c(node.value, scope)
        name = node.name
        g = self.ctx.globals
        top = scope.kind == "module"

        def let_const(f):
            v = value(f)
            set_attr(f[1], name, v)
            if top:
                g[name] = v
            return v

        return let_const

    # --- control flow ------------------------------------------------------

    def c_Return(self, node, scope):
        value = self.c(node.value, scope) if node.value is not None else (lambda f: None)

        def ret(f):
            target = f[2]
            if target is None:
                raise _panic('The "return" keyword can only be used inside a method')
            raise ReturnSignal(f if target is OWN else target, value(f))

        return ret

    def c_Throw(self, node, scope):
        value = self.c(node.value, scope)

        def throw(f):
            raise ThrowSignal(value(f))

        return throw

    def c_Try(self, node, scope):
        expr = self.c(node.expr, scope)
        if node.bang:
            _line = node.span.line
            file = self.ctx.file

            def try_bang(f):
                try:
                    return expr(f)
                except ThrowSignal as sig:
                    if sig.__dict__:
                        run_pending_of(sig)
                    raise try_panic(sig.value, file, _line) from None

            return try_bang
        if node.else_body is None:
            return expr
        # The frame that catches a throw takes over the deferred blocks of
        # the frames it unwound (LANGUAGE.md §3.12).
        scope.owns_deferred = True
        scope.dicts.append({})
        slot = scope.declare(node.else_name) if node.else_name else None
        else_body = self.body(node.else_body, scope)
        scope.dicts.pop()
        # The else body runs inline; traces show it as an "<else>" frame.
        line = node.span.line
        else_line = node.else_body[0].span.line if node.else_body else line
        mark = (self.ctx.file, else_line, "<else>", None, None, line)

        def try_else(f):
            try:
                return expr(f)
            except ThrowSignal as sig:
                if sig.__dict__:
                    adopt(sig, f)
                if slot is not None:
                    f[slot] = sig.value
                _inline = mark  # noqa: F841 (read by stack traces)
                return else_body(f)

        return try_else

    def operand(self, node, scope) -> Operand:
        """`node` as an Operand of generated code (see Operand)."""
        key = (id(node), id(scope))
        hit = self._operands.get(key)
        if hit is not None and hit[0] is node and hit[1] is scope:
            return hit[2]
        result = self._operand(node, scope)
        self._operands[key] = (node, scope, result)
        return result

    def _operand(self, node, scope) -> Operand:
        t = type(node)
        if t is ast.IntLit or t is ast.FloatLit or t is ast.StrLit:
            return Operand("const", node.value)
        if t is ast.SelfRef:
            return Operand("self")
        if t is ast.Identifier:
            found = scope.resolve(node.name)
            if found is not None and found[0] <= 1:
                return Operand("local0" if found[0] == 0 else "local1", found[1])
        if (
            t is ast.Send
            and node.name in INLINE_BINOPS
            and node.receiver is not None
            and len(node.args) == 1
            and not node.kwargs
            and type(node.args[0]) is ast.IntLit
        ):
            lhs = self.operand(node.receiver, scope)
            if lhs.pure and lhs.kind != "const":
                return binop_operand(
                    node.name, lhs, node.args[0].value, self.slow_binary(node.name, node)
                )
        return Operand("call", self.c(node, scope))
