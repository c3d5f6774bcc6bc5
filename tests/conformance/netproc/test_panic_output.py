"""STDLIB-NET-PROCESS §1.5: the default handler's text, exactly.

Stack trace header, one frame per call (most recent last, std::vm frames
left out), then `Process 0x<hex> panicked: <message>` and a newline; exit 1.
"""

import os
import re
import subprocess
import sys

PROGRAMS = os.path.join(os.path.dirname(__file__), "programs")


def run(name):
    return subprocess.run(
        [sys.executable, "-m", "inko_mini", "run", name],
        cwd=PROGRAMS,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_default_handler_text():
    proc = run("panic_trace.inko")
    assert proc.returncode == 1
    assert proc.stdout == ""
    lines = proc.stderr.split("\n")
    assert lines[0] == "Stack trace (the most recent call comes last):"
    assert lines[1] == '  0: "panic_trace.inko", line 11, in "main"'
    assert lines[2] == '  1: "panic_trace.inko", line 8, in "outer"'
    assert lines[3] == '  2: "panic_trace.inko", line 4, in "inner"'
    assert re.fullmatch(r'  3: ".*std/process\.inko", line \d+, in "panic"', lines[4])
    assert re.fullmatch(r"Process 0x[0-9a-f]+ panicked: deep", lines[5])
    assert lines[6:] == [""]
    assert "vm.inko" not in proc.stderr


def test_thrown_value_reaching_the_top_of_a_process():
    proc = run("thrown_value_escapes.inko")
    assert proc.returncode == 1
    match = re.search(
        r"Process (0x[0-9a-f]+) panicked: "
        r"A thrown value reached the top-level in process (0x[0-9a-f]+)\n$",
        proc.stderr,
    )
    assert match and match.group(1) == match.group(2)
