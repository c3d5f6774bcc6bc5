"""Generated modules cached on disk as code objects (issue 12, item 5).

Generating and compiling the prelude and standard library costs far more
than running a small program, so each module's generated Python is stored
with `marshal`, keyed on its source, its display name and inko-mini's own
generator and parser, beside the parsed-AST cache. What the code needs
besides its code object is plain data: the recipes of its constants
(support.realize), what rebuilds each CgCode, the module's directives and
imports. A cached module is loaded without the parser, the AST or the
generator; those are imported only when a brace block is first used as a
lambda or a "did you mean" hint needs the names of a scope.

This module must stay cheap to import: it is on every start's path.
"""

from __future__ import annotations

import marshal
import os
from collections.abc import Callable
from importlib._bootstrap_external import MAGIC_NUMBER
from typing import Any

from inko_mini.compile.codegen import support
from inko_mini.paths import GRAMMAR_FILE, PACKAGE_DIR, files_stamp, versioned_cache_dir
from inko_mini.runtime import hints
from inko_mini.runtime.calls import ParamInfo, uncharged
from inko_mini.runtime.cgframes import CgCode

_FORMAT = "inko-mini codegen cache 1"

# Files whose change makes every cached module stale.
_GENERATOR_FILES = (
    "compile/codegen/gen.py",
    "compile/codegen/support.py",
    "compile/codegen/cache.py",
    "runtime/cgframes.py",
    "syntax/parser.py",
    "syntax/lexer.py",
    "syntax/postlex.py",
    "syntax/ast.py",
)
_stamp: list[str] = []


# Packages whose functions generated code calls by name and by position
# (primitives, send and frame helpers): a cached module must not outlive a
# change of their signatures either.
_RUNTIME_PACKAGES = ("runtime", "builtins", "builtins/net")


def _runtime_files() -> list[str]:
    found = []
    for rel in _RUNTIME_PACKAGES:
        folder = os.path.join(PACKAGE_DIR, rel)
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            continue
        found += [os.path.join(folder, n) for n in names if n.endswith(".py")]
    return found


def _generator_stamp() -> str:
    if not _stamp:
        files = tuple(os.path.join(PACKAGE_DIR, rel) for rel in _GENERATOR_FILES)
        files += tuple(_runtime_files())
        _stamp.append(MAGIC_NUMBER.hex() + "," + files_stamp((*files, GRAMMAR_FILE)))
    return _stamp[0]


def _sha1(data: bytes) -> Any:
    try:
        from _sha1 import sha1  # built in, unlike hashlib's OpenSSL binding
    except ImportError:
        from hashlib import sha1
    return sha1(data)


def cache_path(display: str, file: str, source: str, checked: bool) -> str:
    """Where the module compiled from `source` is cached. `checked`: the
    spawn-capture check ran on it (a module cached unchecked must not skip
    a check that a later run would make)."""
    text = "\0".join((_FORMAT, _generator_stamp(), display, file, str(checked), source))
    key = _sha1(text.encode("utf-8", "surrogatepass")).hexdigest()
    return os.path.join(versioned_cache_dir(), key + ".cg")


# --- imports and directives without the AST ---------------------------------


class Span:
    __slots__ = ("file", "line", "column")

    def __init__(self, file: str, line: int, column: int):
        self.file = file
        self.line = line
        self.column = column

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


class ImportSymbol:
    __slots__ = ("name", "alias", "span")

    def __init__(self, name: str, alias: str | None, span: Span):
        self.name = name
        self.alias = alias
        self.span = span


class Import:
    """What Loader.bind_import reads of an ast.Import."""

    __slots__ = ("path", "symbols", "glob", "span")

    def __init__(self, path: list, symbols: list | None, glob: bool, span: Span):
        self.path = path
        self.symbols = symbols
        self.glob = glob
        self.span = span


def _span_data(span: Any) -> tuple:
    return (span.file, span.line, span.column)


def _import_data(imp: Any) -> tuple:
    symbols = (
        None
        if imp.symbols is None
        else tuple((s.name, s.alias, _span_data(s.span)) for s in imp.symbols)
    )
    return (tuple(imp.path), symbols, imp.glob, _span_data(imp.span))


