"""Decide what to check for a list of paths: pages, their blocks, their programs.

Shared by `inko-mini test` and the pytest plugin, so both report the same
items with the same names (`PAGE:LINE`). Here the page's markers, its
comments and its side file are merged, and each block gets the program it
runs as: the page's hidden setup code, the blocks it continues, then itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from inko_mini.doctest.expectations import Expectation, read_expectations
from inko_mini.doctest.markdown import CodeBlock, Page, Segment, read_page
from inko_mini.doctest.sidefile import (
    SUFFIX as SIDE_SUFFIX,
)
from inko_mini.doctest.sidefile import (
    SideFile,
    from_expect_file,
    read_side_file,
    unused_rules,
)

MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd")
EXPECT_SUFFIX = ".expect"


@dataclass
class Program:
    """The code a block runs as, and where each of its lines comes from."""

    segments: list[Segment]
    page: Path

    @property
    def source(self) -> str:
        return "".join(
            s.source if s.source.endswith("\n") else s.source + "\n" for s in self.segments
        )

    def position(self, line: int) -> tuple[Path, int] | None:
        """(file, line) of the program's line `line` (1-based)."""
        start = 1
        for segment in self.segments:
            count = max(segment.source.count("\n"), 1)
            if start <= line < start + count:
                return (segment.origin or self.page, segment.first_line + line - start)
            start += count
        return None


@dataclass
class Check:
    """One reported result: a block to run, or a problem that fails by itself."""

    path: str  # the page (or side file) as shown to the user
    line: int
    block: CodeBlock | None = None
    expectation: Expectation | None = None
    problem: str | None = None
    program: Program | None = None
    shown_path: str = ""  # how the page is shown in positions (the path given)

    @property
    def id(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path

    @property
    def exclusive(self) -> bool:
        """Must run alone: it binds fixed ports or Unix socket paths (detected or marked)."""
        if self.block is None:
            return False
        markers = self.block.markers
        source = self.program.source if self.program else self.block.source
        return bool(markers.server or self.block.request is not None or "std::net" in source)


@dataclass
class Warning_:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: warning: {self.message}"


@dataclass
class Plan:
    checks: list[Check] = field(default_factory=list)
    warnings: list[Warning_] = field(default_factory=list)


def _is_hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts[:-1])


def find_pages(paths: list[str]) -> tuple[list[tuple[Path, bool]], list[Path], list[Check]]:
    """(pages with "was named explicitly", explicit side files, problems)."""
    pages: list[tuple[Path, bool]] = []
    sides: list[Path] = []
    problems: list[Check] = []
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
        elif path.suffix == EXPECT_SUFFIX or path.name.endswith(SIDE_SUFFIX):
            sides.append(path)
        elif path.exists():
            pages.append((path, True))
        else:
            problems.append(Check(str(path), 0, problem="no such file or folder"))
    return pages, sides, problems


def _side_name(path: Path) -> str:
    name = path.name
    return name[: -len(SIDE_SUFFIX)] if name.endswith(SIDE_SUFFIX) else path.stem


def side_file_for(page: Path, explicit: list[Path]) -> SideFile | None:
    for candidate in explicit:
        if _side_name(candidate) == page.stem:
            return _read_any(candidate)
    toml = page.with_name(page.stem + SIDE_SUFFIX)
    if toml.is_file():
        return read_side_file(toml)
    beside = page.with_suffix(EXPECT_SUFFIX)
    return _read_any(beside) if beside.is_file() else None


def _read_any(path: Path) -> SideFile:
    if path.name.endswith(SIDE_SUFFIX):
        return read_side_file(path)
    return from_expect_file(read_expectations(path))


def _apply_side_file(page: Page, side: SideFile | None) -> None:
    if side is None:
        return
    page.page_continue = page.page_continue or side.page_continue
    for block in page.blocks:
        for parsed in side.markers_for(block.ordinal, block.line):
            parsed.apply(block.markers)
        if side.setup is not None:
            block.setups = [Segment(side.setup.source, 1, side.path), *block.setups]


