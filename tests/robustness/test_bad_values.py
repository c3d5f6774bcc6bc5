"""Core types given wrong arguments or values of the wrong kind: an Inko
panic whose stack trace points at the statement (bad_calls.txt), never an
internal error. A line that is legal Inko (Nil answers every message,
Integers grow without bound) may also simply succeed."""

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from conftest import assert_no_python_noise, run_inko

HERE = Path(__file__).parent
STATEMENTS = [
    line
    for line in (HERE / "bad_calls.txt").read_text().splitlines()
    if line.strip() and not line.startswith("#")
]


def _run(statement):
    # The statement sits on line 2 so the trace must name that line.
    return statement, run_inko("run", "-e", f"import std::stdio::stdout\n{statement}\n", timeout=60)


def _check(statements):
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(_run, statements))
    for statement, result in results:
        assert_no_python_noise(result)
        if result.returncode == 0:
            continue
        assert result.returncode == 1, (statement, result.stderr)
        assert result.stderr.startswith("Stack trace (the most recent call comes last):\n"), (
            statement,
            result.stderr,
        )
        assert '  0: "-e", line 2, in "main"\n' in result.stderr, (statement, result.stderr)
        # the report's last line (`hint:` lines may follow it)
        last = [ln for ln in result.stderr.splitlines() if not ln.startswith("hint: ")][-1]
        assert " panicked: " in last, (statement, result.stderr)
        # Python's own wording must not leak into the message.
        for python_word in ("NoneType", "object of type", "unsupported operand", "arg must be"):
            assert python_word not in last, (statement, last)


def test_wrong_arguments_and_kinds_panic_with_a_position():
    _check(STATEMENTS)
