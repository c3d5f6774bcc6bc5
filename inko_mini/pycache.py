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
from importlib.machinery import ModuleSpec, PathFinder, SourceFileLoader
from typing import Any

_MAGIC = MAGIC_NUMBER.ljust(16, b"\0")
_PACKAGE = "inko_mini."


def cache_dir(*parts: str) -> str:
    """The user's cache folder for inko-mini (`$XDG_CACHE_HOME/inko-mini/...`).
    Callers create it on demand and treat every failure to write as "no cache"."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "inko-mini", *parts)


class _CachingLoader(SourceFileLoader):
    def get_code(self, fullname: str, bundle: bool = True) -> Any:
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
                code = marshal.loads(data[len(header) :])
                if bundle:
                    _Bundle.note(fullname, path, st, self.is_package(fullname), data[len(header) :])
                return code
        except (OSError, ValueError, EOFError, TypeError):
            pass
        code = super().get_code(fullname)
        tmp = f"{cached}.{os.getpid()}"
        data = marshal.dumps(code)
        if bundle:
            _Bundle.note(fullname, path, st, self.is_package(fullname), data)
        try:
            os.makedirs(os.path.dirname(cached), exist_ok=True)
            with open(tmp, "wb") as fh:
                fh.write(header + data)
            os.replace(tmp, cached)
        except OSError:
            pass
        return code


class _Bundle:
    """All our modules' code in one file (about 40 are imported at each
    start, and the import system's search and per-file loading cost about
    as much as running them): name -> (source path, size, modification
    time, package?, marshalled code). A module is taken from it while its
    source file keeps that size and time, like the per-module files above;
    anything else is imported through them, and the bundle is written again
    at exit with it."""

    entries: dict = {}
    fresh: dict = {}
    path = ""

    @classmethod
    def read(cls) -> None:
        package = os.path.dirname(os.path.abspath(__file__))
        name = "bundle" + package.replace(os.sep, "%") + ".pyb"
        cls.path = os.path.join(cache_dir("pycache"), name)
        try:
            with open(cls.path, "rb") as fh:
                data = fh.read()
            if data[:16] == _MAGIC:
                # The index, then every module's code: each is unmarshalled
                # from a view of the file's bytes when imported, not copied.
                size = int.from_bytes(data[16:24], "little")
                index = marshal.loads(data[24 : 24 + size])
                view = memoryview(data)[24 + size :]
                cls.entries = {
                    name: (*entry[:4], view[start:end])
                    for name, (*entry, start, end) in index.items()
                }
        except (OSError, ValueError, EOFError, TypeError):
            pass

    @classmethod
    def note(cls, name: str, path: str, st: Any, package: bool, code: bytes) -> None:
        if not cls.fresh:
            import atexit

            atexit.register(cls.save)
        cls.fresh[name] = (path, st.st_size, st.st_mtime_ns, package, code)

    @classmethod
    def save(cls) -> None:
        entries = dict(cls.entries)
        entries.update(cls.fresh)
        cls.fresh = {}
        index, blob, start = {}, [], 0
        for name, (*entry, code) in entries.items():
            code = bytes(code)
            index[name] = (*entry, start, start + len(code))
            blob.append(code)
            start += len(code)
        head = marshal.dumps(index)
        tmp = f"{cls.path}.{os.getpid()}"
        try:
            with open(tmp, "wb") as fh:
                fh.write(_MAGIC + len(head).to_bytes(8, "little") + head + b"".join(blob))
            os.replace(tmp, cls.path)
        except (OSError, ValueError):
            pass

    @classmethod
    def find_spec(cls, name: str, path: Any = None, target: Any = None) -> Any:
        entry = cls.entries.get(name)
        if entry is None:
            return None
        try:
            st = os.stat(entry[0])
        except OSError:
            return None
        if st.st_size != entry[1] or st.st_mtime_ns != entry[2]:
            return None
        loader: Any = cls  # the class is the loader (its methods are classmethods)
        spec = ModuleSpec(name, loader, origin=entry[0], is_package=entry[3])
        spec.has_location = True  # __file__, which paths.py reads
        if entry[3]:
            spec.submodule_search_locations = [os.path.dirname(entry[0])]
        return spec

    @classmethod
    def create_module(cls, spec: Any) -> None:
        return None

    @classmethod
    def exec_module(cls, module: Any) -> None:
        exec(marshal.loads(cls.entries[module.__name__][4]), module.__dict__)


class _Finder:
    """Hands our own modules to the bundle or the caching loader; nothing else."""

    @classmethod
    def find_spec(cls, name: str, path: Any = None, target: Any = None) -> Any:
        if not name.startswith(_PACKAGE):
            return None
        bundled = _Bundle.find_spec(name)
        if bundled is not None:
            return bundled
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
    _Bundle.read()
    sys.meta_path.insert(0, _Finder)
    if __spec__ is not None:
        # Imported by the import system, so compiled from source: cache this
        # module's own code, which cli/fast.py loads from there next time.
        _CachingLoader(__name__, __file__).get_code(__name__, bundle=False)


def compile_template(source: str, filename: str) -> Any:
    """`compile(source, filename, 'exec')`, cached across runs (templates.py)."""
    from inko_mini.templates import compile_template as compile_cached

    return compile_cached(source, filename)
