"""Calls of primitives: `_INKOC.name(args)` sends, and methods whose body is
just such a call, which then run as one direct Python call.
"""

from __future__ import annotations

from inko_mini import builtins
from inko_mini.compile.fastpaths import TraceCode, make_direct
from inko_mini.runtime.calls import NO_CAPTURES
from inko_mini.runtime.objects import Block
from inko_mini.runtime.sends import PRIMITIVE_ERRORS, primitive_panic
from inko_mini.syntax import ast


class PrimitiveCallsMixin:
    """Compiler methods for `_INKOC` calls."""

    def direct_primitive(self, node, code):
        """A plain function for a method whose body is just
        `_INKOC.prim(self or parameters...)`, else None."""
        body = node.body or []
        if len(body) != 1:
            return None
        call = body[0]
        if (
            type(call) is not ast.Send
            or type(call.receiver) is not ast.Constant
            or call.receiver.name != "_INKOC"
            or call.kwargs
        ):
            return None
        fn = builtins.lookup(call.name)
        if fn is None:
            return None
        order = []
        for arg in call.args:
            if type(arg) is ast.SelfRef:
                order.append(-1)
            elif type(arg) is ast.Identifier and arg.name in code.index:
                order.append(code.index[arg.name])
            else:
                return None
        code.direct_trace = TraceCode(code.file, call.span.line, code.name)
        return make_direct(fn, order, code.nparams)

    def primitive_call(self, node, scope):  # noqa: C901 (argument shapes of _INKOC calls, each a fast path)
        fn = builtins.lookup(node.name)
        if fn is None:
            raise self.error(f"Unknown primitive _INKOC.{node.name}", node)
        args = [self.c(a, scope) for a in node.args]
        _line = node.span.line
        if not args:

            def prim0(f):
                if False:
                    _line  # noqa: B018
                try:
                    return fn()
                except PRIMITIVE_ERRORS as exc:
                    raise primitive_panic(fn, exc) from None

            return prim0
        if len(args) == 1:
            a = args[0]

            def prim1(f):
                if False:
                    _line  # noqa: B018
                x = a(f)
                try:
                    return fn(x)
                except PRIMITIVE_ERRORS as exc:
                    raise primitive_panic(fn, exc) from None

            return prim1
        if len(args) == 2:
            a, b = args

            def prim2(f):
                if False:
                    _line  # noqa: B018
                x = a(f)
                y = b(f)
                try:
                    return fn(x, y)
                except PRIMITIVE_ERRORS as exc:
                    raise primitive_panic(fn, exc) from None

            return prim2

        def prim_n(f):
            if False:
                _line  # noqa: B018
            values = [x(f) for x in args]
            try:
                return fn(*values)
            except PRIMITIVE_ERRORS as exc:
                raise primitive_panic(fn, exc) from None

        return prim_n


def lambda_converting(direct, positions):
    """`direct` with the arguments at `positions` made lambdas when they are
    brace blocks (lambda inference, LANGUAGE.md §3.6)."""

    def convert(v):
        if type(v) is Block and v.literal and v.code.kind == "closure":
            return Block(v.code.as_lambda(), NO_CAPTURES, v.code.ctx.module)
        return v

    if positions == (0,):

        def direct1(r, x0, *rest):
            return direct(r, convert(x0), *rest)

        return direct1

    def direct_n(r, *args):
        args = list(args)
        for i in positions:
            args[i] = convert(args[i])
        return direct(r, *args)

    return direct_n
