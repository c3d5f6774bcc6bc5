"""std::test as Inko 0.4.0 built it (STDLIB-TEST.md), through the command line.

The `*_test.inko` files with `# expect:` lines run through tests/conftest.py;
this driver checks what those comments can not: the ProgressFormatter's exact
bytes with colours, durations, and the 0.4.0-style suite in `runtime_style/`.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
ESC = "\x1b"
NUMBER = r"[0-9]+\.[0-9]+"


def run(name: str, cwd: Path = HERE) -> subprocess.CompletedProcess[str]:
    # Run from the file's folder so that its path is as typed (§4, §12).
    return subprocess.run(
        [sys.executable, "-m", "inko_mini", "run", name],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def color(text: str, code: int) -> str:
    return f"{ESC}[{code}m{text}{ESC}[0m"


def failure(title: str, location: str, message: str) -> str:
    # §10: one write per failed test.
    return (
        "\n\n  Test: "
        + color(title, 1)
        + "\n  Location: "
        + color(location, 36)
        + "\n\n  "
        + color(message, 31)
    )


def test_progress_formatter_bytes_in_completion_order() -> None:
    result = run("exact_output_test.inko")
    passed, failed = color(".", 32), color("F", 31)
    expected = (
        # 'late failure' was registered first but sleeps: it reports last.
        failed
        + passed
        + failed * 5
        + "\n\nFailures:"
        + failure("bytes assertion", "exact_output_test.inko:15", "Expected [1, 2] to equal [1, 3]")
        + failure("bytes division", "exact_output_test.inko:19", "Can not divide an Integer by 0")
        + failure("bytes explicit panic", "exact_output_test.inko:21", "boom")
        + failure(
            "bytes assert.panic fails",
            "exact_output_test.inko:22",
            "The provided block did not panic",
        )
        + failure(
            "bytes assert.no_panic fails",
            "exact_output_test.inko:23",
            "The provided block panicked: inner",
        )
        + failure(
            "bytes late failure", "exact_output_test.inko:12", "Expected 1 to be greater than 2"
        )
        + "\n\nFinished running in DURATION milliseconds \n"
        + color("7 tests, 6 failures ", 31)
        + "\n"
    )
    pattern = re.escape(expected).replace("DURATION", NUMBER)
    assert re.fullmatch(pattern, result.stdout), repr(result.stdout) + result.stderr
    # The panics of the failing tests and of the blocks given to
    # assert.panic/no_panic print nothing (§7).
    assert result.stderr == ""
    assert result.returncode == 1


def test_tests_run_at_once_within_the_concurrency() -> None:
    # Three tests of 0.5 s: about 0.5 s together, 1.5 s one at a time; the
    # unit word follows TIME_IN_SECONDS_THRESHOLD (§10, §11.5).
    together = run("concurrent_duration_test.inko")
    assert re.fullmatch(
        r"\.\.\.\n\nFinished running in " + NUMBER + r" milliseconds \n3 tests, 0 failures \n",
        together.stdout,
    ), repr(together.stdout) + together.stderr
    milliseconds = float(together.stdout.split("in ")[1].split(" ")[0])
    assert 500.0 <= milliseconds < 1000.0, milliseconds
    one_by_one = run("sequential_duration_test.inko")
    assert re.fullmatch(
        r"\.\.\.\n\nFinished running in " + NUMBER + r" seconds \n3 tests, 0 failures \n",
        one_by_one.stdout,
    ), repr(one_by_one.stdout) + one_by_one.stderr
    assert float(one_by_one.stdout.split("in ")[1].split(" ")[0]) >= 1.5


def test_names_only_importable_from_their_0_4_0_module() -> None:
    # §1: the test package's import rule; std::test only imports these.
    for source, message in [
        ("import std::test::(TestGroup)", 'The module std::test does not define "TestGroup"'),
        ("import std::test::(Client)", 'The module std::test does not define "Client"'),
        (
            "import std::test::config::(ProgressFormatter)",
            'The module std::test::config does not define "ProgressFormatter"',
        ),
        (
            "import std::test::formatters::progress::ProgressFormatter",
            "std::test::formatters::progress",
        ),
    ]:
        result = subprocess.run(
            [sys.executable, "-m", "inko_mini", "run", "-e", source],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 1, source
        assert message in result.stderr, result.stderr
        assert "Traceback" not in result.stderr


def test_suite_in_the_style_of_0_4_0_runtime_tests() -> None:
    folder = HERE / "runtime_style"
    result = run("main.inko", cwd=folder)
    match = re.fullmatch(
        "((?:"
        + re.escape(color(".", 32))
        + r")+)\n\nFinished running in "
        + NUMBER
        + r" (?:milliseconds|seconds) \n"
        + re.escape(ESC)
        + r"\[32m([0-9]+) tests, 0 failures "
        + re.escape(ESC + "[0m")
        + r"\n",
        result.stdout,
    )
    assert match, repr(result.stdout) + result.stderr
    count = int(match.group(2))
    assert len(match.group(1)) == count * len(color(".", 32))
    # Every `g.test(` of the suite ran.
    registered = sum(path.read_text().count("g.test(") for path in folder.rglob("*.inko"))
    assert count == registered > 40
    assert result.returncode == 0
    assert result.stderr == ""


def test_each_body_runs_in_a_fresh_process() -> None:
    # §12/§13: a new process per test, not the main one, with an empty
    # mailbox; with one test at a time a body's output precedes its mark.
    result = run("isolation_test.inko")
    assert re.fullmatch(
        r"in first\n\.in second\n\.in third\n\.\n\nFinished running in "
        + NUMBER
        + r" milliseconds \n3 tests, 0 failures \n3\n",
        result.stdout,
    ), repr(result.stdout) + result.stderr
    assert result.returncode == 0


def test_tests_defined_in_an_imported_module_have_absolute_locations() -> None:
    # §4, §12: the location's path is the one recorded for the module, which
    # for an imported module is absolute.
    result = run("imported_tests_test.inko")
    path = (HERE / "imported" / "defines.inko").resolve()
    expected = (
        "F\n\nFailures:\n\n  Test: imported module fails\n"
        f"  Location: {path}:7\n\n"
        '  Expected "defined" to equal "elsewhere"\n\nFinished running in '
    )
    assert result.stdout.startswith(expected), repr(result.stdout) + result.stderr
    assert result.stdout.endswith(" milliseconds \n1 tests, 1 failures \n")
    assert result.returncode == 1
