"""`inko-mini test` options (-k, -x, -j, -q, -v, --color, --junitxml), Ctrl-C, and the
pytest plugin's node ids, skips and pytest-xdist; blocks run by the fake interpreter."""

import os
import signal
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ElementTree

import pytest
from conftest import environment, run_cli, write_page

from inko_mini.doctest.select import ExpressionError, compile_expression

FIVE_AND_FIFTY_SEVEN = (
    "```inko\nprint five\n```\n" + "\n" * 50 + "```inko\nprint fifty-seven\n```\n"
)


@pytest.fixture
def numbered(tmp_path):
    # blocks at lines 1 and 55 of page.md; line 5 of other.md
    page = tmp_path / "page.md"
    page.write_text("```inko\nprint a\n```\n" + "\n" * 51 + "```inko\nexit 3\n```\n")
    other = tmp_path / "other.md"
    other.write_text("\n\n\n\n```inko\nprint b\n```\n")
    return tmp_path


def test_k_expressions_and_exact_ids():
    ids = ["docs/page.md:5", "docs/page.md:57", "docs/other.md:5", "sockets.md:243"]

    def chosen(expression):
        match = compile_expression(expression)
        return [i for i in ids if match(i)]

    assert chosen("page.md:5") == ["docs/page.md:5"]
    assert chosen("docs/page.md:57") == ["docs/page.md:57"]
    assert chosen("page.md") == ["docs/page.md:5", "docs/page.md:57"]
    assert chosen("PAGE and not 57") == ["docs/page.md:5"]
    assert chosen("(other or sockets) and not 243") == ["docs/other.md:5"]
    assert chosen("not page.md:5 and not sockets") == ["docs/page.md:57", "docs/other.md:5"]
    for bad in ("page and", "(page", "page )", "and"):
        with pytest.raises(ExpressionError):
            compile_expression(bad)


def test_k_on_the_command_line_selects_exact_ids(numbered):
    result = run_cli(numbered, "-k", "page.md:1")
    assert result.verdicts == [f"{numbered}/page.md:1: PASS", "1 passed, 0 failed"]
    result = run_cli(numbered, "-k", "md:5 or other")
    assert result.verdicts == [f"{numbered}/other.md:5: PASS", "1 passed, 0 failed"]


def test_nothing_selected_exits_5_and_bad_k_exits_2(numbered):
    result = run_cli(numbered, "-k", "nowhere")
    assert result.status == 5
    assert result.lines == ["no blocks matched -k 'nowhere' (of 3)"]
    result = run_cli(numbered, "-k", "page and (")
    assert result.status == 2
    assert "expected a word" in result.stderr


def test_exitfirst_stops_after_the_first_failure(tmp_path):
    page = write_page(tmp_path, "p.md", "```inko\nexit 1\n```\n\n```inko\nprint never\n```\n")
    result = run_cli(page, "-x")
    assert result.verdicts[0] == f"{page}:1: FAIL: exit status 1"
    assert "stopped after the first failure (-x): 1 not run" in result.lines
    assert result.lines[-1] == "0 passed, 1 failed"


def test_jobs_give_the_same_results_and_servers_take_turns(tmp_path):
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    # two servers on the same fixed port pass only if they run one at a time
    text = "".join(f"```inko\nsleep 0.3\nprint {n}\n```\n\n" for n in range(6))
    text += f"```inko,server\nserve-http {port} one\n```\n\n"
    text += f"```inko,server={port}\nserve-http {port} two\n```\n"
    page = write_page(tmp_path, "p.md", text)
    serial = run_cli(page, "-j", "1")
    parallel = run_cli(page, "-j", "2")
    auto = run_cli(page, "--jobs", "auto")
    assert serial.verdicts == parallel.verdicts == auto.verdicts
    assert serial.lines[-1] == "8 passed, 0 failed"
    assert run_cli(page, "-j", "0").status == 2


