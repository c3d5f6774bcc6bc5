"""std::process behaviour that the `# expect` comments of programs/ can not
express: Ctrl-C, INKO_REDUCTIONS given several values (the comments of
cli/fairness_env.inko say what it prints)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from inko_programs import check_program

HERE = Path(__file__).parent


@pytest.mark.parametrize("program", ["ctrl_c_receive", "ctrl_c_spin", "ctrl_c_sleep"])
def test_ctrl_c_ends_the_program_promptly_with_status_130(program):
    proc = subprocess.Popen(
        [sys.executable, "-m", "inko_mini", "run", f"{program}.inko"],
        cwd=HERE / "cli",
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout.readline() == "ready\n"
        time.sleep(0.1)
        proc.send_signal(signal.SIGINT)
        status = proc.wait(timeout=5)
    finally:
        proc.kill()
        proc.wait()
    stderr = proc.stderr.read()
    assert status == 130, stderr
    assert "Traceback" not in stderr


@pytest.mark.parametrize("value", ["10", "1", "junk", "-5"])
def test_inko_reductions_keeps_processes_fair(value):
    check_program(HERE / "cli" / "fairness_env.inko", env={"INKO_REDUCTIONS": value}, timeout=20)
