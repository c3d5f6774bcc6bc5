"""The send protocol: finding the method for a message and calling it.

A send site keeps an inline cache keyed on the receiver's prototype and the
global method-table version (runtime/objects.py `VERSION`); every other path
(`send_dyn`, missing messages, `try!` panics, `impl T for X`) lives here too,
so that primitives and the compiler share one definition.
"""

from __future__ import annotations

import sys

from inko_mini.errors import PanicSignal
from inko_mini.runtime import objects as O
from inko_mini.runtime.calls import (
    _flags,
    call_block,
    find_method,
    make_frame,
    out_of_reductions,
    unknown_message,
)
from inko_mini.runtime.hints import note_try, note_unknown_message
from inko_mini.runtime.objects import (
    MISSING,
    NATIVE_PROTOS,
    VERSION,
    Block,
    InkoObject,
    holder,
    lookup_from,
    set_attr,
)
from inko_mini.runtime.panics import live_frames, traceback_frames
from inko_mini.runtime.signals import ReturnSignal

# Python errors a primitive raises when a value has the wrong kind (an
# Array method sent to the Array prototype itself, ...). The VM panics on
# such values; so does inko-mini, instead of stopping with an internal error.
PRIMITIVE_ERRORS = (TypeError, AttributeError, ValueError, IndexError, KeyError, OverflowError)


def primitive_panic(fn, exc):
    # Python's own wording (from `exc`) means nothing to an Inko user.
    name = getattr(fn, "__name__", "primitive")
    return PanicSignal(f"The primitive {name} can not be used with these values")


def _panic(message, _line=None):
    """A PanicSignal; with `_line`, the trace's innermost line is `_line`."""
    sig = PanicSignal(message)
    if _line is not None:
        sig.frames = live_frames(1)
        if sig.frames:
            file, _, name = sig.frames[-1]
            sig.frames[-1] = (file, _line, name)
    return sig


_UNSEEN = object()


class SendSite:
    """A call site: its inline cache, and the slow paths shared by the
    generated send closures."""

    __slots__ = (
        "name",
        "_line",
        "ctx",
        "key",
        "ver",
        "method",
        "kw_names",
        "gself",
        "gver",
        "seen",
        "seen_ver",
    )

    def __init__(self, name, line, ctx, kw_names=()):
        self.name = name
        self._line = line
        self.ctx = ctx
        self.key = None
        self.ver = -1
        self.method = None
        self.kw_names = kw_names
        # A bare identifier that neither `gself` nor the module responded
        # to while VERSION was `gver` reads the global directly.
        self.gself = None
        self.gver = -1
        # Every lookup start this site met since VERSION was `seen_ver` ->
        # the method found: a site that sees several kinds of receiver
        # (three objects implementing one trait) walks no prototype chain
        # twice.
        self.seen: dict = {}
        self.seen_ver = -1

    def lookup(self, r):
        t = type(r)
        if t is InkoObject:
            m = r.attrs.get(self.name, MISSING)
            if m is not MISSING:
                return m
            key = r.proto
        elif t is bool:
            key = O.TRUE_OBJ if r else O.FALSE_OBJ
        elif r is None:
            key = O.NIL_OBJ
        else:
            key = NATIVE_PROTOS.get(t) or holder(r)
        ver = VERSION[0]
        if key is self.key and self.ver == ver:
            return self.method
        if self.seen_ver != ver:
            self.seen = {}
            self.seen_ver = ver
        m = self.seen.get(key, _UNSEEN)
        if m is _UNSEEN:
            m = self.seen[key] = lookup_from(key, self.name)
        self.key = key
        self.ver = ver
        self.method = m
        return m

    def invoke(self, r, args, kwargs=None):
        _line = self._line  # noqa: F841 (read by stack traces)
        m = self.lookup(r)
        if type(m) is Block:
            if m.code.native is not None:
                return m.code.native(r, args, kwargs)
            if m.code.kind == "method":
                f = make_frame(m, r, args, kwargs)
            else:
                f = make_frame(m, m.receiver, args, kwargs)
            return run_call(m.code, f)
        if m is MISSING:
            return missing_message(r, self.name, args, self.ctx.file, _line)
        if not args and not kwargs:
            # `module.CONSTANT`: an attribute that is not a block reads as itself.
            return m
        raise _panic("ObjectValue::as_block() called on a non block object", _line)


def run_call(_code, f):
    # Hot path, copied inline where a frame must hold `_code` itself:
    # calls.call_block.
    if _flags["_P"]:
        out_of_reductions()
    try:
        return _code.body(f)
    except ReturnSignal as sig:
        if sig.target is f:
            return sig.value
        raise


def missing_message(r, name, args, file, line):
    if r is None or find_method(r, "unknown_message") is not MISSING:
        return unknown_message(r, name, args)
    sig = PanicSignal("ObjectValue::as_block() called on a non block object")
    sig.frames = live_frames(1) + [(file, line, name)]
    note_unknown_message(sig, r, name)
    raise sig


def send_dyn(r, name, args, kwargs=None):
    m = find_method(r, name)
    if type(m) is Block:
        return call_block(m, args, kwargs, r)
    if m is MISSING:
        return unknown_message(r, name, args)
    raise _panic("ObjectValue::as_block() called on a non block object")


def try_panic(value, file, _line):
    """`try!` caught `value`: panic with its to_string, trace ending in `<else>`."""
    message = send_dyn(value, "to_string", [])
    sig = PanicSignal(message if type(message) is str else str(message))
    sig.frames = live_frames(1) + [(file, _line, "<else>")]
    thrown = sys.exc_info()[1]
    if thrown is not None:
        try:
            note_try(sig, traceback_frames(thrown), file, _line)
        except Exception:  # a hint is best effort; never hide the panic
            pass
    return sig


def implement_trait(target, trait):
    """`impl T for X`: copy T's methods onto X, record T (LANGUAGE.md §3.9)."""
    h = holder(target)
    if type(trait) is InkoObject:
        for key, value in list(trait.attrs.items()):
            if type(value) is Block:
                set_attr(target, key, value)
    traits = h.attrs.get("@_implemented_traits")
    if type(traits) is not InkoObject:
        traits = InkoObject(O.OBJECT)
        h.attrs["@_implemented_traits"] = traits
    traits.attrs[trait] = True
    return trait
