"""std::stdio, std::string_buffer and std::time through `inko-mini run`."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest
from inko_programs import check_program

HERE = Path(__file__).parent
PROGRAMS = HERE / "programs"

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("inko_mini.syntax.parser") is None,
    reason="inko_mini.syntax.parser does not exist yet (evaluator part not merged)",
)


def test_stdout_and_stderr():
    # stdout and the status are stated in the program's `# expect` comments
    result = check_program(PROGRAMS / "stdout_print.inko")
    assert result.stderr == "to stderr\npartial"


def test_string_buffer():
    result = check_program(PROGRAMS / "string_buffer.inko")
    assert (
        result.stderr.strip()
        .splitlines()[-1]
        .endswith("panicked: ObjectValue::as_string() called on a non string")
    )


def test_stdout_to_a_closed_pipe_is_quiet():
    code = "import std::stdio::stdout\n{ stdout.print('y') }.loop\n"
    proc = subprocess.Popen(
        [sys.executable, "-m", "inko_mini", "run", "-e", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    proc.stdout.read(100)
    proc.stdout.close()
    proc.kill()
    _, err = proc.communicate(timeout=30)
    assert b"Traceback" not in err


def test_output_is_flushed_before_a_panic_report():
    code = (
        "import std::stdio::stdout\nimport std::process\n"
        "stdout.write_string('no newline')\nprocess.panic('boom')\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "inko_mini", "run", "-e", code],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 1
    assert result.stdout == "no newline"
    assert result.stderr.strip().endswith("panicked: boom")
