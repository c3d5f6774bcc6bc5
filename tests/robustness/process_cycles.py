"""Drive process_cycles.inko and read its resident memory after each round.

Shared by test_process_cycles.py and bench/soak.py.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROGRAM = HERE / "process_cycles.inko"


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def cycle(mode: str, rounds: int, per_round: int, timeout: float = 3600) -> list[int]:
    """Run `rounds` rounds of `per_round` spawn+exit (mode "exit") or
    spawn+terminate (mode "terminate") cycles; the RSS in KiB after each."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "inko_mini", "run", str(PROGRAM), mode, str(rounds), str(per_round)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    samples = []
    try:
        for expected in range(1, rounds + 1):
            line = proc.stdout.readline()
            if line != f"{expected}\n".encode():
                proc.kill()
                _, err = proc.communicate(timeout=timeout)
                raise AssertionError(f"round {expected}: {line!r} {err.decode()[-2000:]}")
            samples.append(rss_kib(proc.pid))
            proc.stdin.write(b"\n")
            proc.stdin.flush()
        _, err = proc.communicate(timeout=timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0 and err == b"", (proc.returncode, err.decode()[-2000:])
    return samples
