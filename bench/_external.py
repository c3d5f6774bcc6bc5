"""The benchmarks of other issues, folded into the one command: the process
benchmarks (bench/run_process_bench.py) and the HTTP load benchmark
(bench/http/). Their owners write their own runners; this module only
imports them when present and turns their results into table rows.

Two shapes of runner are understood:
* `run_benchmarks(scale: float) -> [(label, inko_s, asyncio_s, gevent_s, extra)]`
  (bench/run_process_bench.py): one pass; called once per round, so the
  sides alternate, and turned into an "vs asyncio" and a "vs gevent" row.
* `collect(rounds: int, quick: bool) -> list[dict]`, one dict per row:
  name, target (float | None), note, inko and reference (per round; seconds
  unless `unit` says otherwise), ratios (per round, inko-mini cost /
  reference cost, lower is better), error (str | None).
"""

from __future__ import annotations

import importlib
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
    if not any(callable(getattr(module, f, None)) for f in ("collect", "run_benchmarks")):
        return None, f"{path.relative_to(h.REPO)} has neither collect() nor run_benchmarks()"
    return module, None


# The other issues ask for "no regression" rather than a ratio, so these
# rows carry no target.
QUICK_SCALE = 0.001


def _collect_passes(module, rounds: int, quick: bool,
                    progress: Callable[[str], None]) -> list[dict]:
    """Adapts a one-pass `run_benchmarks(scale)` to per-round rows."""
    rows: dict[str, dict] = {}
    for number in range(1, rounds + 1):
        progress(f"  pass {number}/{rounds}")
        for label, inko_s, asyncio_s, gevent_s, extra in module.run_benchmarks(
                QUICK_SCALE if quick else 1.0):
            for kind, seconds in (("asyncio", asyncio_s), ("gevent", gevent_s)):
                if seconds is None:
                    continue
                row = rows.setdefault(f"{label} vs {kind}", {
                    "name": label, "note": f"vs {kind}", "target": None,
                    "target_text": "no regression", "inko": [], "reference": []})
                row["inko"].append(inko_s)
                row["reference"].append(seconds)
                # Only the memory figures; the ratio is in the table.
                memory = extra.partition("; ")[2]
                if memory and kind == "asyncio":
                    row["detail"] = f"{label}: {memory}"
    return list(rows.values())


def _row(name: str, result: dict) -> h.Row:
    row = h.Row(str(result.get("name", name)), result.get("target"),
                note=str(result.get("note", "")), unit=str(result.get("unit", "s")))
    row.inko = [float(v) for v in result.get("inko", [])]
    row.other = [float(v) for v in result.get("reference", [])]
    row.ratios = [float(v) for v in result.get("ratios", [])]
    if not row.ratios and len(row.inko) == len(row.other):
        row.ratios = [a / b if b > 0 else float("inf") for a, b in zip(row.inko, row.other)]
    row.error = result.get("error")
    row.target_text = str(result.get("target_text", row.target_text))
    row.detail = str(result.get("detail", ""))
    return row


def measure(names: list[str], rounds: int, quick: bool,
            progress: Callable[[str], None]) -> list[h.Row]:
    rows = []
    for name in names:
        module, missing = _load(name)
        if module is None:
            rows.append(h.Row(name, skipped=missing))
            continue
        progress(f"{name}: running {RUNNERS[name][0]}")
        try:
            if callable(getattr(module, "collect", None)):
                results = module.collect(rounds=rounds, quick=quick)
            else:
                results = _collect_passes(module, rounds, quick, progress)
        except Exception as exc:
            detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            rows.append(h.Row(name, error=f"{RUNNERS[name][0]} failed: {detail}"))
            continue
        rows += [_row(name, result) for result in results]
    return rows
