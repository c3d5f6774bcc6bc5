"""Saved results, so that "no regression" rows (process benchmarks) can be
judged: `--save FILE` writes each row's median ratio, and a later run with
`--baseline FILE` holds each such row to that ratio, within a tolerance
wide enough for the noise of a shared 2-core machine."""

from __future__ import annotations

import json
from pathlib import Path

from bench import _harness as h

DEFAULT = h.BENCH_DIR / "baseline.json"
# A regression is a median ratio this much worse than the baseline's.
TOLERANCE = 1.5


def key(row: h.Row) -> str:
    return row.name + (f" [{row.note}]" if row.note else "")


def save(rows: list[h.Row], path: Path, command: str) -> None:
    ratios = {key(row): round(h.median(row.ratios), 4) for row in rows if row.measured}
    path.write_text(json.dumps({"command": command, "ratios": ratios}, indent=2) + "\n")


def apply(rows: list[h.Row], path: Path) -> str | None:
    """Gives each measured row without a target its baseline limit; returns
    a problem with the file, if any."""
    try:
        saved = json.loads(path.read_text())["ratios"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return f"baseline {path} not used: {exc}"
    for row in rows:
        ratio = saved.get(key(row))
        if row.target is not None or not isinstance(ratio, (int, float)):
            continue
        row.target = ratio / TOLERANCE if row.higher_is_better else ratio * TOLERANCE
        row.target_suffix = " (baseline)"
    return None
