"""End to end: real Inko pages run by the real interpreter.

Never skipped: when `inko-mini run` cannot run a two-line program, that is a
failure (test_the_interpreter_runs_a_program says so first), not a reason to
test nothing.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import HERE, environment, interpreter_works, run_cli

SEED = Path(__file__).resolve().parents[3] / "shared" / "seed" / "sockets.md"
if not SEED.exists():
    SEED = Path("/work/shared/seed/sockets.md")
PAGES = HERE / "pages"
EXPECT = HERE / "sockets.expect"


def test_the_interpreter_runs_a_program():
    assert interpreter_works(), "`inko-mini run` can not run a two-line program"


def test_annotations_pass_and_fail():
    page = PAGES / "annotations.md"
    result = run_cli(page, fake=False)
    assert result.verdicts == [
        f"{page}:5: PASS",
        f"{page}:16: FAIL: exit status 1: annotation failed at {page}:18: expected 5, got 4",
        "1 passed, 1 failed",
    ]
    assert result.status == 1


def test_prose_right_sides_are_comments():
    page = PAGES / "prose_annotations.md"
    result = run_cli(page, fake=False)
    assert result.verdicts == [f"{page}:5: PASS", "1 passed, 0 failed"]


def test_hanging_block_is_stopped():
    page = PAGES / "hanging.md"
    result = run_cli(page, fake=False, timeout=3)
    assert result.verdicts == [
        f"{page}:3: FAIL: timed out: still running after 3s (not listening on any TCP port); "
        "stopped it",
        f"{page}:9: PASS",
        "1 passed, 1 failed",
    ]


def test_working_and_crashing_servers():
    page = PAGES / "crashing_server.md"
    result = run_cli(page, fake=False)
    assert result.lines[0].startswith(f"{page}:5: PASS (server answered `GET http://127.0.0.1:")
    assert result.lines[0].endswith("200 OK with a 2-byte body)")
    crash = result.lines[1]
    assert crash.startswith(f"{page}:22: FAIL: server did not answer `GET http://127.0.0.1:")
    assert crash.endswith(f"(exit status 1: panic at {page}:29: cannot handle requests)")
    assert result.lines[-1] == "1 passed, 1 failed"


def test_invalid_inko_is_a_syntax_error_at_the_page_line():
    page = PAGES / "invalid.md"
    result = run_cli(page, fake=False)
    assert result.lines[0].startswith(f"{page}:3: FAIL: exit status 1: {page}:6:")
    assert "syntax error" in result.lines[0]
    assert result.verdicts[1:] == [f"{page}:9: PASS", "1 passed, 1 failed"]


def test_page_without_inko_code():
    page = PAGES / "no_code.md"
    result = run_cli(page, fake=False)
    assert result.verdicts == [
        f"{page}: FAIL: no ```inko code blocks in this page",
        "0 passed, 1 failed",
    ]


@pytest.mark.skipif(not SEED.exists(), reason="the shared seed page is not checked out")
def test_seed_page_passes_with_its_expectations():
    result = run_cli(SEED, EXPECT, fake=False)
    assert result.lines[-1] == "12 passed, 0 failed", result.stdout
    assert result.status == 0
    served = [line for line in result.lines if "server answered" in line]
    assert len(served) == 2
    assert all("200 OK with a 12-byte body" in line for line in served)
    assert "`curl http://127.0.0.1:8080`" in served[0]


@pytest.mark.skipif(not SEED.exists(), reason="the shared seed page is not checked out")
def test_seed_page_with_a_misspelt_message_and_a_broken_server(tmp_path):
    text = SEED.read_text()
    blocks = text.split("```inko")
    # block 5: the last TCP example; block 11: the first HTTP server
    blocks[5] = blocks[5].replace(
        "try! stream.write_string('ping')", "try! stream.write_strng('ping')"
    )
    blocks[11] = blocks[11].replace(
        "try! client.write_string(output.to_string)", "try! client.write_strin(output.to_string)"
    )
    page = tmp_path / "sockets.md"
    page.write_text("```inko".join(blocks))
    shutil.copy(EXPECT, tmp_path / "sockets.expect")
    result = run_cli(page, fake=False)
    failed = [line.split(": FAIL")[0] for line in result.lines if ": FAIL" in line]
    assert failed == [f"{page}:87", f"{page}:195"], result.stdout
    assert result.lines[-1] == "10 passed, 2 failed"
    assert result.status == 1


@pytest.mark.skipif(not SEED.exists(), reason="the shared seed page is not checked out")
def test_pytest_plugin_reports_the_seed_blocks(tmp_path):
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        "-q",
        "--inko-docs",
        str(SEED),
        "--inko-docs",
        str(EXPECT),
    ]
    done = subprocess.run(
        command,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=environment(fake=False),
        timeout=300,
    )
    assert "12 passed" in done.stdout, done.stdout
    assert done.returncode == 0
