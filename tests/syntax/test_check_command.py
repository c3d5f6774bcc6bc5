"""`inko-mini check` through the real command line, on .inko fixtures.

fixtures/good/*.inko must parse (exit 0): the Sockets page's examples and a
file in the style of the 0.4.0 runtime sources. Each fixtures/bad/*.inko
starts with `# check: LINE:COLUMN: MESSAGE`, the error it must produce.
"""

import pathlib
import subprocess
import sys

import pytest

HERE = pathlib.Path(__file__).parent
GOOD = sorted((HERE / "fixtures" / "good").glob("*.inko"))
BAD = sorted((HERE / "fixtures" / "bad").glob("*.inko"))
REPO = HERE.parent.parent


def check(*paths):
    return subprocess.run(
        [sys.executable, "-m", "inko_mini", "check", *map(str, paths)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )


def test_good_fixtures_parse():
    result = check(*GOOD)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and result.stderr == ""


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.name)
def test_bad_fixture_reports_position_line_and_caret(path):
    expected = path.read_text().splitlines()[0].removeprefix("# check: ")
    position, message = expected.split(": ", 1)
    line, column = map(int, position.split(":"))
    result = check(path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    first, source, caret = result.stderr.splitlines()
    assert first == f"{path}:{line}:{column}: syntax error: {message}" or first.startswith(
        f"{path}:{line}:{column}: syntax error: {message}"
    )
    assert source == "  " + path.read_text().splitlines()[line - 1]
    assert caret == " " * (column + 1) + "^"


def test_every_file_is_checked_and_any_failure_fails(tmp_path):
    good = tmp_path / "good.inko"
    good.write_text("let x = 1\n")
    result = check(good, BAD[0], good)
    assert result.returncode == 1
    assert result.stderr.count("syntax error") == 1


def test_unreadable_file_gives_a_message_not_a_traceback(tmp_path):
    missing = tmp_path / "missing.inko"
    binary = tmp_path / "binary.inko"
    binary.write_bytes(b"\xff\xfe\x00bad")
    result = check(missing, binary)
    assert result.returncode == 1
    assert f"{missing}: cannot read the file" in result.stderr
    # Not UTF-8: reported like a syntax error, at the first bad byte.
    assert f"{binary}:1:1: syntax error: the file is not valid UTF-8 (byte 0xff)" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_bundled_standard_library_parses():
    files = sorted((REPO / "stdlib").rglob("*.inko"))
    if not files:
        pytest.skip("the standard library has no .inko files yet")
    result = check(*files)
    assert result.returncode == 0, result.stderr
