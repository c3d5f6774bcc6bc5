"""The command line given wrong or awkward input: usage errors (status 2)
for wrong arguments, a message naming the file (status 1) for files that
can not be read, and never a Python traceback."""

import os
import signal
import subprocess
from pathlib import Path

import pytest
from conftest import ENTRY_POINTS, assert_no_python_noise, run_inko

HERE = Path(__file__).parent


def test_no_arguments_shows_the_commands(entry):
    result = run_inko(entry=entry)
    assert result.returncode == 2
    for command in ("run", "check", "test", "repl"):
        assert command in result.stdout + result.stderr


@pytest.mark.parametrize("command", ["run", "check", "test", "repl"])
def test_help_of_every_command_explains_and_shows_an_example(entry, command):
    result = run_inko(command, "--help", entry=entry)
    assert result.returncode == 0
    assert result.stdout.startswith(f"Usage: inko-mini {command}")
    assert "Example" in result.stdout
    assert f"inko-mini {command}" in result.stdout.split("Example", 1)[1]


def test_version(entry):
    result = run_inko("--version", entry=entry)
    assert result.returncode == 0
    assert result.stdout.startswith("inko-mini, version ")


def test_run_without_a_file_is_a_usage_error(entry):
    result = run_inko("run", entry=entry)
    assert result.returncode == 2
    assert "give a FILE to run" in result.stderr
    assert_no_python_noise(result)


@pytest.mark.parametrize("option", ["--bogus", "-x"])
def test_unknown_option_before_the_file_is_a_usage_error(entry, option, tmp_path):
    prog = tmp_path / "ok.inko"
    prog.write_text("1\n")
    result = run_inko("run", option, prog, entry=entry)
    assert result.returncode == 2
    assert f"No such option '{option}'" in result.stderr


def test_options_after_the_file_belong_to_the_program(entry, tmp_path):
    prog = tmp_path / "args.inko"
    prog.write_text(
        "import std::env\nimport std::stdio::stdout\nstdout.print(env.arguments.inspect)\n"
    )
    result = run_inko("run", prog, "--bogus", "-e", "x", entry=entry)
    assert result.stdout == '["--bogus", "-e", "x"]\n', result.stderr
    assert result.returncode == 0


def test_missing_file_and_directory(entry, tmp_path):
    for path, reason in (
        (tmp_path / "nope.inko", "No such file or directory"),
        (tmp_path, "Is a directory"),
    ):
        result = run_inko("run", path, entry=entry)
        assert result.returncode == 1
        assert result.stderr == f"inko-mini: can not read {path}: {reason}\n"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file(entry, tmp_path):
    prog = tmp_path / "secret.inko"
    prog.write_text("1\n")
    prog.chmod(0)
    result = run_inko("run", prog, entry=entry)
    assert result.returncode == 1
    assert "Permission denied" in result.stderr


def test_source_that_is_not_utf8_is_a_syntax_error_with_a_position(entry, tmp_path):
    prog = tmp_path / "latin1.inko"
    prog.write_bytes(b"import std::stdio::stdout\nstdout.print('caf\xe9')\n")
    for command in ("run", "check"):
        result = run_inko(command, prog, entry=entry)
        assert result.returncode == 1
        assert result.stderr.startswith(
            f"{prog}:2:18: syntax error: the file is not valid UTF-8 (byte 0xe9)\n"
        ), result.stderr
        assert_no_python_noise(result)


def test_nul_bytes_and_huge_lines_are_reported_readably(entry, tmp_path):
    prog = tmp_path / "nul.inko"
    prog.write_bytes(b"let a = 1\x00\n")
    result = run_inko("check", prog, entry=entry)
    assert result.returncode == 1
    assert f"{prog}:1:10: syntax error" in result.stderr
    assert "\x00" not in result.stderr
    prog = tmp_path / "long.inko"
    prog.write_text("let a = [" + "1, " * 20000 + ")\n")
    result = run_inko("check", prog, entry=entry)
    assert result.returncode == 1
    assert len(result.stderr) < 1000, "the source line is cut around the column"
    assert result.stderr.splitlines()[-1].strip() == "^"