def _import_of(data: tuple) -> Import:
    path, symbols, glob, span = data
    syms = None if symbols is None else [ImportSymbol(n, a, Span(*s)) for n, a, s in symbols]
    return Import(list(path), syms, glob, Span(*span))


# --- storing and loading -----------------------------------------------------


def store(path: str, gen: Any, options: dict, imports: list) -> bytes | None:
    """Write the module `gen` generated (after gen.finish); its marshalled
    payload (for the library bundle), or None when it can not be stored."""
    payload = (
        _FORMAT,
        gen.tag,
        gen.pycode,
        tuple(gen.consts),
        tuple(gen.code_meta()),
        tuple(gen.records),
        tuple(gen.regions),
        tuple(options.items()),
        tuple(_import_data(i) for i in imports),
    )
    tmp = f"{path}.{os.getpid()}"
    try:
        data = marshal.dumps(payload)
    except ValueError:
        return None  # a constant marshal can not store: run uncached
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError:
        # Unwritable cache: run uncached.
        try:
            os.unlink(tmp)
        except OSError:
            pass
        return None
    return data


def read_data(path: str) -> bytes | None:
    """The marshalled payload stored at `path`, unchecked (see decode)."""
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError:
        return None


def decode(data: bytes) -> tuple | None:
    try:
        payload = marshal.loads(data)
    except (ValueError, EOFError, TypeError):
        return None
    if type(payload) is not tuple or len(payload) != 9 or payload[0] != _FORMAT:
        return None
    return payload


def read(path: str) -> tuple | None:
    data = read_data(path)
    return None if data is None else decode(data)


class Compiled:
    """A module ready to run: its body's Code, directives and imports."""

    __slots__ = ("code", "options", "imports")

    def __init__(self, code: CgCode, options: dict, imports: list):
        self.code = code
        self.options = options
        self.imports = imports


def instantiate(payload: tuple, ctx: Any, source: Source, display: str) -> Compiled:
    """The cached module `payload` bound to module context `ctx`. `source`
    is its text, or a function reading it: only a lambda built later or a
    hint needs it (a module from the library bundle is not read at all)."""
    _, tag, pycode, consts, metas, records, regions, options, imports = payload
    ns = support.namespace()
    support.claim_tag(tag)
    region_list = list(regions)
    codes: list[CgCode] = []
    file = ctx.file
    for name, line, kind, body_line, params, lam, getter in metas:
        # (the parameters are passed to the constructor: computing what
        # binding reads of them again with set_params doubled that cost)
        infos = (
            [
                ParamInfo(
                    pname,
                    support.default_caller(ns, dname) if dname is not None else None,
                    rest,
                    lambda_type,
                )
                for pname, dname, rest, lambda_type in params
            ]
            if params
            else []
        )
        code = CgCode(name, file, line, kind, infos, ctx)
        code.body_line = body_line
        code.getter = getter
        code.regions = region_list
        if lam is not None:
            code.lambda_code = _lambda_builder(ctx, source, display, lam)
        codes.append(code)
    define = support.define
    for name, recipe in consts:
        define(ns, name, recipe, ctx, codes)
    support.bind_module(pycode, ns, codes, list(records))
    hints.note_lazy(ctx.file, lambda: _regenerate_for_hints(ctx, _text(source), display))
    return Compiled(codes[0], dict(options), [_import_of(i) for i in imports])


# A module's source text, or a function reading it on first use.
Source = str | Callable[[], str]


def _text(source: Source) -> str:
    return source if type(source) is str else source()  # type: ignore[operator]


def _lambda_builder(ctx: Any, source: Source, display: str, lam: tuple) -> Any:
    line, column, forbidden = lam

    def build() -> CgCode:
        return uncharged(build_now)

    def build_now() -> CgCode:
        text = _text(source)
        # Cached like a module of its own: `process.spawn { ... }` in a
        # cached program then needs neither the parser nor the generator.
        path = cache_path(f"{display}#lambda:{line}:{column}", ctx.file, text, False)
        payload = read(path)
        if payload is not None:
            return instantiate(payload, ctx, text, display).code
        from inko_mini.compile.codegen.gen import find_block, lambda_gen

        gen = lambda_gen(ctx, find_block(_tree(text, display), line, column), frozenset(forbidden))
        store(path, gen, {}, [])
        return gen.codes[0]

    return build


