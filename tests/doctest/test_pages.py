"""Finding blocks in pages, and pages that are themselves broken."""

from pathlib import Path

import pytest
from conftest import run_cli, write_page

from inko_mini.doctest.curl import parse_curl
from inko_mini.doctest.markdown import read_page

SEED = Path("/work/shared/seed/sockets.md")


@pytest.mark.skipif(not SEED.exists(), reason="the shared seed page is not checked out")
def test_seed_page_has_twelve_blocks_and_one_curl():
    page = read_page(SEED)
    assert len(page.blocks) == 12
    assert page.problems == []
    with_requests = [b for b in page.blocks if b.request is not None]
    assert [b.ordinal for b in with_requests] == [11]
    assert with_requests[0].request.url == "http://127.0.0.1:8080"
    assert (
        page.blocks[9].source.splitlines()[2].startswith("Ipv4Address.new(127, 0, 0, 1).to_string")
    )


def test_fence_rules(tmp_path):
    path = write_page(
        tmp_path,
        "rules.md",
        """
        ````inko
        print a
        ```
        still inside: a shorter fence does not close
        ````

        - a list item:

          ```inko
          print indented
            keeps relative indentation
          ```

        ```inko title="x"
        print info strings after the language are fine
        ```

        ```Inko
        print the language is case-insensitive
        ```

        ```inkoscript
        not inko
        ```
    """,
    )
    page = read_page(path)
    assert [b.line for b in page.blocks] == [1, 9, 14, 18]
    assert page.blocks[0].source == "print a\n```\nstill inside: a shorter fence does not close\n"
    assert page.blocks[1].source == "print indented\n  keeps relative indentation\n"
    assert [b.ordinal for b in page.blocks] == [1, 2, 3, 4]


def test_curl_lines():
    request = parse_curl("$ curl -s -X POST -H 'Accept: text/plain' -d 'a=1' localhost:9000/x?y=2")
    assert (request.method, request.host, request.port, request.target) == (
        "POST",
        "localhost",
        9000,
        "/x?y=2",
    )
    assert request.headers == [("Accept", "text/plain")]
    assert request.body == b"a=1"
    assert parse_curl("wget http://x") is None
    assert parse_curl("curl 'unterminated") is None
    assert parse_curl("curl -s") is None


def test_unterminated_fence_is_reported_and_earlier_blocks_still_run(page):
    path = page("""
        ```inko
        print fine
        ```

        ```inko
        print never closed
    """)
    result = run_cli(path)
    assert result.verdicts == [
        f"{path}:1: PASS",
        f"{path}:5: FAIL: unterminated code fence: the ``` opened here is never closed",
        "1 passed, 1 failed",
    ]
    assert result.status == 1


def test_page_without_inko_code_is_reported(page):
    path = page("""
        # Nothing to run

        ```python
        print("not inko")
        ```
    """)
    result = run_cli(path)
    assert result.verdicts == [
        f"{path}: FAIL: no ```inko code blocks in this page",
        "0 passed, 1 failed",
    ]
    assert result.status == 1


def test_folder_search_skips_pages_without_code(tmp_path):
    write_page(tmp_path, "a.md", "```inko\nprint a\n```\n")
    write_page(tmp_path, "b.md", "just prose\n")
    (tmp_path / "sub").mkdir()
    write_page(tmp_path / "sub", "c.markdown", "```inko\nprint c\n```\n")
    (tmp_path / ".hidden").mkdir()
    write_page(tmp_path / ".hidden", "d.md", "```inko\nexit 1\n```\n")
    result = run_cli(tmp_path)
    assert result.verdicts == [
        f"{tmp_path}/a.md:1: PASS",
        f"{tmp_path}/sub/c.markdown:1: PASS",
        "2 passed, 0 failed",
    ]


def test_folder_without_any_inko_code_is_reported(tmp_path):
    write_page(tmp_path, "b.md", "just prose\n")
    result = run_cli(tmp_path)
    assert result.verdicts == [
        f"{tmp_path}: FAIL: no ```inko code blocks in any Markdown file found",
        "0 passed, 1 failed",
    ]


def test_not_utf8_page_is_reported(tmp_path):
    path = tmp_path / "latin1.md"
    path.write_bytes(b"caf\xe9\n```inko\nprint x\n```\n")
    result = run_cli(path)
    assert result.lines[0].startswith(f"{path}: FAIL: not UTF-8 text")
    assert result.status == 1


def test_keyword_selects_blocks_by_id(page):
    path = page("""
        ```inko
        print one
        ```

        ```inko
        exit 1
        ```
    """)
    result = run_cli(path, "-k", f"{path.name}:1")
    assert result.verdicts == [f"{path}:1: PASS", "1 passed, 0 failed"]
    assert result.status == 0
