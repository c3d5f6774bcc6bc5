"""The long soak: the Sockets page's HTTP servers and process churn, at full size.

    python3 bench/soak.py                 # everything at the issue's sizes (many minutes)
    python3 bench/soak.py --quick         # small sizes: proves it all runs
    python3 bench/soak.py --requests 200000 --spawn-exit 100000 ...

For each of the page's two servers (run unmodified through
`python -m inko_mini run`): port probes, clients that send and vanish, half
requests, random bytes, RSTs with the reply unread, slow readers, 5,000
connections held open at once, then 1,000,000 requests (with `wrk` when it is
installed, else the Python load generator) in ten slices. After every phase
the server must still answer, its descriptor count must be back where it
started and its resident memory within 10 % of what it was after warm-up.
Then 1,000,000 spawn+exit and 100,000 spawn+terminate cycles, with the
memory after each tenth.

Prints one table (Markdown); exit status 1 if any row failed.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "robustness"))

import process_cycles  # noqa: E402
import seed_clients as sc  # noqa: E402

WRK_HINT = (
    "wrk is not installed: using the Python load generator (Debian/Ubuntu: apt-get install wrk)"
)


@dataclass
class WrkRun:
    """What one wrk run reports."""

    responses: int = 0
    # Connect, write and timeout errors, non-2xx replies, and 1 when wrk
    # printed no summary at all: real failures.
    errors: int = 0
    # The server's RST after its reply: the page's servers close without
    # reading the request, and wrk counts that although the response was
    # complete (informational only).
    read_errors: int = 0
    # wrk's own measured duration ("N requests in 2.00s"), without its
    # start-up; 0 when it printed none.
    seconds: float = 0.0
    # Wall-clock time of the whole command.
    elapsed: float = 0.0


def run_wrk(seconds: float, threads: int = 2, connections: int = 50, port: int = sc.PORT) -> WrkRun:
    """One wrk run of `seconds` against http://127.0.0.1:`port`/."""
    start = time.monotonic()
    out = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            "10s",
            f"http://{sc.HOST}:{port}/",
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 120,
    ).stdout
    run = WrkRun(elapsed=time.monotonic() - start)
    done = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)\b", out)
    if done:
        run.responses = int(done.group(1))
        scale = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[done.group(3)]
        run.seconds = float(done.group(2)) * scale
    else:
        run.errors = 1
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    if socket_errors:
        connect, read, write, timeout = map(int, socket_errors.groups())
        run.errors += connect + write + timeout
        run.read_errors = read
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non_2xx:
        run.errors += int(non_2xx.group(1))
    return run


def wrk_load(seconds: float, threads: int = 2, connections: int = 50) -> tuple[int, int, float]:
    """(responses, errors, seconds) of one wrk run of `seconds` (wrk is
    duration-based: the slices below size their duration from the rate)."""
    run = run_wrk(seconds, threads, connections)
    return run.responses, run.errors, run.elapsed


