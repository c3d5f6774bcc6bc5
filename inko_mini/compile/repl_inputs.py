"""The statements typed at the REPL (cli/repl.py), compiled by the code
generator, with the session's top-level locals kept between inputs.

`inputs_for(ctx)` gives an object with `compile(tree) -> run()`, which runs
the input with the session's module as `self` and returns its value, and,
for completion, `names()` and `value_of(name) -> (found, value)`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from inko_mini.compile.codegen.repl import ReplState, compile_repl_input
from inko_mini.compile.scope import ModuleContext
from inko_mini.syntax import ast


class ReplInputs(Protocol):
    def compile(self, tree: ast.Module) -> Callable[[], Any]: ...

    def names(self) -> list[str]: ...

    def value_of(self, name: str) -> tuple[bool, Any]: ...


def inputs_for(ctx: ModuleContext) -> ReplInputs:
    return CodegenInputs(ctx)


class CodegenInputs:
    """Each input one generated function; locals in ReplState cells."""

    def __init__(self, ctx: ModuleContext) -> None:
        self.ctx = ctx
        self.state = ReplState()

    def compile(self, tree: ast.Module) -> Callable[[], Any]:
        code = compile_repl_input(self.ctx, tree, self.state)
        ctx = self.ctx
        # A fresh frame each time: the locals live in the cells, and
        # frame[2] None makes a top-level `return` panic as in a module.
        return lambda: code.body([None, ctx.module, None])

    def names(self) -> list[str]:
        return self.state.local_names()

    def value_of(self, name: str) -> tuple[bool, Any]:
        return self.state.value_of(name)
