"""`inko-mini run --trace-processes` and the deadlock report, through the
real command line."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ID = r"0x[0-9a-f]+"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "inko_mini", "run", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
    )


PROGRAM = """import std::process
import std::stdio::stdout

let worker = process.spawn {
  let message = process.receive
  stdout.print(message)
}
worker.send('hello')

process.spawn {
  10 / 0
}
process.suspend(0.05)
"""


def test_trace_shows_spawns_exits_and_panics(tmp_path: Path) -> None:
    (tmp_path / "procs.inko").write_text(PROGRAM)
    result = run("--trace-processes", "procs.inko", cwd=tmp_path)
    assert result.stdout == "hello\n"
    assert result.returncode == 1  # the panic ends the program (default handler)
    trace = [line for line in result.stderr.splitlines() if line.startswith("[process]")]
    main = re.fullmatch(rf"\[process\] ({ID}) \(main\) started", trace[0])
    assert main, trace
    first = re.fullmatch(
        rf'\[process\] ({ID}) spawned by {main[1]} at "procs.inko", line 4, in main', trace[1]
    )
    second = re.fullmatch(
        rf'\[process\] ({ID}) spawned by {main[1]} at "procs.inko", line 10, in main', trace[2]
    )
    assert first and second, trace
    assert f"[process] {first[1]} exited" in trace
    panic = trace.index(f"[process] {second[1]} panicked: Can not divide an Integer by 0")
    assert trace[panic + 1] == f"[process] {second[1]} exited"
    # the ordinary panic report is still there
    assert f"Process {second[1]} panicked: Can not divide an Integer by 0" in result.stderr


def test_without_the_option_nothing_is_traced(tmp_path: Path) -> None:
    (tmp_path / "procs.inko").write_text(PROGRAM)
    result = run("procs.inko", cwd=tmp_path)
    assert result.stdout == "hello\n"
    assert "[process]" not in result.stderr


def test_main_exit_is_traced(tmp_path: Path) -> None:
    result = run("--trace-processes", "-e", "1", cwd=tmp_path)
    assert result.returncode == 0
    lines = result.stderr.splitlines()
    assert len(lines) == 2
    assert lines[0].endswith("(main) started")
    assert lines[1] == lines[0].replace(" (main) started", " exited")


def test_deadlock_report_names_where_each_process_waits(tmp_path: Path) -> None:
    (tmp_path / "stuck.inko").write_text(
        "import std::process\nimport std::stdio::stdout\n\n"
        "process.spawn {\n  process.receive\n}\n\n"
        "stdout.print('waiting')\nprocess.receive\n"
    )
    result = run("stuck.inko", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == "waiting\n"
    lines = result.stderr.splitlines()
    assert lines[0].startswith("inko-mini: deadlock: the main process is waiting")
    assert re.fullmatch(
        rf'inko-mini:   process {ID} \(main\) waits in receive at "stuck.inko", line 9, in main',
        lines[1],
    ), lines
    assert re.fullmatch(
        rf'inko-mini:   process {ID} waits in receive at "stuck.inko", line 5, in <block>',  # inferred lambda: CHANGES.md
        lines[2],
    ), lines
    assert len(lines) == 3
