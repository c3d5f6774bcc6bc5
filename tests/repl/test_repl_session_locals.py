"""The REPL's inputs compiled one by one (compile/codegen/repl.py): the
session's locals outlive their input, blocks see later assignments to the
locals they captured, and results, panics and traces read as in a module."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

SESSION = """\
let x = 1
let read = { x }
read.call
x = 5
read.call
let add = { x = x + 10 }
add.call
x
let x = 'shadow'
read.call
x
let nested = { let inner = { x = x + '!' } inner }
nested.call.call
x
let a = 1 b = 2
a
let i = 0
{ i < 3 }.while_true { i = i + 1 (i == 2).if_true { i.bar } }
i
def uses_i { i }
uses_i
let z = try { throw 5 } else (err) { err + i }
[1, 2].each do (v) { i = i + v }
i
let k = 3
let k = k + 1
k
return 4
{ return 3 }.call
[1].lenght
1 / 0
"""


def run_session(text: str, cwd: Path | None = None) -> tuple[str, str, int]:
    env = dict(os.environ)
    env.pop("INKO_MINI_NO_HINTS", None)
    done = subprocess.run(
        [sys.executable, "-m", "inko_mini", "repl"],
        input=text,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
        env=env,
    )
    # Process identifiers are addresses: they differ from run to run.
    return done.stdout, re.sub(r"0x[0-9a-f]+", "0x?", done.stderr), done.returncode


def test_session_locals_are_shared_with_blocks() -> None:
    out, err, status = run_session(SESSION)
    assert status == 0, err
    assert "Traceback" not in err
    assert out.splitlines() == [
        "1",
        "Block",
        "1",
        "5",
        "5",
        "Block",
        "15",
        "15",
        '"shadow"',
        "15",  # the block keeps the `x` it captured
        '"shadow"',
        "Block",
        '"shadow!"',
        '"shadow!"',
        "Nil",  # declared by the input the compile error stopped
        "0",
        "2",
        "Block",
        "7",
        "Nil",
        "5",
        "3",
        "4",
        "4",
    ]
    assert '<repl>:1:11: error: The local variable "b" is undefined' in err
    # no frame for the input itself, only for the blocks inlined into it
    assert (
        "Stack trace (the most recent call comes last):\n"
        '  0: "<repl>", line 1, in "<block>"\n'
        '  1: "' in err
    )
    assert '"<repl>", line 1, in "bar"\n' in err
    assert '  0: "<repl>", line 1, in "uses_i"\n  1: "<repl>", line 1, in "i"\n' in err
    assert err.count('panicked: The "return" keyword can only be used inside a method') == 2
    assert (
        'Stack trace (the most recent call comes last):\n  0: "<repl>", line 1, in "lenght"\n'
        in err
    )
