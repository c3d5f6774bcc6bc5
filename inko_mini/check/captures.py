"""Static checks over the AST that the original compiler made before running
anything; each raises an `InkoCompileError` with the position it is about."""

from __future__ import annotations

import dataclasses

from inko_mini.errors import InkoCompileError
from inko_mini.syntax import ast

# A `process.spawn { ... }` block runs as a lambda in another process
# (LANGUAGE.md §3.6): it captures nothing, so a local of the enclosing scope
# would either be undefined there or, worse, memory shared between
# processes. The original compiler rejected such programs; so do we, before
# running anything, naming the variable and its position.


class SpawnCaptureError(InkoCompileError):
    def __init__(self, name: str, span: ast.Span) -> None:
        self.name = name
        super().__init__(
            f'the block passed to process.spawn can not use the local variable "{name}" '
            "of its surroundings: a process shares no memory, so send the value to "
            "the new process as a message instead",
            span,
        )


class _Scope:
    __slots__ = ("names", "parent", "forbidden")

    def __init__(
        self, parent: _Scope | None = None, forbidden: frozenset[str] = frozenset()
    ) -> None:
        self.names: set[str] = set()
        # None for a scope that sees no outer locals (method, lambda, object body).
        self.parent = parent
        # Locals of the surroundings of a spawned block, not visible inside it.
        self.forbidden = forbidden

    def resolves(self, name: str) -> bool:
        scope: _Scope | None = self
        while scope is not None:
            if name in scope.names:
                return True
            scope = scope.parent
        return False

    def visible(self) -> set[str]:
        out: set[str] = set()
        scope: _Scope | None = self
        while scope is not None:
            out |= scope.names
            scope = scope.parent
        return out

    def root_forbidden(self) -> frozenset[str]:
        scope = self
        while scope.parent is not None:
            scope = scope.parent
        return scope.forbidden


def _is_spawn(node: ast.Send) -> bool:
    return (
        node.name == "spawn"
        and isinstance(node.receiver, ast.Identifier)
        and node.receiver.name == "process"
        and bool(node.args)
        and isinstance(node.args[-1], ast.BlockLit)
        and node.args[-1].kind in ("brace", "lambda")
    )


class _Checker:
    def module(self, module: ast.Module) -> None:
        scope = _Scope()
        for node in module.body:
            self.visit(node, scope)

    def body(self, nodes: list[ast.Node] | None, scope: _Scope) -> None:
        for node in nodes or ():
            self.visit(node, scope)

    def use(self, name: str, span: ast.Span, scope: _Scope) -> None:
        if not scope.resolves(name) and name in scope.root_forbidden():
            raise SpawnCaptureError(name, span)

    def visit(self, node: object, scope: _Scope) -> None:  # noqa: C901 (one branch per AST node kind, like a visitor's methods)
        if isinstance(node, ast.Identifier):
            self.use(node.name, node.span, scope)
        elif isinstance(node, ast.AssignLocal):
            self.visit(node.value, scope)
            self.use(node.name, node.span, scope)
        elif isinstance(node, ast.LetLocal):
            self.visit(node.value, scope)
            scope.names.add(node.name)
        elif isinstance(node, ast.Send) and _is_spawn(node):
            self.visit(node.receiver, scope)
            for arg in node.args[:-1]:
                self.visit(arg, scope)
            for _, value in node.kwargs:
                self.visit(value, scope)
            forbidden = scope.visible() | scope.root_forbidden()
            self.block(node.args[-1], _Scope(None, frozenset(forbidden)))
        elif isinstance(node, ast.BlockLit):
            if node.kind == "lambda":
                self.block(node, _Scope(None, scope.root_forbidden()))
            else:
                self.block(node, _Scope(scope))
        elif isinstance(node, ast.MethodDef):
            if node.body is not None:
                inner = _Scope()
                self.params(node.params, inner)
                self.body(node.body, inner)
        elif isinstance(node, (ast.ObjectDef, ast.TraitDef)):
            self.body(node.body, _Scope())
        elif isinstance(node, ast.ImplDef):
            self.visit(node.target, scope)
            self.body(node.body, _Scope())
        elif isinstance(node, ast.Try):
            self.visit(node.expr, scope)
            if node.else_body is not None:
                inner = _Scope(scope)
                if node.else_name:
                    inner.names.add(node.else_name)
                self.body(node.else_body, inner)
        elif isinstance(node, ast.HashLit):
            for key, value in node.pairs:
                self.visit(key, scope)
                self.visit(value, scope)
        elif isinstance(node, ast.Send):
            if node.receiver is not None:
                self.visit(node.receiver, scope)
            for arg in node.args:
                self.visit(arg, scope)
            for _, value in node.kwargs:
                self.visit(value, scope)
        elif isinstance(node, ast.Node):
            for f in dataclasses.fields(node):
                if f.name == "span":
                    continue
                value = getattr(node, f.name)
                if isinstance(value, ast.Node):
                    self.visit(value, scope)
                elif isinstance(value, list):
                    for item in value:
                        if isinstance(item, ast.Node):
                            self.visit(item, scope)

    def params(self, params: list[ast.Param], scope: _Scope) -> None:
        for param in params:
            if param.default is not None:
                self.visit(param.default, scope)
            scope.names.add(param.name)

    def block(self, block: ast.BlockLit, scope: _Scope) -> None:
        self.params(block.params, scope)
        self.body(block.body, scope)


def check_spawn_captures(module: ast.Module) -> None:
    """Raise SpawnCaptureError for the first spawned block (in source order)
    that uses a local variable of its surroundings."""
    _Checker().module(module)
