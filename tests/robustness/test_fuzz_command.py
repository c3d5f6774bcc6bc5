"""The fuzzing command itself, at a small seeded size (the long run is
`python3 -m tests.robustness.fuzz 100000`, see README "Reliability"), and its
generator: every generated program must be valid Inko."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inko_mini.syntax.parser import parse

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.robustness import fuzz  # noqa: E402


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.randoms(use_true_random=False))
def test_generated_programs_parse(rng: random.Random):
    source = fuzz.Gen(rng).program()
    parse(source, "generated.inko")


def test_programs_are_fixed_by_seed_and_index():
    assert fuzz.program(3, 10) == fuzz.program(3, 10)
    assert fuzz.program(3, 11) == fuzz.program(3, 11)
    assert fuzz.program(3, 10) != fuzz.program(4, 10)


def test_small_seeded_run_finds_no_internal_error(tmp_path):
    out = tmp_path / "findings"
    proc = subprocess.run(
        [sys.executable, "-m", "tests.robustness.fuzz", "60", "--seed", "2026", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    assert "fuzz: 60 programs" in proc.stdout, proc.stdout + proc.stderr
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 internal errors" in proc.stdout
    assert not any(out.iterdir())


def test_a_finding_is_saved_with_its_reproduction(tmp_path, monkeypatch):
    # A stand-in for a bug: a program whose run ends with the text of an
    # internal error is reported and saved with the command that shows it.
    item = {"index": 4, "command": "run", "status": 1, "signature": "x", "stderr": "err"}
    result = fuzz.save(tmp_path, 5, item, timeout=10)
    saved = tmp_path / result["file"]
    assert saved.read_text() == fuzz.program(5, 4)
    note = saved.with_suffix(".txt").read_text()
    assert note.startswith(f"python3 -m inko_mini run {saved.name}\n")
    assert "--show 5 4" in note


def test_only_the_interpreters_own_report_is_a_finding():
    # Two false alarms of the long run (seed 11, programs 16083 and 41337):
    # a syntax error quoting a comment that mentions an internal error.
    quoted = "x.inko:13:2: syntax error: unexpected end of input\n  [#] is a panic (not an internal error).\n   ^\n"
    assert fuzz.finding("ok", 1, quoted) is None
    real = "inko-mini: internal error: KeyError: 3\ninko-mini: rerun with --debug\n"
    assert fuzz.finding("ok", 1, real) == "inko-mini: internal error: KeyError: N"
    trace = 'Traceback (most recent call last):\n  File "x", line 1\nValueError: bad\n'
    assert fuzz.finding("ok", 1, trace) == "traceback: ValueError: bad"
    assert fuzz.finding("signal", -11, "") == "killed by signal 11"
