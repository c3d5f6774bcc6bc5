"""The REPL on both back ends (the code generator compiles each input with
compile/codegen/repl.py; INKO_MINI_BACKEND=closures, the closure compiler):
the session's locals outlive their input, blocks see later assignments to
the locals they captured, and results, panics and traces are the same."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

BACKENDS = ["closures", "codegen"]

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


def run_session(text: str, backend: str, cwd: Path | None = None) -> tuple[str, str, int]:
    env = dict(os.environ, INKO_MINI_BACKEND=backend)
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


@pytest.mark.parametrize("backend", BACKENDS)
def test_session_locals_are_shared_with_blocks(backend: str) -> None:
    out, err, status = run_session(SESSION, backend)
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


def test_both_back_ends_print_the_same(tmp_path: Path) -> None:
    (tmp_path / "lib.inko").write_text(
        "let from_file = 41\ndef twice(x) {\n  x * 2\n}\n"
        "let adder = do (y) { from_file + y }\nfrom_file.foo\n"
    )
    session = SESSION + ":load lib.inko\nfrom_file\nadder.call(1)\nfrom_file = 1\nadder.call(1)\n"
    assert run_session(session, "codegen", tmp_path) == run_session(session, "closures", tmp_path)


def test_codegen_never_loads_the_closure_compiler() -> None:
    """Once the code generator does everything the closure compiler can be
    deleted: nothing on the REPL's or --check-annotations' way imports it."""
    env = dict(os.environ, INKO_MINI_BACKEND="codegen")
    commands = [
        (["repl"], "let a = { 1 }\na.call\n"),
        (["run", "--check-annotations", "-e", "1 # => 1"], ""),
    ]
    for args, stdin in commands:
        done = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "inko_mini", *args],
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
        )
        assert done.returncode == 0, done.stderr
        assert "inko_mini.compile.codegen" in done.stderr
        assert "inko_mini.compile.compiler" not in done.stderr
