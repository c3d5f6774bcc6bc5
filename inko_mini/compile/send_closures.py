"""The closures that perform a send, generated from one template per shape.

These are the hot path of every message send (DESIGN.md §2): each shape
(argument count, how receiver and arguments are read) gets its own Python
function, compiled once and cached in `_SEND_MAKERS`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from inko_mini.compile.fastpaths import read
from inko_mini.compile.fastpaths import unpack as unpack_operand
from inko_mini.pycache import compile_template
from inko_mini.runtime.calls import OWN, _budget, call_block, out_of_reductions
from inko_mini.runtime.objects import FAST, MISSING, NATIVE_PROTOS, VERSION, Block, InkoObject
from inko_mini.runtime.sends import PRIMITIVE_ERRORS, SendSite, primitive_panic
from inko_mini.runtime.signals import ReturnSignal

# The send closures are generated from one template per shape (argument
# count, how the receiver and each argument are read), so that the common
# case binds its frame inline without any intermediate Python call: the
# inline cache is checked in place, and a method with exactly that many
# parameters (or defaults for the missing trailing ones) runs directly.
# (Its frame-running tail is runtime/sends.py's run_call, inlined.)
_SEND_TEMPLATE = """
def make(rp, arg_ops, _line, site, mod_site, ctx, ident):
    {unpack}
    {unpack_parts}
    lookup = site.lookup
    mod_lookup = mod_site.lookup
    g = ctx.globals
    name = site.name
    get_native = NATIVE_PROTOS.get

    def send(f):
        if False:
            _line
        r = {receiver}
        {evaluate}
        t = type(r)
        if t is InkoObject:
            m = r.attrs.get(name, MISSING)
            if m is MISSING:
                if r.proto is site.key and site.ver == VER[0]:
                    m = site.method
                else:
                    m = lookup(r)
        elif get_native(t) is site.key and site.ver == VER[0]:
            m = site.method
        else:
            m = lookup(r)
        {implicit}
        if type(m) is Block:
            c = m.code
            if c.fast_arity == {n}:
                if c.direct is not None:
                    _code = c.direct_trace
                    try:
                        return c.direct(r, {arglist})
                    except PRIMITIVE_ERRORS as exc:
                        raise primitive_panic(c.direct, exc) from None
                _code = c
                fr = [None, r, OWN, {args}*c.pad]
            elif c.defaults_from <= {n} < c.nparams:
                if c.direct_defaults is not None:
                    _code = c.direct_trace
                    try:
                        return c.direct(r, {args}*c.direct_defaults[{n}])
                    except PRIMITIVE_ERRORS as exc:
                        raise primitive_panic(c.direct, exc) from None
                _code = c
                fr = [None, r, OWN, {args}*c.pads[{n}]]
                for i, d in c.tail_defaults[{n}]:
                    fr[i] = d(fr)
            else:
                return site.invoke(r, [{arglist}])
            budget[0] -= 1
            if budget[0] <= 0:
                out_of_reductions()
            try:
                return c.body(fr)
            except ReturnSignal as sig:
                if sig.target is fr:
                    return sig.value
                raise
        return site.invoke(r, [{arglist}])
    return send
