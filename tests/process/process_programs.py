"""Run an Inko program through the real command line and check it against
the expectations written in its own comments:

    # expect: LINE              stdout, line by line (all of it)
    # expect-raw: TEXT          stdout exactly TEXT (no newline added)
    # expect-status: N          exit status (default 0)
    # expect-stderr: TEXT       TEXT appears in stderr (repeatable)
    # env: NAME=VALUE           extra environment variable
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

TIMEOUT = 30


@dataclass
class Expectation:
    stdout_lines: list = field(default_factory=list)
    raw: str | None = None
    status: int = 0
    stderr: list = field(default_factory=list)
    env: dict = field(default_factory=dict)


def read_expectation(path: Path) -> Expectation:
    exp = Expectation()
    for line in path.read_text().splitlines():
        text = line.strip()
        if text.startswith("# expect: ") or text == "# expect:":
            exp.stdout_lines.append(text[len("# expect: ") :])
        elif text.startswith("# expect-raw: "):
            exp.raw = text[len("# expect-raw: ") :]
        elif text.startswith("# expect-status: "):
            exp.status = int(text.split(":", 1)[1])
        elif text.startswith("# expect-stderr: "):
            exp.stderr.append(text[len("# expect-stderr: ") :])
        elif text.startswith("# env: "):
            name, _, value = text[len("# env: ") :].partition("=")
            exp.env[name] = value
    return exp


def run_inko(path: Path, env: dict | None = None, timeout: float = TIMEOUT):
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "inko_mini", "run", path.name],
        cwd=path.parent,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=full_env,
    )


def check_program(path: Path) -> None:
    exp = read_expectation(path)
    result = run_inko(path, exp.env)
    report = (
        f"\n--- status {result.returncode}\n--- stdout\n{result.stdout}--- stderr\n{result.stderr}"
    )
    assert "Traceback" not in result.stderr, report
    if exp.raw is not None:
        assert result.stdout == exp.raw, report
    else:
        expected = "".join(line + "\n" for line in exp.stdout_lines)
        assert result.stdout == expected, report
    for text in exp.stderr:
        assert text in result.stderr, report
    assert result.returncode == exp.status, report
