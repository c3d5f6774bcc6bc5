"""The benchmarks of other issues, folded into the one command: the process
benchmarks (bench/run_process_bench.py) and the HTTP load benchmark
(bench/http/bench.py). Their owners keep their own runners; this module
imports them when present, calls them once per round so that the sides
alternate, and turns what they return into table rows.

What is used of them:
* run_process_bench.run_benchmarks(scale) -> [(label, inko_s, asyncio_s,
  gevent_s or None, extra)]: one pass over ping-pong, ring and spawn-and-wait,
  each program timing its own work (start-up excluded);
  memory_per_process(extra) -> (inko KiB, asyncio KiB) or None;
  ASYNCIO_TARGET (maximum time ratio to asyncio), MEMORY_TARGET_KIB.
* http/bench.py: collect(rounds, quick) (below). Without it (an older
  runner): Server(argv, port) with .stop(), load(port, requests, concurrency)
  -> (complete replies, seconds), raise_descriptor_limit, inko(path), SOCKETS,
  PORT, ASYNCIO_PORT, TARGETS {label: minimum rate ratio}.
A runner may instead offer collect(rounds, quick) -> [dict] with the fields
of `bench._harness.Row` (name, target, note, inko, reference, ratios, ...).
"""

from __future__ import annotations

import importlib
import sys
import traceback
from collections.abc import Callable
from pathlib import Path

from bench import _harness as h

Progress = Callable[[str], None]

# Issue 12 sets targets against asyncio (in run_process_bench.py); the
# gevent rows are only held to "no regression" (bench/baseline.json).
NO_REGRESSION = "no regression"
PROCESS_QUICK_SCALE = 0.001
HTTP_REQUESTS = 3000
HTTP_QUICK_REQUESTS = 100
HTTP_CONCURRENCY = 16
HTTP_SERVERS = [
    ("one process per connection", "11_http_process_per_connection.inko"),
    ("four acceptors", "12_http_four_acceptors.inko"),
]


def _load(module_name: str, path: Path):
    """The module, or None and why not."""
    where = path.relative_to(h.REPO)
    if not path.is_file():
        return None, f"{where} not present"
    # Their runners may import their own helpers as top-level modules, as a
    # script run from its directory would.
    directory = str(path.parent)
    added = directory not in sys.path
    if added:
        sys.path.append(directory)
    try:
        return importlib.import_module(module_name), None
    except Exception as exc:  # their code may be half-written
        return None, f"{where} does not import: {exc!r}"
    finally:
        if added:
            sys.path.remove(directory)


def _process_rows(module, rounds: int, quick: bool, progress: Progress) -> list[h.Row]:
    rows: dict[str, h.Row] = {}
    asyncio_target = getattr(module, "ASYNCIO_TARGET", None)
    memory_of = getattr(module, "memory_per_process", None)
    for number in range(1, rounds + 1):
        progress(f"process: round {number}/{rounds}")
        passes = module.run_benchmarks(PROCESS_QUICK_SCALE if quick else 1.0)
        for label, inko_s, asyncio_s, gevent_s, extra in passes:
            for kind, seconds in (("asyncio", asyncio_s), ("gevent", gevent_s)):
                if seconds is None:
                    continue
                target = asyncio_target if kind == "asyncio" else None
                row = rows.setdefault(
                    f"{label} vs {kind}",
                    h.Row(
                        label,
                        target,
                        note=f"vs {kind}",
                        target_text=NO_REGRESSION,
                        judged=not quick,
                    ),
                )
                row.add(inko_s, seconds)
                # Their extra text repeats the ratio; keep the memory figures.
                memory = extra.partition("; ")[2]
                if memory and kind == "asyncio":
                    row.detail = f"{label}: {memory}"
            kib = memory_of(extra) if memory_of is not None else None
            if kib is not None:
                row = rows.setdefault(
                    f"{label} memory",
                    h.Row(
                        "resident memory per waiting process",
                        getattr(module, "MEMORY_TARGET_KIB", None),
                        note=f"{label.split(' processes')[0]} processes, vs asyncio",
                        unit="KiB",
                        absolute=True,
                        judged=not quick,
                    ),
                )
                row.add(*kib)
    return list(rows.values())


def _http_rows(module, rounds: int, quick: bool, progress: Progress) -> list[h.Row]:
    """Each page server runs beside the asyncio server; every round sends a
    burst to one, then the other, so both see the same machine load."""
    requests = HTTP_QUICK_REQUESTS if quick else HTTP_REQUESTS
    burst = max(requests // rounds, 1)
    module.raise_descriptor_limit(4096)
    asyncio_port = getattr(module, "ASYNCIO_PORT", 8089)
    asyncio_server = [
        h.PYTHON,
        str(Path(module.__file__).with_name("asyncio_server.py")),
        str(asyncio_port),
    ]
    rows = []
    for label, sample in HTTP_SERVERS:
        row = h.Row(
            f"HTTP {label}",
            module.TARGETS.get(label),
            unit="req/s",
            note=f"vs asyncio, {burst * rounds} requests",
            higher_is_better=True,
            judged=not quick,
        )
        rows.append(row)
        progress(f"http: {label}")
        reference = module.Server(asyncio_server, port=asyncio_port)
        try:
            server = module.Server(module.inko(module.SOCKETS / sample), port=module.PORT)
        except BaseException:
            reference.stop()
            raise
        try:
            module.load(module.PORT, min(200, requests), HTTP_CONCURRENCY)  # warm-up
            for _round in range(1, rounds + 1):
                rates = []
                for port in (module.PORT, asyncio_port):
                    good, seconds = module.load(port, burst, HTTP_CONCURRENCY)
                    if good != burst:
                        side = "inko-mini" if port == module.PORT else "asyncio"
                        raise h.BenchmarkError(
                            f"{side} server: only {good} of {burst} requests got the complete reply"
                        )
                    rates.append(good / seconds)
                row.add(*rates)
        except h.BenchmarkError as exc:
            row.error = str(exc)
        finally:
            server.stop()
            reference.stop()
    return rows


def _collected_rows(module, rounds: int, quick: bool, progress: Progress) -> list[h.Row]:
    rows = []
    for result in module.collect(rounds=rounds, quick=quick):
        row = h.Row(
            str(result["name"]),
            result.get("target"),
            note=str(result.get("note", "")),
            unit=str(result.get("unit", "s")),
            higher_is_better=bool(result.get("higher_is_better", False)),
            target_text=str(result.get("target_text", "-")),
            judged=not quick,
        )
        for inko, other in zip(result.get("inko", []), result.get("reference", []), strict=False):
            row.add(float(inko), float(other))
        row.error = result.get("error")
        rows.append(row)
    return rows


# --only name -> (module, file, adapter used when it has no collect())
RUNNERS = {
    "process": ("bench.run_process_bench", h.BENCH_DIR / "run_process_bench.py", _process_rows),
    "http": ("bench.http.bench", h.BENCH_DIR / "http" / "bench.py", _http_rows),
}
NAMES = list(RUNNERS)


def measure(names: list[str], rounds: int, quick: bool, progress: Progress) -> list[h.Row]:
    rows = []
    for name in names:
        module_name, path, adapter = RUNNERS[name]
        module, missing = _load(module_name, path)
        if module is None:
            rows.append(h.Row(name, skipped=missing))
            continue
        if callable(getattr(module, "collect", None)):
            adapter = _collected_rows
        try:
            rows += adapter(module, rounds, quick, progress)
        except (Exception, SystemExit) as exc:  # their runners exit on a dead server
            detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            rows.append(h.Row(name, error=f"{module_name} failed: {detail}"))
    return rows
