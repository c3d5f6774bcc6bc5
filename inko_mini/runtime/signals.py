"""Control-flow exceptions of the evaluator that primitives never see."""

from __future__ import annotations


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


class InkoCompileError(Exception):
    """An error the original compiler reported before running anything."""

    def __init__(self, message, span=None):
        super().__init__(message)
        self.message = message
        self.span = span

    def render(self) -> str:
        if self.span is None:
            return f"error: {self.message}"
        return f"{self.span.file}:{self.span.line}:{self.span.column}: error: {self.message}"
