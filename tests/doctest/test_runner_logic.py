"""The runner's own logic, with blocks run by the fake interpreter.

Each page's ```inko blocks hold fake_interpreter.py commands. What is
checked is what the runner does: one line per block with the page line and
reason, the closing counts, exit status, server probing, stopping process
groups and cleaning Unix socket files.
"""

import os
import socket
import time

from conftest import FAKE, run_cli


def test_passing_and_failing_blocks_one_line_each(page):
    path = page("""
        # Title

        ```inko
        print hello
        ```

        Some prose.

        ```inko
        print a
        exit 3
        ```

        ```ruby
        not a test
        ```

        ~~~ inko
        print tilde fences count too
        ~~~
    """)
    result = run_cli(path)
    assert result.verdicts == [
        f"{path}:3: PASS",
        f"{path}:9: FAIL: exit status 3",
        f"{path}:18: PASS",
        "2 passed, 1 failed",
    ]
    assert result.status == 1


def test_all_passing_exits_zero(page):
    path = page("""
        ```inko
        print one
        ```
    """)
    result = run_cli(path)
    assert result.lines[-1] == "1 passed, 0 failed"
    assert result.status == 0


def test_panic_is_reported_at_its_page_line(page):
    path = page("""
        intro

        ```inko
        print before
        panic the sky is falling
        ```
    """)
    result = run_cli(path)
    assert (
        result.lines[0] == f"{path}:3: FAIL: exit status 1: panic at {path}:5: the sky is falling"
    )


def test_failed_annotation_names_page_line_and_values(page):
    path = page("""
        ```inko
        print 1
        annotation-fail '::1' '::2'
        ```
    """)
    result = run_cli(path)
    assert result.lines[0] == (
        f"{path}:1: FAIL: exit status 1: annotation failed at {path}:3: expected '::1', got '::2'"
    )


def test_syntax_error_is_reported_at_its_page_line(page):
    path = page("""
        ```inko
        print 1
        syntax-error Unexpected end of input
        ```
    """)
    result = run_cli(path)
    assert result.lines[0] == (
        f"{path}:1: FAIL: exit status 1: {path}:3:3: syntax error: Unexpected end of input"
    )


def test_hanging_block_is_stopped_at_the_time_limit(page):
    path = page("""
        ```inko
        hang
        ```

        ```inko
        print next block still runs
        ```
    """)
    started = time.monotonic()
    result = run_cli(path, timeout=1.5)
    assert time.monotonic() - started < 30
    assert result.verdicts == [
        f"{path}:1: FAIL: timed out: still running after 1.5s (not listening on any TCP port); "
        "stopped it",
        f"{path}:5: PASS",
        "1 passed, 1 failed",
    ]


def test_server_is_asked_with_get_and_stopped(page):
    path = page("""
        ```inko
        serve-http 0 Hello, HTTP!
        ```
    """)
    result = run_cli(path)
    assert result.lines[0].startswith(f"{path}:1: PASS (server answered `GET http://127.0.0.1:")
    assert result.lines[0].endswith("200 OK with a 12-byte body)")
    assert result.lines[-1] == "1 passed, 0 failed"


def free_port():
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return probe.getsockname()[1]


def test_server_is_asked_the_next_blocks_curl_request(page):
    port = free_port()
    path = page(f"""
        ```inko
        serve-http {port} hi
        ```

        You can then send requests to it using curl like so:

        ```bash
        curl http://127.0.0.1:{port}/greeting
        ```
    """)
    result = run_cli(path)
    assert result.verdicts == [
        f"{path}:1: PASS (server answered `curl http://127.0.0.1:{port}/greeting`: "
        "200 OK with a 2-byte body)",
        "1 passed, 0 failed",
    ]


