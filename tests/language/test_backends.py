"""The code generator (INKO_MINI_BACKEND=codegen, compile/codegen/) and the
closure compiler run the same programs alike: same output, same panic
traces, same exit status. Keeps the opt-in back end tested in CI."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
ROOT = HERE.parent.parent

PROGRAMS = [
    (HERE / "closures.inko", ()),
    (HERE / "throws.inko", ()),
    (HERE / "try_bang.inko", ()),
    (HERE / "objects.inko", ()),
    (HERE / "defaults_and_tail_calls.inko", ()),
    (HERE / "trace_inline_loops.inko", ()),
    (HERE / "trace_inline_if.inko", ()),
    (HERE / "defer_returns.inko", ()),
    (HERE / "fast_paths_guarded.inko", ()),
    (ROOT / "bench" / "cpu" / "fib.inko", ("15",)),
    (ROOT / "bench" / "cpu" / "array.inko", ("1000",)),
]


def run(path: Path, args: tuple, backend: str) -> tuple:
    env = dict(os.environ, INKO_MINI_BACKEND=backend)
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


@pytest.mark.parametrize("path,args", PROGRAMS, ids=[p.name for p, _ in PROGRAMS])
def test_codegen_matches_closure_compiler(path: Path, args: tuple) -> None:
    closures = run(path, args, "closures")
    codegen = run(path, args, "codegen")
    assert codegen == closures


def test_codegen_frames_carry_inko_lines(tmp_path: Path) -> None:
    """A panic three calls deep, inside an inlined `if_true`: the trace is
    read from the generated functions' own Python frames."""
    program = tmp_path / "deep.inko"
    program.write_text(
        "def a(n) {\n  (n > 2).if_true {\n    _INKOC.panic('deep')\n  }\n  a(n + 1)\n  0\n}\na(0)\n"
    )
    out, err, status = run(program, (), "codegen")
    assert status == 1
    assert '"deep.inko", line 8, in "main"' in err
    assert err.count('in "a"') == 4
    assert '"deep.inko", line 3, in "<block>"' in err
    assert err.rstrip().endswith("panicked: deep")
    assert (out, err, status) == run(program, (), "closures")
