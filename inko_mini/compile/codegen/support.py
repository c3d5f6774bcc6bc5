"""Helpers the generated functions call: send sites with inline caches,
constants, attributes and definitions, and the recipes that rebuild a
generated module's constants (also from the code cache)."""

from __future__ import annotations

import zlib
from types import MappingProxyType
from typing import Any

from inko_mini import builtins
from inko_mini.errors import PanicSignal, ThrowSignal
from inko_mini.pycache import compile_template
from inko_mini.runtime import objects as O
from inko_mini.runtime.calls import NO_CAPTURES, call_block, out_of_reductions, truth, uncharged
from inko_mini.runtime.cgframes import PENDING_FRAMES, CgCode
from inko_mini.runtime.deferred import (
    adopt,
    adopt_local,
    deferring,
    run_blocks,
    run_pending_of,
    settle,
)
from inko_mini.runtime.numbers import float_eq
from inko_mini.runtime.objects import (
    FAST,
    FILLED,
    MISSING,
    NATIVE_PROTOS,
    NO_KEY,
    POLY,
    VERSION,
    Block,
    InkoObject,
    guard_operators,
    holder,
    lookup_from,
    set_attr,
)
from inko_mini.runtime.sends import (
    PRIMITIVE_ERRORS,
    SendSite,
    _panic,
    implement_trait,
    primitive_panic,
    send_dyn,
    try_panic,
)
from inko_mini.runtime.signals import ReturnSignal

# Names are unique across every generated module: they share one
# namespace. Each module's names end in a tag of its name and file, the same
# in every run, so that its cached code (codegen/cache.py) can be reused; a
# module generated twice in one run (the REPL, lambdas built later) gets a
# numbered variant.
_TAKEN: set[str] = set()


def module_tag(key: str) -> str:
    return claim_tag(f"{zlib.crc32(key.encode()):08x}")


def claim_tag(base: str) -> str:
    """`base`, or a numbered variant once `base` is taken in this run (a
    module loaded from the cache claims the tag its names carry)."""
    tag, n = base, 0
    while tag in _TAKEN:
        n += 1
        tag = f"{base}v{n}"
    _TAKEN.add(tag)
    return tag


# op: (int expr, guard on b, float expr or None, str expr or None)
OPS = {
    "+": ("+", False, "+", "+"),
    "-": ("-", False, "-", None),
    "*": ("*", False, "*", None),
    "/": ("//", True, "/", None),
    "%": ("%", True, None, None),
    "<": ("<", False, "<", None),
    ">": (">", False, ">", None),
    "<=": ("<=", False, "<=", None),
    ">=": (">=", False, ">=", None),
    "==": ("==", False, "eq", "=="),
    "!=": ("!=", False, "ne", "!="),
    "&": ("&", False, None, None),
    "|": ("|", False, None, None),
    "^": ("^", False, None, None),
}
# Messages without arguments whose Integer methods (std/integer.inko) the
# generated code runs in line for an int receiver: name -> Python operator
# and right operand (None: the receiver itself). Each method only uses
# operators inlined above (`opposite` is `0 - self`, `zero?` is `self == 0`).
INT_UNARY: dict[str, tuple[str, int] | None] = {
    "opposite": ("neg", 0),
    "to_integer": None,
    "successor": ("+", 1),
    "zero?": ("==", 0),
    "positive?": (">", 0),
    "negative?": ("<", 0),
}
# Redefining any operator or method inlined above turns its guards off.
# Registered here, not in gen.py: a run from cached code never imports the
# generator.
for _flag, _column in (("int", 0), ("float", 2), ("string", 3)):
    guard_operators(_flag, [op for op, forms in OPS.items() if forms[_column] is not None])
guard_operators("int", INT_UNARY)

_IDENT = """if s is site.gself and site.gver == VER[0]:
            v = g.get(name, MISSING)
            if v is not MISSING:
                return v"""