def test_curl_to_a_port_nobody_listens_on_fails(page):
    port, wrong = free_port(), free_port()
    path = page(f"""
        ```inko
        serve-http {port}
        ```

        ```sh
        $ curl -s http://127.0.0.1:{wrong}
        ```
    """)
    result = run_cli(path)
    assert result.lines[0].startswith(
        f"{path}:1: FAIL: server did not answer `curl -s http://127.0.0.1:{wrong}` properly: "
        f"cannot connect to 127.0.0.1:{wrong}"
    )


def test_crashing_server_fails_with_its_panic(page):
    path = page("""
        ```inko
        serve-crash
        ```
    """)
    result = run_cli(path)
    assert result.lines[0].startswith(
        f"{path}:1: FAIL: server did not answer `GET http://127.0.0.1:"
    )
    assert "connection closed without any response" in result.lines[0]
    assert result.lines[0].endswith(f"(exit status 1: panic at {path}:2: oops)")


def test_incomplete_and_garbled_answers_fail(page):
    path = page("""
        ```inko
        serve-partial
        ```

        ```inko
        serve-garbage
        ```
    """)
    result = run_cli(path)
    assert "body cut short: got 5 of the 100 bytes advertised" in result.lines[0]
    assert "not an HTTP status line: 'hello there'" in result.lines[1]
    assert result.lines[-1] == "0 passed, 2 failed"


def test_server_that_dies_after_answering_fails(page):
    path = page("""
        ```inko
        serve-then-die
        ```
    """)
    result = run_cli(path)
    assert "but then exited with status 3" in result.lines[0]
    assert result.lines[0].startswith(f"{path}:1: FAIL: ")


def test_block_that_listens_briefly_is_not_a_server(page):
    path = page("""
        ```inko
        talk-to-self
        sleep 0.6
        print done
        ```
    """)
    result = run_cli(path)
    assert result.verdicts == [f"{path}:1: PASS", "1 passed, 0 failed"]


def test_block_busy_after_binding_is_not_a_server(page):
    path = page("""
        ```inko
        listen-busy 1.2
        ```
    """)
    result = run_cli(path)
    assert result.verdicts == [f"{path}:1: PASS", "1 passed, 0 failed"]


def test_listening_block_that_never_answers_fails_at_the_time_limit(page):
    path = page("""
        ```inko
        listen 0
        hang
        ```
    """)
    result = run_cli(path, timeout=2)
    assert "server did not answer `GET http://127.0.0.1:" in result.lines[0]
    assert "no complete response in time" in result.lines[0]


def test_children_of_a_block_are_stopped(page, tmp_path):
    path = page("""
        ```inko
        child-sleep
        print started
        ```
    """)
    result = run_cli(path)
    assert result.status == 0
    leftovers = [
        pid
        for pid in os.listdir("/proc")
        if pid.isdigit() and _cmdline(pid).endswith("time.sleep(60)") and _state(pid) != "Z"
    ]
    assert leftovers == []


def _cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return handle.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


def _state(pid):
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            data = handle.read()
        return data[data.rfind(b")") + 2 :].split()[0].decode()
    except OSError:
        return "Z"


def test_blocks_run_in_a_scratch_dir_with_the_page_dir_included(page, tmp_path):
    path = page("""
        ```inko
        includes
        cwd
        exit 9
        ```
    """)
    result = run_cli(path, "-I", tmp_path / "extra")
    # the reason only names the status; the outcome's stdout is checked through the API
    assert result.lines[0] == f"{path}:1: FAIL: exit status 9"
    from inko_mini.doctest.collect import plan
    from inko_mini.doctest.execute import Settings, run_block

    check = plan([str(path)]).checks[0]
    settings = Settings(timeout=5, interpreter=FAKE.split(), include=[str(tmp_path / "extra")])
    workdir = tmp_path / "work"
    workdir.mkdir()
    outcome = run_block(check.block, workdir, settings)
    includes, cwd = outcome.stdout.splitlines()
    assert includes == f"{tmp_path} {tmp_path / 'extra'}"
    assert cwd == str(workdir)
