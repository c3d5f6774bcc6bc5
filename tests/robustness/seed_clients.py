"""The Sockets page's HTTP servers, run unmodified, and the clients that hurt them.

Shared by tests/robustness/test_seed_servers.py (small counts) and
bench/soak.py (the long run). Everything here is real: the server is
`python -m inko_mini run samples/sockets/1x_*.inko` in a subprocess, the
clients are sockets on 127.0.0.1, and the measurements come from
/proc/PID/fd and /proc/PID/status.

The page fixes the port (8080), and its TcpListener sets SO_REUSEPORT, so
any other copy of these servers on the machine (another test run, say)
silently shares the port and takes some of the connections. So the command
form of this module (`python3 seed_clients.py SCENARIO SEED`, used by the
tests and by bench/soak.py) re-runs itself in a private network namespace
(`unshare -rn`, with its own loopback) when the system allows it; otherwise
a lock file serialises the runs of this module and anything else holding the
port makes `acquire_port` give up.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import random
import selectors
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SOCKETS = REPO / "samples" / "sockets"
SEEDS = {
    "process per connection": SOCKETS / "11_http_process_per_connection.inko",
    "four acceptors": SOCKETS / "12_http_four_acceptors.inko",
}
HOST = "127.0.0.1"
PORT = 8080
REQUEST = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
# What both servers send, byte for byte.
REPLY = (
    b"HTTP/1.1 200 OK\r\n"
    b"Content-Type: text/plain\r\n"
    b"Content-Length: 12\r\n"
    b"Connection: close\r\n"
    b"\r\n"
    b"Hello, HTTP!"
)
LOCK_PATH = Path(tempfile.gettempdir()) / "inko-mini-port-8080.lock"


class PortBusy(Exception):
    """Port 8080 is held by something this module did not start."""


def port_free(port: int = PORT) -> bool:
    with socket.socket() as probe:
        # As the page's TcpListener does, so TIME_WAIT leftovers do not count.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
    return True


@contextlib.contextmanager
def acquire_port(wait: float = 600.0) -> Iterator[None]:
    """Hold the lock for port 8080 and make sure nobody else listens there."""
    with open(LOCK_PATH, "a+") as lock:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise PortBusy(f"{LOCK_PATH} stayed locked for {wait:.0f} s") from None
                time.sleep(0.5)
        try:
            deadline = time.monotonic() + 30
            while not port_free():
                if time.monotonic() > deadline:
                    raise PortBusy(f"port {PORT}, fixed by the Sockets page, is in use")
                time.sleep(0.5)
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


class SeedServer:
    """One of the page's servers, started through the real command line."""

    def __init__(self, program: Path, log_dir: Path):
        self.program = program
        self.stdout_path = log_dir / f"{program.stem}.stdout"
        self.stderr_path = log_dir / f"{program.stem}.stderr"
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "inko_mini", "run", str(program)],
                stdout=out,
                stderr=err,
                stdin=subprocess.DEVNULL,
                cwd=REPO,
            )
        self.pid = self.proc.pid

    def wait_listening(self, timeout: float = 60.0) -> None:
        # Looks at the server's own listening socket in /proc/net/tcp rather
        # than connecting: a connection would itself be a port probe.
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check_alive()
            if self._listening():
                return
            time.sleep(0.05)
        raise AssertionError(f"{self.program.name} did not start listening")

    def _listening(self) -> bool:
        inodes = set()
        try:
            for fd in os.listdir(f"/proc/{self.pid}/fd"):
                target = os.readlink(f"/proc/{self.pid}/fd/{fd}")
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
        except OSError:
            return False
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == "0A" and int(local.rsplit(":", 1)[1], 16) == PORT and inode in inodes:
                return True
        return False

    def alive(self) -> bool:
        return self.proc.poll() is None

    def check_alive(self) -> None:
        if not self.alive():
            raise AssertionError(
                f"{self.program.name} exited with status {self.proc.returncode}:\n"
                + self.stderr()[-2000:]
            )

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def fds(self) -> int:
        return len(os.listdir(f"/proc/{self.pid}/fd"))

    def rss_kib(self) -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise AssertionError("no VmRSS")

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def settle_fds(self, target: int, timeout: float = 20.0) -> int:
        """Wait for the descriptor count to come back to `target` (or lower)."""
        deadline = time.monotonic() + timeout
        count = self.fds()
        while count > target and time.monotonic() < deadline:
            time.sleep(0.05)
            count = self.fds()
        return count

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


# --- clients -----------------------------------------------------------------


