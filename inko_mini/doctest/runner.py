"""`inko-mini test PATH...`: run the ```inko blocks of pages, one line per block.

Output: `PAGE:LINE: PASS|FAIL|SKIP[: reason]` per block in page order, then
a section per failure (the reason, a unified diff, the interpreter's
stderr with positions moved to the page), then `N passed, M failed[, K
skipped]`. Exit status: 0 when nothing failed, 1 when something did, 5 when
no block was selected (as pytest), 2 for a malformed -k, 130 on Ctrl-C.

With `-j N` blocks run N at a time; blocks that bind ports or socket paths
(servers, anything using std::net) still run one at a time, in page order,
beside the others.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import NoReturn, TextIO

from inko_mini.doctest.collect import Check, plan
from inko_mini.doctest.execute import (
    FAIL,
    PASS,
    SKIP,
    Outcome,
    Settings,
    allow_runs,
    run_block,
    stop_all_running,
)
from inko_mini.doctest.report import (
    Painter,
    failure_section,
    output_section,
    result_line,
    summary,
    use_colour,
    write_junit,
)
from inko_mini.doctest.select import ExpressionError, compile_expression

EXIT_NO_TESTS = 5


def run_check(check: Check, workdir: Path, settings: Settings) -> Outcome:
    """The outcome of one check; a page problem fails without running anything."""
    if check.problem is not None:
        return Outcome(FAIL, check.problem)
    blockdir = workdir / (
        f"{abs(hash(check.path)) % 10**8}_L{check.line}" if check.path else f"L{check.line}"
    )
    blockdir.mkdir(parents=True, exist_ok=True)
    assert check.block is not None  # plan() gives a block to every check without a problem
    return run_block(check.block, blockdir, settings, check.expectation, check.program)


def format_line(check: Check, outcome: Outcome) -> str:
    return result_line(check, outcome, Painter(False))


@dataclass
class Options:
    timeout: float = 10.0
    keyword: str | None = None
    include: list[str] = field(default_factory=list)
    interpreter: list[str] | None = None
    quiet: bool = False
    verbose: bool = False
    color: str = "auto"
    exitfirst: bool = False
    jobs: int = 1
    junitxml: str | None = None


def jobs_from(text: str) -> int:
    """`-j N` or `-j auto` (the number of CPUs this process may use)."""
    if text == "auto":
        try:
            return max(len(os.sched_getaffinity(0)), 1)
        except AttributeError:  # pragma: no cover - not Linux
            return os.cpu_count() or 1
    number = int(text)
    if number < 1:
        raise ValueError(text)
    return number


class _Scheduler:
    """Runs checks N at a time; exclusive ones go through one thread, in page order."""

    def __init__(self, jobs: int, workdir: Path, settings: Settings):
        self.parallel = jobs > 1
        self.pool = ThreadPoolExecutor(max_workers=jobs) if self.parallel else None
        self.serial = ThreadPoolExecutor(max_workers=1) if self.parallel else None
        self.slots = threading.Semaphore(jobs)
        self.stopping = threading.Event()
        self.workdir, self.settings = workdir, settings

    def _run(self, check: Check) -> Outcome:
        with self.slots:
            if self.stopping.is_set():
                return Outcome(SKIP, "not run: stopped after the first failure (-x)")
            return run_check(check, self.workdir, self.settings)

    def submit(self, check: Check) -> Future:
        if not self.parallel:
            future: Future = Future()
            future.set_result(None)  # run lazily, in order, by result()
            future.check = check  # type: ignore[attr-defined]
            return future
        executor = self.serial if check.exclusive else self.pool
        return executor.submit(self._run, check)  # type: ignore[union-attr]

    def result(self, future: Future) -> Outcome:
        if not self.parallel:
            return self._run(future.check)  # type: ignore[attr-defined]
        outcome: Outcome = future.result()
        return outcome

    def shutdown(self) -> None:
        for executor in (self.pool, self.serial):
            if executor is not None:
                executor.shutdown(wait=False, cancel_futures=True)


def _raise_interrupt(signum: int, frame: FrameType | None) -> NoReturn:
    raise KeyboardInterrupt


def main(
    paths: list[str],
    timeout: float = 10.0,
    keyword: str | None = None,
    include: list[str] | None = None,
    interpreter: list[str] | None = None,
    out: TextIO | None = None,
    options: Options | None = None,
) -> int:
    options = options or Options(timeout=timeout, keyword=keyword, include=list(include or []))
    if interpreter:
        options.interpreter = list(interpreter)
    out = out or sys.stdout
    try:
        return _main(paths, options, out)
    except KeyboardInterrupt:
        stop_all_running()
        print("interrupted: every block's processes were stopped", file=out, flush=True)
        return 130


def _main(paths: list[str], options: Options, out: TextIO) -> int:  # noqa: C901
    allow_runs()
    paint = Painter(use_colour(options.color, out))
    settings = Settings(timeout=options.timeout, include=list(options.include))
    if options.interpreter:
        settings.interpreter = list(options.interpreter)
    try:
        selected = compile_expression(options.keyword) if options.keyword else None
    except ExpressionError as error:
        print(f"inko-mini test: {error}", file=sys.stderr)
        return 2
    the_plan = plan(paths)
    for warning in the_plan.warnings:
        print(paint(str(warning), "yellow"), file=sys.stderr, flush=True)
    checks = [c for c in the_plan.checks if selected is None or selected(c.id)]
    if not checks:
        what = f" matched -k {options.keyword!r}" if options.keyword else " found"
        print(f"no blocks{what} (of {len(the_plan.checks)})", file=out, flush=True)
        return EXIT_NO_TESTS
    previous = signal.getsignal(signal.SIGTERM)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _raise_interrupt)
    counts = {PASS: 0, FAIL: 0, SKIP: 0}
    results: list[tuple[Check, Outcome]] = []
    workdir = Path(tempfile.mkdtemp(prefix="inko-docs-"))
    scheduler = _Scheduler(options.jobs, workdir, settings)
    started = time.monotonic()
    try:
        futures = [(check, scheduler.submit(check)) for check in checks]
        for check, future in futures:
            outcome = scheduler.result(future)
            if scheduler.stopping.is_set() and outcome.status != FAIL:
                continue
            counts[outcome.status] += 1
            results.append((check, outcome))
            if not options.quiet or outcome.status == FAIL:
                print(result_line(check, outcome, paint), file=out, flush=True)
            if options.verbose:
                for line in output_section(outcome):
                    print(line, file=out, flush=True)
            if outcome.status == FAIL and options.exitfirst:
                scheduler.stopping.set()
                break
    finally:
        scheduler.shutdown()
        stop_all_running()
        shutil.rmtree(workdir, ignore_errors=True)
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, previous)
    seconds = time.monotonic() - started
    failures = [(c, o) for c, o in results if o.status == FAIL]
    if failures:
        print("", file=out)
        print(paint("=" * 20 + " failures " + "=" * 20, "red"), file=out)
        for check, outcome in failures:
            for line in failure_section(check, outcome, paint):
                print(line, file=out)
            print("", file=out)
    if options.exitfirst and failures and len(results) < len(checks):
        print(
            f"stopped after the first failure (-x): {len(checks) - len(results)} not run", file=out
        )
    print(summary(counts), file=out, flush=True)
    if options.junitxml:
        write_junit(Path(options.junitxml), results, seconds)
    return 1 if counts[FAIL] else 0
