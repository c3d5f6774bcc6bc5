"""Runs the `*.inko` programs beside this file and compares their stdout with
their `# expect:` lines (the format tests/conftest.py collects; this module
only runs them itself when no such conftest exists)."""

import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
PROGRAMS = sorted(HERE.glob("*.inko"))


def _collected_by_conftest() -> bool:
    conftest = HERE.parent / "conftest.py"
    return conftest.exists() and "# expect:" in conftest.read_text()


def expected_output(path: Path) -> str:
    lines = []
    for line in path.read_text().splitlines():
        stripped = line.strip()
        if stripped.startswith("# expect:"):
            lines.append(stripped[len("# expect:"):].removeprefix(" "))
    return "".join(f"{line}\n" for line in lines)


@pytest.mark.skipif(_collected_by_conftest(), reason="tests/conftest.py runs *.inko files")
@pytest.mark.parametrize("program", PROGRAMS, ids=[p.name for p in PROGRAMS])
def test_program(program):
    result = subprocess.run(
        [sys.executable, "-m", "inko_mini", "run", program.name],
        cwd=HERE, capture_output=True, text=True, timeout=60,
    )
    assert result.stdout == expected_output(program), result.stderr
    assert result.returncode == 0, result.stderr