def server_rows(name: str, program: Path, args, log_dir: Path, use_wrk: bool) -> list[list[str]]:
    rows = []
    server = sc.SeedServer(program, log_dir)
    try:
        server.wait_listening()
        sc.warm_up(server, 1000)
        start_fds, start_rss = server.fds(), server.rss_kib()

        def add(phase: sc.Phase, extra: str = "") -> None:
            # Memory is judged against the size after warm-up, so that ten
            # slices each within 10 % cannot add up to 2.5 times as much.
            problems = phase.problems()
            if phase.rss_after_kib > start_rss * 1.10:
                problems.append(f"RSS {phase.rss_after_kib / start_rss - 1:.1%} above warm-up")
            rows.append(
                [
                    name,
                    phase.name,
                    phase.amount,
                    f"{phase.seconds:.1f}",
                    f"{phase.fds_before} → {phase.fds_after}",
                    f"{phase.rss_before_kib / 1024:.1f} → {phase.rss_after_kib / 1024:.1f}",
                    extra,
                    "; ".join(problems) or "ok",
                ]
            )

        def errors(behaviour, count: int):
            def body() -> list[str]:
                failed = sc.repeat(behaviour, count)
                return [f"{failed} clients could not connect"] if failed else []

            return body

        def slow() -> list[str]:
            replies: list[bytes] = []
            sc.repeat(lambda: replies.append(sc.slow_reader()), args.slow, concurrency=50)
            wrong = sum(r != sc.REPLY for r in replies) + args.slow - len(replies)
            return [f"{wrong} wrong replies"] if wrong else []

        def hold() -> list[str]:
            complete, failed = sc.hold_open(args.held)
            if complete != args.held:
                return [f"{args.held - complete} without a reply ({failed} failed to connect)"]
            return []

        plan = [
            ("port probes", args.probes, errors(sc.port_probe, args.probes)),
            (
                "send, vanish before the reply",
                args.probes,
                errors(sc.connect_and_vanish, args.probes),
            ),
            ("half requests", args.probes, errors(sc.half_request, args.probes)),
            ("random bytes", args.probes // 5, errors(sc.garbage, args.probes // 5)),
            ("RST, reply unread", args.probes, errors(sc.rst_with_unread_data, args.probes)),
            ("slow readers", args.slow, slow),
            ("held open at once", args.held, hold),
        ]
        for phase_name, amount, body in plan:
            add(sc.run_phase(server, phase_name, f"{amount:,}", body))
            if not server.alive():
                return rows

        slices = 10
        per_slice = max(1, args.requests // slices)
        generator = "wrk -t2 -c50" if use_wrk else "Python, 16 clients"
        rate = 0.0
        total = 0
        # wrk runs for a duration: when the ten slices fall short of the
        # requests asked for, a few more top them up.
        for i in range(slices + 5):
            if i >= slices and total >= args.requests:
                break
            outcome: dict[str, float] = {}

            def load_slice(i=i, rate=rate, total=total, outcome=outcome) -> list[str]:
                if use_wrk:
                    # Calibrate on the first slice, then size each slice's
                    # duration to what is left of the requests.
                    want = args.requests - total
                    left = max(1, slices - i)
                    seconds = 5.0 if not rate else max(1.0, want / left / rate)
                    done, failed, seconds = wrk_load(seconds)
                else:
                    result = sc.load(per_slice, concurrency=16)
                    done, failed, seconds = result.ok + result.bad, result.bad, result.seconds
                outcome.update(done=done, rate=done / seconds if seconds else 0)
                return [f"{failed} failed requests"] if failed else []

            phase = sc.run_phase(server, f"load {i + 1} ({generator})", "", load_slice)
            rate = outcome.get("rate", 0) or rate
            total += int(outcome.get("done", 0))
            phase.amount = f"{int(outcome.get('done', 0)):,}"
            add(phase, f"{outcome.get('rate', 0):,.0f} req/s")
            if not server.alive():
                return rows
        rows.append(
            [name, "all load slices", f"{total:,}", "", "", "", "", "ok" if total else "none"]
        )
        rows.append(
            [
                name,
                "whole run",
                "",
                "",
                f"{start_fds} → {server.fds()}",
                f"{start_rss / 1024:.1f} → {server.rss_kib() / 1024:.1f}",
                f"server CPU {server.cpu_seconds():.0f} s",
                "ok" if server.stderr() == "" else "stderr: " + server.stderr()[-300:],
            ]
        )
    finally:
        server.stop()
    return rows


def process_rows(args) -> list[list[str]]:
    rows = []
    for mode, total in (("exit", args.spawn_exit), ("terminate", args.spawn_terminate)):
        rounds = 10
        per_round = max(1, total // rounds)
        start = time.monotonic()
        samples = process_cycles.cycle(mode, rounds, per_round)
        seconds = time.monotonic() - start
        # Round 1 sets up what stays; later rounds must stay within 10 %.
        growth = max(samples[1:]) / samples[1] - 1 if rounds > 1 else 0.0
        rows.append(
            [
                "processes",
                f"spawn+{mode}",
                f"{per_round * rounds:,}",
                f"{seconds:.1f}",
                "",
                " → ".join(f"{s / 1024:.0f}" for s in (samples[0], samples[1], samples[-1])),
                f"{per_round * rounds / seconds:,.0f} cycles/s",
                "ok" if growth <= 0.10 else f"RSS grew {growth:.1%} after round 1",
            ]
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--held", type=int, default=5_000)
    parser.add_argument("--probes", type=int, default=10_000, help="clients per fault phase")
    parser.add_argument("--slow", type=int, default=200)
    parser.add_argument("--spawn-exit", type=int, default=1_000_000)
    parser.add_argument("--spawn-terminate", type=int, default=100_000)
    parser.add_argument("--python-load", action="store_true", help="do not use wrk")
    parser.add_argument("--only", choices=["servers", "processes"])
    parser.add_argument(
        "--shared-network", action="store_true", help="do not use a private network namespace"
    )
    parser.add_argument("--quick", action="store_true", help="small sizes")
    args = parser.parse_args(argv)
    if args.quick:
        args.requests, args.held, args.probes, args.slow = 20_000, 1_000, 500, 20
        args.spawn_exit, args.spawn_terminate = 20_000, 10_000

    # The page's servers fix port 8080 with SO_REUSEPORT: in a network
    # namespace of our own, nothing else on the machine can share it.
    private = (
        False if args.shared_network else sc.private_network([__file__, *(argv or sys.argv[1:])])
    )
    use_wrk = not args.python_load and shutil.which("wrk") is not None
    if not use_wrk and not args.python_load:
        print(WRK_HINT, file=sys.stderr)
    rows: list[list[str]] = []
    if args.only != "processes":
        with sc.own_port(private), tempfile.TemporaryDirectory() as logs:
            for name, program in sc.SEEDS.items():
                rows += server_rows(name, program, args, Path(logs), use_wrk)
                print(f"[soak] {name} done", file=sys.stderr, flush=True)
    if args.only != "servers":
        rows += process_rows(args)
    header = ["server", "phase", "amount", "s", "fds", "RSS MiB", "rate", "result"]
    print(
        f"network: {'private namespace' if private else 'shared'}; load: {'wrk' if use_wrk else 'Python'}"
    )
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(row) + " |")
    return 0 if all(row[-1] == "ok" for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
