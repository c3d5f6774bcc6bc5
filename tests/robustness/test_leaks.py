"""Descriptors do not pile up: 5,000 TCP connections opened and closed in a
loop keep /proc/<pid>/fd flat, and so do spawned processes that connect and
end."""

import os
import subprocess
import time
from pathlib import Path

import pytest
from conftest import ENTRY_POINTS

HERE = Path(__file__).parent
pytestmark = pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc")


def _fd_count(pid):
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except FileNotFoundError:
        return None


def _watch(program, *args):
    proc = subprocess.Popen(
        [*ENTRY_POINTS["python -m"], "run", str(HERE / program), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert proc.stdout.readline() == b"ready\n"
        baseline = _fd_count(proc.pid)
        peak = baseline
        while proc.poll() is None:
            count = _fd_count(proc.pid)
            if count is not None:
                peak = max(peak, count)
            time.sleep(0.02)
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert err == b"", err.decode()
    return baseline, peak, out


def test_connection_churn_keeps_descriptors_flat():
    baseline, peak, out = _watch("churn.inko", "5000")
    assert out == b"5000\n"
    # a connected pair at most, and some slack for the scheduler's poller
    assert peak <= baseline + 4, (baseline, peak)


def test_processes_that_end_release_their_sockets():
    baseline, peak, out = _watch("process_churn.inko", "500")
    assert out == b"500\n"
    assert peak <= baseline + 12, (baseline, peak)