def programs(page: Page) -> dict[int, Program]:
    """The program of each block, by ordinal (setups + continued blocks + itself)."""
    result: dict[int, Program] = {}
    chains: dict[int, list[CodeBlock]] = {}
    previous_normal: CodeBlock | None = None
    for block in page.blocks:
        markers = block.markers
        wants_continue = markers.continue_ or (
            page.page_continue and markers.runs_normally and previous_normal is not None
        )
        chain: list[CodeBlock] = []
        if wants_continue and markers.runs_normally and previous_normal is not None:
            chain = [*chains[previous_normal.ordinal], previous_normal]
        chains[block.ordinal] = chain
        own = Segment(block.source, block.line + 1)
        if markers.check:
            segments = [own]
        else:
            segments = [*block.setups, *(Segment(b.source, b.line + 1) for b in chain), own]
        result[block.ordinal] = Program(segments, page.path)
        if markers.runs_normally:
            previous_normal = block
    return result


def _continue_warnings(page: Page, shown: str) -> list[Warning_]:
    warnings = []
    seen_normal = False
    for block in page.blocks:
        if block.markers.continue_ and not seen_normal:
            warnings.append(
                Warning_(
                    shown,
                    block.line,
                    "`continue`, but no earlier block of the page runs normally; it runs by itself",
                )
            )
        if block.markers.continue_ and not block.markers.runs_normally:
            warnings.append(
                Warning_(
                    shown, block.line, "`continue` is ignored on a block that does not run normally"
                )
            )
        seen_normal = seen_normal or block.markers.runs_normally
    return warnings


def plan(paths: list[str], require_code: bool = True) -> Plan:
    """Every check for `paths`, in page order, and the warnings about them.

    A page named explicitly must hold ```inko code unless `require_code` is
    false (the pytest plugin, which sees pages of a folder one at a time).
    """
    pages, explicit, problems = find_pages(paths)
    result = Plan(checks=problems)
    searched_blocks = 0
    searched_any = False
    for page_path, named in pages:
        page = read_page(page_path)
        shown = str(page_path)
        side = side_file_for(page_path, explicit)
        _apply_side_file(page, side)
        page_programs = programs(page)
        page_checks = [Check(shown, p.line, problem=p.message) for p in page.problems]
        result.warnings += [Warning_(shown, w.line, w.message) for w in page.warnings]
        result.warnings += _continue_warnings(page, shown)
        for block in page.blocks:
            expectation = side.expectation_for(block.ordinal, block.line) if side else None
            page_checks.append(
                Check(
                    shown,
                    block.line,
                    block=block,
                    expectation=expectation,
                    program=page_programs[block.ordinal],
                )
            )
        if side is not None:
            source = str(side.path)
            if side.deprecated:
                result.warnings.append(
                    Warning_(
                        source,
                        1,
                        f"the .expect format is deprecated and will be dropped in the next "
                        f"release; write {page_path.stem}{SIDE_SUFFIX} instead "
                        "(see docs/doctest.md)",
                    )
                )
            page_checks += [Check(source, line, problem=message) for line, message in side.problems]
            for rule in unused_rules(side, page.blocks):
                kind, first, last = rule.selector
                named_as = f"{kind} {first}" if first == last else f"blocks {first}-{last}"
                page_checks.append(
                    Check(
                        source, rule.line, problem=f"[{named_as}] names no ```inko block of {shown}"
                    )
                )
        page_checks.sort(key=lambda c: (c.path != shown, c.line))
        # pages without code found by a folder search are fine; a page named
        # explicitly is expected to hold some
        if named and require_code and not page.blocks and not page.problems:
            page_checks.insert(0, Check(shown, 0, problem="no ```inko code blocks in this page"))
        if not named:
            searched_any = True
            searched_blocks += len(page.blocks)
        result.checks.extend(page_checks)
    if searched_any and searched_blocks == 0 and not any(named for _, named in pages):
        result.checks.append(
            Check(", ".join(paths), 0, problem="no ```inko code blocks in any Markdown file found")
        )
    return result
