"""Instance methods sent to the built-in prototypes themselves (`Array.length`,
`String.inspect`, ...): in 0.4.0 the primitive behind them gets a value of
the wrong kind, which is a VM panic (STDLIB-CORE §1.3: "VM instruction
errors"). inko-mini must panic too — a report on stderr and exit status 1 —
never stop with an internal error or print a Python repr."""

import subprocess
import sys

import pytest

EVALUATOR = pytest.mark.xfail(
    strict=True,
    reason="evaluator: primitives in builtins/ crash (TypeError/AttributeError) or "
    "return a Python repr when given a prototype instead of a value of their kind",
)

CASES = [
    "Array.length",
    "Array.push(1)",
    "Array.iter.next",
    "String.length",
    "String.inspect",
    "String + 'a'",
    "Float.to_string",
    "Float.floor",
    "Integer.to_string",
    "Integer.format",
    "ByteArray.length",
    "HashMap['a']",
    "HashMap.key?(1)",
    "Integer + 1",
    "Float + 1.0",
    "'a' + String",
    "Object.to_string",
]


@pytest.mark.parametrize("expression", CASES)
def test_prototype_receiver_panics(tmp_path, expression):
    prog = tmp_path / "proto.inko"
    prog.write_text(
        "import std::stdio::stdout\nimport std::byte_array::ByteArray\n"
        f"stdout.print({expression})\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "inko_mini", "run", "proto.inko"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "internal error" not in result.stderr, result.stderr
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert result.stderr.startswith("Stack trace (the most recent call comes last):\n"), (
        result.stderr
    )
    assert " panicked: " in result.stderr, result.stderr
    assert result.stdout == ""
