"""The benchmarks of other issues, folded into the one command: the process
benchmarks (bench/run_process_bench.py) and the HTTP load benchmark
(bench/http/). Their owners write their own runners; this module only
imports them when present and turns their results into table rows.

The seam (docs/CONTRACTS.md, "Benchmarks"): a runner module offers
`collect(rounds: int, quick: bool) -> list[dict]`, one dict per table row:
  name: str, target: float | None, note: str (optional),
  inko: list[float], reference: list[float]  (per round; seconds unless
  `unit` says otherwise), ratios: list[float]  (per round, inko-mini cost /
  reference cost, lower is better), error: str | None (optional).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import traceback
from pathlib import Path
from typing import Callable

from bench import _harness as h

# name -> (module to import, its file, what the command says when it is missing)
RUNNERS = {
    "process": ("bench.run_process_bench", h.BENCH_DIR / "run_process_bench.py"),
    "http": ("bench.http.run", h.BENCH_DIR / "http" / "run.py"),
}
NAMES = list(RUNNERS)


def _load(name: str):
    module_name, path = RUNNERS[name]
    if not path.is_file():
        return None, f"{path.relative_to(h.REPO)} not present"
    # Their runners may import their own helpers as top-level modules, as a
    # script run from its directory would.
    directory = str(path.parent)
    added = directory not in sys.path
    if added:
        sys.path.append(directory)
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # their code is still being written
        return None, f"{path.relative_to(h.REPO)} does not import: {exc!r}"
    finally:
        if added:
            sys.path.remove(directory)
    if not callable(getattr(module, "collect", None)):
        return None, f"{path.relative_to(h.REPO)} has no collect(rounds, quick)"
    return module, None


def _row(name: str, result: dict) -> h.Row:
    row = h.Row(str(result.get("name", name)), result.get("target"),
                note=str(result.get("note", "")), unit=str(result.get("unit", "s")))
    row.inko = [float(v) for v in result.get("inko", [])]
    row.other = [float(v) for v in result.get("reference", [])]
    row.ratios = [float(v) for v in result.get("ratios", [])]
    if not row.ratios and len(row.inko) == len(row.other):
        row.ratios = [a / b if b > 0 else float("inf") for a, b in zip(row.inko, row.other)]
    row.error = result.get("error")
    return row


def measure(names: list[str], rounds: int, quick: bool,
            progress: Callable[[str], None]) -> list[h.Row]:
    rows = []
    for name in names:
        module, missing = _load(name)
        if module is None:
            rows.append(h.Row(name, skipped=missing))
            continue
        progress(f"{name}: running {RUNNERS[name][0]}.collect")
        try:
            results = module.collect(rounds=rounds, quick=quick)
        except Exception as exc:
            detail = traceback.format_exception_only(type(exc), exc)[-1].strip()
            rows.append(h.Row(name, error=f"{RUNNERS[name][0]}.collect failed: {detail}"))
            continue
        rows += [_row(name, result) for result in results]
    return rows
