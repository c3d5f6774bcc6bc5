"""Modules and imports (LANGUAGE.md §3.3, DESIGN.md decision 9).

`import a::b` loads `a/b.inko` from the main file's directory, then each
include directory, then the bundled stdlib. Each module body runs once, at
its first import; imports are hoisted and bind module globals.
"""

from __future__ import annotations

import os
import pickle
import sys

from inko_mini import __version__, ast
from inko_mini.errors import InkoLoadError
from inko_mini.runtime import objects as O
from inko_mini.runtime.calls import run_frame
from inko_mini.runtime.objects import MISSING, InkoObject, holder, lookup_from
from inko_mini.runtime.signals import InkoCompileError

STDLIB_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "stdlib")
PRELUDE = ("core", "prelude")


def parse_file(path, display):
    from inko_mini.errors import decode_source

    with open(path, "rb") as fh:
        source = decode_source(fh.read(), display)
    return parse_source(source, display, cache=True)


def _cache_dir():
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "inko-mini", __version__)


_PARSER_FILES = ("parser.py", "lexer.py", "postlex.py", "ast.py", "grammar/inko.lark")
_parser_stamp = []


def _parser_version():
    """Changes whenever the parser changes, so stale cached ASTs are ignored."""
    if not _parser_stamp:
        base = os.path.dirname(STDLIB_DIR)
        parts = []
        for name in _PARSER_FILES:
            try:
                st = os.stat(os.path.join(base, name))
                parts.append(f"{st.st_mtime_ns}:{st.st_size}")
            except OSError:
                parts.append("-")
        _parser_stamp.append(",".join(parts))
    return _parser_stamp[0]


# Nodes are pickled as `Class(*fields)`: loading then runs each dataclass's
# own __init__, several times faster than the generic slots __setstate__.
_CACHE_FORMAT = "nodes-as-calls\0"
_reducers_done = []


def _sha1(data):
    try:
        from _sha1 import sha1  # built in, unlike hashlib's OpenSSL binding
    except ImportError:
        from hashlib import sha1
    return sha1(data)


def _register_node_reducers():
    if _reducers_done:
        return
    import copyreg
    import dataclasses

    for value in vars(ast).values():
        if isinstance(value, type) and dataclasses.is_dataclass(value):
            names = tuple(f.name for f in dataclasses.fields(value) if f.init)
            copyreg.pickle(value, _node_reducer(value, names))
    _reducers_done.append(True)


def _node_reducer(cls, names):
    def reduce(node):
        return cls, tuple(getattr(node, n) for n in names)

    return reduce


