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
            text, caret = _excerpt(self.source_line.rstrip("\r\n"), max(self.column - 1, 0))
            out += f"\n  {text}\n  {' ' * caret}^"
        return out


_WIDTH = 100  # a source line longer than this is shown as a window around the column


def _excerpt(line, column):
    """The part of `line` worth showing, and where the caret goes in it.

    Control characters (a NUL, a stray escape) would garble the terminal,
    so they are shown as spaces; huge generated lines are cut around the
    column instead of flooding the screen."""
    line = "".join(" " if ch < " " or ch == "\x7f" else ch for ch in line)
    if len(line) <= _WIDTH:
        return line, column
    start = max(0, min(column - _WIDTH // 2, len(line) - _WIDTH))
    text = line[start : start + _WIDTH]
    caret = column - start
    if start > 0:
        text, caret = "..." + text, caret + 3
    if start + _WIDTH < len(line):
        text += "..."
    return text, caret


def decode_source(data: bytes, file: str) -> str:
    """UTF-8 source text, or an InkoSyntaxError at the first invalid byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        line_start = before.rfind(b"\n") + 1
        column = len(before[line_start:].decode("utf-8", "replace")) + 1
        end = data.find(b"\n", exc.start)
        text = data[line_start : end if end >= 0 else len(data)].decode("utf-8", "replace")
        raise InkoSyntaxError(
            f"the file is not valid UTF-8 (byte 0x{data[exc.start]:02x})", file, line, column, text
        ) from None


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


class InkoLoadError(InkoCompileError):
    """A module that cannot be found or imported."""