# The slow paths of the inline caches that generated code tests itself
# (gen.py `cached_send`): the generated expression calls the cached
# function `NS[fname]` when the receiver matches the key `NS[kname]`, else
# this function, which sends the message and, when the method is a generated
# function taking the arguments as they are, fills the pair. The key is what
# lookup starts from: the receiver itself (its own attribute; True, False,
# Nil), its prototype (an object without an attribute of that name), or its
# Python type (natives). objects.bump_version resets every key it filled.
_CACHED = """
def make(site, kname, fname, poly, getters):
    lookup = site.lookup
    invoke = site.invoke
    name = site.name
    attr = "@" + name

    def send(r{params}):
        t = type(r)
        if t is InkoObject:
            m = r.attrs.get(name, MISSING)
            if m is MISSING:
                key = pkey = r.proto
                fn = poly.get(pkey)
                if fn is not None:
                    return fn(r{params})
                m = lookup(r)
            else:
                key = r
                pkey = None
        else:
            key = r if t is bool or r is None else t
            if t is bool:
                pkey = TRUE_OBJ if r else FALSE_OBJ
            elif r is None:
                pkey = NIL_OBJ
            else:
                pkey = NATIVE_PROTOS.get(t) or holder(r)
            fn = poly.get(pkey)
            if fn is not None:
                return fn(r{params})
            m = lookup(r)
        if type(m) is Block:
            c = m.code
            if type(c) is CgCode:
                if c.fast_arity >= {n} >= c.py_arity:
                    fn = c.fn
                else:
                    fn = binding_lambdas(c, {n})
            else:
                fn = None
            if fn is not None:
                if NS[kname] is NO_KEY:
                    FILLED.append(kname)
                NS[kname] = key
                NS[fname] = fn
                if pkey is not None:
                    if not poly:
                        POLY.append(poly)
                    poly[pkey] = fn
                    if getters is not None and t is InkoObject and c.getter == attr and fn is c.fn:
                        if not getters:
                            POLY.append(getters)
                        getters.add(pkey)
                return fn(r{params})
        return invoke(r, [{args}])
    send.site = site
    return send
"""

_CACHED_IMPLICIT = """
def make(site, mod_site, ctx, g, ident, kname, fname, rname, poly, getters):
    lookup = site.lookup
    invoke = site.invoke
    mod_lookup = mod_site.lookup
    name = site.name
    attr = "@" + name

    def send(s{params}):
        {ident}
        t = type(s)
        if t is InkoObject:
            m = s.attrs.get(name, MISSING)
            if m is MISSING:
                m = lookup(s)
                key = s.proto
            else:
                key = s
        else:
            m = lookup(s)
            key = s if t is bool or s is None else t
        if m is MISSING:
            mod = ctx.module
            if mod is not s:
                m2 = mod_lookup(mod)
                if m2 is not MISSING:
                    if type(m2) is Block:
                        c = m2.code
                        if type(c) is CgCode and c.fast_arity >= {n} >= c.py_arity:
                            # Cached too: a receiver of this key calls the
                            # module's method (until a definition resets it),
                            # with the module as self: the receiver global
                            # `rname` of a site that reads one, else a wrapper.
                            fn2 = c.fn
                            if rname is None:

                                def to_module(_s{params}):
                                    return fn2(mod{params})

                                NS[fname] = to_module
                            else:
                                NS[fname] = fn2
                                NS[rname] = mod
                            if NS[kname] is NO_KEY:
                                FILLED.append(kname)
                            NS[kname] = key
                            return fn2(mod{params})
                    return mod_site.invoke(mod, [{args}])
            v = g.get(name, MISSING)
            if ident:
                if v is not MISSING:
                    site.gself = s
                    site.gver = VER[0]
                    # Cached too: a bare identifier naming a global (an
                    # imported module: `process.receive`) reads it through
                    # the inline cache while no definition could shadow it
                    # (every new method or attribute bumps VERSION, which
                    # resets the key); any self of this key resolves alike.
                    if NS[kname] is NO_KEY:
                        FILLED.append(kname)
                    NS[kname] = key
                    NS[fname] = constant(v)
                    if rname is not None:
                        NS[rname] = None
                    return v
            elif type(v) is Block and v.code.kind == "method":
                # A module method imported by name: `import m::(f)`, `f(5)`.
                return call_block(v, [{args}])
            return invoke(s, [{args}])
        if type(m) is Block:
            c = m.code
            if type(c) is CgCode and c.fast_arity >= {n} >= c.py_arity:
                fn = c.fn
                if NS[kname] is NO_KEY:
                    FILLED.append(kname)
                NS[kname] = key
                NS[fname] = fn
                if rname is not None:
                    NS[rname] = None
                if t is InkoObject and key is not s:
                    # self answers from its prototype: the generated code
                    # calls fn for any self of that prototype without an
                    # own attribute of this name (a trait's default method
                    # run for objects of several kinds), until a bump.
                    if not poly:
                        POLY.append(poly)
                    poly[key] = fn
                    if getters is not None and c.getter == attr:
                        if not getters:
                            POLY.append(getters)
                        getters.add(key)
                return fn(s{params})
        return invoke(s, [{args}])
    send.site = site
    return send
"""

