"""Issue 10 "done when": every module, public name and method of Inko 0.4.0's
library (SURFACE.md, as tests/surface/surface_table.py lists it) is importable
from its 0.4.0 module and has the listed methods.

The table becomes a few generated Inko programs, run through the real
command line:
* one per group of modules that imports each module (`self`) and, for each
  row, checks with `std::mirror` that the module defines the name
  (`ObjectMirror#attributes`: names it merely imports are not there) and that
  the value answers every listed method; it prints `ok ROW` or `missing ROW`.
  Each row is one pytest item reading that output.
* one per group that imports every name written as an identifier with
  `import module::(name as alias)`, the way programs do; a single missing
  name makes it fail with the compiler's `does not define` error.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from surface_table import ADDS, NAMES

# The modules checked by the second program ("other"); the table is split in
# two programs only to keep each run short. Every row must pass.
SECOND_GROUP = {
    "std::fs",
    "std::fs::dir",
    "std::fs::file",
    "std::fs::path",
    "std::fs::raw",
    "std::os",
    "std::time::constants",
    "std::ffi",
    "std::ffi::types",
    "std::test",
    "std::test::assert",
    "std::test::config",
    "std::test::error",
    "std::test::formatter",
    "std::test::formatters",
    "std::test::runner",
    "std::test::test",
    "std::test::test_group",
}
GROUPS = ("here", "other")
# Types of "Adds to types defined elsewhere" rows that every module sees.
GLOBAL_TYPES = {"Array", "Block", "Boolean", "False", "Float", "HashMap", "Integer"}
GLOBAL_TYPES |= {"Nil", "Object", "String", "True"}
IMPORTABLE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*\??$")


def group_of(module: str) -> str:
    return "other" if module in SECOND_GROUP else "here"


def _quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _strings(items) -> str:
    return "[" + ", ".join(_quote(i) for i in items) + "]"


PRELUDE = """import std::stdio::stdout
import std::mirror
import std::byte_array::(ByteArray as SurfaceByteArray)

def missing_methods(subject, names: Array!(String)) -> Array!(String) {
  let reflected = mirror.reflect_object(subject)
  let missing = []
  names.each do (name) {
    reflected.get_attribute(name).if_false { missing.push(name) }
  }
  missing
}

def report(row: String, missing: Array!(String)) {
  missing.empty?.if(
    true: { stdout.print('ok ' + row) },
    false: { stdout.print('missing ' + row + ': ' + missing.inspect) }
  )
}

def check_name(row: String, module, name: String, methods: Array!(String)) {
  mirror.reflect_object(module).attributes.contains?(name).if(
    true: {
      let value = mirror.reflect_object(module).get_attribute(name)
      report(row, missing_methods(value, methods))
    },
    false: { report(row, ['(the module does not define it)']) }
  )
}
"""


def row_id(module: str, name: str) -> str:
    return f"{module} {name}"


def mirror_program(group: str) -> str:
    modules: dict[str, str] = {}
    for module, *_ in [*NAMES, *ADDS]:
        if group_of(module) == group and module not in modules:
            modules[module] = f"surface_module_{len(modules)}"
    lines = [PRELUDE]
    lines += [f"import {m}::(self as {alias})" for m, alias in modules.items()]
    for module, name, _kind, methods in NAMES:
        if group_of(module) == group:
            args = f"{_quote(row_id(module, name))}, {modules[module]}, {_quote(name)}"
            lines.append(f"check_name({args}, {_strings(methods)})")
    for module, type_name, methods in ADDS:
        if group_of(module) == group:
            subject = "SurfaceByteArray" if type_name == "ByteArray" else type_name
            assert subject == "SurfaceByteArray" or subject in GLOBAL_TYPES, type_name
            row = _quote(row_id(module, "adds to " + type_name))
            lines.append(f"report({row}, missing_methods({subject}, {_strings(methods)}))")
    return "\n".join(lines) + "\n"


def import_program(group: str) -> tuple[str, int]:
    lines = ["import std::stdio::stdout"]
    count = 0
    for i, (module, name, _kind, _methods) in enumerate(NAMES):
        if group_of(module) == group and IMPORTABLE.match(name):
            alias = f"surface_{i}" if name[0].islower() else f"Surface{i}"
            lines.append(f"import {module}::({name} as {alias})")
            count += 1
    lines.append(f"stdout.print('imported {count}')")
    return "\n".join(lines) + "\n", count


def _run(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "inko_mini", "run", path.name],
        cwd=path.parent,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def mirror_runs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("surface")
    runs = {}
    for group in GROUPS:
        path = folder / f"surface_{group}.inko"
        path.write_text(mirror_program(group), encoding="utf-8")
        runs[group] = _run(path)
    return runs


ROWS = [
    pytest.param(module, name, id=row_id(module, name)) for module, name, _kind, _methods in NAMES
] + [
    pytest.param(module, "adds to " + t, id=row_id(module, "adds to " + t))
    for module, t, _methods in ADDS
]


@pytest.mark.parametrize("module,name", ROWS)
def test_surface_row(mirror_runs, module, name):
    run = mirror_runs[group_of(module)]
    lines = run.stdout.splitlines()
    row = row_id(module, name)
    if f"ok {row}" in lines:
        return
    detail = [line for line in lines if line.startswith(f"missing {row}:")]
    pytest.fail("\n".join(detail) or f"status {run.returncode}\n{run.stderr[-3000:]}")


@pytest.mark.parametrize(
    "group",
    [
        pytest.param("here", id="here"),
        pytest.param("other", id="other"),
    ],
)
def test_every_name_imports_by_name(tmp_path, group):
    source, count = import_program(group)
    path = tmp_path / f"imports_{group}.inko"
    path.write_text(source, encoding="utf-8")
    run = _run(path)
    assert (run.returncode, run.stdout, run.stderr) == (0, f"imported {count}\n", "")


def test_table_covers_every_module_of_surface_md():
    modules = {m for m, *_ in NAMES} | {m for m, *_ in ADDS}
    # SURFACE.md's summary: 67 modules, 406 names of which 13 are private.
    assert len(NAMES) == 406 - 13
    assert len(modules) == 67
