"""Run mypy on inko_mini and compare the errors per file with the recorded
baseline (`tools/mypy-baseline.json`), which may only shrink.

    python3 tools/mypy_baseline.py            # fail if any file has more errors than recorded
    python3 tools/mypy_baseline.py --update   # record today's counts (after fixing some)

Files typed strictly in pyproject.toml have a baseline of zero.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "tools" / "mypy-baseline.json"


def current_errors() -> tuple[Counter[str], list[str]]:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "inko_mini", "--no-error-summary"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    lines = [ln for ln in result.stdout.splitlines() if ": error:" in ln]
    if result.returncode not in (0, 1) or (result.returncode == 1 and not lines):
        sys.exit(f"mypy did not run:\n{result.stdout}{result.stderr}")
    return Counter(ln.split(":", 1)[0] for ln in lines), lines


def main(argv: list[str]) -> int:
    counts, lines = current_errors()
    if "--update" in argv:
        BASELINE.write_text(json.dumps(dict(sorted(counts.items())), indent=1) + "\n")
        print(f"baseline: {sum(counts.values())} errors in {len(counts)} files")
        return 0
    baseline: dict[str, int] = json.loads(BASELINE.read_text())
    worse = {f: n for f, n in counts.items() if n > baseline.get(f, 0)}
    for f in sorted(worse):
        print(f"{f}: {worse[f]} mypy errors, baseline {baseline.get(f, 0)}")
        for ln in lines:
            if ln.startswith(f + ":"):
                print("  " + ln)
    better = {f: n for f, n in baseline.items() if counts.get(f, 0) < n}
    if better and not worse:
        print("fewer errors than the baseline: run with --update to lock that in")
    total = sum(counts.values())
    print(f"mypy: {total} errors against a baseline of {sum(baseline.values())}")
    return 1 if worse else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