_MAKERS: dict = {}


def _constant(value: Any) -> Any:
    """The cached function of a bare identifier that read a global."""
    return lambda _s: value


# A method with `lambda` parameters (`process.spawn(block: lambda)`) binds
# its arguments through make_frame, which makes a brace block given for such
# a parameter a lambda. Its send sites cache this wrapper of its function
# instead, doing that conversion in line (no frame, no invoke). Per (code,
# argument count); the source per (argument count, lambda positions).
_LAMBDA_BINDERS: dict = {}
_LAMBDA_MAKERS: dict = {}
_LAMBDA_TEMPLATE = """
def make(fn, Block, NO_CAPTURES):
    def with_lambdas(r{params}):
{converts}        return fn(r{params})
    return with_lambdas
"""
_LAMBDA_CONVERT = """        if type({x}) is Block and {x}.literal and {x}.code.kind == "closure":
            {x} = Block({x}.code.as_lambda(), NO_CAPTURES, {x}.code.ctx.module)
"""


def binding_lambdas(c: Any, n: int) -> Any:
    """The function a send of `n` arguments may cache for CgCode `c` whose
    only obstacle to a direct call is its lambda parameters (make_frame's
    rules: a literal brace closure becomes a lambda), else None."""
    # (keyed on the function too: a wrapper never calls a replaced one)
    key = (c, c.fn, n)
    fn = _LAMBDA_BINDERS.get(key)
    if fn is not None:
        return fn
    lams = c.lambda_params
    if not (
        lams
        and c.kind == "method"
        and c.plain
        and c.fn is not None
        and not c.has_rest
        and c.nparams >= n >= c.py_arity
        and max(lams) < n
    ):
        return None
    shape = (n, lams)
    maker = _LAMBDA_MAKERS.get(shape)
    if maker is None:
        src = _LAMBDA_TEMPLATE.format(
            params="".join(f", x{i}" for i in range(n)),
            converts="".join(_LAMBDA_CONVERT.format(x=f"x{i}") for i in lams),
        )
        ns: dict = {}
        exec(compile_template(src, f"<codegen lambda binding/{n} {lams}>"), ns)
        maker = _LAMBDA_MAKERS[shape] = ns["make"]
    fn = _LAMBDA_BINDERS[key] = maker(c.fn, Block, NO_CAPTURES)
    return fn


# FAST is the namespace of all generated code (gen.py Gen.__init__), any value.
_NS: dict = FAST


def _maker(template: str, n: int) -> Any:
    key = (template, n)
    maker = _MAKERS.get(key)
    if maker is None:
        names = [f"x{i}" for i in range(n)]
        src = template.format(
            params="".join(", " + x for x in names),
            args=", ".join(names),
            n=n,
            ident=_IDENT if n == 0 else "pass",
        )
        ns: dict = {
            "InkoObject": InkoObject,
            "MISSING": MISSING,
            "NATIVE_PROTOS": NATIVE_PROTOS,
            "VER": VERSION,
            "Block": Block,
            "CgCode": CgCode,
            "call_block": call_block,
            "NOTHING": object(),
            "NS": FAST,
            "NO_KEY": NO_KEY,
            "FILLED": FILLED,
            "POLY": POLY,
            "TRUE_OBJ": O.TRUE_OBJ,
            "FALSE_OBJ": O.FALSE_OBJ,
            "NIL_OBJ": O.NIL_OBJ,
            "holder": holder,
            "binding_lambdas": binding_lambdas,
            "constant": _constant,
        }
        kind = " cached" if template is _CACHED else " cached implicit"
        label = f"<codegen send/{n}{kind}>"
        exec(compile_template(src, label), ns)
        maker = _MAKERS[key] = ns["make"]
    return maker


