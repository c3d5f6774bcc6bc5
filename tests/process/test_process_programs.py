"""std::process through the command line: every program in programs/ runs
with `python -m inko_mini run` and is checked against its `# expect` lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from process_programs import check_program

PROGRAMS = sorted((Path(__file__).parent / "programs").glob("*.inko"))


@pytest.mark.parametrize("path", PROGRAMS, ids=lambda p: p.stem)
def test_program(path):
    check_program(path)
