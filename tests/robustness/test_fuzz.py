"""Mutated copies of every .inko file in the project (seeded, so a failure
reproduces): the parser must answer each with an AST or an InkoSyntaxError,
and the command line must never print a Python traceback or hang."""

import random
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import assert_no_python_noise, run_inko

from inko_mini.errors import InkoSyntaxError
from inko_mini.syntax.parser import parse

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted(p for top in ("samples", "tests", "stdlib") for p in (ROOT / top).rglob("*.inko"))
INSERTS = list("(){}[]'\"`:;,.!?@#$%^&*-+=<>/\\|~") + [
    "::",
    "->",
    "!!",
    "do",
    "def",
    "let",
    "try",
    "else",
    "throw",
    "return",
    "object",
    "trait",
    "impl",
    "import",
    "**",
    "=>",
    "\x00",
    "\t",
    "\r",
    "\u00e9",
    "\ufeff",
    "\u2028",
]


def mutate(rng, s):
    kind = rng.randrange(9)
    lines = s.split("\n")
    at = rng.randrange(len(s) + 1)
    if kind == 0:
        return s[:at] + s[at + rng.randrange(1, 10) :]
    if kind == 1:
        del lines[rng.randrange(len(lines))]
        return "\n".join(lines)
    if kind == 2:
        i = rng.randrange(len(lines))
        lines.insert(i, lines[i])
        return "\n".join(lines)
    if kind == 3:
        return s[:at]
    if kind == 4:
        return s[:at] + rng.choice(INSERTS) + s[at:]
    if kind == 5:
        return s[:at] + rng.choice("{}()[]'\"") * rng.randrange(1, 4) + s[at:]
    if kind == 6:
        return s[:at] + "x" * 20000 + s[at:]
    if kind == 7:
        nest = rng.choice(["(", "[", "{", "do {", "-", "!", "a.", "'", "if(true, {"])
        return s[:at] + nest * rng.randrange(100, 5000) + s[at:]
    words = s.split(" ")
    i, j = rng.randrange(len(words)), rng.randrange(len(words))
    words[i], words[j] = words[j], words[i]
    return " ".join(words)


def mutants(seed, count):
    rng = random.Random(seed)
    texts = [p.read_text(encoding="utf-8") for p in SOURCES]
    for _ in range(count):
        s = rng.choice(texts)
        for _ in range(rng.randrange(1, 4)):
            s = mutate(rng, s)
        yield s


def test_parser_never_raises_anything_but_a_syntax_error():
    limit = sys.getrecursionlimit()
    try:
        for i, source in enumerate(mutants(4004, 600)):
            try:
                parse(source, "mutant.inko")
            except InkoSyntaxError as exc:
                exc.render()
            except Exception as exc:  # pragma: no cover - the failure report
                pytest.fail(f"mutant {i} (seed 4004): {type(exc).__name__}: {exc}")
    finally:
        sys.setrecursionlimit(limit)


def _run_both(args):
    # A mutant that still parses may be a server that runs forever, so only
    # the ones `check` rejects go on to `run` (which must reject them too).
    (path,) = args
    checked = run_inko("check", path, timeout=30)
    if checked.returncode == 0:
        return [checked]
    return [checked, run_inko("run", path, timeout=30)]


def test_command_line_on_mutants(tmp_path):
    paths = []
    for i, source in enumerate(mutants(77, 40)):
        path = tmp_path / f"mutant{i}.inko"
        path.write_text(source, encoding="utf-8")
        paths.append(path)
    for raw in (
        b"\xff\xfe\x00",
        b"let a = '\xc3",
        b"(" * 5000,
        b"[" * 5000 + b"]" * 5000,
        b"import std::stdio::stdout\nstdout.print('" + b"\xe2\x82" + b"')\n",
    ):
        path = tmp_path / f"raw{len(paths)}.inko"
        path.write_bytes(raw)
        paths.append(path)
    with ThreadPoolExecutor(4) as pool:
        for path, results in zip(paths, pool.map(_run_both, [(p,) for p in paths]), strict=True):
            for result in results:
                assert_no_python_noise(result)
                assert result.returncode in (0, 1), (path, result.stderr[-500:])
            if len(results) == 2:
                assert results[1].returncode == 1
                assert results[1].stderr == results[0].stderr, "run reports what check reports"