def cached_site(
    name: str,
    line: int,
    ctx: Any,
    n: int,
    kname: str,
    fname: str,
    pname: str,
    gname: str | None = None,
) -> Any:
    """The slow path of a send whose inline cache is the globals `kname`
    (key) and `fname` (function) of the generated code: (r, x0, ...).

    The dict `pname` maps the object where the lookup of every receiver
    the site met since the last bump of VERSION continued after the
    receiver's own attributes (an object's prototype; Integer for an int,
    the stand-in of True, False or Nil) to the function of its method: a
    site alternating between kinds of receiver (objects implementing one
    trait) calls it without a lookup, and the generated code looks an
    object's prototype up in it before calling this function. The key is
    never None (an object without a prototype finds nothing there);
    objects.bump_version empties the dict.

    A site sending a getter's name (gen.py cached_send) also has the set
    `gname`: the keys of that dict whose function is a getter of '@' + name
    (CgCode.getter), for which the generated code reads the attribute
    itself; emptied with the dict."""
    _NS[kname] = NO_KEY
    _NS[fname] = None
    poly: dict = {}
    _NS[pname] = poly
    getters = _getter_set(gname)
    return _maker(_CACHED, n)(SendSite(name, line, ctx), kname, fname, poly, getters)


def _getter_set(gname: str | None) -> set | None:
    if gname is None:
        return None
    getters: set = set()
    _NS[gname] = getters
    return getters


def cached_implicit_site(
    name: str,
    line: int,
    ctx: Any,
    n: int,
    ident: bool,
    kname: str,
    fname: str,
    pname: str,
    rname: str | None = None,
    gname: str | None = None,
) -> Any:
    """`name(x0, ...)` without receiver (self, else the module, else a global
    for a bare identifier), with the inline cache of cached_site (filled when
    self or the module answers; a global is looked up again). A site with
    `rname` calls the cached function with `rname or self` as receiver (gen.py
    `implicit`): None while self answers, the module while it does."""
    _NS[kname] = NO_KEY
    _NS[fname] = None
    if rname is not None:
        _NS[rname] = None
    poly: dict = {}
    _NS[pname] = poly
    return _maker(_CACHED_IMPLICIT, n)(
        SendSite(name, line, ctx),
        SendSite(name, line, ctx),
        ctx,
        ctx.globals,
        ident,
        kname,
        fname,
        rname,
        poly,
        _getter_set(gname),
    )


def kw_site(name: str, line: int, ctx: Any, kw_names: tuple) -> Any:
    site = SendSite(name, line, ctx, kw_names)
    return site.invoke


def implicit_kw_site(name: str, line: int, ctx: Any) -> Any:
    self_site = SendSite(name, line, ctx)
    mod_site = SendSite(name, line, ctx)

    def implicit(s, args, kwargs):
        _line = line  # noqa: F841 (read by stack traces)
        m = self_site.lookup(s)
        if m is MISSING:
            mod = ctx.module
            if mod is not s and mod_site.lookup(mod) is not MISSING:
                return mod_site.invoke(mod, args, kwargs)
            imported = ctx.globals.get(name, MISSING)
            if type(imported) is Block and imported.code.kind == "method":
                return call_block(imported, args, kwargs or None)
        return self_site.invoke(s, args, kwargs or None)

    return implicit


def slow_binary(name: str, line: int, ctx: Any) -> Any:
    site = SendSite(name, line, ctx)
    invoke = site.invoke

    def slow(a, b):
        return invoke(a, [b])

    return slow


