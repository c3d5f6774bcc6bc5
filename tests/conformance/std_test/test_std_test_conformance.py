"""STDLIB-CORE §19 through the command line: failure locations, panics of
any kind failing a test, the running-suite rules, and the ProgressFormatter
output byte for byte with colours (§19.2)."""

import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
ESC = "\x1b"
TIME = r"[0-9]+\.[0-9]+ (?:milliseconds|seconds)"


def run(name):
    # Run from this folder so the path of the test file is as typed.
    return subprocess.run(
        [sys.executable, "-m", "inko_mini", "run", name],
        cwd=HERE,
        capture_output=True,
        text=True,
        timeout=60,
    )


def color(text, code):
    return f"{ESC}[{code}m{text}{ESC}[0m"


def failure(test, location, message):
    return (
        "\n\n  Test: "
        + color(test, 1)
        + "\n  Location: "
        + color(location, 36)
        + "\n\n  "
        + color(message, 31)
    )


def test_progress_output_with_colours_byte_for_byte():
    result = run("colours_test.inko")
    expected = (
        color("F", 31)
        + color(".", 32)
        + color("F", 31)
        + "\n\nFailures:"
        + failure("A first", "colours_test.inko:5", 'Expected "x" to equal "y"')
        + failure("B third", "colours_test.inko:10", "Expected False to be truthy")
        + "\n\nFinished running in TIME \n"
        + color("3 tests, 2 failures ", 31)
        + "\n"
    )
    pattern = re.escape(expected).replace("TIME", TIME)
    assert re.fullmatch(pattern, result.stdout), repr(result.stdout) + result.stderr
    assert result.returncode == 1
    assert result.stderr == ""


def test_locations_panics_and_running_suite_rules():
    result = run("locations_test.inko")
    assert result.returncode == 1, result.stderr
    out = result.stdout
    marks = color("F", 31) * 3 + color(".", 32) * 4 + color("F", 31) * 2
    assert out.startswith(marks + "\n\nFailures:"), repr(out)
    expected_failures = (
        # The most recent frame in the test's file: the assertion in the helper.
        failure(
            "locations helper in the same file",
            "locations_test.inko:5",
            "Expected -1 to be greater than 0",
        )
        + failure(
            "locations division by zero", "locations_test.inko:20", "Can not divide an Integer by 0"
        )
        + failure("locations try bang", "locations_test.inko:23", "thrown text")
        + failure(
            "running suite configure while running",
            "locations_test.inko:46",
            "Configuration settings can not be changed for a running test suite",
        )
        + failure(
            "running suite add while running",
            "locations_test.inko:9",
            "New tests can not be added to a running test suite",
        )
    )
    assert "\n\nFailures:" + expected_failures + "\n\nFinished running in " in out, repr(out)
    assert re.search(
        r"Finished running in "
        + TIME
        + r" \n"
        + re.escape(color("9 tests, 5 failures ", 31))
        + r"\n$",
        out,
    ), repr(out)


def test_location_is_the_last_frame_in_the_test_file():
    # The assertion fails inside an imported module; the location is the most
    # recent frame in the test's own file: the call of the helper (§19).
    result = run("imported_helper_test.inko")
    expected = (
        color("F", 31)
        + "\n\nFailures:"
        + failure("imported helper fails", "imported_helper_test.inko:7", "Expected 1 to equal 0")
        + "\n\nFinished running in TIME \n"
        + color("1 tests, 1 failures ", 31)
        + "\n"
    )
    pattern = re.escape(expected).replace("TIME", TIME)
    assert re.fullmatch(pattern, result.stdout), repr(result.stdout) + result.stderr
    assert result.returncode == 1


def test_core_api_suite_in_the_style_of_the_0_4_0_runtime_tests():
    result = run("core_api_test.inko")
    out = result.stdout
    assert "Failures:" not in out, out
    assert re.fullmatch(
        "(?:"
        + re.escape(color(".", 32))
        + "){25}"
        + r"\n\nFinished running in "
        + TIME
        + r" \n"
        + re.escape(color("25 tests, 0 failures ", 32))
        + r"\n",
        out,
    ), repr(out) + result.stderr
    assert result.returncode == 0


def test_duration_over_a_second_is_in_seconds():
    # §19.2: more than 1.0 s is printed in seconds, Float#to_string style.
    result = run("slow_test.inko")
    assert re.fullmatch(
        re.escape(color(".", 32))
        + r"\n\nFinished running in 1\.[0-9]+ seconds \n"
        + re.escape(color("1 tests, 0 failures ", 32))
        + r"\n",
        result.stdout,
    ), repr(result.stdout) + result.stderr
    assert result.returncode == 0


def test_a_throw_escaping_a_test_body_fails_it():
    # The body is a lambda run in its own process: an escaping throw panics
    # with the top-level message of LANGUAGE §3.12, which fails the test.
    result = run("throw_test.inko")
    assert result.returncode == 1, result.stderr
    assert re.search(
        r"^F\n\nFailures:\n\n  Test: throws escaping throw\n  Location: throw_test\.inko:[0-9]+\n\n"
        r"  A thrown value reached the top-level in process 0x[0-9a-f]+\n\nFinished running in ",
        result.stdout,
    ), repr(result.stdout) + result.stderr


def test_group_bodies_run_at_once_tests_only_on_run():
    # §19: group calls its body immediately; test only registers; run runs
    # the tests and returns when all passed, so the program continues.
    result = run("order_test.inko")
    assert re.fullmatch(
        r"group body runs at once\nafter group\ntest body\n\.\n\nFinished running in "
        + TIME
        + r" \n1 tests, 0 failures \nafter run\n",
        result.stdout,
    ), repr(result.stdout) + result.stderr
    assert result.returncode == 0
