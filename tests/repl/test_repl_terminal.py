"""The REPL in a real pseudo-terminal (pexpect), and its plain fallbacks.

Results are printed right after prompt_toolkit's escape sequences, so they
are matched as `<not a digit>RESULT\\r\\n`; prompt_toolkit redraws only what
changed, so after a Tab only the completed suffix is echoed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pexpect
import pytest

TIMEOUT = 30


def result(text: str) -> str:
    return rf"(?<![0-9]){text}\r\n"


def spawn(tmp_path: Path, **env: str) -> pexpect.spawn:
    full = dict(os.environ)
    full.update(
        TERM="xterm",
        XDG_STATE_HOME=str(tmp_path / "state"),
        PROMPT_TOOLKIT_NO_CPR="1",  # nobody answers cursor-position requests
    )
    full.update(env)
    child = pexpect.spawn(
        sys.executable,
        ["-m", "inko_mini", "repl"],
        cwd=str(tmp_path),
        env=full,
        encoding="utf-8",
        timeout=TIMEOUT,
        dimensions=(24, 100),
    )
    child.expect(">")
    return child


def finish(child: pexpect.spawn) -> None:
    child.send("\x04")  # Ctrl-D on an empty line ends the session
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_history_completion_multiline_and_load(tmp_path: Path) -> None:
    (tmp_path / "lib.inko").write_text("def loaded_greeting {\n  'hello from a file'\n}\n")
    child = spawn(tmp_path)
    child.send("let unusual_name = 20 + 1\r")
    child.expect(result("21"))
    # Tab completes a local
    child.send("unusu\t")
    child.expect("al_name")
    child.send("\r")
    child.expect(result("21"))
    # Tab completes a method from the receiver's prototype chain (a literal)
    child.send("'abc'.to_upp\t")
    child.expect("ercase")
    child.send("\r")
    child.expect(result('"ABC"'))
    # and from a local's value
    child.send("let list = [1, 2]\r")
    child.expect(result(r"\[1, 2\]"))
    child.send("list.leng\t")
    child.expect("th")
    child.send("\r")
    child.expect(result("2"))
    # a block continues on the next lines until it is closed
    child.send("def twice(x) {\r")
    child.expect(r"\.\.\.")
    child.send("  x * 2\r")
    child.send("}\r")
    child.expect(result("Block"))
    child.send("twice(21)\r")
    child.expect(result("42"))
    # Up recalls the previous statement
    child.send("\x1b[A")
    child.expect(r"twice\(")
    child.send("\r")
    child.expect(result("42"))
    # Ctrl-C clears the line
    child.send("this is not run")
    child.send("\x03")
    child.send("1 + 1\r")
    child.expect(result("2"))
    # :load runs a file in the session
    child.send(":load lib.inko\r")
    child.expect(result("Block"))
    child.send("loaded_greeting\r")
    child.expect(result('"hello from a file"'))
    finish(child)

    history = (tmp_path / "state" / "inko-mini" / "history").read_text()
    assert "+def twice(x) {\n+  x * 2\n+}\n" in history
    assert "this is not run" not in history

    # the history is there in the next session
    child = spawn(tmp_path)
    child.send("\x1b[A")
    child.expect("loaded_greeting")
    child.send("\r")
    child.expect("panicked")  # the new session does not know the method
    child.expect("hint: no local, constant or method named 'loaded_greeting' here")
    child.send("\x1b[A\x1b[A\x1b[A\r")  # three back: twice(21), then Enter
    child.send("import std::stdio::stdo\t")
    child.expect("ut")
    child.send("\r")
    child.send("stdout.print('via import')\r")
    child.expect(result("via import"))
    child.send(":reset\r")
    child.expect("session reset")
    finish(child)


@pytest.mark.parametrize("broken", ["state-is-a-file", "history-is-a-folder"])
def test_unusable_history_is_a_notice_not_an_error(tmp_path: Path, broken: str) -> None:
    if broken == "state-is-a-file":
        (tmp_path / "state").write_text("a file where a folder should be")
    else:
        (tmp_path / "state" / "inko-mini" / "history").mkdir(parents=True)
    full = dict(os.environ, TERM="xterm", XDG_STATE_HOME=str(tmp_path / "state"))
    full["PROMPT_TOOLKIT_NO_CPR"] = "1"
    child = pexpect.spawn(
        sys.executable,
        ["-m", "inko_mini", "repl"],
        cwd=str(tmp_path),
        env=full,
        encoding="utf-8",
        timeout=TIMEOUT,
        dimensions=(24, 12),  # a narrow terminal works too
    )
    child.expect(r"inko-mini: history is not kept \(")
    child.expect(">")
    child.send("[1, 2, 3, 4, 5, 6, 7, 8, 9, 10].length\r")
    child.expect(result("10"))
    child.send("\x1b[A\r")  # history in memory still works
    child.expect(result("10"))
    finish(child)
    assert "Traceback" not in (child.before or "")


def test_ctrl_c_stops_a_running_statement_and_keeps_the_session(tmp_path: Path) -> None:
    child = spawn(tmp_path)
    child.send("let kept = 3\r")
    child.expect(result("3"))
    child.send("{ True }.while_true { 1 }\r")
    child.expect("while_true")
    time.sleep(0.5)
    child.send("\x03")
    child.expect("interrupted")
    child.send("kept + 7\r")
    child.expect(result("10"))
    finish(child)


def test_completer_candidates() -> None:
    from inko_mini.cli.repl import prompt_module

    members = {"list": ["length", "last", "push"], "'x'": ["to_uppercase", "@hidden"]}
    completer = prompt_module().InkoCompleter(
        lambda: ["counter", "count_of", "Person"],
        lambda receiver: members.get(receiver, []),
        lambda: ["std::stdio::stdout", "std::string", "mine::util"],
    )
    assert completer.candidates("cou") == (3, ["count_of", "counter"])
    assert completer.candidates("x = Pe") == (2, ["Person"])
    assert completer.candidates("list.l") == (1, ["last", "length"])
    assert completer.candidates("foo(list.") == (0, ["last", "length", "push"])
    assert completer.candidates("'x'.") == (0, ["to_uppercase"])
    assert completer.candidates("import std::s") == (6, ["std::stdio::stdout", "std::string"])
    assert completer.candidates("1 + ") == (0, [])


def test_dumb_terminal_falls_back_to_plain_input(tmp_path: Path) -> None:
    full = dict(os.environ, TERM="dumb", XDG_STATE_HOME=str(tmp_path / "state"))
    child = pexpect.spawn(
        sys.executable,
        ["-m", "inko_mini", "repl"],
        cwd=str(tmp_path),
        env=full,
        encoding="utf-8",
        timeout=TIMEOUT,
    )
    child.expect("inko-mini: TERM=dumb: no line editing, history or completion")
    child.expect("> ")
    child.sendline("[1, 2].length")
    child.expect(result("2"))
    child.sendline("def f {")
    child.expect(r"\.\.\. ")
    child.sendline("3 }")
    child.sendline("f")
    child.expect(result("3"))
    child.sendeof()
    child.expect(pexpect.EOF)
    assert "Traceback" not in (child.before or "")


def run_piped(stdin: bytes, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "inko_mini", "repl"],
        input=stdin,
        capture_output=True,
        timeout=60,
        cwd=cwd,
    )


def test_a_pipe_prints_only_results(tmp_path: Path) -> None:
    done = run_piped(b"1 + 2\nlet x = [1]\nx.length\n", tmp_path)
    assert done.returncode == 0
    assert done.stdout == b"3\n[1]\n1\n"
    assert done.stderr == b""


def test_commands_through_a_pipe(tmp_path: Path) -> None:
    (tmp_path / "defs.inko").write_text("let loaded = 7\n")
    done = run_piped(b":load defs.inko\nloaded\n:reset\n:help\n:nope\n", tmp_path)
    out = done.stdout.decode()
    assert out.startswith("7\n7\nsession reset\n")
    assert ":load FILE" in out
    assert "unknown command ':nope'" in done.stderr.decode()
    missing = run_piped(b":load nowhere.inko\n1\n", tmp_path)
    assert missing.stdout == b"1\n"
    assert b"can not read nowhere.inko" in missing.stderr


@pytest.mark.parametrize(
    "data",
    [b"\xff\xfe 1 +\n2\n", b"\x1b[A\x01\x02\n3\n"],
    ids=["invalid-utf8", "control-characters"],
)
def test_bad_bytes_in_a_pipe_are_an_error_message(tmp_path: Path, data: bytes) -> None:
    done = run_piped(data, tmp_path)
    assert b"Traceback" not in done.stderr
    assert done.returncode == 0
    assert done.stdout.splitlines()[-1:] in ([b"2"], [b"3"])


def test_pasted_bytes_that_are_not_utf8_or_control_characters(tmp_path: Path) -> None:
    child = spawn(tmp_path)
    os.write(child.child_fd, b"\xff\xfe 1\r")  # not UTF-8
    child.expect("syntax error: unexpected character '\ufffd'")
    # a bracketed paste holding a BEL and a NUL
    child.send("\x1b[200~1 +\x07 2\x00\x1b[201~\r")
    child.expect(r"syntax error: unexpected character '\\x07'")
    child.send("40 + 2\r")
    child.expect(result("42"))
    finish(child)
    assert "Traceback" not in (child.before or "")