def test_junitxml_report(tmp_path):
    page = write_page(
        tmp_path,
        "p.md",
        "```inko\nprint ok\n```\n\n```inko\nexit 4\n```\n\n```inko,ignore\nx\n```\n",
    )
    report = tmp_path / "report.xml"
    result = run_cli(page, "--junitxml", report)
    assert result.status == 1
    suite = ElementTree.parse(report).getroot().find("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("3", "1", "1")
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == [f"{page}:1", f"{page}:5", f"{page}:9"]
    assert cases[1].find("failure").get("message") == "exit status 4"
    assert cases[2].find("skipped").get("message") == "ignore"
    assert cases[0].find("system-out").text == "ok\n"


def test_quiet_verbose_and_colour(tmp_path):
    page = write_page(tmp_path, "p.md", "```inko\nprint hello\n```\n\n```inko\nexit 2\n```\n")
    quiet = run_cli(page, "-q")
    assert quiet.verdicts == [f"{page}:5: FAIL: exit status 2", "1 passed, 1 failed"]
    verbose = run_cli(page, "-v")
    assert verbose.lines[:3] == [f"{page}:1: PASS", "    --- stdout ---", "    hello"]
    plain = run_cli(page, "--color=auto")  # not a terminal
    assert "\033[" not in plain.stdout
    coloured = run_cli(page, "--color=always")
    assert f"{page}:1: \033[32mPASS\033[0m" in coloured.lines
    assert f"{page}:5: \033[31mFAIL\033[0m: exit status 2" in coloured.lines


def _group_alive(pgid):
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_ctrl_c_stops_every_block_and_leaves_nothing_listening(tmp_path):
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    page = write_page(
        tmp_path,
        "p.md",
        f"```inko\nlisten {port}\nhang\n```\n\n```inko\nchild-sleep\nhang\n```\n\n"
        "```inko\nhang\n```\n",
    )
    command = [sys.executable, "-m", "inko_mini", "test", "-j", "3", "--timeout", "60", str(page)]
    runner = subprocess.Popen(
        command, stdout=subprocess.PIPE, text=True, env=environment(fake=True)
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    time.sleep(0.5)
    runner.send_signal(signal.SIGINT)
    out, _ = runner.communicate(timeout=30)
    assert runner.returncode == 130
    assert "interrupted" in out
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    leftovers = [
        pid
        for pid in os.listdir("/proc")
        if pid.isdigit() and str(page) in _cmdline(pid) + _cmdline_of_block(pid, tmp_path)
    ]
    assert leftovers == []


def _cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return handle.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _cmdline_of_block(pid, tmp_path):
    # a block's program lives in the runner's scratch folder: block_L<line>.inko
    text = _cmdline(pid)
    return str(tmp_path / "p.md") if "fake_interpreter.py" in text and "block_L" in text else ""


def pytest_run(cwd, *args, fake=True):
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rA", *map(str, args)]
    done = subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, env=environment(fake=fake), timeout=180
    )
    return done.returncode, done.stdout


def test_pytest_node_id_narrows_to_one_block(tmp_path):
    (tmp_path / "docs").mkdir()
    write_page(tmp_path / "docs", "page.md", FIVE_AND_FIFTY_SEVEN)
    status, out = pytest_run(tmp_path, "docs/page.md::page.md:54")
    assert status == 0, out
    assert "PASSED docs/page.md::page.md:54" in out
    assert "1 passed" in out
    status, out = pytest_run(tmp_path, "--inko-docs", "docs", "docs/page.md::page.md:1")
    assert "PASSED docs/page.md::page.md:1" in out and "1 passed" in out


def test_pytest_reports_skips_at_the_page_line(tmp_path):
    write_page(tmp_path, "page.md", "intro\n\n```inko,ignore\nx\n```\n")
    status, out = pytest_run(tmp_path, "page.md")
    assert "SKIPPED [1] page.md:3: ignore" in out


def test_pytest_xdist_runs_the_blocks(tmp_path):
    pytest.importorskip("xdist")
    text = "".join(f"```inko\nprint {n}\n```\n\n" for n in range(6)) + "```inko\nexit 3\n```\n"
    write_page(tmp_path, "page.md", text)
    status, out = pytest_run(tmp_path, "-n", "2", "--inko-docs", "page.md")
    assert status == 1
    assert "1 failed, 6 passed" in out
    assert "FAILED page.md::page.md:25" in out
