"""Turn what a failed block printed into a one-line reason about the page.

The interpreter names the temporary file a block ran from; every such
position is moved back to the page (fence line + line in the block), so
reasons point at the documentation a reader would edit.
"""

from __future__ import annotations

import re
import signal
from collections.abc import Callable

_PANIC = re.compile(r"^Process \S+ panicked: (.*)$", re.MULTILINE)
_FRAME = re.compile(r'^\s*\d+: "(.*)", line (\d+), in "(.*)"$', re.MULTILINE)
_ANNOTATION = re.compile(r"^annotation failed at .*$", re.MULTILINE)
_SYNTAX = re.compile(r"^.*:\d+:\d+: .*$", re.MULTILINE)
_COMPILE_ERROR = re.compile(r"^\S.*?:\d+:\d+: (?:syntax )?error: .*$", re.MULTILINE)
_ANNOTATION_VALUES = re.compile(
    r"^annotation failed at (.*?): expected (output )?(.*), got (.*)$", re.MULTILINE
)


def relocate(text: str, program: str, position: Callable[[int], str | None]) -> str:
    """Rewrite `program`'s positions in `text` as `position(line)` (a page position)."""

    def quoted(match: re.Match[str]) -> str:
        where = position(int(match[1]))
        if where is None:
            return match[0]
        path, _, line = where.rpartition(":")
        return f'"{path}", line {line}'

    def plain(match: re.Match[str]) -> str:
        return position(int(match[1])) or match[0]

    escaped = re.escape(program)
    text = re.sub(f'"{escaped}", line (\\d+)', quoted, text)
    return re.sub(f"{escaped}:(\\d+)", plain, text)


def panic_message(stderr: str) -> str | None:
    """The message of the panic report in `stderr`, if there is one."""
    panic = _PANIC.search(stderr)
    return panic[1].strip() if panic else None


def compile_error(stderr: str) -> str | None:
    """The first `FILE:LINE:COL: [syntax ]error: ...` line: rejected before running."""
    found = _COMPILE_ERROR.search(stderr)
    return found[0].strip() if found else None


def annotation_diffs(stderr: str) -> list[str]:
    """A small unified diff for each failed `# => VALUE` comment."""
    lines: list[str] = []
    for match in _ANNOTATION_VALUES.finditer(stderr):
        where, output, expected, got = match[1], match[2], match[3], match[4]
        what = "printed text" if output else "value"
        lines += [
            f"--- expected {what} ({where})",
            f"+++ actual {what}",
            "@@ -1 +1 @@",
            f"-{expected}",
            f"+{got}",
        ]
    return lines


def _status(returncode: int | None) -> str:
    if returncode is not None and returncode < 0:
        try:
            return f"killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    return f"exit status {returncode}"


def explain_failure(stderr: str, returncode: int | None) -> str:
    """Why a block that ended badly failed, in one line."""
    status = _status(returncode)
    annotations = _ANNOTATION.findall(stderr)
    if annotations:
        return f"{status}: " + "; ".join(line.strip() for line in annotations)
    panic = _PANIC.search(stderr)
    if panic:
        frames = _FRAME.findall(stderr[: panic.start()])
        where = f" at {frames[-1][0]}:{frames[-1][1]}" if frames else ""
        # prefer the innermost frame that is in the page rather than the library
        for path, line, _name in reversed(frames):
            if not path.endswith(".inko"):
                where = f" at {path}:{line}"
                break
        return f"{status}: panic{where}: {panic[1].strip()}"
    syntax = _SYNTAX.search(stderr)
    if syntax and "error" in syntax[0]:
        return f"{status}: {syntax[0].strip()}"
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    if lines:
        # an error message usually leads; a Python traceback ends in its message
        text = lines[-1] if lines[0].startswith("Traceback") else lines[0]
        return f"{status}: {text}"
    return status
