"""`inko-mini test PATH...`: run the ```inko blocks of pages, one line per block.

Blocks run one at a time, in page order, because documentation binds fixed
ports and paths. Output: `PAGE:LINE: PASS|FAIL|SKIP[: reason]` per block,
then `N passed, M failed[, K skipped]`. Exit status 0 only when nothing
failed.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path
from typing import TextIO

from inko_mini.doctest.collect import Check, plan
from inko_mini.doctest.execute import FAIL, PASS, SKIP, Outcome, Settings, run_block


def run_check(check: Check, workdir: Path, settings: Settings) -> Outcome:
    """The outcome of one check; a page problem fails without running anything."""
    if check.problem is not None:
        return Outcome(FAIL, check.problem)
    blockdir = workdir / f"L{check.line}"
    blockdir.mkdir(exist_ok=True)
    return run_block(check.block, blockdir, settings, check.expectation)


def format_line(check: Check, outcome: Outcome) -> str:
    if outcome.status == PASS:
        return f"{check.id}: PASS" + (f" ({outcome.reason})" if outcome.reason else "")
    return f"{check.id}: {outcome.status}: {outcome.reason}"


def main(
    paths: list[str],
    timeout: float = 10.0,
    keyword: str | None = None,
    include: list[str] | None = None,
    interpreter: list[str] | None = None,
    out: TextIO | None = None,
) -> int:
    out = out or sys.stdout
    settings = Settings(timeout=timeout, include=list(include or []))
    if interpreter:
        settings.interpreter = list(interpreter)
    checks = [c for c in plan(paths) if keyword is None or keyword in c.id]
    counts = {PASS: 0, FAIL: 0, SKIP: 0}
    workdir = Path(tempfile.mkdtemp(prefix="inko-docs-"))
    try:
        for check in checks:
            outcome = run_check(check, workdir, settings)
            counts[outcome.status] += 1
            print(format_line(check, outcome), file=out, flush=True)
    except KeyboardInterrupt:
        print("interrupted", file=out, flush=True)
        return 130
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    summary = f"{counts[PASS]} passed, {counts[FAIL]} failed"
    if counts[SKIP]:
        summary += f", {counts[SKIP]} skipped"
    print(summary, file=out, flush=True)
    if not checks and keyword is not None:
        print(f"no blocks matched -k {keyword!r}", file=sys.stderr)
    return 1 if counts[FAIL] else 0