def const_getter(name: str, line: int, ctx: Any, kname: str, vname: str) -> Any:
    """The slow path of constant `name` read with `self` = s, whose inline
    cache is the globals `kname` (key) and `vname` (value) of the generated
    code (gen.py `constant`). The key is what lookup starts from, as for the
    send caches: s itself (its own attribute; True, False, Nil), its
    prototype (an object without an own attribute of that name), or its
    Python type (natives). Every change that could make a read find another
    value bumps objects.VERSION, which resets the key: a new attribute of
    that name anywhere, a replaced one (objects.set_attr), a new prototype of
    a native type. A module's globals change only while its imports are
    bound, before its code runs."""
    g = ctx.globals

    def const(s):
        t = type(s)
        if t is InkoObject:
            v = s.attrs.get(name, MISSING)
            if v is MISSING:
                key = s.proto
                v = lookup_from(key, name)
            else:
                key = s
        else:
            key = s if t is bool or s is None else t
            v = lookup_from(holder(s), name)
        if v is MISSING:
            v = g.get(name, MISSING)
            if v is MISSING:
                sig = _panic(f"The constant {name} is undefined", line)
                sig.hint = ("constant", s, name, ctx)  # runtime/hints.py
                raise sig
        if _NS[kname] is NO_KEY:
            FILLED.append(kname)
        _NS[kname] = key
        _NS[vname] = v
        return v

    _NS[kname] = NO_KEY
    _NS[vname] = None
    return const


def const_path(value: Any, name: str) -> Any:
    v = lookup_from(holder(value), name)
    return None if v is MISSING else v


def attr(s: Any, name: str) -> Any:
    if type(s) is InkoObject:
        v = s.attrs.get(name, MISSING)
        if v is not MISSING:
            return v
        v = lookup_from(s.proto, name)
    else:
        v = lookup_from(holder(s), name)
    return None if v is MISSING else v


def let_const(s: Any, name: str, v: Any, g: Any) -> Any:
    set_attr(s, name, v)
    if g is not None:
        g[name] = v
    return v


def define_method(s: Any, name: str, code: Any, g: Any) -> Any:
    b = Block(code, None, s)
    set_attr(s, name, b)
    if g is not None:
        g[name] = b
    return b


def object_def(s: Any, name: str, impls: list, body: Any, g: Any) -> Any:
    obj = InkoObject(O.OBJECT, {"@_object_name": name})
    set_attr(s, name, obj)
    if g is not None:
        g[name] = obj
    for impl in impls:
        implement_trait(obj, impl)
    body(obj)
    return obj


def trait_def(s: Any, name: str, body: Any, g: Any) -> Any:
    existing = lookup_from(holder(s), name) if g is None else g.get(name, MISSING)
    if type(existing) is InkoObject and existing.proto is O.TRAIT:
        obj = existing
    else:
        obj = InkoObject(O.TRAIT, {"@_object_name": name})
        set_attr(s, name, obj)
        if g is not None:
            g[name] = obj
    body(obj)
    return obj


def impl_def(target: Any, trait: Any, body: Any) -> Any:
    if trait is not None:
        implement_trait(target, trait)
        body(target)
        return trait
    body(target)
    return target


def hash_lit(hm: Any, items: list) -> Any:
    m = send_dyn(hm, "new", [])
    for i in range(0, len(items), 2):
        send_dyn(m, "[]=", [items[i], items[i + 1]])
    return m


def tail_code(helper: Any, s: Any) -> Any:
    """The Code a self tail call would run (compared with the method's own)."""
    m = helper.site.lookup(s)
    return m.code if type(m) is Block else None


def throw(value: Any) -> Any:
    raise ThrowSignal(value)


def do_return(target: Any, value: Any) -> Any:
    if target is None:
        raise _panic('The "return" keyword can only be used inside a method')
    raise ReturnSignal(target, value)


def no_captures() -> Any:
    raise PanicSignal("A lambda can not use the local variables of the scope it is defined in")


def try_bang(thunk: Any, file: str, line: int) -> Any:
    try:
        return thunk()
    except ThrowSignal as sig:
        if sig.__dict__:
            run_pending_of(sig)
        raise try_panic(sig.value, file, line) from None


def prim_panic(exc: BaseException, fn: Any) -> PanicSignal:
    """A primitive failed on values of the wrong kind."""
    prim = getattr(fn, "primitive", None)  # a primitive not yet called
    return primitive_panic(builtins.lookup(prim) if prim else fn, exc)


