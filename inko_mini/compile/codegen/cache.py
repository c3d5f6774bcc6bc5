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
from importlib._bootstrap_external import MAGIC_NUMBER
from typing import Any

from inko_mini.compile.codegen import support
from inko_mini.paths import GRAMMAR_FILE, PACKAGE_DIR, files_stamp, versioned_cache_dir
from inko_mini.runtime import hints
from inko_mini.runtime.calls import ParamInfo
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


def _generator_stamp() -> str:
    if not _stamp:
        files = tuple(os.path.join(PACKAGE_DIR, rel) for rel in _GENERATOR_FILES)
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


def store(path: str, gen: Any, options: dict, imports: list) -> None:
    """Write the module `gen` generated (after gen.finish)."""
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
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except (OSError, ValueError):
        # Unwritable cache, or a constant marshal can not store: run uncached.
        try:
            os.unlink(tmp)
        except OSError:
            pass


def read(path: str) -> tuple | None:
    try:
        with open(path, "rb") as fh:
            payload = marshal.loads(fh.read())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    if type(payload) is not tuple or len(payload) != 9 or payload[0] != _FORMAT:
        return None
    return payload


class Compiled:
    """A module ready to run: its body's Code, directives and imports."""

    __slots__ = ("code", "options", "imports")

    def __init__(self, code: CgCode, options: dict, imports: list):
        self.code = code
        self.options = options
        self.imports = imports


def instantiate(payload: tuple, ctx: Any, source: str, display: str) -> Compiled:
    """The cached module `payload` bound to module context `ctx`."""
    _, tag, pycode, consts, metas, records, regions, options, imports = payload
    ns = support.namespace()
    support.claim_tag(tag)
    region_list = list(regions)
    codes: list[CgCode] = []
    file = ctx.file
    for name, line, kind, body_line, params, lam in metas:
        code = CgCode(name, file, line, kind, [], ctx)
        if params:
            infos = [
                ParamInfo(
                    pname,
                    support.default_caller(ns, dname) if dname is not None else None,
                    rest,
                    lambda_type,
                )
                for pname, dname, rest, lambda_type in params
            ]
            code.set_params(infos)
        code.body_line = body_line
        code.regions = region_list
        if lam is not None:
            code.lambda_code = _lambda_builder(ctx, source, display, lam)
        codes.append(code)
    define = support.define
    for name, recipe in consts:
        define(ns, name, recipe, ctx, codes)
    support.bind_module(pycode, ns, codes, list(records))
    hints.note_lazy(ctx.file, lambda: _regenerate_for_hints(ctx, source, display))
    return Compiled(codes[0], dict(options), [_import_of(i) for i in imports])


def _lambda_builder(ctx: Any, source: str, display: str, lam: tuple) -> Any:
    line, column, forbidden = lam

    def build() -> CgCode:
        # Cached like a module of its own: `process.spawn { ... }` in a
        # cached program then needs neither the parser nor the generator.
        path = cache_path(f"{display}#lambda:{line}:{column}", ctx.file, source, False)
        payload = read(path)
        if payload is not None:
            return instantiate(payload, ctx, source, display).code
        from inko_mini.compile.codegen.gen import find_block, lambda_gen

        gen = lambda_gen(
            ctx, find_block(_tree(source, display), line, column), frozenset(forbidden)
        )
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
