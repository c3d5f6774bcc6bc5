"""Expectation files: checks for what a page only states in prose.

Deprecated: `NAME.inko-test.toml` (sidefile.py) replaces this format; it is
still read for one release, with a warning, through sidefile.from_expect_file.

A page `NAME.md` may have a file `NAME.expect` beside it (or one given on
the command line), so maintainers can add checks without editing the page.
Format:

    # comments start with '#'
    [block 5]                     # the 5th ```inko block of the page
    source-contains = stdout.print(message)
    stdout = ping

    [line 332]                    # the block whose fence opens on line 332
    http-body = Hello, HTTP!

A section names its block by position (`block N`, robust against prose
edits) or by fence line (`line N`). Keys:

    stdout = TEXT            whole stdout, trailing newlines ignored
    stdout-contains = TEXT   stdout contains TEXT
    stderr-contains = TEXT   stderr contains TEXT
    exit = N                 expected exit status (default 0)
    http-status = N          status of the server's answer
    http-body = TEXT         body of the server's answer, exactly
    http-body-contains = TEXT
    source-contains = TEXT   guard: fail if the block no longer holds TEXT
                             (the page changed under the expectations)
    skip = REASON            do not run the block; counted as skipped

TEXT is the rest of the line with surrounding spaces removed; `\\n`, `\\t`,
`\\s` (a space) and `\\\\` are escapes. Repeating a key adds another check.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from inko_mini.doctest.markdown import CodeBlock

_SECTION = re.compile(r"^\[\s*(block|line)\s+(\d+)\s*\]$")
_ESCAPES = {"n": "\n", "t": "\t", "s": " ", "\\": "\\"}
KEYS = {
    "stdout",
    "stdout-contains",
    "stderr-contains",
    "exit",
    "http-status",
    "http-body",
    "http-body-contains",
    "source-contains",
    "skip",
}
_INTEGER_KEYS = {"exit", "http-status"}


@dataclass
class Expectation:
    """The checks for one block."""

    file: Path
    line: int  # line of the section header
    selector: tuple[str, int]  # ("block", 5) or ("line", 98)
    # (key, value, line of the check in the file)
    checks: list[tuple[str, str | int, int]] = field(default_factory=list)

    def values(self, key: str) -> list:
        return [value for name, value, _line in self.checks if name == key]

    @property
    def exit_status(self) -> int:
        statuses = self.values("exit")
        return statuses[-1] if statuses else 0

    @property
    def skip_reason(self) -> str | None:
        reasons = self.values("skip")
        return reasons[-1] if reasons else None


@dataclass
class ExpectationFile:
    path: Path
    sections: list[Expectation] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)

    def for_block(self, ordinal: int, line: int) -> Expectation | None:
        merged = None
        for section in self.sections:
            if section.selector in (("block", ordinal), ("line", line)):
                if merged is None:
                    merged = Expectation(section.file, section.line, section.selector)
                merged.checks.extend(section.checks)
        return merged


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m[1], m[0]), text)


def read_expectations(path: Path) -> ExpectationFile:
    result = ExpectationFile(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        result.problems.append((0, f"cannot read expectation file: {error}"))
        return result
    current = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        section = _SECTION.match(line)
        if section:
            current = Expectation(path, number, (section[1], int(section[2])))
            result.sections.append(current)
            continue
        key, equals, value = line.partition("=")
        key, value = key.strip().lower(), _unescape(value.strip())
        if not equals:
            result.problems.append(
                (number, f"expected `[block N]`, `[line N]` or `key = value`, got {line!r}")
            )
        elif key not in KEYS:
            result.problems.append(
                (number, f"unknown key {key!r} (known: {', '.join(sorted(KEYS))})")
            )
        elif current is None:
            result.problems.append((number, f"{key!r} before any [block N] section"))
        elif key in _INTEGER_KEYS and not re.fullmatch(r"-?\d+", value):
            result.problems.append((number, f"{key} needs a whole number, got {value!r}"))
        else:
            current.checks.append((key, int(value) if key in _INTEGER_KEYS else value, number))
    return result


def unused_sections(
    expectations: ExpectationFile, blocks: Sequence[CodeBlock]
) -> list[Expectation]:
    """Sections that name no block of the page (a typo or a stale file)."""
    ordinals = {("block", block.ordinal) for block in blocks}
    lines = {("line", block.line) for block in blocks}
    return [s for s in expectations.sections if s.selector not in ordinals | lines]
