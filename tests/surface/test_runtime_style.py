"""Issue 10 "done when": a test file written the way 0.4.0's own runtime tests
are (importing PanicResult, AddTest, ProgressFormatter, std::fs::file,
std::os, ...) runs unmodified through `inko-mini run`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PROGRAM = """\
import std::test
import std::test::assert
import std::test::assert::(PanicResult)
import std::test::runner::(AddTest, RunnerState)
import std::test::config::(DEFAULT_CONCURRENCY)
import std::test::formatters::ProgressFormatter
import std::fs::file
import std::fs::path::(SEPARATOR)
import std::os
import std::mirror
import std::hash_map::(Table)
import std::byte_array::(ByteArray, Iterator as ByteArrayIterator)

test.group('std::hash_map::Table') do (g) {
  g.test('Resizing a table') {
    let table = Table.new
    table.resize
    assert.equal(table.buckets.length, 2)
  }
}

test.group('std::mirror') do (g) {
  g.test('Module paths') {
    assert.true(mirror.reflect_module(ThisModule).path.to_string.ends_with?('test_style.inko'))
  }

  g.test('A panic') {
    assert.panic { 10 / 0 }
  }
}

test.group('std::byte_array::Iterator') do (g) {
  g.test('Iterating') {
    let iter = ByteArrayIterator.new(ByteArray.new([10, 20]))
    assert.equal(iter.next, 10)
    assert.equal(iter.next, 20)
    assert.equal(iter.next, Nil)
  }
}

test.group('std::os') do (g) {
  g.test('platform') {
    assert.equal(os.platform, 'linux')
    assert.equal(SEPARATOR, '/')
    assert.true(DEFAULT_CONCURRENCY > 0)
  }
}

test.run
"""


def test_runtime_style_test_file_runs(tmp_path: Path) -> None:
    path = tmp_path / "test_style.inko"
    path.write_text(PROGRAM, encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "inko_mini", "run", path.name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "5 tests, 0 failures" in run.stdout
    assert run.stderr == ""
