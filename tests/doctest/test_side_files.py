"""The side file NAME.inko-test.toml (and the deprecated .expect), through both front ends."""

import subprocess
import sys

from conftest import environment, run_cli, write_page

PAGE = """
    ```inko
    print ping
    ```

    ```inko
    print pnig
    ```

    ```inko
    exit 2
    ```

    ```inko
    hang
    ```

    ```inko
    panic in block five
    ```
"""


def pytest_run(cwd, *args):
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rA", *map(str, args)]
    done = subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, env=environment(fake=True), timeout=120
    )
    return done.returncode, done.stdout


def test_side_file_selectors_markers_and_checks(tmp_path):
    page = write_page(tmp_path, "guide.md", PAGE)
    (tmp_path / "guide.inko-test.toml").write_text(
        "[[block]]\n"
        "block = 1\n"
        'stdout = "ping"\n'
        'source-contains = "ping"\n'
        "\n"
        "[[block]]\n"
        "line = 5\n"
        'stdout = "ping"\n'
        "\n"
        "[[block]]\n"
        'blocks = "3-3"\n'
        "exit = 2\n"
        "\n"
        "[[block]]\n"
        "block = 4\n"
        "timeout = 1\n"
        "\n"
        "[[block]]\n"
        "block = 5\n"
        'should_panic = "block five"\n'
    )
    result = run_cli(page, timeout=10)
    assert result.verdicts == [
        f"{page}:1: PASS",
        f"{page}:5: FAIL: stdout differs from the expectation at guide.inko-test.toml:8",
        f"{page}:9: PASS",
        f"{page}:13: FAIL: timed out: still running after 1s (not listening on any TCP port); "
        "stopped it",
        f"{page}:17: PASS (panicked as expected: in block five)",
        "3 passed, 2 failed",
    ]
    assert "-ping" in result.lines and "+pnig" in result.lines
    status, out = pytest_run(tmp_path, page)
    assert status == 1
    assert "2 failed, 3 passed" in out


def test_page_table_setup_and_continue(tmp_path):
    page = write_page(tmp_path, "p.md", "```inko\nprint one\n```\n\n```inko\nprint two\n```\n")
    (tmp_path / "p.inko-test.toml").write_text(
        '[page]\ncontinue = true\nsetup = "print setup"\n\n'
        '[[block]]\nblock = 2\nstdout = "setup\\none\\ntwo"\n'
    )
    result = run_cli(page)
    assert result.verdicts == [f"{page}:1: PASS", f"{page}:5: PASS", "2 passed, 0 failed"]


def test_bad_side_files_are_reported_at_their_line_and_blocks_still_run(tmp_path):
    page = write_page(tmp_path, "a.md", "```inko\nprint a\n```\n")
    (tmp_path / "a.inko-test.toml").write_text(
        '[[block]]\nblock = 1\nstdout = "a"\nstdout_contains = "a"\n\n'
        '[[block]]\nblocks = "4-9"\nskip = "x"\n\n'
        "[[block]]\nline = 77\nignore = true\n\n"
        "[pages]\ncontinue = true\n"
    )
    result = run_cli(page)
    side = tmp_path / "a.inko-test.toml"
    assert result.verdicts[0] == f"{page}:1: PASS"
    assert result.verdicts[1].startswith(f"{side}:4: FAIL: unknown key 'stdout_contains' (known: ")
    assert result.verdicts[2] == f"{side}:6: FAIL: [blocks 4-9] names no ```inko block of {page}"
    assert result.verdicts[3] == f"{side}:10: FAIL: [line 77] names no ```inko block of {page}"
    assert result.verdicts[4].startswith(f"{side}:14: FAIL: unknown key 'pages'")
    assert result.verdicts[-1] == "1 passed, 4 failed"


def test_invalid_toml_is_reported_with_its_line(tmp_path):
    page = write_page(tmp_path, "b.md", "```inko\nprint b\n```\n")
    (tmp_path / "b.inko-test.toml").write_text('[[block]]\nblock = 1\nstdout = "b\n')
    result = run_cli(page)
    side = tmp_path / "b.inko-test.toml"
    assert result.verdicts[0] == f"{page}:1: PASS"
    assert result.verdicts[1].startswith(f"{side}:3: FAIL: invalid TOML: ")
    status, out = pytest_run(tmp_path, page)
    assert "1 failed, 1 passed" in out
    assert "invalid TOML" in out


def test_old_expect_files_still_work_with_a_deprecation_note(tmp_path):
    page = write_page(tmp_path, "c.md", "```inko\nprint c\n```\n")
    (tmp_path / "c.expect").write_text("[block 1]\nstdout = c\n")
    result = run_cli(page)
    assert result.verdicts == [f"{page}:1: PASS", "1 passed, 0 failed"]
    assert "the .expect format is deprecated" in result.stderr
    assert "c.inko-test.toml" in result.stderr


def test_side_file_named_on_the_command_line(tmp_path):
    (tmp_path / "docs").mkdir()
    page = write_page(tmp_path / "docs", "d.md", "```inko\nprint pong\n```\n")
    side = tmp_path / "d.inko-test.toml"
    side.write_text('[[block]]\nblock = 1\nstdout = "ping"\n')
    result = run_cli(page, side)
    assert result.verdicts[0] == (
        f"{page}:1: FAIL: stdout differs from the expectation at d.inko-test.toml:3"
    )


def test_unterminated_comment_is_a_warning_and_later_blocks_run(tmp_path):
    page = write_page(tmp_path, "e.md", "<!-- inko-mini: check\n\n```inko\nprint still runs\n```\n")
    result = run_cli(page)
    assert f"{page}:1: warning: this <!-- inko-mini: ... comment is never closed" in result.stderr
    assert result.verdicts == [f"{page}:3: PASS", "1 passed, 0 failed"]