def parse_source(source, display, cache=False):
    """Parse, using a pickled AST cached by content hash when allowed."""
    if not cache:
        from inko_mini import parser

        return parser.parse(source, display)
    key = _sha1(
        (_CACHE_FORMAT + _parser_version() + "\0" + display + "\0" + source).encode()
    ).hexdigest()
    path = os.path.join(_cache_dir(), key + ".ast")
    try:
        with open(path, "rb") as fh:
            return pickle.load(fh)
    except Exception:
        pass
    from inko_mini import parser

    tree = parser.parse(source, display)
    limit = sys.getrecursionlimit()
    tmp = f"{path}.{os.getpid()}"
    try:
        _register_node_reducers()
        os.makedirs(os.path.dirname(path), exist_ok=True)
        # pickle recurses in C, with large C frames: under the interpreter's
        # high recursion limit a deeply nested tree (30,000 nested blocks)
        # overflowed the C stack (a segfault). A tree that deep is just not
        # cached: RecursionError comes first at this limit.
        sys.setrecursionlimit(min(limit, _PICKLE_RECURSION_LIMIT))
        with open(tmp, "wb") as fh:
            pickle.dump(tree, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except Exception:
        try:
            os.unlink(tmp)
        except OSError:
            pass
    finally:
        sys.setrecursionlimit(limit)
    return tree


_PICKLE_RECURSION_LIMIT = 6_000


class Loader:
    def __init__(self, main_dir=None, include=(), check_captures=None):
        self.search = []
        if main_dir is not None:
            self.search.append(main_dir)
        self.search.extend(include)
        self.search.append(STDLIB_DIR)
        self.modules: dict = {}  # qualified name -> ModuleContext
        self.check_captures = check_captures

    def find(self, parts):
        rel = os.path.join(*parts) + ".inko"
        for d in self.search:
            path = os.path.join(d, rel)
            if os.path.isfile(path):
                return path
        return None

    def load(self, parts, span=None):
        """The context of module `parts` (e.g. ['std', 'integer']), running
        its body on first use."""
        name = "::".join(parts)
        ctx = self.modules.get(name)
        if ctx is not None:
            return ctx
        path = self.find(parts)
        if path is None:
            raise InkoLoadError(f"The module {name} could not be found", span)
        path = os.path.abspath(path)
        tree = parse_file(path, path)
        from inko_mini.compiler import ModuleContext

        ctx = ModuleContext(name, path, name)
        self.modules[name] = ctx
        self.run_module(tree, ctx, user=not path.startswith(STDLIB_DIR))
        return ctx

    def run_module(self, tree: ast.Module, ctx, user=False, hook=None):
        from inko_mini.compiler import Compiler

        for d in tree.directives:
            if d.key not in _OPTIONS:
                raise InkoCompileError(f"{d.key} is not a valid compiler option", d.span)
        options = {d.key: d.value for d in tree.directives}
        if user and self.check_captures is not None:
            self.check_captures(tree)
        try:
            code = Compiler(ctx).compile_module(tree, ctx.display_name, hook)
        except RecursionError:
            # The compiler recurses over the AST; a machine-written expression
            # thousands of sends deep is reported like the parser's limit.
            raise InkoCompileError("the code is nested too deeply", tree.span) from None
        if options.get("define_module", True) is False:
            ctx.module = O.INKO
        else:
            ctx.module = InkoObject(O.MODULE, {"@name": ctx.name, "@path": ctx.file})
        g = ctx.globals
        if options.get("import_bootstrap", True) is not False:
            self.load(["core", "bootstrap"])
        if options.get("import_globals", True) is not False:
            self.glob_into(g, self.load(["core", "globals"]))
        if options.get("import_prelude", True) is not False:
            self.glob_into(g, self.load(list(PRELUDE)))
        _check_import_names(tree.imports)
        for imp in tree.imports:
            # Traces of a panic in the imported module's body start with
            # this module's frame at the import line, as in 0.4.0, where the
            # importer's body ran its imports.
            _in_frame_of(code, _at_line, imp.span.line, self.bind_import, imp, g)
        f = [None, ctx.module, None, *code.pad]
        run_frame(code, f)
        return ctx

    def glob_into(self, g, ctx):
        for key, value in holder(ctx.module).attrs.items():
            if type(key) is str and not key.startswith("@"):
                g[key] = value

    def bind_import(self, imp: ast.Import, g):
        parts = list(imp.path)
        try:
            ctx = self.load(parts, imp.span)
        except InkoLoadError as exc:
            if exc.span is None:
                exc.span = imp.span
            raise
        name = "::".join(parts)
        if imp.glob:
            self.glob_into(g, ctx)
            return
        if not imp.symbols:
            g[parts[-1]] = ctx.module
            return
        for sym in imp.symbols:
            if sym.name == "self":
                g[sym.alias or parts[-1]] = ctx.module
                continue
            value = lookup_from(holder(ctx.module), sym.name)
            if value is MISSING:
                raise InkoLoadError(f'The module {name} does not define "{sym.name}"', sym.span)
            g[sym.alias or sym.name] = value


_OPTIONS = {
    "define_module",
    "import_bootstrap",
    "import_globals",
    "import_prelude",
    "import_trait_module",
}


def _in_frame_of(_code, fn, *args):
    return fn(*args)


def _at_line(_line, fn, *args):
    return fn(*args)


def _check_import_names(imports):
    """Two imports binding one name to different things are an error, found
    before any imported module runs, as the original compiler did
    (LANGUAGE.md §3.3). The same symbol imported twice is allowed."""
    seen: dict = {}
    for imp in imports:
        if imp.glob:
            continue
        path = tuple(imp.path)
        if not imp.symbols:
            bound = [(path[-1], (path, "self"), imp.span)]
        else:
            bound = [
                (
                    sym.alias or (path[-1] if sym.name == "self" else sym.name),
                    (path, sym.name),
                    sym.span,
                )
                for sym in imp.symbols
            ]
        for name, what, span in bound:
            if seen.setdefault(name, what) != what:
                raise InkoLoadError(
                    f'The symbol "{name}" can not be imported as it already exists', span
                )
