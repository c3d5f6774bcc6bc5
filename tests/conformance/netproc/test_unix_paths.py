"""STDLIB-NET-PROCESS §8 with real socket files in a private directory.

The program cannot delete its socket files (0.4.0's library has no file
removal), so it runs here with a pytest temporary directory as argument.
Expected lines, in the program's `# expect` comments, come from the spec
text of §8 (and README for abstract names).
"""

import tempfile
from pathlib import Path

from inko_programs import check_program

PROGRAM = Path(__file__).parent / "programs" / "s8_unix_paths.inko"


def test_unix_paths():
    # a short directory: sun_path holds at most 107 bytes
    with tempfile.TemporaryDirectory(prefix="np") as directory:
        check_program(PROGRAM, directory)
