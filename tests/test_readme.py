"""The README's two quick-start commands stay true: the example it runs
exists and does what the Sockets page says, and .ci/run runs exactly the
README's test command."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def quick_start_commands():
    text = (ROOT / "README.md").read_text()
    block = text.split("## Quick start", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line and not line.startswith("#")]


def test_quick_start_has_two_commands():
    commands = quick_start_commands()
    assert len(commands) == 2
    assert commands[0].startswith("python3 -m pip install -e . && inko-mini run ")
    assert commands[1].startswith("python3 -m pip install -e '.[test]' && ")


# Brings up the loopback of a new network namespace, then runs argv[1:].
_LOOPBACK_UP = f"""
import os, sys
sys.path.insert(0, {str(ROOT / "tests" / "robustness")!r})
from seed_clients import _bring_loopback_up
_bring_loopback_up()
os.execv(sys.argv[1], sys.argv[1:])
"""


def private_network() -> list[str]:
    """A command prefix giving the example a network of its own when the
    system allows it: the page fixes port 40000, and the page's tests run it
    at the same time under pytest -n; with SO_REUSEPORT (as 0.4.0 set it)
    two runs would accept each other's connections."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return []
    try:
        usable = subprocess.run([unshare, "-rn", "true"], capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return []
    if usable.returncode != 0:
        return []
    return [unshare, "-rn", sys.executable, "-c", _LOOPBACK_UP]


def test_example_of_the_quick_start_prints_ping():
    sample = quick_start_commands()[0].split("inko-mini run ", 1)[1].strip()
    result = subprocess.run(
        [*private_network(), sys.executable, "-m", "inko_mini", "run", sample],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "ping\n", "")


def test_ci_runs_the_readme_test_command():
    test_command = quick_start_commands()[1].split("&& ", 1)[1].strip()
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    runs = [line.strip() for line in ci if line.strip() and not line.lstrip().startswith("#")]
    assert runs[-1] == test_command
    install = quick_start_commands()[1].split(" && ", 1)[0]
    assert any(re.sub(r"\s--\S+", "", line) == install for line in runs)
