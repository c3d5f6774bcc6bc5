"""Helpers: run inko-mini the way a user does, through either entry point."""

import shutil
import subprocess
import sys

import pytest

SCRIPT = shutil.which("inko-mini")
# The console script goes through click (cli.py); `python -m` through
# fastcli.py for plain `run` commands. Both must behave the same.
ENTRY_POINTS = {"python -m": [sys.executable, "-m", "inko_mini"]}
if SCRIPT:
    ENTRY_POINTS["console script"] = [SCRIPT]


def run_inko(*args, entry="python -m", timeout=60, **kwargs):
    kwargs.setdefault("capture_output", True)
    return subprocess.run(
        [*ENTRY_POINTS[entry], *map(str, args)],
        timeout=timeout,
        text=kwargs.pop("text", True),
        **kwargs,
    )


@pytest.fixture(params=sorted(ENTRY_POINTS))
def entry(request):
    return request.param


def assert_no_python_noise(result):
    for stream in (result.stdout, result.stderr):
        if isinstance(stream, bytes):
            stream = stream.decode("utf-8", "replace")
        assert "Traceback" not in (stream or ""), stream
        assert "internal error" not in (stream or ""), stream
        assert "BrokenPipeError" not in (stream or ""), stream
