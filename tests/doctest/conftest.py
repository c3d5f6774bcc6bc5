"""Helpers for the doc-test runner's tests.

`run_cli` runs the real command line (`python -m inko_mini test ...`); with
`fake=True` the blocks are run by tests/doctest/fake_interpreter.py, which
tests the runner's own logic (probing, stopping, reporting) independently of
the Inko interpreter.
"""

import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

HERE = Path(__file__).parent
FAKE = f"{sys.executable} {HERE / 'fake_interpreter.py'}"
REPO = HERE.parent.parent


@dataclass
class Result:
    status: int
    stdout: str
    stderr: str

    @property
    def lines(self):
        return self.stdout.splitlines()

    @property
    def verdicts(self):
        """One line per block and the summary, without the failure sections between."""
        lines = self.lines
        if "" in lines:
            return lines[: lines.index("")] + lines[-1:]
        return lines


def environment(fake: bool) -> dict:
    env = dict(os.environ)
    env.pop("INKO_MINI_INTERPRETER", None)
    if fake:
        env["INKO_MINI_INTERPRETER"] = FAKE
        env["INKO_DOCS_STARTUP"] = "0.3"
    return env


def run_cli(*args, fake=True, timeout=5, cwd=None, wall=120) -> Result:
    command = [
        sys.executable,
        "-m",
        "inko_mini",
        "test",
        "--timeout",
        str(timeout),
        *map(str, args),
    ]
    done = subprocess.run(
        command, capture_output=True, text=True, env=environment(fake), cwd=cwd, timeout=wall
    )
    return Result(done.returncode, done.stdout, done.stderr)


def write_page(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


@pytest.fixture
def page(tmp_path):
    def make(text: str, name: str = "page.md") -> Path:
        return write_page(tmp_path, name, text)

    return make


def interpreter_works() -> bool:
    """True once `inko-mini run` can run a small program (the parts exist)."""
    try:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "inko_mini",
                "run",
                "-e",
                "import std::stdio::stdout\nstdout.print('ok')",
            ],
            capture_output=True,
            text=True,
            timeout=60,
            env=environment(False),
        )
    except subprocess.TimeoutExpired:
        return False
    return done.returncode == 0 and done.stdout.strip() == "ok"
