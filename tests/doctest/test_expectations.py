"""Expectation files beside a page: checks for what the prose promises."""

from conftest import run_cli, write_page

from inko_mini.doctest.expectations import read_expectations


def test_format(tmp_path):
    path = tmp_path / "x.expect"
    path.write_text(
        "# comment\n[block 2]\nstdout = a\\nb\\s\nexit = 3\n\n[line 7]\n"
        "http-body = Hello, HTTP!\nbogus = 1\nexit = x\nno equals sign\n"
    )
    expectations = read_expectations(path)
    block = expectations.for_block(2, 99)
    assert block.checks == [("stdout", "a\nb ", 3), ("exit", 3, 4)]
    assert block.exit_status == 3
    assert expectations.for_block(5, 7).checks == [("http-body", "Hello, HTTP!", 7)]
    assert expectations.for_block(1, 1) is None
    assert [line for line, _ in expectations.problems] == [8, 9, 10]
    assert "unknown key 'bogus'" in expectations.problems[0][1]


def test_stdout_expectation_beside_the_page(tmp_path):
    page = write_page(
        tmp_path,
        "guide.md",
        """
        ```inko
        print ping
        ```

        ```inko
        print pnig
        ```

        ```inko
        print ok
        exit 2
        ```
    """,
    )
    (tmp_path / "guide.expect").write_text(
        "[block 1]\nstdout = ping\n\n[block 2]\nstdout = ping\n\n[line 9]\nexit = 2\n"
    )
    result = run_cli(page)
    assert result.verdicts == [
        f"{page}:1: PASS",
        f"{page}:5: FAIL: stdout differs from the expectation at guide.expect:5",
        f"{page}:9: PASS",
        "2 passed, 1 failed",
    ]


def test_http_expectations(tmp_path):
    page = write_page(
        tmp_path,
        "srv.md",
        """
        ```inko
        serve-http 0 Hello, HTTP!
        ```

        ```inko
        serve-http 0 Goodbye
        ```
    """,
    )
    (tmp_path / "srv.expect").write_text(
        "[block 1]\nhttp-status = 200\nhttp-body = Hello, HTTP!\n\n"
        "[block 2]\nhttp-body-contains = Hello\n"
    )
    result = run_cli(page)
    assert result.lines[0].startswith(f"{page}:1: PASS (server answered")
    assert result.lines[1] == (
        f"{page}:5: FAIL: server body 'Goodbye' does not contain 'Hello' (srv.expect:6)"
    )


def test_skip_and_stale_expectations(tmp_path):
    page = write_page(
        tmp_path,
        "p.md",
        """
        ```inko
        hang
        ```

        ```inko
        print renamed
        ```
    """,
    )
    (tmp_path / "p.expect").write_text(
        "[block 1]\nskip = needs a network\n\n[block 2]\nsource-contains = print original\n\n"
        "[block 3]\nstdout = x\n"
    )
    result = run_cli(page)
    assert result.verdicts == [
        f"{page}:1: SKIP: needs a network",
        f"{page}:5: FAIL: expectations out of date: p.expect:5 expects the block to contain "
        "'print original'",
        f"{tmp_path}/p.expect:7: FAIL: [block 3] names no ```inko block of {page}",
        "0 passed, 2 failed, 1 skipped",
    ]


def test_expectation_file_given_on_the_command_line(tmp_path):
    (tmp_path / "docs").mkdir()
    page = write_page(tmp_path / "docs", "guide.md", "```inko\nprint pong\n```\n")
    expect = tmp_path / "guide.expect"
    expect.write_text("[block 1]\nstdout = ping\n")
    result = run_cli(page, expect)
    assert (
        result.lines[0] == f"{page}:1: FAIL: stdout differs from the expectation at guide.expect:2"
    )
    # the report shows a unified diff, expected first
    assert "-ping" in result.lines and "+pong" in result.lines
