"""Inko programs as tests: the one convention for what a program must print.

An `.inko` file under tests/ states what it expects in comment lines
(anywhere in the file):

    # expect: TEXT           one line of the expected stdout, in order; the
                             whole stdout must equal these lines (each
                             followed by a newline). `# expect:` alone is an
                             empty line.
    # expect-raw: TEXT       the whole stdout is exactly TEXT (no newline
                             added), for output without a final newline.
    # expect-stderr: TEXT    stderr must contain TEXT (checked in order, each
                             after the previous match). Without any, stderr
                             must be empty when the expected status is 0.
    # expect-status: N       the exit status (default 0).
    # args: A B C            command-line arguments after the file.
    # include: DIR           an extra -I directory, relative to the file.
    # stdin: TEXT            a line given on standard input (repeatable; each
                             followed by a newline).
    # env: NAME=VALUE        an extra environment variable (repeatable).
    # xfail: REASON          a known bug: the item is xfail(strict=True), so
                             it fails once the bug is fixed (REASON starts
                             with the part to blame, e.g. `evaluator:`).
    # run-by: FILE.py        the program needs something only a Python test
                             can give it (a port, a scratch folder, a server):
                             tests/conftest.py does not run it on its own;
                             FILE.py, beside it or above it, runs it through
                             `check_program` with the extra arguments.

A file without any `# expect` line is not a test (a helper module). The
program runs through the real command line, `python -m inko_mini run FILE`,
in the file's directory. tests/conftest.py collects every such file;
Python tests that must add arguments call `check_program` from here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

TIMEOUT = 60

KEYS = (
    "expect:",
    "expect-raw:",
    "expect-stderr:",
    "expect-status:",
    "args:",
    "include:",
    "stdin:",
    "env:",
    "xfail:",
    "run-by:",
)


@dataclass
class Expectations:
    stdout: list[str] = field(default_factory=list)
    raw: str | None = None
    stderr: list[str] = field(default_factory=list)
    status: int = 0
    args: list[str] = field(default_factory=list)
    include: list[str] = field(default_factory=list)
    stdin: list[str] | None = None
    env: dict[str, str] = field(default_factory=dict)
    xfail: str | None = None
    run_by: str | None = None

    def expected_stdout(self) -> str:
        if self.raw is not None:
            return self.raw
        return "".join(line + "\n" for line in self.stdout)

    def substituted(self, mapping: dict[str, str]) -> Expectations:
        """A copy with each key of `mapping` (such as `{tmp}`) replaced in the
        expected output and the environment."""

        def sub(text: str) -> str:
            for key, value in mapping.items():
                text = text.replace(key, value)
            return text

        return Expectations(
            stdout=[sub(line) for line in self.stdout],
            raw=None if self.raw is None else sub(self.raw),
            stderr=[sub(piece) for piece in self.stderr],
            status=self.status,
            args=[sub(arg) for arg in self.args],
            include=list(self.include),
            stdin=self.stdin,
            env={name: sub(value) for name, value in self.env.items()},
            xfail=self.xfail,
            run_by=self.run_by,
        )


def parse_expectations(text: str) -> Expectations | None:
    """The expectations of a program's text, or None when it states none."""
    exp = Expectations()
    found = False
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("#"):
            continue
        body = stripped.lstrip("#").strip() if not stripped.startswith("# ") else stripped[2:]
        for key in KEYS:
            if not body.startswith(key):
                continue
            value = body[len(key) :]
            value = value[1:] if value.startswith(" ") else value
            found = found or key.startswith("expect")
            if key == "expect:":
                exp.stdout.append(value)
            elif key == "expect-raw:":
                exp.raw = value
            elif key == "expect-stderr:":
                exp.stderr.append(value)
            elif key == "expect-status:":
                exp.status = int(value)
            elif key == "args:":
                exp.args.extend(value.split())
            elif key == "include:":
                exp.include.append(value.strip())
            elif key == "stdin:":
                exp.stdin = (exp.stdin or []) + [value]
            elif key == "env:":
                name, _, val = value.partition("=")
                exp.env[name.strip()] = val
            elif key == "xfail:":
                exp.xfail = value.strip()
            else:
                exp.run_by = value.strip()
            break
    return exp if found else None


def read_expectations(path: Path | str) -> Expectations:
    exp = parse_expectations(Path(path).read_text(encoding="utf-8"))
    assert exp is not None, f"{path} states no `# expect` line"
    return exp


def run_program(
    path: Path | str,
    args: tuple | list = (),
    include: tuple | list = (),
    *,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
    cwd: Path | str | None = None,
    timeout: float = TIMEOUT,
    **popen: object,
) -> subprocess.CompletedProcess:
    """Run `path` through the real command line, in its own folder unless
    `cwd` is given (the file is then named by its full path)."""
    path = Path(path)
    cmd = [sys.executable, "-m", "inko_mini", "run"]
    for folder in include:
        cmd += ["-I", str(folder)]
    cmd += [path.name if cwd is None else str(path), *map(str, args)]
    return subprocess.run(
        cmd,
        cwd=path.parent if cwd is None else cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        input=stdin,
        env={**os.environ, **(env or {})},
        **popen,  # type: ignore[arg-type]
    )


def problems_of(exp: Expectations, proc: subprocess.CompletedProcess) -> list[tuple[str, str, str]]:
    """(what, expected, actual) for every expectation `proc` does not meet."""
    problems = []
    expected_out = exp.expected_stdout()
    if proc.stdout != expected_out:
        problems.append(("stdout", expected_out, proc.stdout))
    if proc.returncode != exp.status:
        problems.append(("status", str(exp.status), str(proc.returncode)))
    pos = 0
    for piece in exp.stderr:
        found = proc.stderr.find(piece, pos)
        if found < 0:
            problems.append(("stderr", piece, proc.stderr))
            break
        pos = found + len(piece)
    if not exp.stderr and exp.status == 0 and proc.stderr:
        problems.append(("stderr", "", proc.stderr))
    return problems


def describe(path: Path | str, problems: list[tuple[str, str, str]], stderr: str) -> str:
    import difflib

    lines = [f"{path}"]
    for what, want, got in problems:
        lines.append(f"--- {what} differs")
        lines.extend(
            difflib.unified_diff(
                want.splitlines(), got.splitlines(), "expected", "actual", lineterm=""
            )
        )
    lines.append("--- stderr")
    lines.append(stderr)
    return "\n".join(lines)


def stdin_text(exp: Expectations) -> str | None:
    return None if exp.stdin is None else "".join(line + "\n" for line in exp.stdin)


def check_program(
    path: Path | str,
    *args: object,
    substitute: dict[str, str] | None = None,
    env: dict[str, str] | None = None,
    **run: object,
) -> subprocess.CompletedProcess:
    """Run a program with extra arguments and check the expectations written
    in its comments (after `substitute`); return the finished process so
    that the caller may check more."""
    exp = read_expectations(path)
    if substitute:
        exp = exp.substituted(substitute)
    proc = run_program(
        path,
        [*exp.args, *args],
        exp.include,
        stdin=stdin_text(exp),
        env={**exp.env, **(env or {})},
        **run,  # type: ignore[arg-type]
    )
    problems = problems_of(exp, proc)
    assert not problems, describe(path, problems, proc.stderr)
    return proc
