"""REPL inputs through the code generator (cli/repl.py).

Each input becomes one generated function, run with the session's module
as `self` like a module body. What an input declares at its top level must
stay visible to later inputs, and a block one input creates must see what a
later input assigns to the locals it captured, as in one long module body.
So the session's top-level locals are Python closure cells kept in
ReplState: the input's function is generated inside a wrapper that makes
those names its free variables (`nonlocal`), then rebuilt over the
session's own cells (types.FunctionType with a closure tuple). Closures
created by the input capture the same cells. A later `let` of a name
declares a new cell, as a second `let` does in a module; blocks made
before keep the old one.
"""

from __future__ import annotations

import ast as py
import types
from collections.abc import Callable
from typing import Any

from inko_mini.compile.codegen.gen import RETURN, C, Gen, N, assign, call, function
from inko_mini.runtime.cgframes import CgCode
from inko_mini.runtime.signals import InkoCompileError
from inko_mini.syntax import ast


class ReplState:
    """The top-level locals of one REPL session."""

    def __init__(self) -> None:
        # Inko name -> generated Python name of its latest `let`.
        self.names: dict[str, str] = {}
        # Generated Python name -> the cell holding its value.
        self.cells: dict[str, types.CellType] = {}

    def local_names(self) -> list[str]:
        return list(self.names)

    def value_of(self, name: str) -> tuple[bool, Any]:
        """(True, value) of local `name`, else (False, None)."""
        pyname = self.names.get(name)
        if pyname is None:
            return False, None
        return True, self.cells[pyname].cell_contents

    def bind(self, make: Callable[[], Any]) -> Any:
        """The function `make` returns, rebuilt over the session's cells."""
        fn = make()
        closure = tuple(self.cells[name] for name in fn.__code__.co_freevars)
        return types.FunctionType(fn.__code__, fn.__globals__, fn.__name__, None, closure)


def compile_repl_input(ctx: Any, tree: ast.Module, state: ReplState) -> CgCode:
    """The statements of `tree` as a Code whose body(frame) runs them with
    frame[1] (the session's module) as `self`; locals persist in `state`."""
    gen = Gen(ctx)
    unit = gen.unit
    names = unit.scopes[0]
    names.update(state.names)
    code = gen.new_code("<repl>", tree.span.line, "module")
    code.own_frame = False
    try:
        fname = gen.unit_function(unit, gen.fresh("_repl"), code, [], tree.body, RETURN, [])
    except InkoCompileError:
        # What was declared before the error stays declared (reading Nil),
        # as with the closure compiler's scope.
        _keep(state, names)
        raise
    # Names this input shadowed with a new `let` are read before it.
    pynames = sorted(set(state.names.values()) | set(names.values()))
    _keep(state, names)
    if pynames:
        _over_cells(gen, fname, pynames, state)
    gen.finish(fname, code)
    return code


def _keep(state: ReplState, names: dict[str, str]) -> None:
    for pyname in names.values():
        # A `let` that never ran (a panic came first) reads as Nil later,
        # as the closure compiler's frame slots did.
        state.cells.setdefault(pyname, types.CellType(None))
    state.names = dict(names)


def _over_cells(gen: Gen, fname: str, pynames: list[str], state: ReplState) -> None:
    """Turn top-level `def fname` into
        def fname_cells():
            v1 = v2 = None
            def fname(self): nonlocal v1, v2; ...
            return fname
        fname = bind(fname_cells)
    so that fname's locals v1, v2 are the session's cells."""
    index, inner = next(
        (i, d) for i, d in enumerate(gen.top) if isinstance(d, py.FunctionDef) and d.name == fname
    )
    body = inner.body
    if body and isinstance(body[0], py.Nonlocal):
        body[0].names = sorted(set(body[0].names) | set(pynames))
    else:
        body.insert(0, py.Nonlocal(names=list(pynames)))
    maker = f"{fname}_cells"
    outer = function(
        maker, [], [*(assign(n, C(None)) for n in pynames), inner, py.Return(N(fname))]
    )
    binder = gen.const(("value", state.bind), "_rb")
    gen.top[index : index + 1] = [outer, assign(fname, call(binder, N(maker)))]
