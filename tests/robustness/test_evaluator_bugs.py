"""Bad input that once broke the evaluator (compiler.py, runtime/): each
test is the minimal reproduction of a bug that was fixed."""

from conftest import assert_no_python_noise, run_inko


def test_long_chain_of_integer_additions_compiles_in_linear_time(tmp_path):
    prog = tmp_path / "chain.inko"
    prog.write_text("import std::stdio::stdout\nstdout.print(1" + " + 1" * 40 + ")\n")
    result = run_inko("run", prog, timeout=60)
    assert result.stdout == "41\n"


def test_imported_module_that_is_not_utf8(tmp_path):
    (tmp_path / "latin1.inko").write_bytes(b"let word = 'caf\xe9'\n")
    prog = tmp_path / "main.inko"
    prog.write_text("import latin1\n")
    result = run_inko("run", prog)
    assert_no_python_noise(result)
    assert result.stderr.startswith(f"{tmp_path / 'latin1.inko'}:1:16: syntax error")


def test_very_deep_expression_gets_a_position(tmp_path):
    prog = tmp_path / "deep.inko"
    prog.write_text("a" + ".b" * 20000 + "\n")
    result = run_inko("run", prog)
    assert_no_python_noise(result)
    assert result.returncode == 1
    assert f"{prog}" in result.stderr
