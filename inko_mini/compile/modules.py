"""Modules and imports (LANGUAGE.md §3.3, DESIGN.md decision 9).

`import a::b` loads `a/b.inko` from the main file's directory, then each
include directory, then the bundled stdlib. Each module body runs once, at
its first import; imports are hoisted and bind module globals.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from inko_mini.compile.codegen import cache
from inko_mini.compile.scope import ModuleContext
from inko_mini.errors import InkoLoadError, decode_source
from inko_mini.paths import STDLIB_DIR
from inko_mini.runtime import objects as O
from inko_mini.runtime.calls import run_frame
from inko_mini.runtime.objects import MISSING, InkoObject, holder, lookup_from
from inko_mini.runtime.signals import InkoCompileError

if TYPE_CHECKING:
    from inko_mini.syntax import ast

PRELUDE = ("core", "prelude")


class Loader:
    def __init__(self, main_dir=None, include=(), check_captures=None):
        self.search = []
        if main_dir is not None:
            self.search.append(main_dir)
        self.search.extend(include)
        self.search.append(STDLIB_DIR)
        self.modules: dict = {}  # qualified name -> ModuleContext
        self.check_captures = check_captures
        self._depth = 0  # nested loads of library modules (see load)

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
        if not path.startswith(STDLIB_DIR):
            with open(path, "rb") as fh:
                source = decode_source(fh.read(), path)
            ctx = ModuleContext(name, path, name)
            self.modules[name] = ctx
            self.run_source(source, path, ctx, user=True)
            return ctx
        # A library module: from the bundle of the library's cached modules
        # (cache.Bundle) when it is there, without reading its source.
        library = cache.bundle(STDLIB_DIR)
        self._depth += 1
        try:
            try:
                identity = cache.file_identity(os.stat(path))
            except OSError:
                identity = None
            payload = None if identity is None else library.payload(path, identity)
            if payload is None:
                with open(path, "rb") as fh:
                    source = decode_source(fh.read(), path)
                ctx = ModuleContext(name, path, name)
                self.modules[name] = ctx

                def note(data: bytes) -> None:
                    if identity is not None:
                        library.add(path, identity, data)

                self.run_source(source, path, ctx, note=note)
                return ctx
            ctx = ModuleContext(name, path, name)
            self.modules[name] = ctx
            compiled = cache.instantiate(payload, ctx, _SourceReader(path), path)
            self.execute(compiled.code, compiled.options, compiled.imports, ctx)
            return ctx
        finally:
            self._depth -= 1
            if not self._depth:
                library.save()

    def cached(self, source: str, display: str, ctx, user: bool, note=None) -> Any:
        """The module compiled from `source`, from the code cache, or None.
        `note(data)` is given the cached payload's bytes."""
        checked = user and self.check_captures is not None
        data = cache.read_data(cache.cache_path(display, ctx.file, source, checked))
        payload = None if data is None else cache.decode(data)
        if payload is None:
            return None
        if note is not None:
            note(data)
        return cache.instantiate(payload, ctx, source, display)

    def run_source(self, source: str, display: str, ctx, user: bool = False, note=None):
        """Run a module's source, from the code cache when it is there."""
        compiled = self.cached(source, display, ctx, user, note)
        if compiled is None:
            from inko_mini.syntax.cache import parse_source

            tree = parse_source(source, display, cache=True)
            return self.run_module(tree, ctx, user, source=source, display=display, note=note)
        return self.execute(compiled.code, compiled.options, compiled.imports, ctx)

    def run_module(
        self, tree: ast.Module, ctx, user=False, hook=None, source=None, display=None, note=None
    ):
        """Compile and run a parsed module; with `source`, cache its code
        (and give `note` the stored payload's bytes)."""
        for d in tree.directives:
            if d.key not in _OPTIONS:
                raise InkoCompileError(f"{d.key} is not a valid compiler option", d.span)
        options = {d.key: d.value for d in tree.directives}
        if user and self.check_captures is not None:
            self.check_captures(tree)
        try:
            # Imported here: a start whose modules are all cached never
            # needs the generator (start-up speed).
            from inko_mini.compile.codegen.gen import Gen
            from inko_mini.compile.codegen.hooks import HookedGen

            gen = Gen(ctx) if hook is None else HookedGen(ctx, hook)
            code: Any = gen.compile_module(tree, ctx.display_name)
            if source is not None and hook is None:
                # Annotation checks are not part of the module's code.
                checked = user and self.check_captures is not None
                path = cache.cache_path(display or ctx.file, ctx.file, source, checked)
                data = cache.store(path, gen, options, tree.imports)
                if data is not None and note is not None:
                    note(data)
        except RecursionError:
            # The compiler recurses over the AST; a machine-written expression
            # thousands of sends deep is reported like the parser's limit.
            raise InkoCompileError("the code is nested too deeply", tree.span) from None
        return self.execute(code, options, tree.imports, ctx)

    def execute(self, code, options: dict, imports: list, ctx):
        """Run a compiled module body after binding its imports."""
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
        _check_import_names(imports, implicit=set(g) | {"ThisModule"})
        for imp in imports:
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

    def bind_import(self, imp: ast.Import | cache.Import, g):
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
            if sym.alias == "_":
                continue  # neither checked nor bound; the module still loads (SURFACE.md §1)
            if sym.name == "self":
                g[sym.alias or parts[-1]] = ctx.module
                continue
            value = lookup_from(holder(ctx.module), sym.name)
            if value is MISSING:
                raise InkoLoadError(f'The module {name} does not define "{sym.name}"', sym.span)
            g[sym.alias or sym.name] = value


class _SourceReader:
    """The source of a module loaded from the bundle, read on first use."""

    __slots__ = ("path", "text")

    def __init__(self, path: str):
        self.path = path
        self.text: str | None = None

    def __call__(self) -> str:
        if self.text is None:
            with open(self.path, "rb") as fh:
                self.text = decode_source(fh.read(), self.path)
        return self.text


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


def _check_import_names(imports, implicit=frozenset()):
    """Two imports binding one name to different things are an error, found
    before any imported module runs, as the original compiler did
    (LANGUAGE.md §3.3). The same symbol imported twice is allowed (a known
    leniency, SURFACE.md §1 rule 4). A name the implicit imports bound
    (`core::globals`, `core::prelude`, `ThisModule`) can not be imported."""
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
                if sym.alias != "_"
            ]
        for name, what, span in bound:
            if name in implicit or seen.setdefault(name, what) != what:
                raise InkoLoadError(
                    f'The symbol "{name}" can not be imported as it already exists', span
                )
