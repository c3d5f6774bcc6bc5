"""How results are shown: one line per block, a section per failure, JUnit XML."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import TextIO

from inko_mini.doctest.collect import Check
from inko_mini.doctest.execute import FAIL, PASS, SKIP, Outcome

_COLOURS = {"red": "31", "green": "32", "yellow": "33", "cyan": "36", "bold": "1"}


class Painter:
    def __init__(self, enabled: bool):
        self.enabled = enabled

    def __call__(self, text: str, colour: str) -> str:
        if not self.enabled:
            return text
        return f"\033[{_COLOURS[colour]}m{text}\033[0m"


def use_colour(choice: str, stream: TextIO) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


_STATUS_COLOUR = {PASS: "green", FAIL: "red", SKIP: "yellow"}


def result_line(check: Check, outcome: Outcome, paint: Painter) -> str:
    status = paint(outcome.status, _STATUS_COLOUR[outcome.status])
    if outcome.status == PASS:
        return f"{check.id}: {status}" + (f" ({outcome.reason})" if outcome.reason else "")
    return f"{check.id}: {status}: {outcome.reason}"


def failure_section(check: Check, outcome: Outcome, paint: Painter) -> list[str]:
    lines = [paint(f"_____ {check.id} _____", "red"), outcome.reason]
    for line in outcome.details:
        if line.startswith(("+++", "---")):
            lines.append(paint(line, "bold"))
        elif line.startswith("+"):
            lines.append(paint(line, "green"))
        elif line.startswith("-"):
            lines.append(paint(line, "red"))
        elif line.startswith("@@"):
            lines.append(paint(line, "cyan"))
        else:
            lines.append(line)
    return lines


def output_section(outcome: Outcome) -> list[str]:
    """What -v shows under each block: its stdout and stderr, indented."""
    lines = []
    for label, text in (("stdout", outcome.stdout), ("stderr", outcome.stderr)):
        if text.strip():
            lines.append(f"    --- {label} ---")
            lines += ["    " + line for line in text.rstrip("\n").splitlines()]
    return lines


def summary(counts: dict[str, int]) -> str:
    text = f"{counts[PASS]} passed, {counts[FAIL]} failed"
    if counts[SKIP]:
        text += f", {counts[SKIP]} skipped"
    return text


def write_junit(path: Path, results: list[tuple[Check, Outcome]], seconds: float) -> None:
    suite = ElementTree.Element(
        "testsuite",
        name="inko-mini test",
        tests=str(len(results)),
        failures=str(sum(o.status == FAIL for _, o in results)),
        skipped=str(sum(o.status == SKIP for _, o in results)),
        errors="0",
        time=f"{seconds:.3f}",
    )
    for check, outcome in results:
        case = ElementTree.SubElement(
            suite,
            "testcase",
            classname=check.path,
            name=check.id,
            file=check.path,
            line=str(check.line),
            time=f"{outcome.duration:.3f}",
        )
        if outcome.status == FAIL:
            failure = ElementTree.SubElement(case, "failure", message=outcome.reason)
            failure.text = "\n".join([outcome.reason, *outcome.details])
        elif outcome.status == SKIP:
            ElementTree.SubElement(case, "skipped", message=outcome.reason)
        if outcome.stdout:
            ElementTree.SubElement(case, "system-out").text = outcome.stdout
        if outcome.stderr:
            ElementTree.SubElement(case, "system-err").text = outcome.stderr
    root = ElementTree.Element("testsuites")
    root.append(suite)
    tree = ElementTree.ElementTree(root)
    ElementTree.indent(tree)
    tree.write(path, encoding="utf-8", xml_declaration=True)
