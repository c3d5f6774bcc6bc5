"""Compiling a Send node: binary operators, inline control, primitives,
implicit sends and self tail calls (the run-time side of a send is
runtime/sends.py and compile/send_closures.py).
"""

from __future__ import annotations

from inko_mini.compile.fastpaths import _OPS, make_binary
from inko_mini.compile.send_closures import make_implicit_send, make_send, send_maker
from inko_mini.runtime.calls import _budget, out_of_reductions
from inko_mini.runtime.hints import note_scope
from inko_mini.runtime.objects import MISSING, Block
from inko_mini.runtime.sends import SendSite
from inko_mini.syntax import ast


class SendsMixin:
    """Compiler methods for Send nodes."""

    def c_Send(self, node, scope):
        recv = node.receiver
        name = node.name
        if name == "defer":
            scope.owns_deferred = True
            scope.defer_sends += 1
        if node is scope.tail_node:
            return self.tail_send(node, scope)
        if type(recv) is ast.Constant and recv.name == "_INKOC":
            return self.primitive_call(node, scope)
        nargs = len(node.args)
        if recv is not None:
            if nargs == 1 and name in _OPS and not node.kwargs:
                lhs = self.operand(recv, scope)
                rhs = self.operand(node.args[0], scope)
                slow = self.slow_binary(name, node)
                return make_binary(name, lhs, rhs, slow)
            inline = self.try_inline_control(node, scope)
            if inline is not None:
                return inline
        if recv is None:
            return self.implicit_send(name, node.args, node.kwargs, node, scope=scope)
        recv_op = self.operand(recv, scope)
        arg_ops = [self.operand(a, scope) for a in node.args]
        if node.kwargs or len(arg_ops) > 4:
            kw_fns = [(k, self.c(v, scope)) for k, v in node.kwargs]
            return make_send(
                recv_op.fn(), name, [a.fn() for a in arg_ops], kw_fns, node.span.line, self.ctx
            )
        site = SendSite(name, node.span.line, self.ctx)
        maker = send_maker(len(arg_ops), False, recv_op.kind, [a.kind for a in arg_ops])
        return maker(
            recv_op.value, [a.value for a in arg_ops], node.span.line, site, site, self.ctx, False
        )

    def tail_send(self, node, scope):
        """`m(args)` ending method `m`: when it reaches this same method,
        rebind the frame (new arguments, locals reset, self unchanged) and
        let the method's loop run the body again instead of recursing."""
        code = scope.tail_code
        name = node.name
        arg_fns = [self.c(a, scope) for a in node.args]
        _line = node.span.line
        ctx = self.ctx
        site = SendSite(name, _line, ctx)
        mod_site = SendSite(name, _line, ctx)
        implicit = node.receiver is None
        n = len(arg_fns)

        def tail_call(f):
            if False:
                _line  # noqa: B018 (read by stack traces)
            args = [a(f) for a in arg_fns]
            r = f[1]
            m = site.lookup(r)
            if type(m) is Block and m.code is code and code.fast_arity == n:
                f[3:] = args
                f.extend(code.pad)
                return TAIL_CALL
            if m is MISSING and implicit:
                mod = ctx.module
                if mod is not r and mod_site.lookup(mod) is not MISSING:
                    return mod_site.invoke(mod, args)
            return site.invoke(r, args)

        return tail_call

    def slow_binary(self, name, node):
        _line = node.span.line
        ctx = self.ctx
        send = make_send(None, name, [None], [], _line, ctx)

        def slow(f, a, b):
            return send.invoke(a, [b])

        return slow

    def implicit_send(self, name, args, kwargs, node, scope=None, ident=False):
        note_scope(self.ctx.file, node.span.line, name, scope)  # for "did you mean"
        if not kwargs and len(args) <= 4:
            ops = [self.operand(a, scope) for a in args]
            _line = node.span.line
            maker = send_maker(len(ops), True, "self", [a.kind for a in ops])
            return maker(
                None,
                [a.value for a in ops],
                _line,
                SendSite(name, _line, self.ctx),
                SendSite(name, _line, self.ctx),
                self.ctx,
                ident,
            )
        arg_fns = [self.c(a, scope) for a in args]
        kw_fns = [(k, self.c(v, scope)) for k, v in kwargs]
        return make_implicit_send(name, arg_fns, kw_fns, node.span.line, self.ctx, ident)


class _TailCall:
    __slots__ = ()

    def __repr__(self):
        return "<tail call>"


TAIL_CALL = _TailCall()


def tail_calls(body):
    """A method body that runs again while it ends in a self tail call."""
    budget = _budget

    def tail_loop(f):
        while True:
            value = body(f)
            if value is not TAIL_CALL:
                return value
            budget[0] -= 1
            if budget[0] <= 0:
                out_of_reductions()

    tail_loop.parts = None
    return tail_loop
