"""STDLIB-NET-PROCESS §8 with real socket files in a private directory.

The program cannot delete its socket files (0.4.0's library has no file
removal), so it runs here with a pytest temporary directory as argument.
Expected lines come from the spec text of §8 (and README for abstract names).
"""

import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(__file__)

EXPECTED = [
    "True",
    "True",
    "True",
    "True",
    "4",
    "ping",
    '""',
    "The address is already in use.",
    "The resource could not be found.",
    "The connection was refused by the remote server.",
    "2",
    "hi",
    "True",
    "again",
    "An input parameter is invalid.",
    "/a/b",
    "False",
    "False",
    "True",
    "True",
    "Nil",
    "True",
    "Nil",
    "True",
    "True",
    "True",
]


def test_unix_paths():
    # a short directory: sun_path holds at most 107 bytes
    with tempfile.TemporaryDirectory(prefix="np") as directory:
        proc = subprocess.run(
            [sys.executable, "-m", "inko_mini", "run", "s8_unix_paths.inko", directory],
            cwd=os.path.join(HERE, "programs"),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert proc.stderr == ""
        assert proc.stdout.splitlines() == EXPECTED
        assert proc.returncode == 0
