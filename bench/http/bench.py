"""Load benchmark for the Sockets page's HTTP servers (bench/http).

Runs the page's one-process-per-connection server (samples/sockets/11_...)
and then its four-acceptor server (12_...), each on the page's port 8080 next
to an asyncio server sending the same bytes (asyncio_server.py, port 8089).
One client load alternates bursts between the two, so both see the same
machine; it reports requests per second for each and their ratio.
Every reply is checked byte for byte. Then it holds 5,000 connections open at
once against samples/net/http_server_reading_requests.inko (the page's
server, reading the request first) and checks that all are served.

    python bench/http/bench.py [--requests 3000] [--concurrency 16] [--rounds 6] [--hold 5000]

The descriptor limit is raised here (for the benchmark and the servers it
starts), never in the interpreter.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import select
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SOCKETS = REPO / "samples" / "sockets"
PORT = 8080
ASYNCIO_PORT = 8089

REPLY = (
    b"HTTP/1.1 200 OK\r\n"
    b"Content-Type: text/plain\r\n"
    b"Content-Length: 12\r\n"
    b"Connection: close\r\n"
    b"\r\n"
    b"Hello, HTTP!"
)
REQUEST = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"

# Issue 12: minimum request rate of each page server as a multiple of the
# asyncio server's.
TARGETS = {"one process per connection": 1.2, "four acceptors": 1.6}


def raise_descriptor_limit(wanted: int) -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def inko(path: Path, *args) -> list:
    return [sys.executable, "-m", "inko_mini", "run", str(path), *map(str, args)]


class Server:
    def __init__(self, argv: list, port: int | None = PORT):
        # stderr goes to a file: a pipe nobody reads could fill up and stall
        # the server in the middle of a measurement.
        self.errors = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen(
            argv, cwd=REPO, stdout=subprocess.PIPE, stderr=self.errors, text=True
        )
        if port is None:
            port = int(self.proc.stdout.readline())
        self.port = port
        self._wait()

    def _wait(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.errors.seek(0)
                raise SystemExit(f"server {self.proc.args} exited: {self.errors.read()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
                    conn.sendall(REQUEST)
                    while conn.recv(4096):
                        pass
                return
            except OSError:
                time.sleep(0.05)
        raise SystemExit("server did not start")

    def fds(self) -> int:
        return len(os.listdir(f"/proc/{self.proc.pid}/fd"))

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def load(port: int, requests: int, concurrency: int) -> tuple:
    """Send `requests` requests over `concurrency` simultaneous connections.

    A plain epoll loop rather than asyncio: the client must cost far less per
    request than the servers it measures, or it measures itself.
    Returns (complete replies, seconds).
    """
    poller = select.epoll()
    address = ("127.0.0.1", port)
    state: dict = {}  # fd -> [socket, received bytes, request sent?]
    started = good = finished = 0

    def start() -> None:
        nonlocal started
        sock = socket.socket()
        sock.setblocking(False)
        sock.connect_ex(address)
        state[sock.fileno()] = [sock, [], False]
        poller.register(sock.fileno(), select.EPOLLOUT)
        started += 1

    def finish(fd: int) -> None:
        nonlocal good, finished
        sock, chunks, _ = state.pop(fd)
        poller.unregister(fd)
        sock.close()
        finished += 1
        good += b"".join(chunks) == REPLY
        if started < requests:
            start()

    begin = time.perf_counter()
    for _ in range(min(concurrency, requests)):
        start()
    while finished < requests:
        for fd, _events in poller.poll(30):
            entry = state[fd]
            sock = entry[0]
            if not entry[2]:
                try:
                    sock.send(REQUEST)
                except OSError:
                    finish(fd)
                    continue
                entry[2] = True
                poller.modify(fd, select.EPOLLIN)
                continue
            try:
                chunk = sock.recv(65536)
            except BlockingIOError:
                continue
            except OSError:
                # The page's servers close without reading the request, so
                # the kernel may reset after the whole reply has arrived.
                chunk = b""
            if chunk:
                entry[1].append(chunk)
            else:
                finish(fd)
    poller.close()
    return good, time.perf_counter() - begin


def compare(name: str, argv: list, requests: int, concurrency: int, rounds: int) -> float:
    """Rate of the Inko server `argv` (port 8080) and of the asyncio server,
    measured in alternating bursts so both see the same machine load."""
    reference = Server(
        [sys.executable, str(Path(__file__).with_name("asyncio_server.py")), str(ASYNCIO_PORT)],
        port=ASYNCIO_PORT,
    )
    server = Server(argv)
    totals = {"inko": [0, 0.0], "asyncio": [0, 0.0]}
    try:
        load(PORT, min(200, requests), concurrency)  # warm-up
        fds_before = server.fds()
        burst = max(requests // rounds, 1)
        for _ in range(rounds):
            for key, port in (("inko", PORT), ("asyncio", ASYNCIO_PORT)):
                good, seconds = load(port, burst, concurrency)
                totals[key][0] += good
                totals[key][1] += seconds
        fds_after = server.fds()
    finally:
        server.stop()
        reference.stop()
    rates = {key: good / seconds for key, (good, seconds) in totals.items()}
    sent = burst * rounds
    ratio = rates["inko"] / rates["asyncio"]
    verdict = "ok" if ratio >= TARGETS[name] else f"below the {TARGETS[name]}x target"
    print(
        f"{name}:\n  inko-mini {rates['inko']:7.0f} req/s ({totals['inko'][0]}/{sent} complete; "
        f"server fds {fds_before} -> {fds_after})\n"
        f"  asyncio   {rates['asyncio']:7.0f} req/s ({totals['asyncio'][0]}/{sent} complete)\n"
        f"  ratio {ratio:.2f}x ({verdict})",
        flush=True,
    )
    return ratio if totals["inko"][0] == sent else 0.0


async def hold(port: int, count: int) -> int:
    """Open `count` connections, then send every request, then read every reply."""
    connections = []
    for _ in range(count):
        for _attempt in range(50):
            try:
                connections.append(await asyncio.open_connection("127.0.0.1", port))
                break
            except OSError:
                await asyncio.sleep(0.05)
    for _, writer in connections:
        writer.write(REQUEST)

    async def reply(reader, writer):
        try:
            return await asyncio.wait_for(reader.read(), 120) == REPLY
        except (OSError, asyncio.TimeoutError):
            return False
        finally:
            writer.close()

    results = await asyncio.gather(*(reply(r, w) for r, w in connections))
    return sum(results)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=6, help="alternating bursts per server pair")
    parser.add_argument(
        "--hold", type=int, default=5000, help="connections held open at once (0: skip)"
    )
    options = parser.parse_args()
    limit = raise_descriptor_limit(max(2 * options.hold + 1000, 4096))
    print(
        f"descriptor limit {limit}; {options.requests} requests per server, "
        f"{options.concurrency} concurrent clients",
        flush=True,
    )

    ok = True
    for name, sample in (
        ("one process per connection", "11_http_process_per_connection.inko"),
        ("four acceptors", "12_http_four_acceptors.inko"),
    ):
        ratio = compare(
            name, inko(SOCKETS / sample), options.requests, options.concurrency, options.rounds
        )
        ok = ok and ratio >= TARGETS[name]

    if options.hold:
        server = Server(
            inko(REPO / "samples" / "net" / "http_server_reading_requests.inko", 0), port=None
        )
        try:
            start = time.perf_counter()
            served = asyncio.run(hold(server.port, options.hold))
            seconds = time.perf_counter() - start
        finally:
            server.stop()
        print(
            f"held {options.hold} connections open at once: {served} served in {seconds:.1f}s",
            flush=True,
        )
        ok = ok and served == options.hold
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
