"""Compare what a block printed with the output the page shows.

Both sides are normalised first: spaces at line ends and blank lines at the
end do not count. A line holding only `...` in the expected text matches
any number of lines (none included), like byexample's and doctest's ELLIPSIS.
"""

from __future__ import annotations

import difflib
import re

ELLIPSIS = "..."


def normalise(text: str) -> list[str]:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def output_matches(expected: str, actual: str) -> bool:
    wanted, got = normalise(expected), normalise(actual)
    if ELLIPSIS not in (line.strip() for line in wanted):
        return wanted == got
    pattern = "".join(
        r"(?:[^\n]*\n)*?" if line.strip() == ELLIPSIS else re.escape(line) + r"\n"
        for line in wanted
    )
    return re.fullmatch(pattern, "".join(line + "\n" for line in got)) is not None


def output_diff(expected: str, actual: str, expected_name: str, actual_name: str) -> list[str]:
    """A unified diff, expected first, as lines without newlines."""
    diff = difflib.unified_diff(
        normalise(expected), normalise(actual), expected_name, actual_name, lineterm=""
    )
    lines = list(diff)
    return lines or [f"(only whitespace differs: {actual!r})"]
