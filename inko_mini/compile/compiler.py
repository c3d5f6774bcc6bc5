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
"""

from __future__ import annotations

import math

from inko_mini import builtins
from inko_mini.compile.fastpaths import (
    _OPS,
    COMPARISONS,
    INLINE_BINOPS,
    Operand,
    TraceCode,
    binop_operand,
    make_binary,
    make_direct,
    make_fused_if,
    make_fused_while,
    read,
)
from inko_mini.compile.fastpaths import unpack as unpack_operand
from inko_mini.errors import ThrowSignal
from inko_mini.pycache import compile_template
from inko_mini.runtime import objects as O
from inko_mini.runtime.calls import (
    NO_CAPTURES,
    OWN,
    Code,
    ParamInfo,
    _budget,
    call_block,
    out_of_reductions,
    run_frame,
    truth,
)
from inko_mini.runtime.deferred import adopt, deferring, run_pending_of
from inko_mini.runtime.hints import note_scope
from inko_mini.runtime.objects import (
    FAST,
    MISSING,
    NATIVE_PROTOS,
    VERSION,
    Block,
    InkoObject,
    holder,
    lookup_from,
    set_attr,
)
from inko_mini.runtime.sends import (
    PRIMITIVE_ERRORS,
    SendSite,
    _panic,
    implement_trait,
    primitive_panic,
    send_dyn,
    try_panic,
)
from inko_mini.runtime.signals import InkoCompileError, ReturnSignal
from inko_mini.syntax import ast


class ModuleContext:
    """What code of one module needs at run time: its object and globals."""

    def __init__(self, name, file, display_name=None):
        self.name = name
        self.file = file
        self.display_name = display_name or name
        self.module = None
        self.globals: dict = {}


class Scope:
    """Compile-time names of one frame; inline blocks push extra dicts."""

    def __init__(self, kind, outer=None):
        self.kind = kind  # 'method', 'closure', 'lambda', 'module', 'body'
        self.outer = outer  # (Scope, [dicts]) captured by a closure
        self.dicts = [{}]
        self.nslots = 0
        # Set when the body sends `defer` or catches throws: its frames may
        # own deferred blocks (runtime/deferred.py).
        self.owns_deferred = False
        self.defer_sends = 0
        # The send in tail position of a method, and that method's Code:
        # a send of the method to `self` there reuses the frame (§3.15).
        self.tail_node = None
        self.tail_code = None

    def declare(self, name):
        index = 3 + self.nslots
        self.nslots += 1
        self.dicts[-1][name] = index
        return index

    def temp(self):
        index = 3 + self.nslots
        self.nslots += 1
        return index

    def resolve(self, name):
        depth = 0
        scope, dicts = self, self.dicts
        while True:
            for d in reversed(dicts):
                i = d.get(name)
                if i is not None:
                    return depth, i
            if scope.kind != "closure" or scope.outer is None:
                return None
            scope, dicts = scope.outer
            depth += 1


def _falsy(v):
    return v is False or v is None


class Compiler:
    def __init__(self, ctx: ModuleContext):
        self.ctx = ctx
        # operand() compiles a receiver to see whether an inline form fits and
        # may then compile the whole send, which compiles that receiver again:
        # without this memo a chain `1 + 1 + ... + 1` took 2^n steps.
        self._operands = {}

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
        if (
            type(node) is not ast.Send
            or node.receiver is None
            or node.name not in _OPS
            or len(node.args) != 1
            or node.kwargs
        ):
            return None
        lhs = self.operand(node.receiver, scope)
        rhs = self.operand(node.args[0], scope)
        return node.name, lhs, rhs, self.slow_binary(node.name, node)

    def pure_comparison(self, node, scope):
        """(op, lhs, rhs) for `a < b` & co. whose operands are plain reads."""
        if (
            type(node) is not ast.Send
            or node.receiver is None
            or node.name not in COMPARISONS
            or len(node.args) != 1
            or node.kwargs
        ):
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

    # --- blocks and methods ------------------------------------------------

    def params(self, params, scope):
        infos = []
        for p in params:
            scope.declare(p.name)
        for p in params:
            default = self.c(p.default, scope) if p.default is not None else None
            infos.append(ParamInfo(p.name, default, p.rest, p.lambda_type))
        return infos

    def block_code(self, node, scope, kind, name):
        if kind == "closure":
            inner = Scope("closure", (scope, list(scope.dicts)))
        else:
            inner = Scope(kind)
        params = self.params(node.params, inner)
        code = Code(name, self.ctx.file, node.span.line, kind, params, self.ctx)
        if node.body:
            code.body_line = node.body[0].span.line
            last = node.body[-1]
            if (
                kind == "method"
                and type(last) is ast.Send
                and last.name == name
                and not last.kwargs
                and (last.receiver is None or type(last.receiver) is ast.SelfRef)
            ):
                inner.tail_node = last
                inner.tail_code = code
        body = self.body(node.body or [], inner)
        if inner.tail_node is not None:
            body = _tail_calls(body)
        if inner.owns_deferred:
            body = deferring(body)
        code.finish(body, inner.nslots)
        if (
            kind == "method"
            and code.lambda_params
            and not code.has_rest
            and code.nrequired == code.nparams
        ):
            # `def spawn(block: lambda) { _INKOC.process_spawn(block) }`:
            # direct too, turning brace-block arguments into lambdas first.
            direct = self.direct_primitive(node, code)
            if direct is not None:
                code.direct = lambda_converting(direct, code.lambda_params)
                code.fast_arity = code.nparams
        elif kind == "method" and code.fast_arity >= 0:
            code.direct = self.direct_primitive(node, code)
            if code.direct is not None and code.nrequired < code.nparams:
                defaults = [p.default for p in node.params[code.nrequired :]]
                if all(type(d) in _LITERALS for d in defaults):
                    values = [d.value for d in defaults]
                    code.direct_defaults = {
                        n: tuple(values[n - code.nrequired :])
                        for n in range(code.nrequired, code.nparams)
                    }
                else:
                    code.direct = None
        return code

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

    def c_BlockLit(self, node, scope):
        if node.kind == "lambda":
            code = self.block_code(node, scope, "lambda", "<lambda>")
            ctx = self.ctx
            return lambda f: Block(code, None, ctx.module)
        code = self.block_code(node, scope, "closure", "<block>")
        literal = node.kind == "brace"
        return lambda f: Block(code, f, f[1], literal)

    def c_MethodDef(self, node, scope):
        if node.body is None:
            return lambda f: None
        code = self.block_code(node, scope, "method", node.name)
        name = node.name
        g = self.ctx.globals
        top = scope.kind == "module"

        def define(f):
            s = f[1]
            b = Block(code, None, s)
            set_attr(s, name, b)
            if top:
                g[name] = b
            return b

        return define

    # --- definitions -------------------------------------------------------

    def run_body_code(self, nodes, name, span):
        scope = Scope("body")
        code = Code(name, self.ctx.file, span.line, "body", [], self.ctx)
        code.finish(self.body(nodes, scope), scope.nslots)
        return code

    def c_ObjectDef(self, node, scope):
        name = node.name
        impls = [self.c(i, scope) for i in node.impls]
        code = self.run_body_code(node.body, name, node.span)
        g = self.ctx.globals
        top = scope.kind == "module"

        _line = node.span.line

        def object_def(f):
            if False:
                _line  # noqa: B018 (the line traces show while the body runs)
            s = f[1]
            obj = InkoObject(O.OBJECT, {"@_object_name": name})
            set_attr(s, name, obj)
            if top:
                g[name] = obj
            for impl in impls:
                implement_trait(obj, impl(f))
            run_frame(code, [None, obj, None, *code.pad])
            return obj

        return object_def

    def c_TraitDef(self, node, scope):
        name = node.name
        code = self.run_body_code(node.body, name, node.span)
        g = self.ctx.globals
        top = scope.kind == "module"

        _line = node.span.line

        def trait_def(f):
            if False:
                _line  # noqa: B018
            s = f[1]
            existing = lookup_from(holder(s), name) if not top else g.get(name, MISSING)
            if type(existing) is InkoObject and existing.proto is O.TRAIT:
                obj = existing
            else:
                obj = InkoObject(O.TRAIT, {"@_object_name": name})
                set_attr(s, name, obj)
                if top:
                    g[name] = obj
            run_frame(code, [None, obj, None, *code.pad])
            return obj

        return trait_def

    def c_ImplDef(self, node, scope):
        target = self.c(node.target, scope)
        trait = self.c(node.trait, scope) if node.trait is not None else None
        code = self.run_body_code(node.body, "<impl>", node.span)

        _line = node.span.line

        def impl_def(f):
            if False:
                _line  # noqa: B018
            t = target(f)
            if trait is not None:
                tr = trait(f)
                implement_trait(t, tr)
                run_frame(code, [None, t, None, *code.pad])
                return tr
            run_frame(code, [None, t, None, *code.pad])
            return t

        return impl_def

    def c_Import(self, node, scope):
        return None  # hoisted: the module loader binds imports first

    def c_Directive(self, node, scope):
        return None

    # --- sends -------------------------------------------------------------

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
        maker = _send_maker(len(arg_ops), False, recv_op.kind, [a.kind for a in arg_ops])
        return maker(
            recv_op.value, [a.value for a in arg_ops], node.span.line, site, site, self.ctx, False
        )

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
            maker = _send_maker(len(ops), True, "self", [a.kind for a in ops])
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

    # --- inlined control flow ----------------------------------------------

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


class _TailCall:
    __slots__ = ()

    def __repr__(self):
        return "<tail call>"


TAIL_CALL = _TailCall()


def _tail_calls(body):
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


_LITERALS = (ast.IntLit, ast.FloatLit, ast.StrLit)
_PURE_NODES = (ast.IntLit, ast.FloatLit, ast.StrLit, ast.SelfRef, ast.Identifier)


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


# --- sends -----------------------------------------------------------------


# The send closures are generated from one template per shape (argument
# count, how the receiver and each argument are read), so that the common
# case binds its frame inline without any intermediate Python call: the
# inline cache is checked in place, and a method with exactly that many
# parameters (or defaults for the missing trailing ones) runs directly.
_SEND_TEMPLATE = """
def make(rp, arg_ops, _line, site, mod_site, ctx, ident):
    {unpack}
    {unpack_parts}
    lookup = site.lookup
    mod_lookup = mod_site.lookup
    g = ctx.globals
    name = site.name
    get_native = NATIVE_PROTOS.get

    def send(f):
        if False:
            _line
        r = {receiver}
        {evaluate}
        t = type(r)
        if t is InkoObject:
            m = r.attrs.get(name, MISSING)
            if m is MISSING:
                if r.proto is site.key and site.ver == VER[0]:
                    m = site.method
                else:
                    m = lookup(r)
        elif get_native(t) is site.key and site.ver == VER[0]:
            m = site.method
        else:
            m = lookup(r)
        {implicit}
        if type(m) is Block:
            c = m.code
            if c.fast_arity == {n}:
                if c.direct is not None:
                    _code = c.direct_trace
                    try:
                        return c.direct(r, {arglist})
                    except PRIMITIVE_ERRORS as exc:
                        raise primitive_panic(c.direct, exc) from None
                _code = c
                fr = [None, r, OWN, {args}*c.pad]
            elif c.defaults_from <= {n} < c.nparams:
                if c.direct_defaults is not None:
                    _code = c.direct_trace
                    try:
                        return c.direct(r, {args}*c.direct_defaults[{n}])
                    except PRIMITIVE_ERRORS as exc:
                        raise primitive_panic(c.direct, exc) from None
                _code = c
                fr = [None, r, OWN, {args}*c.pads[{n}]]
                for i, d in c.tail_defaults[{n}]:
                    fr[i] = d(fr)
            else:
                return site.invoke(r, [{arglist}])
            budget[0] -= 1
            if budget[0] <= 0:
                out_of_reductions()
            try:
                return c.body(fr)
            except ReturnSignal as sig:
                if sig.target is fr:
                    return sig.value
                raise
        return site.invoke(r, [{arglist}])
    return send
