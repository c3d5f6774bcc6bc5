"""How much `inko-mini test -j 2` gains over `-j 1` on a folder of 20 pages.

    python3 bench/doctest/jobs.py              # 20 pages, 3 rounds, -j 1 then -j 2
    python3 bench/doctest/jobs.py --pages 40 --rounds 5 --jobs 1 2 4

Generates the pages in a temporary folder (each page: a block that prints
and has an output block, one with `# =>` comments, one that loops), runs
`python3 -m inko_mini test -q -j N FOLDER` for each N alternately, and
prints the median wall-clock time of each N with its min-max. Every run
must pass every block.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PAGE = """# Page {n}

```inko
import std::stdio::stdout

stdout.print('page {n}')
```

```output
page {n}
```

```inko
[1, 2, 3].length # => 3
{n} * 2 # => {double}
```

```inko
import std::stdio::stdout

let mut sum = 0
let mut i = 0
{{ i < 20000 }}.while_true {{
  sum += i
  i += 1
}}
stdout.print(sum) # => 199990000
```
"""


def make_pages(folder: Path, count: int) -> None:
    for n in range(1, count + 1):
        (folder / f"page{n:02d}.md").write_text(PAGE.format(n=n, double=2 * n))


def run_once(folder: Path, jobs: int, blocks: int) -> float:
    command = [sys.executable, "-m", "inko_mini", "test", "-q", "-j", str(jobs), str(folder)]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    expected = f"{blocks} passed, 0 failed"
    if done.returncode != 0 or done.stdout.strip().splitlines()[-1] != expected:
        sys.exit(f"-j {jobs} did not pass every block:\n{done.stdout}{done.stderr}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="inko-doctest-bench-") as name:
        folder = Path(name)
        make_pages(folder, options.pages)
        blocks = 3 * options.pages
        times: dict[int, list[float]] = {jobs: [] for jobs in options.jobs}
        for _ in range(options.rounds):
            for jobs in options.jobs:
                times[jobs].append(run_once(folder, jobs, blocks))
    print(f"{options.pages} pages, {blocks} blocks, {options.rounds} rounds")
    base = statistics.median(times[options.jobs[0]])
    for jobs, measured in times.items():
        median = statistics.median(measured)
        print(
            f"-j {jobs}: median {median:.2f}s (min {min(measured):.2f}s, max {max(measured):.2f}s)"
            f"  speed-up {base / median:.2f}x"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