def _tree(source: str, display: str) -> Any:
    from inko_mini.syntax.cache import parse_source

    return parse_source(source, display, cache=True)


def _regenerate_for_hints(ctx: Any, source: str, display: str) -> None:
    """Generate the module again, only for the scopes hints read."""
    from inko_mini.compile.codegen.gen import Gen

    Gen(ctx).compile_module(_tree(source, display), ctx.display_name, run=False)


# --- the library bundle --------------------------------------------------------
#
# A hello world loads 44 modules of the standard library. Computing 44 cache
# keys (reading and hashing every source) and opening 44 files cost several
# milliseconds of each start, so the library's cached modules are also kept
# together in one file: the marshalled payload of each module (the bytes
# read() decodes), by path, with the source file's identity when it was read.
# An entry is used while that file is unchanged (its modification and change
# times, size and inode, as Python's own bytecode cache trusts the
# modification time and size) and the generator's files are (the stamp in
# the header); anything else is loaded the content-keyed way above, and the
# bundle is written again with it at the end of the outermost import.

_BUNDLE_FORMAT = "inko-mini library bundle 1"


def file_identity(st: os.stat_result) -> tuple:
    """What must stay the same for a bundled module to be used (a write
    changes the change time, which no program can set back)."""
    return (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino, st.st_dev)


class Bundle:
    """The cached modules of one library folder, by source path."""

    def __init__(self, folder: str):
        key = _sha1(f"{folder}\0{PACKAGE_DIR}".encode("utf-8", "surrogatepass")).hexdigest()
        self.path = os.path.join(versioned_cache_dir(), f"library-{key[:20]}.cgb")
        self.entries: dict | None = None  # path -> (identity, payload bytes)
        self.fresh: dict = {}  # entries to add at the next save

    def _read(self) -> dict:
        entries: dict = {}
        try:
            with open(self.path, "rb") as fh:
                data = marshal.loads(fh.read())
            if (
                type(data) is tuple
                and len(data) == 3
                and data[0] == _BUNDLE_FORMAT
                and data[1] == _generator_stamp()
                and type(data[2]) is dict
            ):
                entries = data[2]
        except (OSError, ValueError, EOFError, TypeError):
            pass
        self.entries = entries
        return entries

    def payload(self, path: str, identity: tuple) -> tuple | None:
        """The bundled payload of the module at `path`, when still valid."""
        entries = self.entries
        if entries is None:
            entries = self._read()
        entry = entries.get(path)
        if entry is None or entry[0] != identity:
            return None
        return decode(entry[1])

    def add(self, path: str, identity: tuple, data: bytes) -> None:
        """Bundle `data`, the payload of `path` as it was when `identity`
        was taken (before the source was read: a change after that makes
        the entry stale, never wrong)."""
        self.fresh[path] = (identity, data)

    def save(self) -> None:
        """Write the bundle with the fresh entries, dropping stale ones."""
        if not self.fresh:
            return
        entries = dict(self.entries if self.entries is not None else self._read())
        entries.update(self.fresh)
        self.fresh = {}
        kept = {}
        for path, entry in entries.items():
            try:
                if file_identity(os.stat(path)) == entry[0]:
                    kept[path] = entry
            except OSError:
                pass
        self.entries = kept
        tmp = f"{self.path}.{os.getpid()}"
        try:
            data = marshal.dumps((_BUNDLE_FORMAT, _generator_stamp(), kept))
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            with open(tmp, "wb") as fh:
                fh.write(data)
            os.replace(tmp, self.path)
        except (OSError, ValueError):
            try:
                os.unlink(tmp)
            except OSError:
                pass


_bundles: dict = {}


def bundle(folder: str) -> Bundle:
    """The (one per process) bundle of library folder `folder`."""
    found = _bundles.get(folder)
    if found is None:
        found = _bundles[folder] = Bundle(folder)
    return found
