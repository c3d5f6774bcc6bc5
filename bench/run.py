"""The benchmark command: inko-mini against CPython (and, for processes and
HTTP, against asyncio and gevent), each pair run alternately in rounds.

    python3 bench/run.py [--rounds N] [--only NAME...] [--quick] [--markdown]

Each round times inko-mini's hello world and `python -c pass` first, then
every selected CPU program and its Python twin, one after the other, and
subtracts each side's start-up of that round. The table gives the median of
the per-round ratios (inko-mini / reference) with their min-max. Missing a
target is reported, not an error: the exit status is 1 only when a program
failed or the two sides printed different results.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
from dataclasses import dataclass
from pathlib import Path

# Import siblings as `bench.*` from the repository root instead of putting
# bench/ itself on sys.path, where bench/http would shadow the standard
# library's `http` package.
_BENCH_DIR = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _BENCH_DIR]
sys.path.insert(0, str(_BENCH_DIR.parent))

from bench import _baseline, _external  # noqa: E402
from bench import _harness as h  # noqa: E402


@dataclass(frozen=True)
class CpuBenchmark:
    """NAME.inko and its twin NAME.py, both given the size as argument 1."""

    name: str
    size: int
    quick_size: int
    target: float
    directory: Path = h.BENCH_DIR / "cpu"

    @property
    def inko_file(self) -> Path:
        return self.directory / f"{self.name}.inko"

    @property
    def python_file(self) -> Path:
        return self.directory / f"{self.name}.py"


# Targets of issue 12: medians of ratios, start-up excluded. The issue sets
# no number for wordcount and sim; they are held to 3x like loop and array.
CPU_BENCHMARKS = [
    CpuBenchmark("fib", 27, 15, 3.5),
    CpuBenchmark("loop", 1_000_000, 10_000, 3),
    CpuBenchmark("strbuf", 100_000, 2_000, 3),
    CpuBenchmark("array", 200_000, 2_000, 3),
    CpuBenchmark("wordcount", 300_000, 2_000, 3),
    CpuBenchmark("sim", 8_000, 100, 3),
]
HELLO = h.BENCH_DIR / "startup" / "hello.inko"
HELLO_OUTPUT = "Hello, world!\n"
HELLO_TARGET = 1.5
STARTUP_SAMPLES = 3
STARTUP_NAMES = ["hello"]
ALL_NAMES = STARTUP_NAMES + [b.name for b in CPU_BENCHMARKS] + _external.NAMES


def progress(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def console_script() -> str | None:
    """The `inko-mini` script installed for this Python, if any (not a shim
    on PATH, whose own start-up would be measured instead)."""
    candidate = Path(sys.executable).parent / "inko-mini"
    return str(candidate) if candidate.is_file() and os.access(candidate, os.X_OK) else None


def measure_startup(timeout: float, samples: int) -> tuple[float, float]:
    """Start-up of each side: the fastest of a few alternating samples. One
    sample of `python -c pass` is as short as the noise of a busy machine,
    and that noise only ever adds time; an inflated start-up subtracted
    from a short twin would leave next to nothing and a wild ratio."""
    inko, python = [], []
    for _ in range(samples):
        run = h.checked_run(h.INKO_RUN + [str(HELLO)], timeout)
        if run.stdout != HELLO_OUTPUT:
            raise h.BenchmarkError(
                f"hello world printed {run.stdout!r}, expected {HELLO_OUTPUT!r}\n{run.describe()}"
            )
        inko.append(run.seconds)
        python.append(h.checked_run([h.PYTHON, "-c", "pass"], timeout).seconds)
    return min(inko), min(python)


@dataclass
class StartupAndCpuRows:
    """The hello world and CPU rows, filled in round by round."""

    hello: h.Row
    script: h.Row | None
    cpu: dict[str, h.Row]

    def shown(self, want_hello: bool) -> list[h.Row]:
        rows = [self.hello] + ([self.script] if self.script else []) if want_hello else []
        return rows + list(self.cpu.values())


def startup_and_cpu_rows(
    selected: list[CpuBenchmark], quick: bool, script: str | None
) -> StartupAndCpuRows:
    script_row = (
        h.Row("hello", None, note="inko-mini script / python -c pass", judged=not quick)
        if script
        else None
    )
    return StartupAndCpuRows(
        h.Row("hello", HELLO_TARGET, note="inko-mini run / python -c pass", judged=not quick),
        script_row,
        {
            b.name: h.Row(
                b.name, b.target, note=f"n={b.quick_size if quick else b.size}", judged=not quick
            )
            for b in selected
        },
    )


def run_pair(bench: CpuBenchmark, size: str, timeout: float):
    """The Inko program, then its twin; both must succeed and agree."""
    inko = h.checked_run(h.INKO_RUN + [str(bench.inko_file), size], timeout)
    python = h.checked_run([h.PYTHON, str(bench.python_file), size], timeout)
    if inko.stdout != python.stdout:
        raise h.BenchmarkError(
            f"{bench.name}: inko-mini and Python printed different results\n"
            f"inko-mini: {inko.stdout!r}\npython:    {python.stdout!r}\n"
            f"{inko.describe()}"
        )
    return inko, python


def measure_round(
    rows: StartupAndCpuRows,
    selected: list[CpuBenchmark],
    want_hello: bool,
    counted: bool,
    quick: bool,
    timeout: float,
    script: str | None,
) -> None:
    """One round: its start-up, then each program next to its twin, so that
    every ratio pairs runs made moments apart."""
    try:
        samples = 1 if quick else STARTUP_SAMPLES
        inko_start, python_start = measure_startup(timeout, samples)
        if counted:
            rows.hello.add(inko_start, python_start)
        if script and rows.script is not None and counted and want_hello:
            scripted = h.checked_run([script, "run", str(HELLO)], timeout)
            rows.script.add(scripted.seconds, python_start)
    except h.BenchmarkError as exc:
        # Without start-up times nothing can be netted out. The whole story
        # goes on the first row shown, a pointer on the others; the hello
        # row's error stops later rounds even when it is not shown.
        for index, row in enumerate(rows.shown(want_hello)):
            row.error = (
                f"start-up run failed: {exc}"
                if index == 0
                else "not measured: the start-up run failed (see above)"
            )
        rows.hello.error = rows.hello.error or f"start-up run failed: {exc}"
        return
    for bench in selected:
        row = rows.cpu[bench.name]
        if row.error is not None:
            continue
        try:
            inko, python = run_pair(bench, str(bench.quick_size if quick else bench.size), timeout)
        except h.BenchmarkError as exc:
            row.error = str(exc)
            continue
        if counted:
            row.add(h.net(inko.seconds, inko_start), h.net(python.seconds, python_start))


def measure_startup_and_cpu(
    selected: list[CpuBenchmark],
    want_hello: bool,
    rounds: int,
    quick: bool,
    timeout: float,
) -> list[h.Row]:
    """Rows for the hello world and the selected CPU programs."""
    script = console_script()
    rows = startup_and_cpu_rows(selected, quick, script)

    # Round 0 is a warm-up: it fills the byte-code and parser caches that
    # every later run of the command line finds. --quick measures nothing
    # worth warming up for.
    for number in range(1 if quick else 0, rounds + 1):
        counted = number > 0
        progress(f"round {number}/{rounds}" + ("" if counted else " (warm-up)"))
        if rows.hello.error is None:
            measure_round(rows, selected, want_hello, counted, quick, timeout, script)
    return rows.shown(want_hello)


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python3 bench/run.py",
        description="Measure inko-mini against CPython, asyncio and gevent.",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=None,
        metavar="N",
        help="measured rounds (default 5, or 3 with --quick)",
    )
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="NAME",
        choices=ALL_NAMES,
        help=f"run only these: {', '.join(ALL_NAMES)}",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="tiny inputs: checks that everything runs, measures little",
    )
    parser.add_argument(
        "--markdown", action="store_true", help="print the table as Markdown (for the README)"
    )
    parser.add_argument(
        "--clock",
        choices=["wall", "cpu"],
        default="wall",
        help="wall-clock time (default) or CPU time of the child "
        "(steadier when other work shares the machine)",
    )
    parser.add_argument(
        "--save", metavar="FILE", help="write the median ratios to FILE (e.g. bench/baseline.json)"
    )
    parser.add_argument(
        "--baseline",
        metavar="FILE",
        help='judge rows without a target ("no regression") against FILE '
        "(default: bench/baseline.json when present, not with --quick)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help="limit for one program run (default 600, or 60 with --quick)",
    )
    args = parser.parse_args(argv)
    if args.rounds is None:
        args.rounds = 3 if args.quick else 5
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    if args.timeout is None:
        args.timeout = 60.0 if args.quick else 600.0
    return args


def describe_machine(args: argparse.Namespace) -> str:
    command = "python3 bench/run.py" + "".join(
        f" {flag}" for flag in (["--quick"] if args.quick else [])
    )
    if args.only:
        command += " --only " + " ".join(args.only)
    command += f" --rounds {args.rounds}" + (" --clock cpu" if args.clock == "cpu" else "")
    return (
        f"{command}\nPython {platform.python_version()} ({sys.executable}), "
        f"{os.cpu_count()} CPUs, {platform.system()} {platform.release()}"
    )


def summary(rows: list[h.Row]) -> tuple[list[str], bool]:
    lines, failed = [], False
    lines += [f"note: {row.detail}" for row in rows if row.detail]
    for row in rows:
        label = row.name + (f" [{row.note}]" if row.note else "")
        if row.error is not None:
            failed = True
            lines.append(f"FAILED {label}:\n  " + row.error.replace("\n", "\n  "))
        elif row.skipped is not None:
            lines.append(f"not available: {label}: {row.skipped}")
        elif row.met is False:
            sign = "<" if row.higher_is_better else ">"
            if row.absolute:
                # The target bounds inko-mini's own figure (KiB per process).
                value = f"{h.median(row.inko):.1f} {row.unit}"
                bound = f"{row.target:g} {row.unit}"
            else:
                value, bound = f"{h.median(row.ratios):.2f}x", f"{row.target:g}x"
            lines.append(f"missed target: {label}: {value} {sign} {bound}")
    if not any(line.startswith(("missed", "FAILED")) for line in lines):
        lines.append("all measured targets met")
    return lines, failed


def main(argv: list[str] | None = None) -> int:
    args = parse_arguments(argv)
    h.CLOCK = args.clock
    names = args.only or ALL_NAMES
    selected = [b for b in CPU_BENCHMARKS if b.name in names]
    rows: list[h.Row] = []
    if selected or "hello" in names:
        rows += measure_startup_and_cpu(
            selected, "hello" in names, args.rounds, args.quick, args.timeout
        )
    rows += _external.measure(
        [n for n in names if n in _external.NAMES], args.rounds, args.quick, progress
    )

    notes = []
    baseline = args.baseline or (None if args.quick else _baseline.DEFAULT)
    if baseline is not None and Path(baseline).is_file():
        problem = _baseline.apply(rows, Path(baseline))
        if problem or any(row.target_suffix for row in rows):
            notes.append(
                problem
                or f"no-regression limits from {baseline} (its ratio x {_baseline.TOLERANCE:g})"
            )
    if args.save:
        _baseline.save(rows, Path(args.save), describe_machine(args).splitlines()[0])
        notes.append(f"saved the median ratios to {args.save}")

    print(describe_machine(args))
    print()
    print(h.render_markdown(rows) if args.markdown else h.render_text(rows))
    print()
    lines, failed = summary(rows)
    print("\n".join(notes + lines))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
