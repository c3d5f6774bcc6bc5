"""Load benchmark for the Sockets page's HTTP servers (bench/http).

Runs the page's one-process-per-connection server (samples/sockets/11_...)
and then its four-acceptor server (12_...), each on the page's port 8080 next
to an asyncio server sending the same bytes (asyncio_server.py, port 8089).

First every server gets a short run of the Python load generator below, and
every reply is checked byte for byte (wrk only parses replies). Then the load
alternates timed bursts between the Inko server and the asyncio server, so
both see the same machine load, and it reports requests per second of each
and their ratio: the median of the per-round ratios, with their min-max.
The load is `wrk -t1 -c50` (issue 12 states its targets under `wrk -c50`)
when wrk is installed, else the Python generator with 16 clients. Then it
holds 5,000 connections open at once against
samples/net/http_server_reading_requests.inko (the page's server, reading the
request first) and checks that all are served.

    python3 bench/http/bench.py [--rounds 5] [--seconds 2] [--hold 5000]
    python3 bench/http/bench.py --python-load [--requests 3000] [--concurrency 16]

It runs in a private network namespace (`unshare -rn`) when the system allows
it, as bench/soak.py does: the page fixes port 8080 (with SO_REUSEPORT), so
any other copy of these servers on the machine would otherwise share the
connections. bench/run.py calls `collect`, which runs this file with --json.

The descriptor limit is raised here (for the benchmark and the servers it
starts), never in the interpreter.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import select
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if __name__ == "__main__":
    # Run as a script: `bench` (for the wrk helpers of bench/soak.py) must be
    # the repository's package, not this file in the script's directory.
    _HERE = Path(__file__).resolve().parent
    sys.path[:] = [str(REPO)] + [p for p in sys.path if Path(p or ".").resolve() != _HERE]

from bench import soak  # noqa: E402

sc = soak.sc  # tests/robustness/seed_clients.py: the network namespace

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
SERVERS = [
    ("one process per connection", "11_http_process_per_connection.inko"),
    ("four acceptors", "12_http_four_acceptors.inko"),
]

# Issue 12's `wrk -c50`. One wrk thread: the machine has two cores and every
# server measured here runs on one of them (one Python thread); wrk spends
# under a fifth of a core on this load (mostly the kernel's connect and
# close), so a second wrk thread would buy no load, only compete with the
# server for the other core.
WRK_THREADS = 1
WRK_CONNECTIONS = 50
# Requests of the byte-for-byte check (and warm-up) before the timed bursts.
CHECK_REQUESTS = 300
PYTHON_CONCURRENCY = 16


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

    def cpu_seconds(self) -> float:
        """User + system time of the server so far (all its threads)."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

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


def generator_name(use_wrk: bool, concurrency: int = PYTHON_CONCURRENCY) -> str:
    if use_wrk:
        return f"wrk -t{WRK_THREADS} -c{WRK_CONNECTIONS}"
    return f"Python load generator, {concurrency} clients"


@dataclass
class Burst:
    responses: int
    seconds: float
    failures: int
    # wrk's read errors: the server's RST after its reply (not failures).
    resets: int
    # The server's CPU time during the burst.
    cpu: float

    @property
    def rate(self) -> float:
        return self.responses / self.seconds if self.seconds else 0.0

    @property
    def per_cpu_second(self) -> float:
        return self.responses / self.cpu if self.cpu else 0.0


def burst(server: Server, use_wrk: bool, seconds: float, requests: int, concurrency: int) -> Burst:
    """One timed burst of load on `server`."""
    cpu = server.cpu_seconds()
    if use_wrk:
        run = soak.run_wrk(seconds, WRK_THREADS, WRK_CONNECTIONS, port=server.port)
        failures = run.errors + (0 if run.responses else 1)
        done = Burst(run.responses, run.seconds, failures, run.read_errors, 0.0)
    else:
        good, elapsed = load(server.port, requests, concurrency)
        done = Burst(good, elapsed, requests - good, 0, 0.0)
    done.cpu = server.cpu_seconds() - cpu
    return done


