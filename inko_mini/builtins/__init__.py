"""The primitive table: Python functions reached from Inko as `_INKOC.name(...)`.

Each submodule registers its functions with `@primitive("name")`. A primitive
receives Inko values as positional arguments (int, float, str, bool, None for
Nil, list for Array, bytearray for ByteArray, runtime objects otherwise) and
returns an Inko value. It raises errors.ThrowSignal(value) to throw and
errors.PanicSignal(message) to panic.
"""

from __future__ import annotations

import importlib

PRIMITIVES: dict = {}

# Submodules holding primitives; imported on first lookup of an unknown name
# so that a program that never touches sockets never imports socket code.
_SUBMODULES = ("core", "corelib", "process", "io", "net", "time", "fs")
_loaded = set()


def primitive(name):
    def register(fn):
        PRIMITIVES[name] = fn
        return fn

    return register


def lookup(name):
    """Return the primitive called `name`, or None if there is none."""
    fn = PRIMITIVES.get(name)
    if fn is not None:
        return fn
    for sub in _SUBMODULES:
        if sub in _loaded:
            continue
        _loaded.add(sub)
        try:
            importlib.import_module(f"{__name__}.{sub}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{sub}":
                raise
        fn = PRIMITIVES.get(name)
        if fn is not None:
            return fn
    return None
