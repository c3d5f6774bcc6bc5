"""The side file `NAME.inko-test.toml`: markers and checks for a page that must not change.

    [page]
    continue = true                  # every block that runs normally continues the one before
    setup = "import std::stdio::stdout"   # hidden code run before every block

    [[block]]
    block = 3                        # the 3rd ```inko block; or line = 57 (fence line),
                                     # or blocks = "3-7" (a range of positions)
    check = true                     # any marker: ignore, check, no_run, compile_fail,
    should_panic = "text"            #   should_panic, continue, server, timeout
    stdout = "ping\\n"               # checks: stdout, stdout-contains, stderr-contains, exit,
    http-body = "Hello, HTTP!"       #   http-status, http-body, http-body-contains,
                                     #   source-contains, skip = "reason"

Read with the standard library's `tomllib` (Python 3.11+) or `tomli` on 3.10.
The older `NAME.expect` format (expectations.py) is still read, with a
deprecation note.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from inko_mini.doctest.expectations import Expectation, ExpectationFile
from inko_mini.doctest.markdown import CodeBlock, Segment
from inko_mini.doctest.markers import ParsedMarkers, set_marker

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

SUFFIX = ".inko-test.toml"
SELECTORS = ("block", "line", "blocks")
MARKER_KEYS = (
    "ignore",
    "check",
    "no_run",
    "compile_fail",
    "should_panic",
    "continue",
    "server",
    "timeout",
)
CHECK_KEYS = {
    "stdout": str,
    "stdout-contains": str,
    "stderr-contains": str,
    "exit": int,
    "http-status": int,
    "http-body": str,
    "http-body-contains": str,
    "source-contains": str,
    "skip": str,
}
PAGE_KEYS = ("continue", "setup")


@dataclass
class Rule:
    """One `[[block]]` table: which blocks, and what to say about them."""

    line: int
    selector: tuple[str, int, int]  # (kind, first, last): ("block", 3, 3), ("line", 57, 57)
    markers: ParsedMarkers = field(default_factory=ParsedMarkers)
    checks: list[tuple[str, str | int, int]] = field(default_factory=list)

    def selects(self, ordinal: int, fence_line: int) -> bool:
        kind, first, last = self.selector
        value = fence_line if kind == "line" else ordinal
        return first <= value <= last


@dataclass
class SideFile:
    path: Path
    rules: list[Rule] = field(default_factory=list)
    page_continue: bool = False
    setup: Segment | None = None
    problems: list[tuple[int, str]] = field(default_factory=list)
    deprecated: bool = False

    def expectation_for(self, ordinal: int, fence_line: int) -> Expectation | None:
        merged = None
        for rule in self.rules:
            if rule.selects(ordinal, fence_line):
                kind, first, _last = rule.selector
                if merged is None:
                    merged = Expectation(self.path, rule.line, (kind, first))
                merged.checks.extend(rule.checks)
        return merged

    def markers_for(self, ordinal: int, fence_line: int) -> list[ParsedMarkers]:
        return [r.markers for r in self.rules if r.selects(ordinal, fence_line)]


def _table_lines(text: str, header: str) -> list[int]:
    pattern = re.compile(r"^\s*\[\[\s*" + header + r"\s*\]\]") if header else None
    return [n for n, line in enumerate(text.splitlines(), 1) if pattern and pattern.match(line)]


def _key_line(text: str, start: int, key: str, within_table: bool = True) -> int:
    """The line of `key = ...` at or after line `start` (the table's header)."""
    name = r"[\"']?" + re.escape(key) + r"[\"']?"
    pattern = re.compile(r"^\s*(?:" + name + r"\s*=|\[\[?\s*" + name + r"\s*[\].])")
    lines = text.splitlines()
    for number in range(start, len(lines) + 1):
        if within_table and number > start and lines[number - 1].lstrip().startswith("["):
            break
        if pattern.match(lines[number - 1]):
            return number
    return start


def _selector(table: dict, line: int, problems: list) -> tuple[str, int, int] | None:
    given = [key for key in SELECTORS if key in table]
    if len(given) != 1:
        problems.append(
            (line, 'each [[block]] needs exactly one of block = N, line = N or blocks = "A-B"')
        )
        return None
    key = given[0]
    value = table[key]
    if key == "blocks":
        match = re.fullmatch(r"\s*(\d+)\s*-\s*(\d+)\s*", str(value))
        if not match or int(match[1]) > int(match[2]) or int(match[1]) < 1:
            problems.append((line, f'blocks = "A-B" needs a range such as "3-7", got {value!r}'))
            return None
        return ("block", int(match[1]), int(match[2]))
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        problems.append((line, f"{key} = N needs a positive whole number, got {value!r}"))
        return None
    return (key, value, value)


def read_side_file(path: Path) -> SideFile:
    result = SideFile(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        result.problems.append((0, f"cannot read the side file: {error}"))
        return result
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        where = re.search(r"line (\d+)", str(error))
        result.problems.append((int(where[1]) if where else 0, f"invalid TOML: {error}"))
        return result
    for key, value in data.items():
        if key == "page" and isinstance(value, dict):
            _read_page_table(result, text, value)
        elif key == "block" and isinstance(value, list):
            headers = _table_lines(text, "block")
            for index, table in enumerate(value):
                line = headers[index] if index < len(headers) else 0
                _read_block_table(result, text, table, line)
        else:
            result.problems.append(
                (
                    _key_line(text, 1, key, within_table=False),
                    f"unknown key {key!r} (known: a [page] table and [[block]] tables)",
                )
            )
    return result


def _read_page_table(result: SideFile, text: str, table: dict) -> None:
    start = next((n for n, line in enumerate(text.splitlines(), 1) if line.strip() == "[page]"), 1)
    for key, value in table.items():
        line = _key_line(text, start, key)
        if key == "continue" and isinstance(value, bool):
            result.page_continue = value
        elif key == "setup" and isinstance(value, str):
            result.setup = Segment(value if value.endswith("\n") else value + "\n", 0)
        elif key in PAGE_KEYS:
            result.problems.append((line, f"[page] {key} has the wrong type: {value!r}"))
        else:
            result.problems.append(
                (line, f"unknown [page] key {key!r} (known: {', '.join(PAGE_KEYS)})")
            )


def _read_block_table(result: SideFile, text: str, table: dict, line: int) -> None:
    selector = _selector(table, line, result.problems)
    if selector is None:
        return
    rule = Rule(line, selector)
    for key, value in table.items():
        where = _key_line(text, line, key)
        if key in SELECTORS:
            continue
        if key in MARKER_KEYS:
            set_marker(key, value, rule.markers, where, f"in {result.path.name}")
        elif key in CHECK_KEYS:
            wanted = CHECK_KEYS[key]
            if wanted is int and (isinstance(value, bool) or not isinstance(value, int)):
                result.problems.append((where, f"{key} needs a whole number, got {value!r}"))
            elif wanted is str and not isinstance(value, str):
                result.problems.append((where, f"{key} needs a string, got {value!r}"))
            else:
                rule.checks.append((key, value, where))
        else:
            known = ", ".join([*SELECTORS, *MARKER_KEYS, *CHECK_KEYS])
            result.problems.append((where, f"unknown key {key!r} (known: {known})"))
    result.problems += [(p.line, p.message) for p in rule.markers.problems]
    result.rules.append(rule)


def from_expect_file(old: ExpectationFile) -> SideFile:
    """Today's `.expect` format as a side file, kept for one release."""
    result = SideFile(old.path, problems=list(old.problems), deprecated=True)
    for section in old.sections:
        kind, number = section.selector
        rule = Rule(section.line, (kind, number, number))
        for key, value, line in section.checks:
            rule.checks.append((key, value, line))
        result.rules.append(rule)
    return result


def unused_rules(side: SideFile, blocks: Iterable[CodeBlock]) -> list[Rule]:
    """Rules that name no block of the page (a typo or a stale file)."""
    return [r for r in side.rules if not any(r.selects(b.ordinal, b.line) for b in blocks)]
