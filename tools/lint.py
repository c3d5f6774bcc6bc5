"""Every linter CI runs, in one command: `python3 tools/lint.py`.

Runs through this interpreter (`python3 -m ...`), so it works on a machine
where pip has not made shims for the linters' console scripts.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PATHS = ["inko_mini", "tests", "tools", "bench"]

CHECKS = [
    (
        "import layers",
        [
            sys.executable,
            "-c",
            "import sys; from importlinter.cli import lint_imports; "
            "sys.exit(lint_imports(no_cache=True, no_logo=True))",
        ],
    ),
    ("ruff check", [sys.executable, "-m", "ruff", "check", *PATHS]),
    ("ruff format", [sys.executable, "-m", "ruff", "format", "--check", *PATHS]),
    ("mypy baseline", [sys.executable, str(ROOT / "tools" / "mypy_baseline.py")]),
]


def main() -> int:
    failed = []
    for name, command in CHECKS:
        print(f"== {name}", flush=True)
        if subprocess.run(command, cwd=ROOT).returncode != 0:
            failed.append(name)
    if failed:
        print(f"lint: failed: {', '.join(failed)}")
        return 1
    print("lint: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