"""

_IMPLICIT = """if m is MISSING:
            mod = ctx.module
            if mod is not r:
                m2 = mod_lookup(mod)
                if m2 is not MISSING:
                    return mod_site.invoke(mod, [{arglist}])
            {ident}"""

_SEND_MAKERS: dict[tuple[Any, ...], Callable[..., Any]] = {}


def send_maker(n, implicit, recv_key="call", arg_keys=None):
    arg_keys = tuple(arg_keys or ("call",) * n)
    key = (n, implicit, recv_key, arg_keys)
    maker = _SEND_MAKERS.get(key)
    if maker is not None:
        return maker
    names = [f"x{i}" for i in range(n)]
    params = [f"a{i}" for i in range(n)]
    unpack = (", ".join(params) + (", " if n == 1 else "") + " = arg_ops") if n else "pass"
    evaluate = (
        "\n        ".join(
            f"{x} = {read(k, a)}" for x, a, k in zip(names, params, arg_keys, strict=True)
        )
        or "pass"
    )
    arglist = ", ".join(names)
    args = "".join(f"{x}, " for x in names)
    if implicit:
        # A bare identifier falls back to any global; `name(args)` to a module
        # method imported by name (`import m::(ident)` then `ident(5)`).
        imported = (
            "v = g.get(name, MISSING)\n"
            "            if type(v) is Block and v.code.kind == 'method':\n"
            f"                return call_block(v, [{arglist}])"
        )
        ident = (
            "if ident:\n                v = g.get(name, MISSING)\n"
            "                if v is not MISSING:\n"
            "                    site.gself = r\n"
            "                    site.gver = VER[0]\n"
            "                    return v\n"
            "            else:\n                " + imported.replace("\n", "\n    ")
        )
        imp = _IMPLICIT.format(arglist=arglist, ident=ident if n == 0 else imported)
        receiver = "f[1]"
        if n == 0:
            receiver += (
                "\n        if r is site.gself and site.gver == VER[0]:\n"
                "            v = g.get(name, MISSING)\n"
                "            if v is not MISSING:\n"
                "                return v"
            )
    else:
        imp = "pass"
        receiver = read(recv_key, "rp")
    parts = [unpack_operand(k, a) for a, k in zip(params, arg_keys, strict=True)]
    if not implicit:
        parts.append(unpack_operand(recv_key, "rp"))
    unpack_parts = "\n    ".join(parts) or "pass"
    src = _SEND_TEMPLATE.format(
        unpack=unpack,
        unpack_parts=unpack_parts,
        receiver=receiver,
        evaluate=evaluate,
        implicit=imp,
        n=n,
        args=args,
        arglist=arglist,
    )
    ns = {
        "Block": Block,
        "MISSING": MISSING,
        "ReturnSignal": ReturnSignal,
        "budget": _budget,
        "out_of_reductions": out_of_reductions,
        "OWN": OWN,
        "InkoObject": InkoObject,
        "NATIVE_PROTOS": NATIVE_PROTOS,
        "VER": VERSION,
        "FAST": FAST,
        "PRIMITIVE_ERRORS": PRIMITIVE_ERRORS,
        "primitive_panic": primitive_panic,
        "call_block": call_block,
    }
    label = f"<send/{n}{' implicit' if implicit else ''} {recv_key} {' '.join(arg_keys)}>"
    exec(compile_template(src, label), ns)
    maker = _SEND_MAKERS[key] = ns["make"]
    return maker


def make_send(recv_fn, name, arg_fns, kw_fns, _line, ctx):
    """A send closure `recv.name(args)`; with recv_fn None, just the site."""
    site = SendSite(name, _line, ctx, tuple(k for k, _ in kw_fns))
    if recv_fn is None:
        return site
    if kw_fns:
        invoke = site.invoke

        def send_kw(f):
            if False:
                _line  # noqa: B018 (makes it a free variable for traces)
            r = recv_fn(f)
            args = [a(f) for a in arg_fns]
            kwargs = {k: v(f) for k, v in kw_fns}
            return invoke(r, args, kwargs)

        return send_kw
    if len(arg_fns) <= 4:
        return send_maker(len(arg_fns), False)(recv_fn, arg_fns, _line, site, site, ctx, False)

    def send_n(f):
        if False:
            _line  # noqa: B018
        r = recv_fn(f)
        return site.invoke(r, [a(f) for a in arg_fns])

    return send_n


def make_implicit_send(name, arg_fns, kw_fns, _line, ctx, ident):
    """`name(args)` without receiver: to self if it responds, else to the
    module; a bare identifier (`ident`) finally falls back to a global."""
    self_site = SendSite(name, _line, ctx)
    mod_site = SendSite(name, _line, ctx)
    if not kw_fns and len(arg_fns) <= 4:
        return send_maker(len(arg_fns), True)(None, arg_fns, _line, self_site, mod_site, ctx, ident)

    def implicit(f):
        if False:
            _line  # noqa: B018
        s = f[1]
        m = self_site.lookup(s)
        if m is MISSING:
            mod = ctx.module
            m2 = mod_site.lookup(mod) if mod is not s else MISSING
            if m2 is not MISSING:
                args = [a(f) for a in arg_fns]
                kwargs = {k: v(f) for k, v in kw_fns} if kw_fns else None
                return mod_site.invoke(mod, args, kwargs)
            imported = ctx.globals.get(name, MISSING)
            if type(imported) is Block and imported.code.kind == "method":
                args = [a(f) for a in arg_fns]
                kwargs = {k: v(f) for k, v in kw_fns} if kw_fns else None
                return call_block(imported, args, kwargs)
        args = [a(f) for a in arg_fns]
        kwargs = {k: v(f) for k, v in kw_fns} if kw_fns else None
        return self_site.invoke(s, args, kwargs)

    return implicit