def compare(
    name: str,
    argv: list,
    rounds: int,
    use_wrk: bool,
    seconds: float,
    requests: int,
    concurrency: int = PYTHON_CONCURRENCY,
) -> dict:
    """Rates of the Inko server `argv` (port 8080) and of the asyncio server,
    measured in alternating bursts so both see the same machine load.

    Returns a result in the form bench/run.py's `collect` rows take."""
    reference = Server(
        [sys.executable, str(Path(__file__).with_name("asyncio_server.py")), str(ASYNCIO_PORT)],
        port=ASYNCIO_PORT,
    )
    try:
        server = Server(argv)
    except BaseException:
        reference.stop()
        raise
    bursts: dict[str, list[Burst]] = {"inko": [], "asyncio": []}
    checked = {}
    per_burst = max(requests // rounds, 1)
    try:
        # The byte-for-byte check, which also warms both servers up.
        for key, port in (("inko", PORT), ("asyncio", ASYNCIO_PORT)):
            checked[key] = load(port, CHECK_REQUESTS, concurrency)[0]
        fds_before = server.fds()
        for _ in range(rounds):
            for key, side in (("inko", server), ("asyncio", reference)):
                bursts[key].append(burst(side, use_wrk, seconds, per_burst, concurrency))
        fds_after = server.fds()
        alive = server.proc.poll() is None
    finally:
        server.stop()
        reference.stop()
    inko_rates = [b.rate for b in bursts["inko"]]
    asyncio_rates = [b.rate for b in bursts["asyncio"]]
    failures = {key: sum(b.failures for b in runs) for key, runs in bursts.items()}
    read_errors = {key: sum(b.resets for b in runs) for key, runs in bursts.items()}
    ratios = [a / b if b else 0.0 for a, b in zip(inko_rates, asyncio_rates, strict=True)]
    ratio = statistics.median(ratios)
    # Requests per CPU second of each server: what the rate would be with a
    # core to itself, steadier than the rate when other work shares the
    # machine (shown, not judged).
    cpu_ratios = [
        a.per_cpu_second / b.per_cpu_second if b.per_cpu_second else 0.0
        for a, b in zip(bursts["inko"], bursts["asyncio"], strict=True)
    ]
    error = None
    if checked["inko"] != CHECK_REQUESTS or checked["asyncio"] != CHECK_REQUESTS:
        error = (
            f"wrong replies: inko-mini {CHECK_REQUESTS - checked['inko']}, "
            f"asyncio {CHECK_REQUESTS - checked['asyncio']} of {CHECK_REQUESTS}"
        )
    elif failures["inko"] or failures["asyncio"]:
        error = f"failed requests: inko-mini {failures['inko']}, asyncio {failures['asyncio']}"
    elif not alive:
        error = "the inko-mini server died"
    verdict = "ok" if ratio >= TARGETS[name] else f"below the {TARGETS[name]}x target"
    resets = (
        f"; read errors (RST after the reply) {read_errors['inko']} / {read_errors['asyncio']}"
        if use_wrk
        else ""
    )
    print(
        f"{name} ({generator_name(use_wrk, concurrency)}, {rounds} rounds):\n"
        f"  inko-mini {statistics.median(inko_rates):7.0f} req/s median "
        f"({checked['inko']}/{CHECK_REQUESTS} replies exact; "
        f"server fds {fds_before} -> {fds_after})\n"
        f"  asyncio   {statistics.median(asyncio_rates):7.0f} req/s median "
        f"({checked['asyncio']}/{CHECK_REQUESTS} replies exact)\n"
        f"  ratio {ratio:.2f}x median, {min(ratios):.2f}-{max(ratios):.2f} ({verdict}); "
        f"failed requests {failures['inko']} / {failures['asyncio']}{resets}\n"
        f"  requests per server CPU second: ratio {statistics.median(cpu_ratios):.2f}x median, "
        f"{min(cpu_ratios):.2f}-{max(cpu_ratios):.2f}" + (f"\n  ERROR: {error}" if error else ""),
        file=sys.stderr,
        flush=True,
    )
    return {
        "name": f"HTTP {name}",
        "target": TARGETS[name],
        "note": f"vs asyncio, {generator_name(use_wrk, concurrency)}",
        "unit": "req/s",
        "higher_is_better": True,
        "inko": inko_rates,
        "reference": asyncio_rates,
        "error": error,
    }


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="alternating bursts per server pair")
    parser.add_argument("--seconds", type=float, default=2.0, help="length of a wrk burst")
    parser.add_argument(
        "--requests",
        type=int,
        default=3000,
        help="requests per server over all rounds, with the Python load generator",
    )
    parser.add_argument("--concurrency", type=int, default=PYTHON_CONCURRENCY)
    parser.add_argument("--python-load", action="store_true", help="do not use wrk")
    parser.add_argument(
        "--hold", type=int, default=5000, help="connections held open at once (0: skip)"
    )
    parser.add_argument("--quick", action="store_true", help="one short round each: proves it runs")
    parser.add_argument("--json", action="store_true", help="print the rows for bench/run.py")
    parser.add_argument(
        "--shared-network", action="store_true", help="do not use a private network namespace"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds, args.seconds, args.requests, args.hold = 1, 1.0, 100, 0

    private = False
    if not args.shared_network:
        private = sc.private_network([__file__, *(sys.argv[1:] if argv is None else argv)])
    use_wrk = not args.python_load and shutil.which("wrk") is not None
    if not use_wrk and not args.python_load:
        print(soak.WRK_HINT, file=sys.stderr)
    limit = raise_descriptor_limit(max(2 * args.hold + 1000, 4096))
    print(
        f"descriptor limit {limit}; network: {'private namespace' if private else 'shared'}; "
        f"load: {generator_name(use_wrk, args.concurrency)}, "
        + (
            f"{args.rounds} rounds of {args.seconds:g} s bursts"
            if use_wrk
            else f"{args.requests} requests per server"
        ),
        file=sys.stderr,
        flush=True,
    )

    ok = True
    results = []
    with sc.own_port(private):
        for name, sample in SERVERS:
            result = compare(
                name,
                inko(SOCKETS / sample),
                args.rounds,
                use_wrk,
                args.seconds,
                args.requests,
                args.concurrency,
            )
            results.append(result)
            ok = ok and result["error"] is None

    if args.hold:
        server = Server(
            inko(REPO / "samples" / "net" / "http_server_reading_requests.inko", 0), port=None
        )
        try:
            start = time.perf_counter()
            served = asyncio.run(hold(server.port, args.hold))
            seconds = time.perf_counter() - start
        finally:
            server.stop()
        print(
            f"held {args.hold} connections open at once: {served} served in {seconds:.1f}s",
            file=sys.stderr,
            flush=True,
        )
        ok = ok and served == args.hold
    if args.json:
        print(json.dumps(results))
    return 0 if ok else 1


def collect(rounds: int, quick: bool) -> list[dict]:
    """The rows of bench/run.py: this file run as a command (so that it can
    have a network namespace of its own), without the hold check."""
    command = [sys.executable, __file__, "--json", "--hold", "0", "--rounds", str(rounds)]
    if quick:
        command.append("--quick")
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, timeout=1800)
    try:
        return json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        raise RuntimeError(f"{' '.join(command)} exited with {done.returncode}") from None


if __name__ == "__main__":
    sys.exit(main())