def _connect(timeout: float = 30.0) -> socket.socket:
    return socket.create_connection((HOST, PORT), timeout=timeout)


def read_all(conn: socket.socket) -> bytes:
    chunks = []
    while True:
        try:
            chunk = conn.recv(65536)
        except ConnectionResetError:
            # The server closes without reading the request, so its kernel
            # may follow the reply with a reset; the reply is complete then.
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def request() -> bytes:
    with _connect() as conn:
        conn.sendall(REQUEST)
        return read_all(conn)


def port_probe() -> None:
    """What a load balancer's health check or `wait-for-it` does."""
    _connect().close()


def connect_and_vanish() -> None:
    """Send a request and go away at once, before the reply comes back (the
    reply then meets a closed socket, and the client's kernel resets)."""
    with _connect() as conn:
        conn.sendall(REQUEST)


def reset_before_reply() -> None:
    """Connect and reset at once (SO_LINGER 0, nothing sent). If the reset
    lands before the server's write, `try! client.write_string` panics with
    the ECONNRESET/EPIPE text, as in 0.4.0: the one client behaviour that can
    still end the page's servers, by the program's own choice of `try!`."""
    _rst_close(_connect())


def half_request() -> None:
    with _connect() as conn:
        conn.sendall(REQUEST[: random.randrange(1, len(REQUEST) - 2)])


def garbage() -> None:
    with _connect() as conn:
        conn.sendall(os.urandom(random.randrange(1, 4096)))
        read_all(conn)


def rst_with_unread_data() -> None:
    """Send a request, wait until the reply has arrived, then close without
    reading it and with SO_LINGER 0: the kernel sends RST, not FIN."""
    conn = _connect()
    conn.sendall(REQUEST)
    sel = selectors.DefaultSelector()
    sel.register(conn, selectors.EVENT_READ)
    sel.select(30)
    sel.close()
    _rst_close(conn)


def _rst_close(conn: socket.socket) -> None:
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


def slow_reader() -> bytes:
    """Reads the reply a few bytes at a time with pauses, from a socket with
    the smallest receive buffer the kernel allows."""
    conn = socket.socket()
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1)
    conn.settimeout(30)
    conn.connect((HOST, PORT))
    with conn:
        conn.sendall(REQUEST)
        chunks = []
        while True:
            time.sleep(0.01)
            try:
                chunk = conn.recv(7)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)


def hold_open(count: int) -> tuple[int, int]:
    """Open `count` connections at once, keep them all open, then read every
    reply. Returns (complete replies, connections that failed)."""
    conns = []
    failed = 0
    try:
        for _ in range(count):
            conn = socket.socket()
            conn.setblocking(False)
            code = conn.connect_ex((HOST, PORT))
            if code not in (0, errno.EINPROGRESS):
                conn.close()
                failed += 1
                continue
            conns.append(conn)
        # Every connection is open (or opening) at this point; now send the
        # requests and collect the replies with one selector.
        return _drive(conns, deadline=time.monotonic() + 120), failed
    finally:
        for conn in conns:
            conn.close()


def _drive(conns: list[socket.socket], deadline: float) -> int:
    sel = selectors.DefaultSelector()
    state: dict[socket.socket, bytearray | None] = {}
    for conn in conns:
        state[conn] = None  # request not sent yet
        sel.register(conn, selectors.EVENT_WRITE)
    complete = 0
    pending = len(conns)
    while pending and time.monotonic() < deadline:
        for key, _ in sel.select(1.0):
            conn = key.fileobj
            buf = state[conn]
            if buf is None:
                try:
                    conn.send(REQUEST)
                except OSError:
                    sel.unregister(conn)
                    pending -= 1
                    continue
                state[conn] = bytearray()
                sel.modify(conn, selectors.EVENT_READ)
                continue
            try:
                chunk = conn.recv(65536)
            except BlockingIOError:
                continue
            except OSError:
                chunk = b""
            if chunk:
                buf.extend(chunk)
                continue
            sel.unregister(conn)
            pending -= 1
            complete += bytes(buf) == REPLY
    sel.close()
    return complete


