"""Run the process benchmarks (bench/process/) and their asyncio and gevent
twins in one go, and print time ratios and memory per waiting process.

    python bench/run_process_bench.py [--scale 0.1]

`run_benchmarks()` returns rows of
(name, inko_seconds, asyncio_seconds, gevent_seconds, extra) for a shared
bench runner. Each program times its own work (interpreter start-up and
library loading are left out) and prints the seconds as its last line;
memory is the peak resident size of the OS process, from wait4(). The
last lines judge issue 12's targets: each program at most 0.6x its asyncio
twin, at most 8 KiB of resident memory per waiting process.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent / "process"
ROOT = HERE.parent.parent

# name -> (Inko file, the `let` constant holding its size, default size)
BENCHMARKS = {
    "ping_pong": ("ping_pong.inko", "rounds", 100_000),
    "ring": ("ring.inko", "size", 10_000),
    "spawn_wait": ("spawn_wait.inko", "count", 100_000),
}
# Issue 12's targets: each program at most this fraction of its asyncio
# twin's time, and at most this much resident memory per waiting process.
ASYNCIO_TARGET = 0.6
MEMORY_TARGET_KIB = 8.0
MEMORY_TEXT = "resident memory per waiting process: inko {inko:.1f} KiB, asyncio {asyncio:.1f} KiB"
MEMORY_PATTERN = re.compile(
    r"resident memory per waiting process: inko (-?[0-9.]+) KiB, asyncio (-?[0-9.]+) KiB"
)
LABELS = {
    "ping_pong": "ping-pong, {n:,} round trips",
    "ring": "ring of {n:,} processes, token 10 times",
    "spawn_wait": "{n:,} processes waiting in receive",
}


def _measure(argv, cwd=None, env=None) -> tuple:
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # Read everything first (so the child never blocks on a full pipe), then
    # reap it with wait4 to get its own peak resident size.
    out = proc.stdout.read()
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{argv} failed ({proc.returncode}):\n{err.decode()[-2000:]}")
    lines = out.decode().strip().splitlines()
    return float(lines[-1]), usage.ru_maxrss


def _inko_file(name: str, n: int) -> Path:
    file, const, _ = BENCHMARKS[name]
    source = (HERE / file).read_text()
    source = re.sub(rf"^let {const} = [0-9_]+$", f"let {const} = {n}", source, count=1, flags=re.M)
    tmp = Path(tempfile.mkdtemp(prefix="inko-bench-")) / file
    tmp.write_text(source)
    return tmp


def _best(runs: list) -> tuple:
    # The fastest run is the one least disturbed by other load on the machine.
    return min(r[0] for r in runs), min(r[1] for r in runs)


def run_inko(name: str, n: int, repeat: int = 1) -> tuple:
    path = _inko_file(name, n)
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    argv = [sys.executable, "-m", "inko_mini", "run", str(path)]
    return _best([_measure(argv, env=env) for _ in range(repeat)])


def run_twin(kind: str, name: str, n: int, repeat: int = 1) -> tuple:
    argv = [sys.executable, str(HERE / f"twins_{kind}.py"), name, str(n)]
    return _best([_measure(argv) for _ in range(repeat)])


def _have_gevent() -> bool:
    try:
        import gevent  # noqa: F401
    except ImportError:
        return False
    return True


def run_benchmarks(scale: float = 1.0, repeat: int = 3) -> list:
    rows = []
    gevent_ok = _have_gevent()
    for name, (_, _, default) in BENCHMARKS.items():
        n = max(int(default * scale), 10)
        # Interleave the runs so that a burst of load hits all sides alike.
        inko, twin, ref = [], [], []
        for _ in range(repeat):
            inko.append(run_inko(name, n))
            twin.append(run_twin("asyncio", name, n))
            if gevent_ok:
                ref.append(run_twin("gevent", name, n))
        inko_s, inko_rss = _best(inko)
        asyncio_s, asyncio_rss = _best(twin)
        gevent_s, gevent_rss = _best(ref) if gevent_ok else (None, None)
        extra = f"inko/asyncio {inko_s / asyncio_s:.2f}x"
        if name == "spawn_wait":
            # Per waiting process: peak RSS of the run minus that of a run
            # with a single process, divided by the number of processes.
            base_inko = run_inko(name, 1)[1]
            base_async = run_twin("asyncio", name, 1)[1]
            per_inko = (inko_rss - base_inko) / n
            per_async = (asyncio_rss - base_async) / n
            extra += "; " + MEMORY_TEXT.format(inko=per_inko, asyncio=per_async)
            if gevent_ok:
                base_gevent = run_twin("gevent", name, 1)[1]
                extra += f", gevent {(gevent_rss - base_gevent) / n:.1f} KiB"
        rows.append((LABELS[name].format(n=n), inko_s, asyncio_s, gevent_s, extra))
    return rows


def memory_per_process(extra: str) -> tuple[float, float] | None:
    """(inko KiB, asyncio KiB) per waiting process from a row's extra text,
    or None for the rows that do not measure memory."""
    found = MEMORY_PATTERN.search(extra)
    return (float(found[1]), float(found[2])) if found else None


def verdicts(rows: list) -> list[str]:
    """One line per target of issue 12: met or missed."""
    lines = []
    for name, inko_s, asyncio_s, _, extra in rows:
        ratio = inko_s / asyncio_s
        met = "met" if ratio <= ASYNCIO_TARGET else "MISSED"
        lines.append(f"{name}: {ratio:.2f}x asyncio, target <= {ASYNCIO_TARGET:g}x: {met}")
        memory = memory_per_process(extra)
        if memory is not None:
            met = "met" if memory[0] <= MEMORY_TARGET_KIB else "MISSED"
            lines.append(
                f"{name}: {memory[0]:.1f} KiB per waiting process, "
                f"target <= {MEMORY_TARGET_KIB:g} KiB: {met}"
            )
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale", type=float, default=1.0, help="multiply every benchmark's size (default 1.0)"
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each program; the fastest counts (default 3)"
    )
    args = parser.parse_args(argv)
    rows = run_benchmarks(args.scale, args.repeat)
    print(f"{'benchmark':44} {'inko s':>8} {'asyncio s':>10} {'gevent s':>9}  ratio and memory")
    for name, inko_s, asyncio_s, gevent_s, extra in rows:
        gevent_text = f"{gevent_s:9.3f}" if gevent_s is not None else f"{'-':>9}"
        print(f"{name:44} {inko_s:8.3f} {asyncio_s:10.3f} {gevent_text}  {extra}")
    print("\n".join(verdicts(rows)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
