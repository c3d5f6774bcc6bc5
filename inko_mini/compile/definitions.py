"""Blocks, methods and the bodies of `object`, `trait` and `impl`."""

from __future__ import annotations

from inko_mini.compile.primitive_calls import lambda_converting
from inko_mini.compile.scope import Scope
from inko_mini.compile.sends import tail_calls
from inko_mini.runtime import objects as O
from inko_mini.runtime.calls import Code, ParamInfo, run_frame
from inko_mini.runtime.deferred import deferring
from inko_mini.runtime.objects import MISSING, Block, InkoObject, holder, lookup_from, set_attr
from inko_mini.runtime.sends import implement_trait
from inko_mini.syntax import ast

_LITERALS = (ast.IntLit, ast.FloatLit, ast.StrLit)


class DefinitionsMixin:
    """Compiler methods for blocks, methods and definitions."""

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
            body = tail_calls(body)
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