def test_include_pointing_nowhere_only_matters_for_imports(entry, tmp_path):
    prog = tmp_path / "imp.inko"
    prog.write_text("import std::stdio::stdout\nimport nowhere::thing\nstdout.print(1)\n")
    result = run_inko("run", "-I", tmp_path / "missing-dir", prog, entry=entry)
    assert result.returncode == 1
    assert result.stderr == f"{prog}:2:1: error: The module nowhere::thing could not be found\n"


def test_check_reports_every_bad_file_and_continues(entry, tmp_path):
    good = tmp_path / "good.inko"
    good.write_text("let a = 1\n")
    bad = tmp_path / "bad.inko"
    bad.write_text("let a = (\n")
    missing = tmp_path / "missing.inko"
    result = run_inko("check", bad, good, missing, entry=entry)
    assert result.returncode == 1
    assert result.stderr.startswith(f"{bad}:1:10: syntax error: unexpected end of input")
    assert f"{missing}: cannot read the file: No such file or directory" in result.stderr
    assert str(good) not in result.stderr
    assert run_inko("check", good, entry=entry).returncode == 0


def test_test_command_with_a_missing_path_or_a_page_without_code(entry, tmp_path):
    result = run_inko("test", tmp_path / "nope.md", entry=entry)
    assert result.returncode == 2
    assert "does not exist" in result.stderr
    page = tmp_path / "notes.txt"
    page.write_text("just prose\n")
    result = run_inko("test", page, entry=entry)
    assert result.returncode == 1
    assert "no ```inko code blocks" in result.stdout + result.stderr
    assert_no_python_noise(result)


def test_repl_survives_bad_input(entry):
    lines = [
        "let x = [1, 2, 3]",
        "x.length",
        ")",
        "[1].foo",
        "import nope::x",
        "1 / 0",
        "\x00",
        "x.length + 1",
    ]
    result = run_inko("repl", entry=entry, input="\n".join(lines) + "\n")
    assert_no_python_noise(result)
    assert result.returncode == 0
    assert result.stdout.splitlines() == ["[1, 2, 3]", "3", "4"]
    assert "<repl>:1:1: syntax error: unexpected ')'" in result.stderr
    assert "panicked: Can not divide an Integer by 0" in result.stderr
    assert "<repl>:1:1: error: The module nope::x could not be found" in result.stderr


def test_stdout_closed_early_is_quiet(entry):
    cmd = [*ENTRY_POINTS[entry], "run", str(HERE / "many_lines.inko")]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = proc.stdout.readline()
    proc.stdout.close()  # like `| head -1`
    err = proc.stderr.read().decode()
    proc.wait(timeout=60)
    assert first == b"0\n"
    assert err == ""


def test_sigint_ends_a_busy_program_with_130(entry):
    cmd = [*ENTRY_POINTS[entry], "run", str(HERE / "busy_loop.inko")]
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        assert proc.stdout.readline() == b"started\n"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    finally:
        proc.kill()
    assert proc.returncode == 130
    assert err == b""


def test_dash_reads_the_program_from_stdin(entry):
    source = "import std::env\nimport std::stdio::stdout\nstdout.print(env.arguments.inspect)\n"
    result = run_inko("run", "-", "a", "-b", entry=entry, input=source)
    assert result.stdout == '["a", "-b"]\n', result.stderr
    result = run_inko("run", "-", entry=entry, input="let a = (\n")
    assert result.returncode == 1
    assert result.stderr.startswith("<stdin>:1:10: syntax error: unexpected end of input")


def _closing(*fds):
    def close():
        for fd in fds:
            os.close(fd)

    return close


@pytest.mark.parametrize("closed", [(0,), (1,), (0, 1)])
def test_closed_standard_descriptors_are_like_dev_null(entry, closed):
    source = HERE / "std_streams.inko"
    cmd = [*ENTRY_POINTS[entry], "run", str(source)]
    # stderr stays open: that is where a traceback would show up
    result = subprocess.run(
        cmd,
        stdin=None if 0 in closed else subprocess.DEVNULL,
        stdout=None if 1 in closed else subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=_closing(*closed),
        timeout=60,
    )
    assert_no_python_noise(result)
    assert result.returncode == 0, result.stderr
    assert result.stderr == b"err\n"
    if 1 not in closed:
        assert result.stdout == b'""\n'
