"""Bad input the evaluator (compiler.py, runtime/) does not handle yet.
Each is a strict xfail with a minimal reproduction; remove the mark once
the evaluator is fixed."""

import subprocess

import pytest

from conftest import assert_no_python_noise, run_inko


@pytest.mark.xfail(strict=True, raises=subprocess.TimeoutExpired, reason=(
    "evaluator: compiling `1 + 1 + ... + 1` takes time exponential in the number of "
    "`+ <integer literal>` terms: Compiler.operand() compiles the receiver once to test "
    "it for the inline form and, when that fails, again through self.c(node) "
    "(20 terms: 5 s; 25 terms: > 60 s)"))
def test_long_chain_of_integer_additions_compiles_in_linear_time(tmp_path):
    prog = tmp_path / "chain.inko"
    prog.write_text("import std::stdio::stdout\nstdout.print(1" + " + 1" * 40 + ")\n")
    result = run_inko("run", prog, timeout=4)
    assert result.stdout == "41\n"


@pytest.mark.xfail(strict=True, reason=(
    "evaluator: runtime/modules.py parse_file opens imported modules as UTF-8 text, so a "
    "non-UTF-8 module is an internal UnicodeDecodeError; it should use "
    "errors.decode_source(data, path), which raises an InkoSyntaxError with the position"))
def test_imported_module_that_is_not_utf8(tmp_path):
    (tmp_path / "latin1.inko").write_bytes(b"let word = 'caf\xe9'\n")
    prog = tmp_path / "main.inko"
    prog.write_text("import latin1\n")
    result = run_inko("run", prog)
    assert_no_python_noise(result)
    assert result.stderr.startswith(f"{tmp_path / 'latin1.inko'}:1:16: syntax error")


@pytest.mark.xfail(strict=True, reason=(
    "evaluator: a 20,000-deep chain of sends (`a.b.b.b...`) overflows the Python stack "
    "while compiling; the report is a panic with an empty stack trace instead of an "
    "error at the expression's position"))
def test_very_deep_expression_gets_a_position(tmp_path):
    prog = tmp_path / "deep.inko"
    prog.write_text("a" + ".b" * 20000 + "\n")
    result = run_inko("run", prog)
    assert_no_python_noise(result)
    assert result.returncode == 1
    assert f"{prog}" in result.stderr
