"""Bytecode of inko-mini's own modules, cached in the user's cache directory.

When Python may not write `__pycache__` (PYTHONDONTWRITEBYTECODE, a
read-only install), every start of inko-mini would compile its ~25 modules
from source again: about half of the start-up of a hello world. This finder
caches just our modules' code objects under `~/.cache/inko-mini/pycache`,
one file per module, valid while the source file's path, size and
modification time and the Python bytecode version are unchanged; it never writes next to the sources and leaves
every other package alone. Without a writable cache it does nothing.
"""

from __future__ import annotations

import importlib.machinery
import marshal
import os
import sys
from importlib._bootstrap_external import MAGIC_NUMBER

from inko_mini.paths import cache_dir

# Neither hashlib nor importlib.util: both cost more to import than the
# cache saves for a small module.
_MAGIC = MAGIC_NUMBER.ljust(16, b"\0")

_PACKAGE = __name__.rpartition(".")[0] + "."


def _cache_dir() -> str:
    return cache_dir("pycache")


class _CachingLoader(importlib.machinery.SourceFileLoader):
    def get_code(self, fullname):
        path = self.get_filename(fullname)
        try:
            st = os.stat(path)
        except OSError:
            return super().get_code(fullname)
        stamp = f"{path}\0{st.st_size}\0{st.st_mtime_ns}\n".encode()
        header = _MAGIC + stamp
        cached = os.path.join(_cache_dir(), fullname + ".pyc")
        try:
            with open(cached, "rb") as fh:
                data = fh.read()
            if data[: len(header)] == header:
                return marshal.loads(data[len(header) :])
        except (OSError, ValueError, EOFError, TypeError):
            pass
        code = super().get_code(fullname)
        try:
            os.makedirs(os.path.dirname(cached), exist_ok=True)
            tmp = f"{cached}.{os.getpid()}"
            with open(tmp, "wb") as fh:
                fh.write(header + marshal.dumps(code))
            os.replace(tmp, cached)
        except OSError:
            pass
        return code


class _Finder:
    """Hands our own modules to the caching loader; nothing else."""

    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if not name.startswith(_PACKAGE):
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path, target)
        if spec is None or type(spec.loader) is not importlib.machinery.SourceFileLoader:
            return spec
        spec.loader = _CachingLoader(spec.loader.name, spec.loader.path)
        return spec

    @classmethod
    def invalidate_caches(cls):
        pass


def install() -> None:
    """Use the cache when Python itself will not write bytecode."""
    if not sys.dont_write_bytecode or any(f is _Finder for f in sys.meta_path):
        return
    try:
        os.makedirs(_cache_dir(), exist_ok=True)
        if not os.access(_cache_dir(), os.W_OK):
            return
    except OSError:
        return
    sys.meta_path.insert(0, _Finder)


# Code generated at run time (the compiler's send and operator templates)
# is cached too: one file holding {hash of source: code object}.
_templates: dict | None = None


def _templates_path() -> str:
    return os.path.join(_cache_dir(), "templates.marshal")


def compile_template(source: str, filename: str):
    """`compile(source, filename, 'exec')`, cached across runs."""
    global _templates
    if _templates is None:
        _templates = {}
        try:
            with open(_templates_path(), "rb") as fh:
                data = fh.read()
            if data[:16] == _MAGIC:
                loaded = marshal.loads(data[16:])
                if type(loaded) is dict:
                    _templates = loaded
        except (OSError, ValueError, EOFError, TypeError):
            pass
    key = f"{filename}\0{source}"
    code = _templates.get(key)
    if code is None:
        code = _templates[key] = compile(source, filename, "exec")
        try:
            os.makedirs(_cache_dir(), exist_ok=True)
            tmp = f"{_templates_path()}.{os.getpid()}"
            with open(tmp, "wb") as fh:
                fh.write(_MAGIC + marshal.dumps(_templates))
            os.replace(tmp, _templates_path())
        except OSError:
            pass
    return code
