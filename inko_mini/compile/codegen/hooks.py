"""Top-level statements followed by a check, for `inko-mini run
--check-annotations` (compile/annotations.py decides what to check).

The hook is asked once per top-level statement; a statement it has a check
for is generated as usual with its value kept in a temporary, then the
check runs (in the module body's own function, so the expected expression
sees the module's locals), then the value goes on as the statement's.
"""

from __future__ import annotations

import ast as py
from typing import Any, Protocol

from inko_mini.compile.codegen.gen import Gen, N, assign, call
from inko_mini.runtime.cgframes import CgCode
from inko_mini.syntax import ast


class StatementCheck(Protocol):
    # (receiver, argument) of a `stdout.print(E)` whose printed text is
    # checked, else None and `expected` is the expression to compare with.
    printing: tuple[Any, Any] | None
    expected: Any

    def compare(self, got: Any, want: Any) -> None: ...

    def print_and_compare(self, receiver: Any, value: Any) -> Any: ...


class StatementHook(Protocol):
    def check_for(self, node: Any) -> StatementCheck | None: ...


class HookedGen(Gen):
    """Gen whose module body runs the hook's checks after their statements."""

    def __init__(self, ctx: Any, hook: StatementHook) -> None:
        super().__init__(ctx)
        self.hook = hook
        # id(top-level node) -> (node, its check)
        self.checks: dict[int, tuple[Any, StatementCheck]] = {}

    def compile_module(self, tree: ast.Module, name: str, run: bool = True) -> CgCode:
        for node in tree.body:
            check = self.hook.check_for(node)
            if check is not None:
                self.checks[id(node)] = (node, check)
        return super().compile_module(tree, name, run)

    def stmt(self, node: Any, target: tuple) -> None:
        entry = self.checks.get(id(node))
        if entry is None or entry[0] is not node:
            super().stmt(node, target)
            return
        del self.checks[id(node)]
        check = entry[1]
        line = node.span.line
        got = self.fresh("_t")
        if check.printing is not None:
            # `R.print(E)`: the send is made by the check, which then
            # compares the text E printed.
            receiver, argument = check.printing
            r, prims = self.value(receiver)
            tmp = self.fresh("_t")
            self.emit(assign(tmp, r), line, prims)
            a, prims = self.value(argument)
            run = self.const(("value", check.print_and_compare), "_ck")
            self.emit(assign(got, call(run, N(tmp), a)), line, prims)
        else:
            super().stmt(node, ("assign", got))
            want, prims = self.value(check.expected)
            compare = self.const(("value", check.compare), "_ck")
            self.emit(py.Expr(call(compare, N(got), want)), line, prims)
        self.emit_value(target, N(got), line, [])
