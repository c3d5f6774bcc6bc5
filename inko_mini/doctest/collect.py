"""Decide what to check for a list of paths: pages, their blocks, their expectations.

Shared by `inko-mini test` and the pytest plugin, so both report the same
items with the same names (`PAGE:LINE`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from inko_mini.doctest.expectations import (
    Expectation,
    ExpectationFile,
    read_expectations,
    unused_sections,
)
from inko_mini.doctest.markdown import CodeBlock, read_page

MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd")
EXPECT_SUFFIX = ".expect"


@dataclass
class Check:
    """One reported result: a block to run, or a problem that fails by itself."""

    path: str  # the page (or expectation file) as shown to the user
    line: int
    block: CodeBlock | None = None
    expectation: Expectation | None = None
    problem: str | None = None

    @property
    def id(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


def _is_hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts[:-1])


def find_pages(paths: list[str]) -> tuple[list[tuple[Path, bool]], list[Path], list[Check]]:
    """(pages with "was named explicitly", explicit expectation files, problems)."""
    pages, expects, problems = [], [], []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.suffix.lower() in MARKDOWN_SUFFIXES and p.is_file() and not _is_hidden(p, path)
            )
            if not found:
                problems.append(Check(str(path), 0, problem="no Markdown files in this folder"))
            pages.extend((page, False) for page in found)
        elif path.suffix == EXPECT_SUFFIX:
            expects.append(path)
        elif path.exists():
            pages.append((path, True))
        else:
            problems.append(Check(str(path), 0, problem="no such file or folder"))
    return pages, expects, problems


def _expectations_for(page: Path, explicit: list[Path]) -> ExpectationFile | None:
    for candidate in explicit:
        if candidate.stem == page.stem:
            return read_expectations(candidate)
    beside = page.with_suffix(EXPECT_SUFFIX)
    return read_expectations(beside) if beside.is_file() else None


def plan(paths: list[str], require_code: bool = True) -> list[Check]:
    """Every check for `paths`, in page order.

    A page named explicitly must hold ```inko code unless `require_code` is
    false (the pytest plugin, which sees pages of a folder one at a time).
    """
    pages, explicit, checks = find_pages(paths)
    searched_blocks = 0
    searched_any = False
    for page_path, named in pages:
        page = read_page(page_path)
        shown = str(page_path)
        expectations = _expectations_for(page_path, explicit)
        page_checks = [Check(shown, p.line, problem=p.message) for p in page.problems]
        for block in page.blocks:
            expectation = (
                expectations.for_block(block.ordinal, block.line) if expectations else None
            )
            page_checks.append(Check(shown, block.line, block=block, expectation=expectation))
        if expectations is not None:
            source = str(expectations.path)
            page_checks += [
                Check(source, line, problem=message) for line, message in expectations.problems
            ]
            page_checks += [
                Check(
                    source,
                    s.line,
                    problem=f"[{s.selector[0]} {s.selector[1]}] names no ```inko block of {shown}",
                )
                for s in unused_sections(expectations, page.blocks)
            ]
        page_checks.sort(key=lambda c: (c.path != shown, c.line))
        # pages without code found by a folder search are fine; a page named
        # explicitly is expected to hold some
        if named and require_code and not page.blocks and not page.problems:
            page_checks.insert(0, Check(shown, 0, problem="no ```inko code blocks in this page"))
        if not named:
            searched_any = True
            searched_blocks += len(page.blocks)
        checks.extend(page_checks)
    if searched_any and searched_blocks == 0 and not any(named for _, named in pages):
        checks.append(
            Check(", ".join(paths), 0, problem="no ```inko code blocks in any Markdown file found")
        )
    return checks
