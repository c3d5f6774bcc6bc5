"""Timing helpers shared by the benchmark command (bench/run.py).

A benchmark here is a whole program run as a subprocess, because what users
feel is `inko-mini run FILE` from start to finish; start-up is measured in the
same round and subtracted where a benchmark asks for it.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent

# The same interpreter runs inko-mini and the Python twins, so neither side
# pays for a launcher (a pyenv shim alone costs more than `python -c pass`).
PYTHON = sys.executable
INKO_RUN = [PYTHON, "-m", "inko_mini", "run"]

# "wall" (what a user waits) or "cpu" (user + system time: much less
# disturbed by other work on a busy machine). Set by bench/run.py --clock.
CLOCK = "wall"

# Guards against the noise of subtracting two similar start-up times: a net
# time is never taken below this.
MIN_NET_SECONDS = 0.001


class BenchmarkError(Exception):
    """A benchmark could not be measured: a program failed or the two sides
    disagree. The message says which and shows what each side printed."""


@dataclass
class Run:
    argv: list[str]
    wall: float
    cpu: float  # user + system time of the child and its reaped children
    status: int
    stdout: str
    stderr: str

    @property
    def seconds(self) -> float:
        return self.cpu if CLOCK == "cpu" else self.wall

    def describe(self) -> str:
        def clip(text: str) -> str:
            text = text.rstrip()
            return text if len(text) <= 2000 else text[:2000] + "\n[...]"

        return (
            f"$ {' '.join(self.argv)}\nexit status {self.status}\n"
            f"--- stdout ---\n{clip(self.stdout)}\n--- stderr ---\n{clip(self.stderr)}"
        )


def timed_run(argv: list[str], timeout: float) -> Run:
    """Runs argv to completion and returns its wall-clock time and output."""
    env = dict(os.environ)
    # The repository's own package must be the one measured, wherever the
    # command is started from.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    try:
        done = subprocess.run(
            argv,
            cwd=REPO,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as exc:
        raise BenchmarkError(f"timed out after {timeout:g} s: {' '.join(argv)}") from exc
    except OSError as exc:
        raise BenchmarkError(f"could not start {argv[0]}: {exc.strerror}") from exc
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Run(argv, wall, cpu, done.returncode, done.stdout, done.stderr)


def checked_run(argv: list[str], timeout: float) -> Run:
    """timed_run that insists on exit status 0."""
    run = timed_run(argv, timeout)
    if run.status != 0:
        raise BenchmarkError(f"program failed\n{run.describe()}")
    return run


def net(seconds: float, startup: float) -> float:
    return max(seconds - startup, MIN_NET_SECONDS)


@dataclass
class Row:
    """One line of the table: inko-mini against a reference implementation.

    `inko` and `other` are seconds per round (net of start-up when the row
    says so); the ratio of each round is computed from the same round's pair,
    so slow drifts of the machine cancel out.
    """

    name: str
    target: float | None = None
    note: str = ""
    inko: list[float] = field(default_factory=list)
    other: list[float] = field(default_factory=list)
    ratios: list[float] = field(default_factory=list)
    error: str | None = None
    skipped: str | None = None
    unit: str = "s"
    # Throughput rows (req/s): the ratio is inko-mini / reference rate and
    # the target a minimum; for time rows it is a time ratio and a maximum.
    higher_is_better: bool = False
    # False for --quick runs: tiny inputs make ratios meaningless.
    judged: bool = True
    # Shown in the target column when there is no numeric target.
    target_text: str = "-"
    target_suffix: str = ""
    # Printed under the table (memory figures and the like).
    detail: str = ""
    # True when the target bounds inko-mini's own median (e.g. KiB per
    # process) rather than the ratio to the reference.
    absolute: bool = False

    def add(self, inko: float, other: float) -> None:
        self.inko.append(inko)
        self.other.append(other)
        self.ratios.append(inko / other if other > 0 else float("inf"))

    @property
    def measured(self) -> bool:
        return bool(self.ratios) and self.error is None and self.skipped is None

    @property
    def met(self) -> bool | None:
        if not self.measured or self.target is None or not self.judged:
            return None
        value = statistics.median(self.inko if self.absolute else self.ratios)
        return value >= self.target if self.higher_is_better else value <= self.target


def median(values: list[float]) -> float:
    return statistics.median(values)


def _seconds(values: list[float], unit: str) -> str:
    if not values:
        return "-"
    if unit == "s":
        return f"{median(values):.3f}"
    # Request rates need no decimals; KiB per process does.
    return f"{median(values):.{0 if median(values) >= 100 else 1}f} {unit}"


def _ratio(row: Row) -> str:
    if not row.ratios:
        return "-"
    return f"{median(row.ratios):.2f}x ({min(row.ratios):.2f}\u2013{max(row.ratios):.2f})"


def _status(row: Row) -> str:
    if row.skipped is not None:
        return "not available"
    if row.error is not None:
        return "FAILED"
    if row.target is not None and not row.judged:
        return "(quick)"
    met = row.met
    if met is None:
        return "-"
    return "yes" if met else "NO"


HEADER = [
    "benchmark",
    "inko-mini median s",
    "python median s",
    "ratio median (min\u2013max)",
    "target",
    "met?",
]


def table_cells(rows: list[Row]) -> list[list[str]]:
    cells = []
    for row in rows:
        if row.target is None:
            target = row.target_text
        else:
            unit = f" {row.unit}" if row.absolute else "x"
            sign = ">=" if row.higher_is_better else "<="
            target = f"{sign} {row.target:.3g}{unit}" + row.target_suffix
        name = row.name + (f" [{row.note}]" if row.note else "")
        cells.append(
            [
                name,
                _seconds(row.inko, row.unit),
                _seconds(row.other, row.unit),
                _ratio(row),
                target,
                _status(row),
            ]
        )
    return cells


def render_text(rows: list[Row]) -> str:
    cells = [HEADER] + table_cells(rows)
    widths = [max(len(line[i]) for line in cells) for i in range(len(HEADER))]

    def line(values):
        return " | ".join(v.ljust(w) for v, w in zip(values, widths, strict=False)).rstrip()

    out = [line(HEADER), "-+-".join("-" * w for w in widths)]
    out += [line(values) for values in cells[1:]]
    return "\n".join(out)


def render_markdown(rows: list[Row]) -> str:
    def line(values):
        return "| " + " | ".join(v.replace("|", "\\|") for v in values) + " |"

    out = [line(HEADER), "|" + "|".join("---" for _ in HEADER) + "|"]
    out += [line(values) for values in table_cells(rows)]
    return "\n".join(out)
