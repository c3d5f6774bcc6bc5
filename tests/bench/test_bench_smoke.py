"""The benchmark command runs end to end and checks its pairs' outputs.

No timing is asserted: these only prove that the harness, the Inko programs
and their Python twins work, so that a real run (`python3 bench/run.py`)
measures something.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BENCH = REPO / "bench" / "run.py"


def run_bench(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(BENCH), *args], cwd=REPO, capture_output=True, text=True, timeout=120
    )


@pytest.fixture(scope="module")
def bench_module():
    sys.path.insert(0, str(REPO))
    try:
        yield importlib.import_module("bench.run")
    finally:
        sys.path.remove(str(REPO))


def test_quick_fib_runs_and_outputs_agree():
    done = run_bench("--quick", "--only", "fib", "--rounds", "1")
    assert done.returncode == 0, done.stdout + done.stderr
    fib_rows = [line for line in done.stdout.splitlines() if line.startswith("fib [n=15]")]
    assert len(fib_rows) == 1, done.stdout
    assert "FAILED" not in done.stdout
    assert "(quick)" in fib_rows[0]


def test_markdown_table_for_the_readme():
    done = run_bench("--quick", "--only", "hello", "--rounds", "1", "--markdown")
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    header = lines.index(
        "| benchmark | inko-mini median s | python median s | "
        "ratio median (min\u2013max) | target | met? |"
    )
    assert lines[header + 1] == "|---|---|---|---|---|---|"
    assert lines[header + 2].startswith("| hello [inko-mini run / python -c pass] |")


def test_unknown_benchmark_name_is_a_usage_error():
    done = run_bench("--only", "nonsense")
    assert done.returncode == 2
    assert "invalid choice: 'nonsense'" in done.stderr


def test_a_twin_that_disagrees_fails_loudly(tmp_path, bench_module):
    # The Inko side really runs; only the Python twin is wrong on purpose.
    (tmp_path / "count.inko").write_text(
        "import std::env\nimport std::stdio::stdout\nstdout.print('n = ' + env.arguments[0])\n"
    )
    (tmp_path / "count.py").write_text("import sys\nprint('n =', int(sys.argv[1]) + 1)\n")
    bench = bench_module.CpuBenchmark("count", 3, 3, 1.0, directory=tmp_path)
    rows = bench_module.measure_startup_and_cpu(
        [bench], want_hello=False, rounds=1, quick=True, timeout=60
    )
    assert [row.name for row in rows] == ["count"]
    assert "printed different results" in rows[0].error
    assert "'n = 3\\n'" in rows[0].error and "'n = 4\\n'" in rows[0].error
    lines, failed = bench_module.summary(rows)
    assert failed
    assert lines[0].startswith("FAILED count")


def test_baseline_turns_no_regression_into_a_limit(tmp_path, bench_module):
    from bench import _baseline, _harness

    slower = _harness.Row("ring", note="vs asyncio", target_text="no regression")
    slower.add(2.0, 1.0)
    rate = _harness.Row("HTTP x", unit="req/s", higher_is_better=True)
    rate.add(80.0, 100.0)
    path = tmp_path / "baseline.json"
    _baseline.save([slower, rate], path, "test")

    slower_now = _harness.Row("ring", note="vs asyncio", target_text="no regression")
    slower_now.add(4.0, 1.0)  # twice the saved ratio: beyond the tolerance
    rate_now = _harness.Row("HTTP x", unit="req/s", higher_is_better=True)
    rate_now.add(70.0, 100.0)  # within the tolerance
    assert _baseline.apply([slower_now, rate_now], path) is None
    assert slower_now.met is False
    assert rate_now.met is True
    assert _baseline.apply([], tmp_path / "missing.json").startswith("baseline")


def test_quick_real_code_programs_agree_with_their_twins():
    done = run_bench("--quick", "--only", "wordcount", "sim", "--rounds", "1")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "FAILED" not in done.stdout
    lines = done.stdout.splitlines()
    assert any(line.startswith("wordcount [n=2000]") for line in lines), done.stdout
    assert any(line.startswith("sim [n=100]") for line in lines), done.stdout


def test_issue_12_targets(bench_module):
    from bench import run_process_bench
    from bench.http import bench as http_bench

    targets = {b.name: b.target for b in bench_module.CPU_BENCHMARKS}
    assert targets == {
        "fib": 3.5,
        "loop": 3,
        "strbuf": 3,
        "array": 3,
        "wordcount": 3,
        "sim": 3,
    }
    assert bench_module.HELLO_TARGET == 1.5
    assert run_process_bench.ASYNCIO_TARGET == 0.6
    assert run_process_bench.MEMORY_TARGET_KIB == 8
    assert http_bench.TARGETS == {"one process per connection": 1.2, "four acceptors": 1.6}


def test_memory_row_is_judged_on_kib_per_process(bench_module):
    from bench import _external, _harness, run_process_bench

    extra = "inko/asyncio 0.50x; " + run_process_bench.MEMORY_TEXT.format(inko=5.0, asyncio=2.5)
    assert run_process_bench.memory_per_process(extra) == (5.0, 2.5)

    class FakeRunner:
        ASYNCIO_TARGET = run_process_bench.ASYNCIO_TARGET
        MEMORY_TARGET_KIB = run_process_bench.MEMORY_TARGET_KIB
        memory_per_process = staticmethod(run_process_bench.memory_per_process)

        @staticmethod
        def run_benchmarks(scale):
            return [("100,000 processes waiting in receive", 1.0, 2.0, None, extra)]

    rows = _external._process_rows(FakeRunner, rounds=1, quick=False, progress=lambda _: None)
    timing, memory = rows
    assert timing.met is True  # 0.5x <= 0.6x
    assert memory.absolute and memory.unit == "KiB"
    assert memory.met is True  # 5 KiB <= 8 KiB, although twice asyncio's
    cells = _harness.table_cells([memory])[0]
    assert cells[1] == "5.0 KiB" and cells[4] == "<= 8 KiB"
