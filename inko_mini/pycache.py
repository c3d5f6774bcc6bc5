"""Bytecode of inko-mini's own modules, cached in the user's cache directory.

When Python may not write `__pycache__` (PYTHONDONTWRITEBYTECODE, a
read-only install), every start would compile inko-mini's modules from
source again: about half of the start-up of a hello world. This finder
caches just our modules' code objects under `~/.cache/inko-mini/pycache`,
one file per module, valid while the source file's path, size and
modification time and the Python bytecode version are unchanged; it never
writes next to the sources and leaves every other package alone. Without a
writable cache it does nothing.

This module itself is compiled from source on every such start (it runs
before its finder exists), so it holds only the finder: it imports nothing
of inko_mini, and `cache_dir` lives here (paths.py exports it).
"""

from __future__ import annotations

import marshal
import os
import sys
from importlib._bootstrap_external import MAGIC_NUMBER
from importlib.machinery import PathFinder, SourceFileLoader
from typing import Any

_MAGIC = MAGIC_NUMBER.ljust(16, b"\0")
_PACKAGE = "inko_mini."


def cache_dir(*parts: str) -> str:
    """The user's cache folder for inko-mini (`$XDG_CACHE_HOME/inko-mini/...`).
    Callers create it on demand and treat every failure to write as "no cache"."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "inko-mini", *parts)


class _CachingLoader(SourceFileLoader):
    def get_code(self, fullname: str) -> Any:
        path = self.get_filename(fullname)
        try:
            st = os.stat(path)
        except OSError:
            return super().get_code(fullname)
        header = _MAGIC + f"{path}\0{st.st_size}\0{st.st_mtime_ns}\n".encode()
        cached = os.path.join(cache_dir("pycache"), fullname + ".pyc")
        try:
            with open(cached, "rb") as fh:
                data = fh.read()
            if data[: len(header)] == header:
                return marshal.loads(data[len(header) :])
        except (OSError, ValueError, EOFError, TypeError):
            pass
        code = super().get_code(fullname)
        tmp = f"{cached}.{os.getpid()}"
        try:
            os.makedirs(os.path.dirname(cached), exist_ok=True)
            with open(tmp, "wb") as fh:
                fh.write(header + marshal.dumps(code))
            os.replace(tmp, cached)
        except OSError:
            pass
        return code


class _Finder:
    """Hands our own modules to the caching loader; nothing else."""

    @classmethod
    def find_spec(cls, name: str, path: Any = None, target: Any = None) -> Any:
        if not name.startswith(_PACKAGE):
            return None
        spec = PathFinder.find_spec(name, path, target)
        if spec is not None and type(spec.loader) is SourceFileLoader:
            spec.loader = _CachingLoader(spec.loader.name, spec.loader.path)
        return spec

    @classmethod
    def invalidate_caches(cls) -> None:
        pass


def install() -> None:
    """Use the cache when Python itself will not write bytecode."""
    if not sys.dont_write_bytecode or _Finder in sys.meta_path:
        return
    folder = cache_dir("pycache")
    try:
        os.makedirs(folder, exist_ok=True)
        if not os.access(folder, os.W_OK):
            return
    except OSError:
        return
    sys.meta_path.insert(0, _Finder)


def compile_template(source: str, filename: str) -> Any:
    """`compile(source, filename, 'exec')`, cached across runs (templates.py)."""
    from inko_mini.templates import compile_template as compile_cached

    return compile_cached(source, filename)