def load(total: int, concurrency: int = 16) -> LoadResult:
    """The Python load generator: `total` requests from `concurrency`
    clients, each a new connection (the servers close after one reply)."""
    result = LoadResult()
    lock = threading.Lock()
    counter = iter(range(total))

    def client() -> None:
        ok = bad = 0
        kinds: list[str] = []
        while True:
            with lock:
                if next(counter, None) is None:
                    break
            try:
                reply = request()
            except OSError as exc:
                bad += 1
                kinds.append(type(exc).__name__)
                continue
            if reply == REPLY:
                ok += 1
            else:
                bad += 1
                kinds.append(f"{len(reply)}-byte reply")
        with lock:
            result.ok += ok
            result.bad += bad
            for kind in kinds:
                result.failures[kind] = result.failures.get(kind, 0) + 1

    start = time.monotonic()
    with ThreadPoolExecutor(concurrency) as pool:
        for future in [pool.submit(client) for _ in range(concurrency)]:
            future.result()
    result.seconds = time.monotonic() - start
    return result


@dataclass
class LoadResult:
    ok: int = 0
    bad: int = 0
    seconds: float = 0.0
    failures: dict[str, int] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return (self.ok + self.bad) / self.seconds if self.seconds else 0.0


def repeat(behaviour: Callable[[], object], count: int, concurrency: int = 8) -> int:
    """Run `behaviour` `count` times from `concurrency` threads; returns how
    many raised (a client-side failure, e.g. a refused connection)."""
    errors = 0

    def one(_: int) -> int:
        try:
            behaviour()
            return 0
        except OSError:
            return 1

    with ThreadPoolExecutor(concurrency) as pool:
        errors = sum(pool.map(one, range(count)))
    return errors


# --- phases ------------------------------------------------------------------


@dataclass
class Phase:
    name: str
    amount: str
    fds_before: int
    fds_after: int
    rss_before_kib: int
    rss_after_kib: int
    answers: bool
    alive: bool
    seconds: float
    notes: list[str] = field(default_factory=list)

    @property
    def rss_growth(self) -> float:
        return self.rss_after_kib / self.rss_before_kib - 1

    def problems(self, rss_limit: float = 0.10) -> list[str]:
        found = []
        if not self.alive:
            found.append("server died")
        elif not self.answers:
            found.append("server no longer answers")
        if self.fds_after > self.fds_before:
            found.append(f"descriptors {self.fds_before} -> {self.fds_after}")
        if self.rss_growth > rss_limit:
            found.append(f"RSS grew {self.rss_growth:.1%}")
        return found + self.notes


def run_phase(
    server: SeedServer, name: str, amount: str, body: Callable[[], list[str] | None]
) -> Phase:
    """Run one client behaviour, then check the server: alive, answering,
    descriptors back to where they were, RSS within 10 %."""
    server.check_alive()
    fds_before = server.fds()
    rss_before = server.rss_kib()
    start = time.monotonic()
    notes = body() or []
    seconds = time.monotonic() - start
    alive = server.alive()
    answers = False
    fds_after = fds_before
    rss_after = rss_before
    if alive:
        try:
            answers = request() == REPLY
        except OSError:
            answers = False
        fds_after = server.settle_fds(fds_before)
        rss_after = server.rss_kib()
        alive = server.alive()
    return Phase(
        name, amount, fds_before, fds_after, rss_before, rss_after, answers, alive, seconds, notes
    )


def warm_up(server: SeedServer, count: int = 300) -> None:
    """Let the server reach its steady size (compiled closures, caches, the
    allocator's arenas) before the baseline is taken."""
    result = load(count, concurrency=8)
    assert result.ok == count, (result, server.stderr()[-2000:])


# --- a network of our own ------------------------------------------------------

NETNS_ENV = "INKO_MINI_PRIVATE_NETWORK"


def _bring_loopback_up() -> None:
    siocgifflags, siocsifflags, iff_up = 0x8913, 0x8914, 0x1
    layout = "16sh22x"  # struct ifreq: name, then the flags of the union
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        request = struct.pack(layout, b"lo", 0)
        flags = struct.unpack(layout, fcntl.ioctl(s, siocgifflags, request))[1]
        fcntl.ioctl(s, siocsifflags, struct.pack(layout, b"lo", flags | iff_up))


