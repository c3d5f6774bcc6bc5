"""Control-flow exceptions of the evaluator that primitives never see."""

from __future__ import annotations

# Raised by the compiler and the module loader; lives with the other errors
# that carry a source position.
from inko_mini.errors import InkoCompileError  # noqa: F401


class ReturnSignal(Exception):
    """A `return`: unwinds to the method or lambda frame `target`."""

    __slots__ = ("target", "value")

    def __init__(self, target, value):
        self.target = target
        self.value = value


class ExitProgram(Exception):
    """`vm.exit(n)`: ends the whole program, from any process."""

    __slots__ = ("status",)

    def __init__(self, status):
        self.status = status
