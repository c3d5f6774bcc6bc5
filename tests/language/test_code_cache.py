"""The cache of generated code (compile/codegen/cache.py): a program and the
standard library run from cached code objects behave exactly as when they
were generated, and a start from the cache does without the parser."""

from __future__ import annotations

import marshal
import os
import re
import subprocess
import sys
from pathlib import Path

TYPO = """import std::stdio::stdout
let counter = 3
stdout.print('before')
stdout.print(countr)
"""

# A brace block used as a lambda (by process.spawn) is compiled as a lambda
# on first use, also when its module came from the cache; a panic in it
# names it "<block>".
SPAWNED = """import std::process
import std::stdio::stdout
let child = process.spawn {
  process.panic('child died')
}
process.receive(0.5)
stdout.print('unreachable?')
"""

REDEFINED = """import std::stdio::stdout
stdout.print(1 + 1)
impl Integer {
  def +(other: Integer) -> Integer { 42 }
}
stdout.print(1 + 1)
"""


def run(program: Path, cache: Path, *extra: str) -> tuple[str, str, int]:
    env = dict(os.environ, XDG_CACHE_HOME=str(cache))
    env.pop("INKO_MINI_BACKEND", None)
    proc = subprocess.run(
        [sys.executable, *extra, "-m", "inko_mini", "run", program.name],
        cwd=program.parent,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    err = re.sub(r"Process 0x[0-9a-f]+", "Process 0x?", proc.stderr)
    return proc.stdout, err, proc.returncode


def cached_files(cache: Path) -> set[str]:
    return {p.name for p in cache.rglob("*.cg")}


def test_second_run_is_identical_and_writes_nothing(tmp_path: Path) -> None:
    program = tmp_path / "typo.inko"
    program.write_text(TYPO)
    cache = tmp_path / "cache"
    first = run(program, cache)
    files = cached_files(cache)
    second = run(program, cache)
    assert first == second
    assert cached_files(cache) == files
    out, err, status = second
    assert out == "before\n"
    assert status == 1
    # The "did you mean" hint needs the names of the scope: a cached module
    # generates them again on demand.
    assert "countr" in err and "counter" in err


def test_lambda_from_cached_module(tmp_path: Path) -> None:
    program = tmp_path / "spawned.inko"
    program.write_text(SPAWNED)
    cache = tmp_path / "cache"
    first = run(program, cache)
    second = run(program, cache)
    assert first == second
    assert 'in "<block>"' in second[1]
    assert "child died" in second[1]


def test_redefined_operator_from_cached_code(tmp_path: Path) -> None:
    program = tmp_path / "plus.inko"
    program.write_text(REDEFINED)
    cache = tmp_path / "cache"
    assert run(program, cache)[0] == "2\n42\n"
    assert run(program, cache)[0] == "2\n42\n"


def test_changed_source_is_generated_again(tmp_path: Path) -> None:
    program = tmp_path / "changing.inko"
    cache = tmp_path / "cache"
    program.write_text("import std::stdio::stdout\nstdout.print('one')\n")
    assert run(program, cache)[0] == "one\n"
    program.write_text("import std::stdio::stdout\nstdout.print('two')\n")
    assert run(program, cache)[0] == "two\n"


def test_cached_start_does_without_the_parser(tmp_path: Path) -> None:
    program = tmp_path / "hello.inko"
    program.write_text("import std::stdio::stdout\nstdout.print('hi')\n")
    cache = tmp_path / "cache"
    run(program, cache)
    _, err, status = run(program, cache, "-X", "importtime")
    assert status == 0
    imported = {line.rsplit("|", 1)[-1].strip() for line in err.splitlines()}
    assert "inko_mini.driver" in imported
    for module in ("lark", "inko_mini.syntax.ast", "inko_mini.compile.codegen.gen"):
        assert module not in imported, module


def test_library_bundle_is_written_once_and_used(tmp_path: Path) -> None:
    program = tmp_path / "hello.inko"
    program.write_text("import std::stdio::stdout\nstdout.print('hi')\n")
    cache = tmp_path / "cache"
    assert run(program, cache)[0] == "hi\n"
    (bundle,) = cache.rglob("library-*.cgb")
    written = bundle.stat().st_mtime_ns
    assert run(program, cache)[0] == "hi\n"
    assert bundle.stat().st_mtime_ns == written


def test_library_bundle_entry_follows_its_source(tmp_path: Path, monkeypatch) -> None:
    from inko_mini.compile.codegen import cache as codecache

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    source = tmp_path / "lib" / "m.inko"
    source.parent.mkdir()
    source.write_text("one")
    payload = ("inko-mini codegen cache 1",) + (None,) * 8
    data = marshal.dumps(payload)
    identity = codecache.file_identity(os.stat(source))
    first = codecache.Bundle(str(source.parent))
    first.add(str(source), identity, data)
    first.save()
    assert codecache.Bundle(str(source.parent)).payload(str(source), identity) == payload
    # Same size, and the modification time put back: the change time differs.
    stat = os.stat(source)
    source.write_text("two")
    os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    now = codecache.file_identity(os.stat(source))
    assert now != identity
    assert codecache.Bundle(str(source.parent)).payload(str(source), now) is None


# The send sites of a cached module are built at their first call and the
# code objects of its frames indexed at the first trace (support._LazySite,
# cgframes.index_frames): a panic at a first send, inside blocks inlined
# into a library method, must read as when the module was just generated.
FIRST_SENDS = """import std::stdio::stdout

object Walker {
  def walk(items: Array!(Integer)) -> Integer {
    items.each do (item) {
      stdout.print(item)
      (item == 3).if_true { item.to_strin }
    }
    0
  }
}

def steps(n: Integer) -> Integer {
  n.zero?.if_true { return 0 }
  steps(n - 1)
}

stdout.print(steps(5))
Walker.new.walk([1, 2, 3])
"""


def test_first_sends_and_traces_from_cached_code(tmp_path: Path) -> None:
    program = tmp_path / "first_sends.inko"
    program.write_text(FIRST_SENDS)
    cache = tmp_path / "cache"
    first = run(program, cache)
    second = run(program, cache)
    assert first == second
    out, err, status = second
    assert out == "0\n1\n2\n3\n"
    assert status == 1
    frames = re.findall(r'^\s+\d+: "([^"]+)", line (\d+), in "([^"]+)"$', err, re.M)
    assert [(os.path.basename(f), int(n), name) for f, n, name in frames] == [
        ("first_sends.inko", 19, "main"),
        ("first_sends.inko", 5, "walk"),
        ("array.inko", 48, "each"),
        ("first_sends.inko", 7, "<block>"),
        ("boolean.inko", 27, "if_true"),
        ("first_sends.inko", 7, "<block>"),
        ("first_sends.inko", 7, "to_strin"),
    ]
    assert "did you mean 'to_string'?" in err


def test_key_covers_the_runtime_that_generated_code_calls() -> None:
    # Generated code calls primitives and runtime helpers by position: a
    # cached module must be generated again when their signatures may have
    # changed (a stale one failed with "send() missing ... 'x1'").
    from inko_mini.compile.codegen import cache
    from inko_mini.paths import PACKAGE_DIR

    covered = {os.path.relpath(p, PACKAGE_DIR) for p in cache._runtime_files()}
    for rel in (
        "runtime/sends.py",
        "runtime/processes.py",
        "builtins/process.py",
        "builtins/net/socket.py",
        "runtime/calls.py",
    ):
        assert rel in covered
