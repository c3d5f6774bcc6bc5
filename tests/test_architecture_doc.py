"""docs/ARCHITECTURE.md and docs/CONTRACTS.md name files and functions; they
must exist, so that the map cannot go stale silently.

A name in backticks that looks like a path of the repository (it starts with
one of the top-level folders, or is a top-level file, or starts with a layer
folder such as `runtime/`, read as under inko_mini/) must exist; a
`path::name` must also define `name` (a def, a class or an assignment at any
indentation) in that file. `<subject>` placeholders and globs are skipped.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ["docs/ARCHITECTURE.md", "docs/CONTRACTS.md"]
TOP = ("inko_mini/", "grammar/", "stdlib/", "tests/", "tools/", "docs/", "bench/", "samples/")
TOP_FILES = {"pyproject.toml", "setup.py", "MANIFEST.in", "README.md"}
# CONTRACTS.md names files of the package relative to inko_mini/.
LAYERS = (
    "cli/",
    "syntax/",
    "check/",
    "compile/",
    "runtime/",
    "builtins/",
    "scheduler/",
    "doctest/",
)
CODE = re.compile(r"`([^`\s]+)`")


def named_paths(text: str) -> list[str]:
    found = []
    for word in CODE.findall(text):
        path = word.split("::", 1)[0]
        if "<" in path or "*" in path:
            continue
        if path.startswith(TOP) or path in TOP_FILES:
            found.append(word)
        elif path.startswith(LAYERS):
            found.append("inko_mini/" + word)
    return found


def defines(source: str, name: str) -> bool:
    pattern = rf"^\s*(def|class)\s+{re.escape(name)}\b|^\s*{re.escape(name)}\s*(:[^=]*)?="
    return re.search(pattern, source, re.MULTILINE) is not None


def test_the_extractor_sees_paths_and_names() -> None:
    text = "see `inko_mini/driver.py::run_program`, `stdlib/`, `runtime/calls.py`, `x.y`, `<a>.py`"
    assert named_paths(text) == [
        "inko_mini/driver.py::run_program",
        "stdlib/",
        "inko_mini/runtime/calls.py",
    ]
    assert defines("class A:\n    def _loop(self):\n", "_loop")
    assert defines("FAST = {}\n", "FAST")
    assert not defines("def run_programs():\n", "run_program")


@pytest.mark.parametrize("doc", DOCS)
def test_every_named_path_exists(doc: str) -> None:
    names = named_paths((ROOT / doc).read_text(encoding="utf-8"))
    assert len(names) > 10, f"{doc} names almost no file: is the extractor broken?"
    missing = []
    for word in names:
        path, _, name = word.partition("::")
        target = ROOT / path
        if not target.exists():
            missing.append(f"{word}: no such file or folder")
        elif name and not defines(target.read_text(encoding="utf-8"), name):
            missing.append(f"{word}: {path} does not define {name}")
    assert not missing, f"{doc} is stale:\n" + "\n".join(missing)
