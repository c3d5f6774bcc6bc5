"""The generated table of which builtins module defines each primitive is
up to date, and a lookup through it imports only that module."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def test_index_is_up_to_date() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "gen_primitive_index.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_lookup_imports_only_the_defining_module() -> None:
    code = (
        "import sys\n"
        "from inko_mini import builtins\n"
        "assert builtins.lookup('os_platform') is not None\n"
        "print('ctypes' in sys.modules, 'socket' in sys.modules and "
        "'inko_mini.builtins.net.socket' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "False"]
