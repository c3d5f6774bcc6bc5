"""Helpers for running Inko programs that use sockets through the real CLI.

(Not named conftest.py: tests/doctest has one, and `from conftest import`
would pick whichever was imported first.)
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

HERE = Path(__file__).parent
REPO = HERE.parent.parent
SAMPLES = REPO / "samples"

# The evaluator is written in parallel with this part; without a parser no
# Inko program can run, so the end-to-end tests wait for it.
needs_interpreter = pytest.mark.skipif(
    importlib.util.find_spec("inko_mini.syntax.parser") is None,
    reason="inko_mini.syntax.parser does not exist yet (evaluator part not merged)",
)


class Result:
    def __init__(self, proc: subprocess.CompletedProcess):
        self.status = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr

    def __repr__(self):
        return f"<status {self.status} stdout {self.stdout!r} stderr {self.stderr!r}>"


def command(path, *args) -> list:
    return [sys.executable, "-m", "inko_mini", "run", str(path), *map(str, args)]


def run_inko(path, *args, timeout: float = 30, stdin: str | None = None) -> Result:
    proc = subprocess.run(
        command(path, *args), capture_output=True, text=True, timeout=timeout, input=stdin, cwd=REPO
    )
    return Result(proc)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def closed_port() -> int:
    """A port nobody listens on (bound and released at once)."""
    return free_port()


class Server:
    """An Inko program running in the background until the test ends."""

    def __init__(self, path, *args, port: int | None = None, unix: str | None = None):
        self.proc = subprocess.Popen(
            command(path, *args),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
        )
        self.port = port
        self.unix = unix

    def wait_listening(self, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                out, err = self.proc.communicate()
                raise AssertionError(f"server exited with {self.proc.returncode}: {out!r} {err!r}")
            if self._listening():
                return
            time.sleep(0.05)
        raise AssertionError("server did not start listening")

    def _listening(self) -> bool:
        # Look at the server's own descriptors, not just "something answers",
        # so a stale server from elsewhere is never mistaken for this one.
        inodes = set()
        try:
            for fd in os.listdir(f"/proc/{self.proc.pid}/fd"):
                target = os.readlink(f"/proc/{self.proc.pid}/fd/{fd}")
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
        except OSError:
            return False
        tables = ["/proc/net/tcp", "/proc/net/tcp6"] if self.port else ["/proc/net/unix"]
        for table in tables:
            try:
                lines = Path(table).read_text().splitlines()[1:]
            except OSError:
                continue
            for line in lines:
                fields = line.split()
                if self.port:
                    local, state, inode = fields[1], fields[3], fields[9]
                    if (
                        state == "0A"
                        and int(local.rsplit(":", 1)[1], 16) == self.port
                        and inode in inodes
                    ):
                        return True
                elif (
                    self.unix
                    and len(fields) >= 8
                    and fields[-1] == self.unix
                    and fields[6] in inodes
                ):
                    return True
        return False

    def open_fds(self) -> int:
        return len(os.listdir(f"/proc/{self.proc.pid}/fd"))

    def settled_fds(self, timeout: float = 10.0) -> int:
        """open_fds() once it has not changed for three fifths of a second. A
        client reads end-of-file at the server's shutdown, before the
        server's close; and the server makes its poller's descriptor at
        its first wait, which may come after its port is open. (One fifth
        was not enough while other test runs loaded both cores.)"""
        deadline = time.monotonic() + timeout
        count = self.open_fds()
        steady = 0
        while steady < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
            now = self.open_fds()
            steady = steady + 1 if now == count else 0
            count = now
        return count

    def fds_drop_to(self, count: int, timeout: float = 10.0) -> int:
        """open_fds() once it is at most `count`, or after `timeout`."""
        deadline = time.monotonic() + timeout
        while (now := self.open_fds()) > count and time.monotonic() < deadline:
            time.sleep(0.05)
        return now

    def stop(self) -> tuple:
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            out, err = self.proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, err = self.proc.communicate()
        return out, err


def port_in_use(port: int) -> bool:
    with socket.socket() as probe:
        # As the page's TcpListener does, so connections of an earlier run
        # lingering in TIME_WAIT do not count.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False
