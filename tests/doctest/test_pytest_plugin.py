"""The pytest plugin: the same blocks as pytest items (run with the fake interpreter)."""

import subprocess
import sys

from conftest import environment, write_page

PAGE = """
    ```inko
    print one
    ```

    ```inko
    exit 4
    ```

    ```inko
    print three
    ```
"""


def pytest_run(cwd, *args):
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *map(str, args)]
    done = subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, env=environment(fake=True), timeout=120
    )
    return done.returncode, done.stdout


def test_blocks_are_items_named_after_file_and_line(tmp_path):
    page = write_page(tmp_path, "guide.md", PAGE)
    empty = write_page(tmp_path, "empty.md", "just prose\n")
    status, out = pytest_run(tmp_path, "--inko-docs", page, "--inko-docs", empty, "-rA")
    assert status == 1
    assert "PASSED guide.md::guide.md:1" in out
    assert "FAILED guide.md::guide.md:5" in out
    assert "PASSED guide.md::guide.md:9" in out
    assert f"{page}:5: exit status 4" in out
    # a page named explicitly but holding no Inko code is a failing item
    assert "FAILED empty.md::empty.md" in out
    assert "no ```inko code blocks in this page" in out
    assert "2 failed, 2 passed" in out


def test_keyword_and_exitfirst(tmp_path):
    page = write_page(tmp_path, "guide.md", PAGE)
    status, out = pytest_run(tmp_path, "--inko-docs", page, "-k", "guide.md:9")
    assert status == 0
    assert "1 passed, 2 deselected" in out
    status, out = pytest_run(tmp_path, "--inko-docs", page, "-x")
    assert "1 failed, 1 passed" in out


def test_inert_without_the_option(tmp_path):
    write_page(tmp_path, "guide.md", PAGE)
    (tmp_path / "test_plain.py").write_text("def test_ok():\n    pass\n")
    status, out = pytest_run(tmp_path)
    assert status == 0
    assert "1 passed" in out


def test_ini_setting_adds_pages_to_the_normal_run(tmp_path):
    (tmp_path / "docs").mkdir()
    write_page(tmp_path / "docs", "guide.md", "```inko\nprint hi\n```\n")
    write_page(tmp_path / "docs", "prose.md", "no code here\n")
    (tmp_path / "test_plain.py").write_text("def test_ok():\n    pass\n")
    (tmp_path / "pytest.ini").write_text("[pytest]\ninko_docs = docs\n")
    status, out = pytest_run(tmp_path)
    assert status == 0
    assert "2 passed" in out