def define(ns: dict, name: str, recipe: tuple, ctx: Any, codes: list) -> None:
    """ns[name] = what `recipe` makes. A primitive is looked up at its first
    call: finding one may import its builtins module (sockets, ctypes),
    which a program that never calls it should not pay for at start-up."""
    kind = recipe[0]
    # (the commonest kinds first: a start defines some 1600 constants)
    if kind == "code":
        ns[name] = codes[recipe[1]]
    elif kind == "cget":
        ns[name] = const_getter(recipe[1], recipe[2], ctx, recipe[3], recipe[4])
    elif kind in _LAZY_SITES:
        # A send site's slow path is built at its first call: a start
        # defines some 500 of them and calls few. The globals of its inline
        # cache are read by the generated code before that, so they are set
        # now (to what building the site sets them to again).
        if kind == "csend":
            ns[recipe[4]] = NO_KEY
            ns[recipe[5]] = None
            ns[recipe[6]] = {}
            if len(recipe) > 7:
                ns[recipe[7]] = _NO_GETTERS
        elif kind == "cimplicit":
            ns[recipe[5]] = NO_KEY
            ns[recipe[6]] = None
            ns[recipe[7]] = {}
            if recipe[8] is not None:
                ns[recipe[8]] = None
            if len(recipe) > 9:
                ns[recipe[9]] = _NO_GETTERS
        ns[name] = _LazySite(name, recipe, ctx)
    elif kind == "prim":
        ns[name] = _lazy_primitive(ns, name, recipe[1])
    else:
        ns[name] = realize(recipe, ctx, codes)


# The getters' set of a site not built yet (cached_site): empty, like its dict.
_NO_GETTERS: frozenset = frozenset()

# Recipes of send sites, which only the generated code calls (and
# tail_code reads `.site` of): see _LazySite.
_LAZY_SITES = frozenset(("csend", "cimplicit", "slow", "kw", "implicit_kw"))


class _LazySite:
    """Stands in the namespace for a send site until its first call, which
    builds the site (realize), puts it in its place and calls it. The site's
    inline cache is empty until then, so building it late changes nothing:
    its first call was going to be its first slow-path run anyway. A
    reference taken before (none of the generated code keeps one) keeps
    working through `fn`."""

    __slots__ = ("name", "recipe", "ctx", "fn")

    def __init__(self, name: str, recipe: tuple, ctx: Any):
        self.name = name
        self.recipe = recipe
        self.ctx = ctx
        self.fn: Any = None

    def _real(self) -> Any:
        fn = self.fn
        if fn is None:
            # One-off work of ours, not the program's: not charged to the
            # running process's time slice (calls.uncharged).
            fn = self.fn = uncharged(lambda: realize(self.recipe, self.ctx, []))
            if _NS.get(self.name) is self:
                _NS[self.name] = fn
        return fn

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._real()(*args, **kwargs)

    @property
    def site(self) -> Any:
        return self._real().site


def _lazy_primitive(ns: dict, pyname: str, prim: str) -> Any:
    def first_call(*args: Any) -> Any:
        # Known to exist: the generator checked the name.
        fn: Any = uncharged(lambda: builtins.lookup(prim))  # may import a module
        ns[pyname] = fn
        return fn(*args)

    first_call.primitive = prim  # type: ignore[attr-defined]
    return first_call


def realize(recipe: tuple, ctx: Any, codes: list) -> Any:
    """The value a generated module's constant stands for. Recipes are
    plain data, so a module's cache (cache.py) can store them."""
    kind = recipe[0]
    if kind == "csend":
        return cached_site(
            recipe[1],
            recipe[2],
            ctx,
            recipe[3],
            recipe[4],
            recipe[5],
            recipe[6],
            recipe[7] if len(recipe) > 7 else None,
        )
    if kind == "cimplicit":
        return cached_implicit_site(
            recipe[1],
            recipe[2],
            ctx,
            recipe[3],
            recipe[4],
            recipe[5],
            recipe[6],
            recipe[7],
            recipe[8],
            recipe[9] if len(recipe) > 9 else None,
        )
    if kind == "slow":
        return slow_binary(recipe[1], recipe[2], ctx)
    if kind == "cget":
        return const_getter(recipe[1], recipe[2], ctx, recipe[3], recipe[4])
    if kind == "kw":
        return kw_site(recipe[1], recipe[2], ctx, recipe[3])
    if kind == "implicit_kw":
        return implicit_kw_site(recipe[1], recipe[2], ctx)
    if kind == "prim":
        return builtins.lookup(recipe[1])
    if kind == "code":
        return codes[recipe[1]]
    if kind == "ctx":
        return ctx
    if kind == "globals":
        return ctx.globals
    if kind == "value":
        return recipe[1]
    raise ValueError(f"unknown constant recipe {kind!r}")


