"""Problems the fuzzer (tests/robustness/fuzz.py) found, one test each, run
through the real command line."""

from __future__ import annotations

import os
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


def test_deeply_nested_source_is_an_error_not_a_crash(tmp_path):
    # 30,000 nested blocks, or 150,000 chained `+ 1`: pickling the parsed
    # tree for the parse cache recursed in C under the interpreter's high
    # recursion limit and overflowed the C stack (exit by SIGSEGV).
    sources = {
        "blocks": "let a = " + "{ " * 30_000 + "1" + " }.call" * 30_000 + "\n",
        "chain": "let a = 1" + " + 1" * 150_000 + "\n",
    }
    for name, source in sources.items():
        path = tmp_path / f"{name}.inko"
        path.write_text(source)
        result = subprocess.run(
            [sys.executable, "-m", "inko_mini", "run", str(path)],
            capture_output=True,
            text=True,
            timeout=120,
            stdin=subprocess.DEVNULL,
            # a cache of its own, so the tree is pickled (not read back)
            env={**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")},
        )
        assert result.returncode == 1, (name, result.returncode, result.stderr[-500:])
        assert "Traceback" not in result.stderr and "internal error" not in result.stderr
        assert "nested too deeply" in result.stderr or "Stack overflow" in result.stderr, (
            result.stderr[-500:]
        )


def test_a_suspend_longer_than_the_os_can_sleep_just_waits(tmp_path):
    # process.suspend(2 ** 63 - 1) (fuzz seed 11, program 93215) handed the
    # scheduler a timeout that time.sleep rejects: `internal error:
    # OverflowError`. It must simply wait, while other processes still run.
    path = tmp_path / "program.inko"
    path.write_text(
        "import std::process\nimport std::stdio::stdout\n"
        "process.spawn { process.suspend(9223372036854775807) }\n"
        "process.suspend(0.1)\nstdout.print('other processes still run')\n"
        "process.suspend(1.0 / 0.0)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "inko_mini", "run", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        proc.wait(timeout=3)
    except subprocess.TimeoutExpired:
        pass  # still waiting, as it should
    assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
    proc.kill()
    stdout, stderr = proc.communicate(timeout=10)
    assert stdout == "other processes still run\n"
    assert "internal error" not in stderr
