"""Problems the fuzzer (tests/robustness/fuzz.py) found, one test each, run
through the real command line."""

from __future__ import annotations

import subprocess
import sys


def run(source: str, tmp_path, stdin=subprocess.DEVNULL) -> subprocess.CompletedProcess:
    path = tmp_path / "program.inko"
    path.write_text(source)
    return subprocess.run(
        [sys.executable, "-m", "inko_mini", "run", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=stdin,
    )


def test_reading_stdin_twice_from_dev_null(tmp_path):
    # epoll refuses /dev/null; the first read left the poller's slot for fd 0
    # taken, so the second one stopped with `internal error:
    # BusyResourceError` (fuzz seed 1, program 31: a mutant of an io test).
    result = run(
        "import std::stdio::stdin\nimport std::stdio::stdout\n"
        "stdout.print((try! stdin.read_string(3)).inspect)\n"
        "stdout.print((try! stdin.read_string(3)).inspect)\n",
        tmp_path,
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, '""\n""\n', "")
