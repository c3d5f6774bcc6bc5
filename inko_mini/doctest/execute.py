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
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from inko_mini.doctest import procinfo, unix_sockets
from inko_mini.doctest.collect import Program
from inko_mini.doctest.curl import HttpRequest
from inko_mini.doctest.diagnostics import (
    annotation_diffs,
    compile_error,
    explain_failure,
    panic_message,
    relocate,
)
from inko_mini.doctest.expectations import Expectation
from inko_mini.doctest.http_probe import HttpAnswer, ProbeError, ask
from inko_mini.doctest.markdown import CodeBlock, Segment
from inko_mini.doctest.output import output_diff, output_matches

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


# process groups of blocks still running, so an interrupted run can stop them all
_LIVE: set[int] = set()
_LIVE_LOCK = threading.Lock()
_STOPPED = threading.Event()


def allow_runs() -> None:
    """Undo a final stop_all_running (a new run in the same process)."""
    _STOPPED.clear()


def stop_all_running(final: bool = True) -> None:
    """Kill every block's process group still running (Ctrl-C, SIGTERM, -x).

    With `final`, no block may start afterwards (a worker thread that was
    about to start one gets a skip instead).
    """
    with _LIVE_LOCK:
        if final:
            _STOPPED.set()
        groups = list(_LIVE)
    for pgid in groups:
        try:
            os.killpg(pgid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


@dataclass
class Settings:
    timeout: float = 10.0
    # a block still running this long after it started may be a server
    startup: float = float(os.environ.get("INKO_DOCS_STARTUP", "1.0"))
    interpreter: list[str] = field(default_factory=lambda: default_interpreter())
    include: list[str] = field(default_factory=list)

    def check_command(self) -> list[str]:
        """The command that only parses a file (`inko-mini check`)."""
        if self.interpreter and self.interpreter[-1] == "run":
            return [*self.interpreter[:-1], "check"]
        return [*self.interpreter, "--check-only"]


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
    # lines shown under a failure: diffs, the interpreter's stderr
    details: list[str] = field(default_factory=list)
    duration: float = 0.0


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
        self,
        block: CodeBlock,
        workdir: Path,
        settings: Settings,
        expectation: Expectation | None,
        program: Program | None = None,
    ) -> None:
        self.block, self.workdir, self.settings = block, workdir, settings
        self.expectation = expectation
        self.markers = block.markers
        if program is None:
            program = Program([Segment(block.source, block.line + 1)], block.page)
        self.program = program
        self.program_path = workdir / f"block_L{block.line}.inko"
        self.timeout = self.markers.timeout or settings.timeout
        self.bound_unix: set[str] = set()
        self.answer: HttpAnswer | None = None
        self.where = ""

    def command(self) -> list[str]:
        include = [str(self.block.page.resolve().parent), *self.settings.include]
        flags = [item for directory in include for item in ("-I", directory)]
        if self.markers.check:
            return [*self.settings.check_command(), str(self.program_path)]
        return [*self.settings.interpreter, "--check-annotations", *flags, str(self.program_path)]

    def page_position(self, line: int) -> str | None:
        found = self.program.position(line)
        return f"{found[0]}:{found[1]}" if found else None

    def run(self) -> Outcome:
        started = time.monotonic()
        outcome = self._run()
        outcome.duration = time.monotonic() - started
        return outcome

    def _run(self) -> Outcome:
        if self.markers.skip:
            return Outcome(SKIP, self.markers.skip)
        if self.markers.ignore:
            return Outcome(SKIP, "ignore")
        if self.expectation is not None:
            skip = self.expectation.skip_reason
            if skip is not None:
                return Outcome(SKIP, skip)
            for key, text, line in self.expectation.checks:
                if key == "source-contains" and str(text) not in self.block.source:
                    return Outcome(
                        FAIL,
                        f"expectations out of date: {self.expectation.file.name}"
                        f":{line} expects the block to contain {text!r}",
                    )
        self.program_path.write_text(self.program.source, encoding="utf-8")
        mentioned = unix_sockets.mentioned_paths(self.program.source, self.workdir)
        unix_sockets.remove_stale(mentioned)
        fresh = unix_sockets.absent(mentioned)
        out_path = self.program_path.with_suffix(".out")
        err_path = self.program_path.with_suffix(".err")
        try:
            with open(out_path, "wb") as out, open(err_path, "wb") as err:
                with _LIVE_LOCK:
                    if _STOPPED.is_set():
                        return Outcome(SKIP, "not run: the run was stopped")
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
                    _LIVE.add(process.pid)
                try:
                    verdict = self._supervise(process)
                finally:
                    _stop_group(process)
                    with _LIVE_LOCK:
                        _LIVE.discard(process.pid)
            outcome = self._judge(process, verdict, out_path, err_path)
        finally:
            unix_sockets.remove_created(fresh, self.bound_unix)
        return outcome

    def _supervise(self, process: subprocess.Popen) -> str | None:
        """Wait for the block to end or become a server; None when it ended."""
        started = time.monotonic()
        deadline = started + self.timeout
        listening_since = None
        idle_polls = 0
        marked = self.markers.server
        startup = 0.0 if marked else self.settings.startup
        while True:
            try:
                process.wait(timeout=_POLL_INTERVAL)
                if marked:
                    return (
                        f"marked `server`, but the block ended (exit status "
                        f"{process.returncode}) without serving"
                    )
                return None
            except subprocess.TimeoutExpired:
                pass
            now = time.monotonic()
            states = procinfo.group_states(process.pid)
            pids = sorted(states)
            self.bound_unix |= procinfo.bound_unix_paths(pids)
            ports = procinfo.listening_ports(pids)
            if self.markers.port is not None:
                ports = [p for p in ports if p.port == self.markers.port]
            if not ports:
                listening_since, idle_polls = None, 0
            else:
                listening_since = listening_since or now
                # a server waits for connections asleep; a block still busy
                # after binding (talking to its own listener) is running
                idle = all(state == "S" for state in states.values())
                idle_polls = idle_polls + 1 if idle else 0
                listened = now - listening_since
                if marked and listened >= _POLL_INTERVAL:
                    return self._probe_server(process, ports, deadline)
                if (
                    now - started >= startup
                    and listened >= _LISTEN_SETTLE
                    and (idle_polls >= _IDLE_POLLS or listened >= self.timeout / 2)
                ):
                    return self._probe_server(process, ports, deadline)
            if now >= deadline:
                what = "not listening on any TCP port" if not ports else "listening"
                if self.markers.port is not None and not ports:
                    what = f"not listening on port {self.markers.port}"
                return f"timed out: still running after {self.timeout:g}s ({what}); stopped it"

    def _probe_server(
        self,
        process: subprocess.Popen,
        ports: list[procinfo.ListeningPort],
        deadline: float,
    ) -> str:
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
        # a one-shot server may end after its answer, but not badly
        if process.poll() not in (None, 0):
            return f"server answered `{where}` but then exited with status {process.returncode}"
        return ""

    def _judge(
        self, process: subprocess.Popen, verdict: str | None, out_path: Path, err_path: Path
    ) -> Outcome:
        stdout = out_path.read_bytes().decode("utf-8", "replace")
        stderr = err_path.read_bytes().decode("utf-8", "replace")
        stderr = relocate(stderr, str(self.program_path), self.page_position)
        outcome = Outcome(FAIL, stdout=stdout, stderr=stderr, exit_status=process.returncode)
        if stderr.strip():
            outcome.details = ["interpreter stderr:", *("  | " + line for line in _tail(stderr))]
        if verdict:  # a server that misbehaved, or a block that hung
            died = process.returncode not in (None, -signal.SIGTERM, -signal.SIGKILL)
            detail = explain_failure(stderr, process.returncode) if died else ""
            outcome.reason = verdict + (f" ({detail})" if detail else "")
            return outcome
        if self.markers.check:
            return self._judge_check(outcome)
        if self.markers.compile_fail:
            return self._judge_compile_fail(outcome)
        if self.markers.should_panic:
            return self._judge_should_panic(outcome)
        expected_exit = self.expectation.exit_status if self.expectation else 0
        if verdict is None and process.returncode != expected_exit:
            outcome.reason = explain_failure(stderr, process.returncode)
            if expected_exit:
                outcome.reason = f"expected exit status {expected_exit}; " + outcome.reason
            diffs = annotation_diffs(stderr)
            if diffs:
                outcome.details = diffs + outcome.details
            return outcome
        problem, diff = self._check_output(stdout)
        if not problem:
            problem, diff = self._check_expectations(stdout, stderr)
        if problem:
            outcome.reason = problem
            outcome.details = diff + outcome.details
            return outcome
        outcome.status, outcome.details = PASS, []
        if self.answer is not None:
            outcome.reason = f"server answered `{self.where}`: {self.answer.summary()}"
        return outcome

    def _judge_check(self, outcome: Outcome) -> Outcome:
        if outcome.exit_status == 0:
            outcome.status, outcome.reason, outcome.details = PASS, "syntax only", []
        else:
            outcome.reason = "check: " + explain_failure(outcome.stderr, outcome.exit_status)
        return outcome

    def _judge_compile_fail(self, outcome: Outcome) -> Outcome:
        error = compile_error(outcome.stderr)
        if outcome.exit_status == 1 and error and not panic_message(outcome.stderr):
            outcome.status, outcome.details = PASS, []
            outcome.reason = f"rejected as expected: {error}"
            return outcome
        if panic_message(outcome.stderr) is not None:
            outcome.reason = (
                "compile_fail: the block ran and panicked instead of being rejected before "
                f"it runs ({explain_failure(outcome.stderr, outcome.exit_status)})"
            )
        else:
            outcome.reason = (
                f"compile_fail: the block ran (exit status {outcome.exit_status}) "
                "instead of being rejected before it runs"
            )
        return outcome

    def _judge_should_panic(self, outcome: Outcome) -> Outcome:
        message = panic_message(outcome.stderr)
        wanted = self.markers.panic_text
        if outcome.exit_status == 1 and message is not None:
            if wanted is None or wanted in message:
                outcome.status, outcome.details = PASS, []
                outcome.reason = f"panicked as expected: {message}"
                return outcome
            outcome.reason = (
                f"should_panic: the panic message {message!r} does not contain {wanted!r}"
            )
            return outcome
        if outcome.exit_status == 0:
            outcome.reason = (
                "should_panic: the block ended normally (exit status 0) without panicking"
            )
        else:
            outcome.reason = "should_panic: " + explain_failure(outcome.stderr, outcome.exit_status)
        return outcome

    def _check_output(self, stdout: str) -> tuple[str, list[str]]:
        expected = self.block.output
        if expected is None or output_matches(expected.text, stdout):
            return "", []
        where = f"{self.block.page}:{expected.line}"
        return (
            f"stdout differs from the output block at {where}",
            output_diff(expected.text, stdout, f"expected ({where})", "actual stdout"),
        )

    def _check_expectations(self, stdout: str, stderr: str) -> tuple[str, list[str]]:
        expectation = self.expectation
        if expectation is None:
            return "", []
        for key, wanted, line in expectation.checks:
            where = f"{expectation.file.name}:{line}"
            text = str(wanted)  # the same value: only http-status and exit hold an int
            if key == "stdout" and stdout.rstrip("\n") != text.rstrip("\n"):
                return (
                    f"stdout differs from the expectation at {where}",
                    output_diff(text, stdout, f"expected ({where})", "actual stdout"),
                )
            if key == "stdout-contains" and text not in stdout:
                return f"stdout {_short(stdout)} does not contain {wanted!r} ({where})", []
            if key == "stderr-contains" and text not in stderr:
                return f"stderr {_short(stderr)} does not contain {wanted!r} ({where})", []
            if key.startswith("http-"):
                if self.answer is None:
                    return f"{key} expected, but the block never served HTTP ({where})", []
                body = self.answer.body.decode("utf-8", "replace")
                if key == "http-status" and self.answer.status != wanted:
                    return (
                        f"server answered status {self.answer.status}, expected {wanted} ({where})",
                        [],
                    )
                if key == "http-body" and body != text:
                    return (
                        f"server answered another body than expected ({where})",
                        output_diff(text, body, f"expected ({where})", "actual body"),
                    )
                if key == "http-body-contains" and text not in body:
                    return f"server body {_short(body)} does not contain {wanted!r} ({where})", []
        return "", []


_MAX_STDERR_LINES = 40


def _tail(text: str) -> list[str]:
    lines = text.rstrip("\n").splitlines()
    if len(lines) <= _MAX_STDERR_LINES:
        return lines
    return [f"... ({len(lines) - _MAX_STDERR_LINES} lines cut)", *lines[-_MAX_STDERR_LINES:]]


def _short(text: str, limit: int = 80) -> str:
    shown = repr(text)
    return shown if len(shown) <= limit else shown[: limit - 4] + "...'"


def run_block(
    block: CodeBlock,
    workdir: Path,
    settings: Settings,
    expectation: Expectation | None = None,
    program: Program | None = None,
) -> Outcome:
    return BlockRun(block, workdir, settings, expectation, program).run()