def private_network(argv: list[str]) -> bool:
    """Re-run `python3 argv...` in a new network namespace and never return,
    if the system allows it; inside it, bring up its loopback and return
    True. Returns False when namespaces are not available."""
    if os.environ.get(NETNS_ENV):
        _bring_loopback_up()
        return True
    unshare = shutil.which("unshare")
    if unshare is None:
        return False
    try:
        usable = subprocess.run([unshare, "-rn", "true"], capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    if usable.returncode != 0:
        return False
    sys.stdout.flush()
    sys.stderr.flush()
    env = dict(os.environ, **{NETNS_ENV: "1"})
    os.execvpe(unshare, [unshare, "-rn", "--", sys.executable, *argv], env)
    raise AssertionError("unreachable")


@contextlib.contextmanager
def own_port(private: bool) -> Iterator[None]:
    if private:
        yield
    else:
        with acquire_port():
            yield


# --- the scenarios the tests run -------------------------------------------------


def soak_plan(sizes: dict[str, int]) -> list[tuple[str, str, Callable[[], list[str] | None]]]:
    def load_phase() -> list[str]:
        result = load(sizes["requests"])
        if result.ok != sizes["requests"]:
            return [f"{result.bad} of {sizes['requests']} requests failed: {result.failures}"]
        return []

    def hold() -> list[str]:
        complete, failed = hold_open(sizes["held"])
        if complete != sizes["held"]:
            return [f"{sizes['held'] - complete} held connections got no reply ({failed} failed)"]
        return []

    def slow() -> list[str]:
        replies: list[bytes] = []
        repeat(lambda: replies.append(slow_reader()), sizes["slow"], concurrency=50)
        wrong = sum(reply != REPLY for reply in replies) + sizes["slow"] - len(replies)
        return [f"{wrong} slow readers got a wrong reply"] if wrong else []

    def clients(behaviour: Callable[[], object], count: int):
        def body() -> list[str]:
            failed = repeat(behaviour, count)
            return [f"{failed} clients could not connect"] if failed else []

        return body

    probes = sizes["probes"]
    return [
        ("port probes (connect, close)", f"{probes:,}", clients(port_probe, probes)),
        ("send, vanish before the reply", f"{probes:,}", clients(connect_and_vanish, probes)),
        ("half requests, then close", f"{probes:,}", clients(half_request, probes)),
        ("random bytes instead of HTTP", f"{probes // 5:,}", clients(garbage, probes // 5)),
        (
            "RST with the reply unread (SO_LINGER 0)",
            f"{probes:,}",
            clients(rst_with_unread_data, probes),
        ),
        ("slow readers (1-byte receive buffer)", f"{sizes['slow']:,}", slow),
        ("connections held open at once", f"{sizes['held']:,}", hold),
        ("Python load generator, 16 clients", f"{sizes['requests']:,} requests", load_phase),
    ]


def scenario(name: str, seed: str, sizes: dict[str, int], log_dir: Path) -> dict:
    """Run one scenario against a fresh server; a JSON-able report."""
    server = SeedServer(SEEDS[seed], log_dir)
    report: dict = {"phases": []}
    try:
        server.wait_listening()
        if name == "soak":
            warm_up(server)
            start_fds, start_rss = server.fds(), server.rss_kib()
            for phase_name, amount, body in soak_plan(sizes):
                phase = run_phase(server, phase_name, amount, body)
                report["phases"].append(
                    {
                        "name": phase.name,
                        "amount": phase.amount,
                        "seconds": round(phase.seconds, 2),
                        "fds": [phase.fds_before, phase.fds_after],
                        "rss_kib": [phase.rss_before_kib, phase.rss_after_kib],
                        "problems": phase.problems(),
                    }
                )
                if not server.alive():
                    break
            if server.alive():
                report["fds"] = [start_fds, server.fds()]
                report["rss_kib"] = [start_rss, server.rss_kib()]
                report["cpu_seconds"] = server.cpu_seconds()
        elif name == "probe":
            for _ in range(20):
                port_probe()
            report["answers"] = request() == REPLY
        elif name == "reset":
            for _ in range(sizes["probes"]):
                if not server.alive():
                    break
                try:
                    reset_before_reply()
                except OSError:
                    break
        else:
            raise SystemExit(f"unknown scenario {name}")
        report["alive"] = server.alive()
    finally:
        server.stop()
        report["status"] = server.proc.returncode
        report["stderr"] = server.stderr()
    return report


def main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="Run a scenario against a seed server.")
    parser.add_argument("scenario", choices=["soak", "probe", "reset"])
    parser.add_argument("seed", choices=sorted(SEEDS))
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--held", type=int, default=5_000)
    parser.add_argument("--probes", type=int, default=500)
    parser.add_argument("--slow", type=int, default=40)
    parser.add_argument("--shared-network", action="store_true")
    args = parser.parse_args(argv)
    private = False if args.shared_network else private_network([__file__, *argv])
    sizes = {k: getattr(args, k) for k in ("requests", "held", "probes", "slow")}
    with own_port(private), tempfile.TemporaryDirectory() as logs:
        report = scenario(args.scenario, args.seed, sizes, Path(logs))
    report["private_network"] = private
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
