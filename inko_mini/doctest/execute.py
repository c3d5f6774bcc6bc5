"""Run one code block as its own program and decide whether it passed.

The block is written to a temporary file and run by the interpreter in a
new process group (stopping the group stops anything it started), with
stdout/stderr going to files so a chatty block can never block on a pipe.
A block still running after its start-up window that listens on a TCP port
is a server: it is asked one HTTP question, then stopped.
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from inko_mini.doctest import procinfo, unix_sockets
from inko_mini.doctest.curl import HttpRequest
from inko_mini.doctest.diagnostics import explain_failure, relocate
from inko_mini.doctest.expectations import Expectation
from inko_mini.doctest.http_probe import HttpAnswer, ProbeError, ask
from inko_mini.doctest.markdown import CodeBlock

PASS, FAIL, SKIP = "PASS", "FAIL", "SKIP"
_POLL_INTERVAL = 0.05
# how long a server must have been listening before it is asked, so that a
# block that listens, talks to itself and exits is not taken for a server
_LISTEN_SETTLE = 0.3
# consecutive polls in which every process of the block sleeps
_IDLE_POLLS = 3
# after answering, a server must survive this long to count as alive
_ALIVE_GRACE = 0.15
_DYING_GRACE = 1.0


@dataclass
class Settings:
    timeout: float = 10.0
    # a block still running this long after it started may be a server
    startup: float = float(os.environ.get("INKO_DOCS_STARTUP", "1.0"))
    interpreter: list[str] = field(default_factory=lambda: default_interpreter())
    include: list[str] = field(default_factory=list)


def default_interpreter() -> list[str]:
    """The command that runs one program; INKO_MINI_INTERPRETER overrides it."""
    override = os.environ.get("INKO_MINI_INTERPRETER")
    if override:
        return shlex.split(override)
    return [sys.executable, "-m", "inko_mini", "run"]


@dataclass
class Outcome:
    status: str  # PASS, FAIL or SKIP
    reason: str = ""
    stdout: str = ""
    stderr: str = ""
    exit_status: int | None = None


def _stop_group(process: subprocess.Popen) -> None:
    """Stop the block's process group: politely, then for good."""
    for sig, wait in ((signal.SIGTERM, 1.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(process.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            process.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
        if not procinfo.group_pids(process.pid):
            return
        deadline = time.monotonic() + wait
        while procinfo.group_pids(process.pid) and time.monotonic() < deadline:
            time.sleep(_POLL_INTERVAL)
        if not procinfo.group_pids(process.pid):
            return


class BlockRun:
    """The life of one block's process, from start to verdict."""

    def __init__(
        self, block: CodeBlock, workdir: Path, settings: Settings, expectation: Expectation | None
    ):
        self.block, self.workdir, self.settings = block, workdir, settings
        self.expectation = expectation
        self.program = workdir / f"block_L{block.line}.inko"
        self.bound_unix: set[str] = set()
        self.answer: HttpAnswer | None = None
        self.where = ""

    def command(self) -> list[str]:
        include = [str(self.block.page.resolve().parent), *self.settings.include]
        flags = [item for directory in include for item in ("-I", directory)]
        return [*self.settings.interpreter, "--check-annotations", *flags, str(self.program)]

    def run(self) -> Outcome:
        if self.expectation is not None:
            skip = self.expectation.skip_reason
            if skip is not None:
                return Outcome(SKIP, skip)
            for key, text, line in self.expectation.checks:
                if key == "source-contains" and text not in self.block.source:
                    return Outcome(
                        FAIL,
                        f"expectations out of date: {self.expectation.file.name}"
                        f":{line} expects the block to contain {text!r}",
                    )
        self.program.write_text(self.block.source, encoding="utf-8")
        mentioned = unix_sockets.mentioned_paths(self.block.source, self.workdir)
        unix_sockets.remove_stale(mentioned)
        fresh = unix_sockets.absent(mentioned)
        out_path, err_path = self.program.with_suffix(".out"), self.program.with_suffix(".err")
        try:
            with open(out_path, "wb") as out, open(err_path, "wb") as err:
                try:
                    process = subprocess.Popen(
                        self.command(),
                        stdin=subprocess.DEVNULL,
                        stdout=out,
                        stderr=err,
                        cwd=self.workdir,
                        start_new_session=True,
                    )
                except OSError as error:
                    return Outcome(
                        FAIL,
                        f"cannot start the interpreter "
                        f"{shlex.join(self.settings.interpreter)}: {error}",
                    )
                try:
                    verdict = self._supervise(process)
                finally:
                    _stop_group(process)
            outcome = self._judge(process, verdict, out_path, err_path)
        finally:
            unix_sockets.remove_created(fresh, self.bound_unix)
        return outcome

    def _supervise(self, process: subprocess.Popen) -> str | None:
        """Wait for the block to end or become a server; None when it ended."""
        started = time.monotonic()
        deadline = started + self.settings.timeout
        listening_since = None
        idle_polls = 0
        while True:
            try:
                process.wait(timeout=_POLL_INTERVAL)
                return None
            except subprocess.TimeoutExpired:
                pass
            now = time.monotonic()
            states = procinfo.group_states(process.pid)
            pids = sorted(states)
            self.bound_unix |= procinfo.bound_unix_paths(pids)
            ports = procinfo.listening_ports(pids)
            if not ports:
                listening_since, idle_polls = None, 0
            else:
                listening_since = listening_since or now
                # a server waits for connections asleep; a block still busy
                # after binding (talking to its own listener) is running
                idle = all(state == "S" for state in states.values())
                idle_polls = idle_polls + 1 if idle else 0
                listened = now - listening_since
                if (
                    now - started >= self.settings.startup
                    and listened >= _LISTEN_SETTLE
                    and (idle_polls >= _IDLE_POLLS or listened >= self.settings.timeout / 2)
                ):
                    return self._probe_server(process, ports, deadline)
            if now >= deadline:
                what = "not listening on any TCP port" if not ports else "listening"
                return (
                    f"timed out: still running after {self.settings.timeout:g}s "
                    f"({what}); stopped it"
                )

    def _probe_server(self, process, ports, deadline) -> str:
        """Ask the server; the returned text is a failure reason or '' for success."""
        request = self.block.request or HttpRequest(
            url="http://{}:{}/".format(
                ports[0].address if ":" not in ports[0].address else f"[{ports[0].address}]",
                ports[0].port,
            )
        )
        where = self.where = request.command or f"GET {request.url}"
        timeout = max(deadline - time.monotonic(), 2.0)
        try:
            self.answer = ask(request, timeout)
        except ProbeError as error:
            # a server that broke the connection is often dying: let it finish
            # its own report (a panic) before it is stopped
            try:
                process.wait(timeout=_DYING_GRACE)
            except subprocess.TimeoutExpired:
                pass
            return f"server did not answer `{where}` properly: {error}"
        time.sleep(_ALIVE_GRACE)
        if process.poll() is not None:
            return f"server answered `{where}` but then exited with status {process.returncode}"
        return ""

    def _judge(self, process, verdict, out_path: Path, err_path: Path) -> Outcome:
        stdout = out_path.read_bytes().decode("utf-8", "replace")
        stderr = err_path.read_bytes().decode("utf-8", "replace")
        stderr = relocate(stderr, str(self.program), self.block)
        outcome = Outcome(FAIL, stdout=stdout, stderr=stderr, exit_status=process.returncode)
        expected_exit = self.expectation.exit_status if self.expectation else 0
        if verdict:  # a server that misbehaved, or a block that hung
            died = process.returncode not in (None, -signal.SIGTERM, -signal.SIGKILL)
            detail = explain_failure(stderr, process.returncode) if died else ""
            outcome.reason = verdict + (f" ({detail})" if detail else "")
            return outcome
        if verdict is None and process.returncode != expected_exit:
            outcome.reason = explain_failure(stderr, process.returncode)
            if expected_exit:
                outcome.reason = f"expected exit status {expected_exit}; " + outcome.reason
            return outcome
        problem = self._check_expectations(stdout, stderr)
        if problem:
            outcome.reason = problem
            return outcome
        outcome.status = PASS
        if self.answer is not None:
            outcome.reason = f"server answered `{self.where}`: {self.answer.summary()}"
        return outcome

    def _check_expectations(self, stdout: str, stderr: str) -> str:
        expectation = self.expectation
        if expectation is None:
            return ""
        for key, wanted, line in expectation.checks:
            where = f"{expectation.file.name}:{line}"
            if key == "stdout" and stdout.rstrip("\n") != wanted.rstrip("\n"):
                return f"stdout was {_short(stdout)}, expected {_short(wanted)} ({where})"
            if key == "stdout-contains" and wanted not in stdout:
                return f"stdout {_short(stdout)} does not contain {wanted!r} ({where})"
            if key == "stderr-contains" and wanted not in stderr:
                return f"stderr {_short(stderr)} does not contain {wanted!r} ({where})"
            if key.startswith("http-"):
                if self.answer is None:
                    return f"{key} expected, but the block never served HTTP ({where})"
                body = self.answer.body.decode("utf-8", "replace")
                if key == "http-status" and self.answer.status != wanted:
                    return (
                        f"server answered status {self.answer.status}, expected {wanted} ({where})"
                    )
                if key == "http-body" and body != wanted:
                    return (
                        f"server answered body {_short(body)}, expected {_short(wanted)} ({where})"
                    )
                if key == "http-body-contains" and wanted not in body:
                    return f"server body {_short(body)} does not contain {wanted!r} ({where})"
        return ""


def _short(text: str, limit: int = 80) -> str:
    shown = repr(text)
    return shown if len(shown) <= limit else shown[: limit - 4] + "...'"


def run_block(
    block: CodeBlock, workdir: Path, settings: Settings, expectation: Expectation | None = None
) -> Outcome:
    return BlockRun(block, workdir, settings, expectation).run()