"""

_IMPLICIT = """if m is MISSING:
            mod = ctx.module
            if mod is not r:
                m2 = mod_lookup(mod)
                if m2 is not MISSING:
                    return mod_site.invoke(mod, [{arglist}])
            {ident}"""

_SEND_MAKERS = {}


def _send_maker(n, implicit, recv_key="call", arg_keys=None):
    arg_keys = tuple(arg_keys or ("call",) * n)
    key = (n, implicit, recv_key, arg_keys)
    maker = _SEND_MAKERS.get(key)
    if maker is not None:
        return maker
    names = [f"x{i}" for i in range(n)]
    params = [f"a{i}" for i in range(n)]
    unpack = (", ".join(params) + (", " if n == 1 else "") + " = arg_ops") if n else "pass"
    evaluate = (
        "\n        ".join(
            f"{x} = {read(k, a)}" for x, a, k in zip(names, params, arg_keys, strict=True)
        )
        or "pass"
    )
    arglist = ", ".join(names)
    args = "".join(f"{x}, " for x in names)
    if implicit:
        # A bare identifier falls back to any global; `name(args)` to a module
        # method imported by name (`import m::(ident)` then `ident(5)`).
        imported = (
            "v = g.get(name, MISSING)\n"
            "            if type(v) is Block and v.code.kind == 'method':\n"
            f"                return call_block(v, [{arglist}])"
        )
        ident = (
            "if ident:\n                v = g.get(name, MISSING)\n"
            "                if v is not MISSING:\n"
            "                    site.gself = r\n"
            "                    site.gver = VER[0]\n"
            "                    return v\n"
            "            else:\n                " + imported.replace("\n", "\n    ")
        )
        imp = _IMPLICIT.format(arglist=arglist, ident=ident if n == 0 else imported)
        receiver = "f[1]"
        if n == 0:
            receiver += (
                "\n        if r is site.gself and site.gver == VER[0]:\n"
                "            v = g.get(name, MISSING)\n"
                "            if v is not MISSING:\n"
                "                return v"
            )
    else:
        imp = "pass"
        receiver = read(recv_key, "rp")
    parts = [unpack_operand(k, a) for a, k in zip(params, arg_keys, strict=True)]
    if not implicit:
        parts.append(unpack_operand(recv_key, "rp"))
    unpack_parts = "\n    ".join(parts) or "pass"
    src = _SEND_TEMPLATE.format(
        unpack=unpack,
        unpack_parts=unpack_parts,
        receiver=receiver,
        evaluate=evaluate,
        implicit=imp,
        n=n,
        args=args,
        arglist=arglist,
    )
    ns = {
        "Block": Block,
        "MISSING": MISSING,
        "ReturnSignal": ReturnSignal,
        "budget": _budget,
        "out_of_reductions": out_of_reductions,
        "OWN": OWN,
        "InkoObject": InkoObject,
        "NATIVE_PROTOS": NATIVE_PROTOS,
        "VER": VERSION,
        "FAST": FAST,
        "PRIMITIVE_ERRORS": PRIMITIVE_ERRORS,
        "primitive_panic": primitive_panic,
        "call_block": call_block,
    }
    label = f"<send/{n}{' implicit' if implicit else ''} {recv_key} {' '.join(arg_keys)}>"
    exec(compile_template(src, label), ns)
    maker = _SEND_MAKERS[key] = ns["make"]
    return maker


def make_send(recv_fn, name, arg_fns, kw_fns, _line, ctx):
    """A send closure `recv.name(args)`; with recv_fn None, just the site."""
    site = SendSite(name, _line, ctx, tuple(k for k, _ in kw_fns))
    if recv_fn is None:
        return site
    if kw_fns:
        invoke = site.invoke

        def send_kw(f):
            if False:
                _line  # noqa: B018 (makes it a free variable for traces)
            r = recv_fn(f)
            args = [a(f) for a in arg_fns]
            kwargs = {k: v(f) for k, v in kw_fns}
            return invoke(r, args, kwargs)

        return send_kw
    if len(arg_fns) <= 4:
        return _send_maker(len(arg_fns), False)(recv_fn, arg_fns, _line, site, site, ctx, False)

    def send_n(f):
        if False:
            _line  # noqa: B018
        r = recv_fn(f)
        return site.invoke(r, [a(f) for a in arg_fns])

    return send_n


def make_implicit_send(name, arg_fns, kw_fns, _line, ctx, ident):
    """`name(args)` without receiver: to self if it responds, else to the
    module; a bare identifier (`ident`) finally falls back to a global."""
    self_site = SendSite(name, _line, ctx)
    mod_site = SendSite(name, _line, ctx)
    if not kw_fns and len(arg_fns) <= 4:
        return _send_maker(len(arg_fns), True)(
            None, arg_fns, _line, self_site, mod_site, ctx, ident
        )

    def implicit(f):
        if False:
            _line  # noqa: B018
        s = f[1]
        m = self_site.lookup(s)
        if m is MISSING:
            mod = ctx.module
            m2 = mod_site.lookup(mod) if mod is not s else MISSING
            if m2 is not MISSING:
                args = [a(f) for a in arg_fns]
                kwargs = {k: v(f) for k, v in kw_fns} if kw_fns else None
                return mod_site.invoke(mod, args, kwargs)
            imported = ctx.globals.get(name, MISSING)
            if type(imported) is Block and imported.code.kind == "method":
                args = [a(f) for a in arg_fns]
                kwargs = {k: v(f) for k, v in kw_fns} if kw_fns else None
                return call_block(imported, args, kwargs)
        args = [a(f) for a in arg_fns]
        kwargs = {k: v(f) for k, v in kw_fns} if kw_fns else None
        return self_site.invoke(s, args, kwargs)

    return implicit


_ = math  # kept for float helpers that may move here
