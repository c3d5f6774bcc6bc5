"""pytest plugin: the ```inko blocks of Markdown pages as test items.

Registered through the `pytest11` entry point `inko_docs` and inert unless
pages are given: `pytest --inko-docs PATH` (repeatable; files, folders,
`NAME.inko-test.toml` or `.expect` side files), the ini setting
`inko_docs = PATH...`, or a Markdown page named on the command line
(`pytest "docs/page.md::page.md:57"` runs that one block). Items are named
`PAGE:LINE` like the lines of `inko-mini test`, so `-k`, `-x`, `-n auto`
(pytest-xdist) and pytest's reports work as usual; skips are reported at
the page's line. `pytest --inko-docs PATH` with no other arguments collects
only the pages, not the project's testpaths.

Collection and running are `inko-mini test`'s own (collect.plan and
runner.run_check), so both front ends accept the same pages.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from inko_mini.doctest.collect import EXPECT_SUFFIX, MARKDOWN_SUFFIXES, Check, plan
from inko_mini.doctest.execute import (
    FAIL,
    SKIP,
    Outcome,
    Settings,
    allow_runs,
    stop_all_running,
)
from inko_mini.doctest.report import Painter, failure_section
from inko_mini.doctest.runner import run_check
from inko_mini.doctest.sidefile import SUFFIX as SIDE_SUFFIX

if TYPE_CHECKING:  # pytest exports neither name; only the annotations need them
    from _pytest._code.code import TerminalRepr, TracebackStyle

_STATE = pytest.StashKey[dict]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("inko-docs", "Inko documentation code blocks")
    group.addoption(
        "--inko-docs",
        action="append",
        default=[],
        metavar="PATH",
        help="Collect the ```inko blocks of Markdown pages under PATH as tests.",
    )
    group.addoption(
        "--inko-docs-timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help="Time limit for one block (default 10).",
    )
    parser.addini(
        "inko_docs",
        type="paths",
        default=[],
        help="Markdown pages or folders whose ```inko blocks are tests.",
    )
    parser.addini("inko_docs_timeout", default="10", help="Time limit for one Inko doc block.")


def _is_side_file(path: Path) -> bool:
    return path.suffix == EXPECT_SUFFIX or path.name.endswith(SIDE_SUFFIX)


def _markdown_arguments(args: list[str], invocation: Path) -> list[Path]:
    """Pages named on the command line, node ids included (`page.md::page.md:57`)."""
    pages = []
    for arg in args:
        path = Path(arg.split("::")[0])
        path = path if path.is_absolute() else invocation / path
        if path.suffix.lower() in MARKDOWN_SUFFIXES and path.is_file():
            pages.append(path.resolve())
    return pages


def pytest_configure(config: pytest.Config) -> None:
    given = [Path(p).resolve() for p in config.getoption("inko_docs")]
    from_ini = [Path(p).resolve() for p in config.getini("inko_docs")]
    named_on_command_line = config.args_source == pytest.Config.ArgsSource.ARGS
    named_pages = (
        _markdown_arguments(list(config.args), config.invocation_params.dir)
        if named_on_command_line
        else []
    )
    if not given and not from_ini and not named_pages:
        return
    allow_runs()
    roots = given + from_ini
    expects = [p for p in roots if _is_side_file(p)]
    pages = [p for p in roots if not _is_side_file(p)] + named_pages
    timeout = config.getoption("inko_docs_timeout") or float(config.getini("inko_docs_timeout"))
    config.stash[_STATE] = {
        "roots": pages,
        "expects": expects,
        "workdir": None,
        "settings": Settings(timeout=timeout),
        "lock": _lock_path(config),
    }
    # `pytest --inko-docs PAGE` alone means "test these pages", not "and all tests too";
    # a page or node id named on the command line narrows the run to it
    extra = [str(p) for p in pages if not any(n == p or p in n.parents for n in named_pages)]
    config.args = (list(config.args) + extra) if (named_on_command_line or not given) else extra


def _lock_path(config: pytest.Config) -> Path:
    """One lock file per project, shared by pytest-xdist's workers."""
    key = hashlib.sha1(str(config.rootpath).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"inko-docs-{os.getuid()}-{key}.lock"


def pytest_unconfigure(config: pytest.Config) -> None:
    state = config.stash.get(_STATE, None)
    stop_all_running()
    if state and state["workdir"] is not None:
        shutil.rmtree(state["workdir"], ignore_errors=True)


def _is_under(path: Path, roots: list[Path]) -> bool:
    return any(path == root or root in path.parents for root in roots)


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> InkoDocPage | None:
    state = parent.config.stash.get(_STATE, None)
    if state is None or file_path.suffix.lower() not in MARKDOWN_SUFFIXES:
        return None
    if not _is_under(file_path.resolve(), state["roots"]):
        return None
    extra = {}
    rootdir = parent.config.rootpath
    if rootdir not in file_path.resolve().parents:
        # pytest names files outside the rootdir "" (items would read
        # "::page.md:12"); name them as the user would reach them instead
        extra["nodeid"] = os.path.relpath(file_path, parent.config.invocation_params.dir)
    page = InkoDocPage.from_parent(parent, path=file_path, **extra)
    page.named = file_path.resolve() in state["roots"]
    return page


class InkoDocFailure(Exception):
    def __init__(self, outcome: Outcome):
        super().__init__(outcome.reason)
        self.outcome = outcome


class InkoDocPage(pytest.File):
    """A Markdown page; its children are its blocks (and its problems)."""

    named = True  # given by itself rather than found in a folder

    def collect(self) -> Iterator[InkoDocBlock]:
        state = self.config.stash[_STATE]
        the_plan = plan([str(self.path), *map(str, state["expects"])], self.named)
        for warning in the_plan.warnings:
            self.warn(
                pytest.PytestWarning(f"{Path(warning.path).name}:{warning.line}: {warning.message}")
            )
        for check in the_plan.checks:
            name = f"{Path(check.path).name}:{check.line}" if check.line else Path(check.path).name
            yield InkoDocBlock.from_parent(self, name=name, check=check)


@contextlib.contextmanager
def _exclusive(check: Check, lock_path: Path) -> Iterator[None]:
    """Blocks binding ports or socket paths run one at a time, across xdist workers too."""
    if not check.exclusive:
        yield
        return
    with open(lock_path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class InkoDocBlock(pytest.Item):
    def __init__(self, *, check: Check, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.check = check

    def runtest(self) -> None:
        state = self.config.stash[_STATE]
        if state["workdir"] is None:
            state["workdir"] = Path(tempfile.mkdtemp(prefix="inko-docs-"))
        with _exclusive(self.check, state["lock"]):
            outcome = run_check(self.check, state["workdir"], state["settings"])
        for label, text in (("stdout", outcome.stdout), ("stderr", outcome.stderr)):
            if text:
                self.add_report_section("call", label, text)
        if outcome.status == SKIP:
            # reported at the page's line (reportinfo), not at this file's
            raise pytest.skip.Exception(outcome.reason, _use_item_location=True)
        if outcome.status == FAIL:
            raise InkoDocFailure(outcome)

    def repr_failure(
        self, excinfo: pytest.ExceptionInfo[BaseException], style: TracebackStyle | None = None
    ) -> str | TerminalRepr:
        if not isinstance(excinfo.value, InkoDocFailure):
            return super().repr_failure(excinfo, style)
        outcome = excinfo.value.outcome
        lines = failure_section(self.check, outcome, Painter(False))
        return "\n".join([f"{self.check.id}: {lines[1]}", *lines[2:]])

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, max(self.check.line - 1, 0), f"inko block {self.check.id}"
