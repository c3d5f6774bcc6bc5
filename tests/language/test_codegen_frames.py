"""Traces of panics in generated code (compile/codegen/): the frames are
read back from the generated functions' own Python frames."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parent.parent


def run(path: Path, args: tuple) -> tuple:
    env = dict(os.environ)
    proc = subprocess.run(
        [sys.executable, "-m", "inko_mini", "run", path.name, *args],
        cwd=path.parent,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    # Process identifiers are addresses: they differ from run to run.
    err = re.sub(r"Process 0x[0-9a-f]+", "Process 0x?", proc.stderr)
    return proc.stdout, err, proc.returncode


def test_codegen_frames_carry_inko_lines(tmp_path: Path) -> None:
    """A panic three calls deep, inside an inlined `if_true`: the trace is
    read from the generated functions' own Python frames."""
    program = tmp_path / "deep.inko"
    program.write_text(
        "def a(n) {\n  (n > 2).if_true {\n    _INKOC.panic('deep')\n  }\n  a(n + 1)\n  0\n}\na(0)\n"
    )
    out, err, status = run(program, ())
    assert status == 1
    assert '"deep.inko", line 8, in "main"' in err
    assert err.count('in "a"') == 4
    assert '"deep.inko", line 3, in "<block>"' in err
    assert err.rstrip().endswith("panicked: deep")