def namespace() -> dict:
    """The one globals dict of all generated code: objects.FAST itself, so
    that the guards of the fast paths read their flags ("int", "float",
    "string", "cond", "loop") as plain globals and see a redefinition of a
    built-in method at once."""
    ns: dict[str, Any] = FAST  # type: ignore[assignment]
    if "_Block" not in ns:
        ns.update(NAMESPACE)
        ns.update({"_int": int, "_float": float, "_str": str, "_float_eq": float_eq})
    return ns


def default_caller(ns: dict, fname: str) -> Any:
    """A parameter's default as fn(frame), the runtime's convention."""
    return lambda f: ns[fname](f)


def bind_module(pycode: Any, ns: dict, codes: list, records: list) -> None:
    """Run a generated module's definitions and attach each function to its
    CgCode (its code objects go to CG_FRAMES when a trace first needs them:
    cgframes.index_frames)."""
    exec(pycode, ns)
    PENDING_FRAMES.append((pycode, codes, records))
    for fname, index, kind, n, owns_deferred in records:
        if index < 0:
            continue
        cg = codes[index]
        fn = ns.get(fname)
        cg.fn = fn
        # Sends of fewer arguments call fn directly when Python fills the
        # rest from literal defaults (gen._literal_defaults).
        cg.py_arity = n - len(getattr(fn, "__defaults__", None) or ())
        cg.plain = not owns_deferred
        body = _adapter(fn, n, kind, owns_deferred)
        if owns_deferred:
            body = deferring(body)
        cg.finish(body, n)
        if owns_deferred:
            cg.fast_arity = -1
        elif kind == "closure" and cg.simple:
            cg.call_arity = n


def _adapter(fn: Any, n: int, kind: str, with_frame: bool) -> Any:
    """body(frame) -> the generated function, for the runtime's calls."""
    if kind == "closure":
        if with_frame:
            return lambda f: f[0][0](f, *f[3 : 3 + n])
        if n == 0:
            return lambda f: f[0][0]()
        if n == 1:
            return lambda f: f[0][0](f[3])
        return lambda f: f[0][0](*f[3 : 3 + n])
    if with_frame:
        return lambda f: fn(f, f[1], *f[3 : 3 + n])
    if n == 0:
        return lambda f: fn(f[1])
    if n == 1:
        return lambda f: fn(f[1], f[3])
    if n == 2:
        return lambda f: fn(f[1], f[3], f[4])
    return lambda f: fn(f[1], *f[3 : 3 + n])


# Names the generated code reads from its module namespace.
NAMESPACE = {
    "_F": FAST,
    "_oor": out_of_reductions,
    "_truth": truth,
    "_Block": Block,
    "_InkoObject": InkoObject,
    "_MISSING": MISSING,
    # The attribute dict of a self without one (gen.py self_attrs): empty,
    # and read-only so that no write can land in it.
    "_NOATTRS": MappingProxyType({}),
    "_set_attr": set_attr,
    "_attr": attr,
    "_const_path": const_path,
    "_let_const": let_const,
    "_define_method": define_method,
    "_object_def": object_def,
    "_trait_def": trait_def,
    "_impl_def": impl_def,
    "_hash_lit": hash_lit,
    "_throw": throw,
    "_tail_code": tail_code,
    "_do_return": do_return,
    "_no_captures": no_captures,
    "_try_bang": try_bang,
    "_try_panic": try_panic,
    "_run_pending_of": run_pending_of,
    "_adopt": adopt,
    "_adopt_local": adopt_local,
    "_settle": settle,
    "_run_blocks": run_blocks,
    "_ThrowSignal": ThrowSignal,
    "_ReturnSignal": ReturnSignal,
    "_PRIMITIVE_ERRORS": PRIMITIVE_ERRORS,
    "_prim_panic": prim_panic,
    # The guards of inlined operators and conditionals compare with these:
    # objects._note_redefinition replaces them when a program redefines
    # what they stand for (see objects.GUARD_NAMES).
    "_I": int,
    "_L": list,
    "_FL": float,
    "_S": str,
    "_TRUE": True,
    "_FALSE": False,
    "_NIL": None,
}
