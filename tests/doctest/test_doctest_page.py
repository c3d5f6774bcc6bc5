"""docs/doctest.md documents the doc tests with examples that are themselves tested."""

import re
import subprocess
import sys

import pytest
from conftest import REPO, environment, interpreter_works, run_cli

DOCS = REPO / "docs" / "doctest.md"

pytestmark = pytest.mark.skipif(not interpreter_works(), reason="the interpreter cannot run yet")


def test_inko_mini_test_docs_doctest_md_passes():
    result = run_cli(DOCS, fake=False, timeout=20, cwd=REPO)
    assert result.status == 0, result.stdout
    assert result.lines[-1] == "19 passed, 0 failed, 3 skipped", result.stdout
    assert result.stderr == ""


def test_the_same_page_through_pytest(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "--inko-docs", str(DOCS)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=environment(fake=False),
        timeout=300,
    )
    assert done.returncode == 0, done.stdout
    assert "19 passed, 3 skipped" in done.stdout


def test_node_id_examples_name_real_blocks():
    from inko_mini.doctest.markdown import read_page

    lines = {block.line for block in read_page(DOCS).blocks}
    for text in ((REPO / "README.md").read_text(), DOCS.read_text()):
        named = [int(n) for n in re.findall(r"::doctest\.md:(\d+)", text)]
        assert named and all(n in lines for n in named), named


def test_readme_report_is_the_real_report_of_its_page():
    readme = (REPO / "README.md").read_text()
    shown = readme.split("$ inko-mini test guide.md\n", 1)[1].split("```", 1)[0]
    result = run_cli("guide.md", fake=False, cwd=REPO / "tests" / "doctest" / "pages")
    assert result.stdout == shown
    assert result.status == 1
