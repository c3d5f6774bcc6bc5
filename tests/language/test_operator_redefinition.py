"""Redefining any operator of Integer, Float or String makes every send of
it run the new method at once, on both back ends: the inline fast paths
(`type(x) is int` guards) give way (issue 12, item 2). One program per
operator, each warming the fast path first: with two variable operands,
a literal on either side (one guard on the other operand), and a literal
next to an expression that is not a local."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

CASES = [
    ("Integer", op, "7", "3")
    for op in ("+", "-", "*", "/", "%", "<", ">", "<=", ">=", "==", "!=", "&", "|", "^", ">>")
] + [("Float", op, "7.5", "2.5") for op in ("+", "-", "*", "/", "<", ">", "<=", ">=", "==", "!=")]
CASES += [("String", op, "'a'", "'b'") for op in ("+", "==", "!=")]

PROGRAM = """import std::stdio::stdout

def use(a, b) {{
  a {op} b
}}

def literal_right(a) {{
  a {op} {b}
}}

def literal_left(b) {{
  {a} {op} b
}}

def literal_next_to_send(a, b) {{
  [a][0] {op} {b}
  {a} {op} [b][0]
}}

let mut i = 0
{{ i < 50 }}.while_true {{
  use({a}, {b})
  literal_right({a})
  literal_left({b})
  literal_next_to_send({a}, {b})
  i += 1
}}

impl {type} {{
  def {op}(other) {{
    'redefined {op}'
  }}
}}

stdout.print(use({a}, {b}))
stdout.print({a} {op} {b})
stdout.print(literal_right({a}))
stdout.print(literal_left({b}))
stdout.print(literal_next_to_send({a}, {b}))
"""


@pytest.mark.parametrize("type_,op,a,b", CASES, ids=[f"{t}{op}" for t, op, _, _ in CASES])
def test_redefined_operator_wins(tmp_path: Path, type_, op, a, b) -> None:
    program = tmp_path / "redefine.inko"
    program.write_text(PROGRAM.format(type=type_, op=op, a=a, b=b))
    proc = subprocess.run(
        [sys.executable, "-m", "inko_mini", "run", str(program)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.stderr == ""
    assert proc.stdout == f"redefined {op}\n" * 5
    assert proc.returncode == 0
