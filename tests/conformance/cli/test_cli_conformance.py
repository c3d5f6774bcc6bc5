"""DESIGN.md's command line: imports are searched in the main file's folder
(whatever the current directory), then -I/-i/--include folders; program
arguments follow the file; -e runs inline code; bad input gives a position
and exit 1, never a Python traceback."""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent


def inko(*args, cwd=HERE, stdin=None):
    return subprocess.run(
        [sys.executable, "-m", "inko_mini", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        input=stdin,
    )


def test_imports_resolve_from_the_main_files_folder_and_arguments_follow():
    result = inko("run", "project/main_prog.inko", "a", "b c")
    assert result.stdout == 'hello from the main file\'s folder\n["a", "b c"]\n', result.stderr
    assert result.returncode == 0


def test_include_folder_and_its_aliases(tmp_path):
    prog = tmp_path / "uses_include.inko"
    prog.write_text("import std::stdio::stdout\nimport more::thing\nstdout.print(thing.value)\n")
    for flag in ("-I", "-i", "--include"):
        result = inko("run", flag, str(HERE / "extra"), str(prog), cwd=tmp_path)
        assert result.stdout == "from an include folder\n", (flag, result.stderr)
        assert result.returncode == 0


def test_inline_code():
    result = inko("run", "-e", "import std::stdio::stdout\nstdout.print(6 * 7)")
    assert result.stdout == "42\n"
    assert result.returncode == 0


def test_syntax_error_has_position_source_line_and_caret(tmp_path):
    prog = tmp_path / "broken.inko"
    prog.write_text("let x = 1\nlet y = (2\n")
    result = inko("run", "broken.inko", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    first = result.stderr.splitlines()[0]
    assert first.startswith("broken.inko:2:") or first.startswith("broken.inko:3:"), result.stderr
    assert "^" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_file_is_a_clear_error(tmp_path):
    result = inko("run", "no_such_file.inko", cwd=tmp_path)
    assert result.returncode == 1
    assert "no_such_file.inko" in result.stderr
    assert "Traceback" not in result.stderr
