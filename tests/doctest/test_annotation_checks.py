"""`inko-mini run --check-annotations`: the code generator
(compile/codegen/hooks.py) checks each annotated top-level statement, with
the texts of the earlier closure compiler."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

PROGRAM = """\
import std::stdio::stdout

let x = 10 # => 10
let y = x + 1 # => 12
x + y # => x + 11
stdout.print('hi') # => hi
stdout.print(x) # => 'ten'
[1, 2]
  .length # => 2
def f {
  1 # => 3
}
f # => the value of f
let z = True.if(true: { 3 }, false: { 4 }) # => 3
let q = try { throw 1 } else (e) { e + 1 } # => 3
{ x = x + 1 }.call # => 11
x # => 11
1 / 0 # => 1
"""


def run(path: Path) -> tuple[str, str, int]:
    env = dict(os.environ)
    done = subprocess.run(
        [sys.executable, "-m", "inko_mini", "run", "--check-annotations", path.name],
        cwd=path.parent,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    return done.stdout, re.sub(r"Process 0x[0-9a-f]+", "Process 0x?", done.stderr), done.returncode


def test_annotation_failures_and_texts(tmp_path: Path) -> None:
    program = tmp_path / "annotated.inko"
    program.write_text(PROGRAM)
    out, err, status = run(program)
    assert status == 1
    assert out == "hi\n10\n"
    lines = err.splitlines()
    assert lines[:4] == [
        "Stack trace (the most recent call comes last):",
        '  0: "annotated.inko", line 18, in "main"',
        lines[2],
        "Process 0x? panicked: Can not divide an Integer by 0",
    ]
    assert lines[4:] == [
        "annotation failed at annotated.inko:4: expected 12, got 11",
        'annotation failed at annotated.inko:7: expected output "\\\'ten\\\'", got "10"',
        "annotation failed at annotated.inko:15: expected 3, got 2",
    ]
