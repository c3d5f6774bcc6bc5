"""The cache of run-time generated templates (inko_mini/templates.py) stays
small: its file is read at every start, and its keys are template sources,
so every generator version ever run would otherwise stay in it."""

from __future__ import annotations

import marshal
import os
import subprocess
import sys
from pathlib import Path

from inko_mini.pycache import _MAGIC

HELLO = "import std::stdio::stdout\nstdout.print('hi')\n"


def templates_file(cache: Path) -> Path:
    return cache / "inko-mini" / "pycache" / "templates.marshal"


def run(program: Path, cache: Path) -> str:
    env = dict(os.environ, XDG_CACHE_HOME=str(cache))
    proc = subprocess.run(
        [sys.executable, "-m", "inko_mini", "run", str(program)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_templates_of_old_generators_are_dropped(tmp_path: Path) -> None:
    program = tmp_path / "hello.inko"
    program.write_text(HELLO)
    cache = tmp_path / "cache"
    assert run(program, cache) == "hi\n"
    path = templates_file(cache)
    used = marshal.loads(path.read_bytes()[16:])
    # As if many earlier generator versions had run: stale sources.
    stale = {f"<old>\0# version {i}\n": compile(f"# {i}", "<old>", "exec") for i in range(400)}
    path.write_bytes(_MAGIC + marshal.dumps({**stale, **used}))
    # A template none of the cached ones matches forces a write.
    shifted = dict(used)
    victim = next(iter(shifted))
    shifted.pop(victim)
    path.write_bytes(_MAGIC + marshal.dumps({**stale, **shifted}))
    assert run(program, cache) == "hi\n"
    kept = marshal.loads(path.read_bytes()[16:])
    assert not any(key.startswith("<old>") for key in kept)
    assert set(kept) == set(used)
