"""The reader of `# expect` comments (tests/inko_programs.py) on small texts,
and its checker on real runs of the command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from inko_programs import check_program, parse_expectations, problems_of, run_program

TEXT = """# A program.
# expect: one
# expect:
# expect-stderr: boom
# expect-status: 3
# args: a b
# include: lib
# stdin: first
# stdin: second
# env: NAME=va=lue
# xfail: evaluator: not yet
let x = 1  # expect: not a comment line
"""


def test_every_key_is_read() -> None:
    exp = parse_expectations(TEXT)
    assert exp is not None
    assert exp.stdout == ["one", ""]
    assert exp.expected_stdout() == "one\n\n"
    assert exp.stderr == ["boom"]
    assert (exp.status, exp.args, exp.include) == (3, ["a", "b"], ["lib"])
    assert exp.stdin == ["first", "second"]
    assert exp.env == {"NAME": "va=lue"}
    assert exp.xfail == "evaluator: not yet"
    assert exp.run_by is None


def test_raw_output_run_by_and_no_expectation() -> None:
    exp = parse_expectations("# expect-raw: no newline\n# run-by: test_x.py (a port)\n")
    assert exp is not None
    assert exp.expected_stdout() == "no newline"
    assert exp.run_by == "test_x.py (a port)"
    assert parse_expectations("# a helper module\n# args: x\n") is None


def test_substitution_reaches_output_arguments_and_environment() -> None:
    exp = parse_expectations("# expect: {tmp}/a\n# env: TMPDIR={tmp}\n# args: {tmp}\n")
    assert exp is not None
    done = exp.substituted({"{tmp}": "/s"})
    assert (done.stdout, done.env, done.args) == (["/s/a"], {"TMPDIR": "/s"}, ["/s"])


def test_a_program_that_misses_its_expectations_fails(tmp_path: Path) -> None:
    program = tmp_path / "p.inko"
    program.write_text(
        "import std::stdio::stdin\nimport std::stdio::stdout\nimport std::env\n"
        "stdout.print((try! stdin.read_string(2)) + env.arguments[0] + env['NAME'])\n"
        "# stdin: in\n# env: NAME=!\n# expect: inx!\n",
        encoding="utf-8",
    )
    proc = check_program(program, "x")
    assert proc.returncode == 0
    with pytest.raises(AssertionError, match="stdout differs"):
        check_program(program, "y")
    exp = parse_expectations(program.read_text(encoding="utf-8"))
    assert exp is not None
    exp.status = 2
    problems = problems_of(exp, run_program(program, ["x"], stdin="in\n", env={"NAME": "!"}))
    assert [what for what, _, _ in problems] == ["status"]
