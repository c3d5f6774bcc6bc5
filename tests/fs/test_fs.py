"""std::fs, std::fs::{file,dir,path,raw}, std::os and std::time::constants
through the real command line, on real files (STDLIB-FS-OS-FFI §1-7, §9).

Each `programs/*.inko` file carries `# expect:` comments, read by
tests/inko_programs.py like every Inko test program (`{tmp}` in them stands
for the scratch folder; in `# env: NAME=VALUE` too, where
`INKO_FS_TEST_NOFILE=N` is not passed on but sets the program's limit of
open descriptors).
It runs with a fresh `tmp_path` as its working directory, as its first
argument and as `$TMPDIR`, after `make_fixture` has filled that folder; so
nothing a program writes lands outside it. `TZ` is `UTC` unless a program
sets it.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from inko_programs import describe, problems_of, read_expectations

HERE = Path(__file__).parent
PROGRAMS = sorted((HERE / "programs").glob("*.inko"))
TIMEOUT = 60

# hello.txt starts like 0.4.0's fixture module ("import std::env"), then a
# two-byte character, so reads can cut it.
HELLO = "import std::env\nhéllo\n"
# 2001-09-09T01:46:40.25Z
MTIME = 1_000_000_000.25
ATIME = 1_000_000_100.5


def make_fixture(root: Path) -> None:
    (root / "hello.txt").write_bytes(HELLO.encode())
    os.utime(root / "hello.txt", (ATIME, MTIME))
    (root / "empty").mkdir()
    (root / "tree" / "sub").mkdir(parents=True)
    (root / "tree" / "a.txt").write_text("a")
    (root / "tree" / "sub" / "b.txt").write_text("bb")
    (root / "outside").mkdir()
    (root / "outside" / "keep.txt").write_text("keep")
    (root / "tree" / "link-out").symlink_to(root / "outside")
    (root / "dir-link").symlink_to(root / "tree")
    (root / "file-link").symlink_to(root / "hello.txt")
    (root / "broken-link").symlink_to(root / "missing-target")


def inko(
    args: list[str], cwd: Path, env: dict[str, str] | None = None, **kwargs
) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "TMPDIR": str(cwd), "TZ": "UTC", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "inko_mini", "run", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        **kwargs,
    )


@pytest.mark.parametrize("program", PROGRAMS, ids=[p.stem for p in PROGRAMS])
def test_program(program: Path, tmp_path: Path) -> None:
    make_fixture(tmp_path)
    exp = read_expectations(program).substituted({"{tmp}": str(tmp_path)})
    env = dict(exp.env)
    extra = {}
    nofile = env.pop("INKO_FS_TEST_NOFILE", None)
    if nofile is not None:
        # The program's limit on open descriptors.
        limit = int(nofile)
        extra["preexec_fn"] = lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))
    proc = inko([str(program), str(tmp_path)], tmp_path, env, **extra)
    problems = problems_of(exp, proc)
    assert not problems, describe(program, problems, proc.stderr)
    assert "Traceback" not in proc.stderr
