"""The primitive table: Python functions reached from Inko as `_INKOC.name(...)`.

Each submodule registers its functions with `@primitive("name")` where they
are defined. A primitive receives Inko values as positional arguments (int,
float, str, bool, None for Nil, list for Array, bytearray for ByteArray,
runtime objects otherwise) and returns an Inko value. It raises
errors.ThrowSignal(value) to throw and errors.PanicSignal(message) to panic.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

PRIMITIVES: dict[str, Callable[..., Any]] = {}

# The modules holding primitives, by subject. They are imported on the first
# lookup of a name not yet registered, so that a program that never touches
# sockets never pays for importing socket code (start-up speed).
SUBMODULES = (
    "objects",
    "numbers",
    "strings",
    "sequences",
    "hash_map",
    "reflect",
    "env",
    "process",
    "io",
    "time",
    "net.socket",
    "net.options",
    "net.ip",
    "ffi",
    "fs",
)
_loaded: set[str] = set()


def primitive(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        PRIMITIVES[name] = fn
        return fn

    return register


# The module registering each native kind (runtime.register_native_kind).
_KIND_MODULES = {
    "hasher": "hash_map",
    "ip_socket": "net.socket",
    "unix_socket": "net.socket",
    "ffi_library": "ffi",
    "ffi_pointer": "ffi",
}


def load_kind(kind: str) -> None:
    """Import the primitive module that registers native kind `kind`."""
    sub = _KIND_MODULES.get(kind)
    if sub is None:
        load_all()
    elif sub not in _loaded:
        _loaded.add(sub)
        importlib.import_module(f"{__name__}.{sub}")


def load_all() -> None:
    """Import every primitive module (each registers its native kinds)."""
    for sub in SUBMODULES:
        if sub not in _loaded:
            _loaded.add(sub)
            importlib.import_module(f"{__name__}.{sub}")


def lookup(name: str) -> Callable[..., Any] | None:
    """Return the primitive called `name`, or None if there is none."""
    fn = PRIMITIVES.get(name)
    if fn is not None:
        return fn
    for sub in SUBMODULES:
        if sub in _loaded:
            continue
        _loaded.add(sub)
        importlib.import_module(f"{__name__}.{sub}")
        fn = PRIMITIVES.get(name)
        if fn is not None:
            return fn
    return None
