"""Run-time side of the code generator (compile/codegen/).

The generator turns each Inko method, closure, lambda and body into one
Python function whose code object carries the Inko file and lines. This
module holds what the rest of the runtime needs to know about them:

- `CgCode`, a `Code` with the generated function `fn` (called directly by
  generated send sites: `fn(self, *args)`), and the lambda variant of a
  brace closure (`as_lambda`, for lambda inference);
- `CG_FRAMES`, Python code object -> CgCode, read by stack traces
  (runtime/panics.py): such a frame is an Inko frame whose current line is
  the Python frame's own `f_lineno`.
"""

from __future__ import annotations

from typing import Any

from inko_mini.runtime.calls import Code

# Python code object -> CgCode of the Inko block it runs.
CG_FRAMES: dict = {}


class CgCode(Code):
    """A Code whose body is a generated Python function."""

    __slots__ = ("fn", "lambda_code")

    def __init__(self, name: str, file: str, line: int, kind: str, params: list, ctx: Any):
        super().__init__(name, file, line, kind, params, ctx)
        self.fn: Any = None
        # For a brace closure: the CgCode of the same block compiled as a
        # lambda (no captures), used when lambda inference applies, or a
        # function building it on first use.
        self.lambda_code: Any = None

    def as_lambda(self) -> Code:
        made = self.lambda_code
        if made is None:
            return super().as_lambda()
        if type(made) is not CgCode:
            made = self.lambda_code = made()
        return made
