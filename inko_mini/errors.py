"""Exceptions shared by every phase.

Control flow of Inko programs (throw, panic, non-local return) travels as
small Python exceptions without tracebacks on the hot path (DESIGN.md §4).
Primitives (inko_mini/builtins) raise ThrowSignal / PanicSignal directly.
"""

from __future__ import annotations


class InkoSyntaxError(Exception):
    """A parse error: carries the position and the offending source line."""

    def __init__(self, message, file, line, column, source_line=""):
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.source_line = source_line

    def render(self) -> str:
        # file:line:column: message, then the source line and a caret
        out = f"{self.file}:{self.line}:{self.column}: syntax error: {self.message}"
        if self.source_line:
            text = self.source_line.rstrip("\r\n").expandtabs(1)
            out += f"\n  {text}\n  {' ' * max(self.column - 1, 0)}^"
        return out


class ThrowSignal(Exception):
    """An Inko `throw value` unwinding to the nearest `try ... else`."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


class PanicSignal(Exception):
    """An Inko panic: not catchable by `try`; ends the process.

    `message` is a Python str. `frames` is filled in by the runtime with the
    Inko call stack (list of (file, line, name), oldest first) at the point
    of the panic, before any unwinding.
    """

    __slots__ = ("message", "frames")

    def __init__(self, message, frames=None):
        self.message = message
        self.frames = frames


class InkoLoadError(Exception):
    """A module that cannot be found or imported (reported like a compile error)."""

    def __init__(self, message, span=None):
        super().__init__(message)
        self.message = message
        self.span = span
