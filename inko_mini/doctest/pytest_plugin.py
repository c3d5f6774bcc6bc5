"""pytest plugin: the ```inko blocks of Markdown pages as test items.

Registered through the `pytest11` entry point `inko_docs` and inert unless
pages are given: `pytest --inko-docs PATH` (repeatable; files, folders or
`.expect` files) or the ini setting `inko_docs = PATH...`. Items are named
`PAGE:LINE` like the lines of `inko-mini test`, so `-k`, `-x` and pytest's
reports work as usual. `pytest --inko-docs PATH` with no other arguments
collects only the pages, not the project's testpaths.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from inko_mini.doctest.collect import EXPECT_SUFFIX, MARKDOWN_SUFFIXES, Check, plan
from inko_mini.doctest.execute import FAIL, SKIP, Outcome, Settings
from inko_mini.doctest.runner import run_check

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


def pytest_configure(config: pytest.Config) -> None:
    given = [Path(p).resolve() for p in config.getoption("inko_docs")]
    from_ini = [Path(p).resolve() for p in config.getini("inko_docs")]
    if not given and not from_ini:
        return
    roots = given + from_ini
    expects = [p for p in roots if p.suffix == EXPECT_SUFFIX]
    pages = [p for p in roots if p.suffix != EXPECT_SUFFIX]
    timeout = config.getoption("inko_docs_timeout") or float(config.getini("inko_docs_timeout"))
    config.stash[_STATE] = {
        "roots": pages,
        "expects": expects,
        "workdir": None,
        "settings": Settings(timeout=timeout),
    }
    # `pytest --inko-docs PAGE` alone means "test these pages", not "and all tests too"
    named_on_command_line = config.args_source == pytest.Config.ArgsSource.ARGS
    extra = [str(p) for p in pages]
    config.args = (list(config.args) + extra) if (named_on_command_line or not given) else extra


def pytest_unconfigure(config: pytest.Config) -> None:
    state = config.stash.get(_STATE, None)
    if state and state["workdir"] is not None:
        shutil.rmtree(state["workdir"], ignore_errors=True)


def _is_under(path: Path, roots: list[Path]) -> bool:
    return any(path == root or root in path.parents for root in roots)


def pytest_collect_file(file_path: Path, parent: pytest.Collector):
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

    def collect(self):
        state = self.config.stash[_STATE]
        for check in plan([str(self.path), *map(str, state["expects"])], self.named):
            name = f"{Path(check.path).name}:{check.line}" if check.line else Path(check.path).name
            yield InkoDocBlock.from_parent(self, name=name, check=check)


class InkoDocBlock(pytest.Item):
    def __init__(self, *, check: Check, **kwargs):
        super().__init__(**kwargs)
        self.check = check

    def runtest(self) -> None:
        state = self.config.stash[_STATE]
        if state["workdir"] is None:
            state["workdir"] = Path(tempfile.mkdtemp(prefix="inko-docs-"))
        outcome = run_check(self.check, state["workdir"], state["settings"])
        if outcome.status == SKIP:
            pytest.skip(outcome.reason)
        if outcome.status == FAIL:
            raise InkoDocFailure(outcome)

    def repr_failure(self, excinfo, style=None):
        if not isinstance(excinfo.value, InkoDocFailure):
            return super().repr_failure(excinfo, style)
        outcome = excinfo.value.outcome
        lines = [f"{self.check.id}: {outcome.reason}"]
        for label, text in (("stdout", outcome.stdout), ("stderr", outcome.stderr)):
            if text.strip():
                tail = text.rstrip("\n").splitlines()[-15:]
                lines += [f"--- {label} ---", *tail]
        return "\n".join(lines)

    def reportinfo(self):
        return self.path, max(self.check.line - 1, 0), f"inko block {self.check.id}"
