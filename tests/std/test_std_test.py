"""std::test through the command line: output of the default ProgressFormatter
byte for byte (STDLIB-CORE §19.2), exit statuses and assertion messages."""

import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
SUITES = HERE / "suites"
ESC = "\x1b"
TIME = r"[0-9]+\.[0-9]+ (?:milliseconds|seconds)"


def run(name, *args):
    # Run from the suite folder so the test file's path is as typed: `name`.
    return subprocess.run(
        [sys.executable, "-m", "inko_mini", "run", name, *args],
        cwd=SUITES,
        capture_output=True,
        text=True,
        timeout=60,
    )


def color(text, code):
    return f"{ESC}[{code}m{text}{ESC}[0m"


def test_spec_example_one_pass_one_failure():
    result = run("integer_test.inko")
    expected = (
        color(".", 32)
        + color("F", 31)
        + "\n\nFailures:"
        + "\n\n  Test: "
        + color("Integer.+ adds two numbers", 1)
        + "\n  Location: "
        + color("integer_test.inko:6", 36)
        + "\n\n  "
        + color("Expected 3 to equal 4", 31)
        + "\n\nFinished running in TIME \n"
        + color("2 tests, 1 failures ", 31)
        + "\n"
    )
    pattern = re.escape(expected).replace("TIME", TIME)
    assert re.fullmatch(pattern, result.stdout), result.stdout + result.stderr
    assert result.returncode == 1
    assert result.stderr == ""


def test_all_passing_returns_and_program_continues():
    result = run("passing_test.inko")
    expected = (
        color(".", 32) * 8
        + "\n\nFinished running in TIME \n"
        + color("8 tests, 0 failures ", 32)
        + "\nafter run\n"
    )
    assert re.fullmatch(re.escape(expected).replace("TIME", TIME), result.stdout), (
        result.stdout + result.stderr
    )
    assert result.returncode == 0


def test_no_tests():
    result = run("empty_test.inko")
    expected = (
        "\n\nFinished running in TIME \n" + color("0 tests, 0 failures ", 32) + "\nstill running\n"
    )
    assert re.fullmatch(re.escape(expected).replace("TIME", TIME), result.stdout), (
        result.stdout + result.stderr
    )
    assert result.returncode == 0


def test_failure_messages_without_colours():
    result = run("failures_test.inko")
    assert result.returncode == 1, result.stderr
    out = result.stdout
    assert out.startswith("FFFFFFFF.\n\nFailures:"), out
    failures = [
        ("equal", 14, 'Expected "a" to equal "b"'),
        ("not_equal", 15, "Expected 1 not to equal 1"),
        ("greater", 16, "Expected 1 to be greater than 2"),
        ("true", 17, "Expected Nil to be truthy"),
        ("false", 18, "Expected 0 to be falsy"),
        ("panic", 19, "The provided block did not panic"),
        ("no_panic", 20, "The provided block panicked: oops"),
        ("stops at the panic", 22, "first"),
    ]
    body = "".join(
        f"\n\n  Test: failing {name}\n  Location: failures_test.inko:{line}\n\n  {message}"
        for name, line, message in failures
    )
    assert "\n\nFailures:" + body + "\n\nFinished running in " in out, out
    assert re.search(r"Finished running in " + TIME + r" \n9 tests, 8 failures \n$", out), out


def test_invalid_configuration_option_panics():
    result = run("bad_option_test.inko")
    assert result.returncode == 1
    assert result.stderr.startswith("Stack trace (the most recent call comes last):\n")
    assert re.search(
        r'\nProcess 0x[0-9a-f]+ panicked: "colour" is not a valid configuration option\n$',
        result.stderr,
    ), result.stderr
