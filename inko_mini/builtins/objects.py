"""Primitives of Object, Module and Block and the bootstrap that names the
built-in objects (STDLIB-CORE.md §4), plus `std::vm`.
"""

from __future__ import annotations

from inko_mini.builtins import conv, load_kind, primitive
from inko_mini.errors import PanicSignal
from inko_mini.runtime import objects as O
from inko_mini.runtime.calls import (
    call_block,
    find_method,
    native_method,
)
from inko_mini.runtime.cgframes import CgCode
from inko_mini.runtime.objects import Block, InkoObject, holder
from inko_mini.runtime.sends import implement_trait as impl


def _object_new(self_, args, kwargs):
    """Object.new and every object's generated `new`: allocate, send init."""
    proto = self_ if type(self_) is InkoObject else holder(self_)
    obj = InkoObject(proto)
    init = find_method(obj, "init")
    if type(init) is Block:
        code = init.code
        # A generated init taking these arguments positionally is called
        # as a send site calls it (support._CACHED): `new` runs once per
        # object made, and call_block would build it a frame. The calls are
        # written out per arity: a call with *args takes C stack in CPython,
        # which recursion through `new` would run out of before the
        # recursion limit (the Inko stack-overflow panic) is reached.
        n = len(args)
        if kwargs is None and type(code) is CgCode and code.fast_arity >= n >= code.py_arity:
            if n == 0:
                code.fn(obj)
                return obj
            if n == 1:
                code.fn(obj, args[0])
                return obj
            if n == 2:
                code.fn(obj, args[0], args[1])
                return obj
        call_block(init, args, kwargs, obj, name="new")
    elif args or kwargs:
        raise PanicSignal(
            f"new takes 0 arguments but {len(args) + len(kwargs or ())} were supplied"
        )
    return obj


def _module_new(self_, args, kwargs):
    kwargs = kwargs or {}
    name = args[0] if args else kwargs.get("name")
    path = args[1] if len(args) > 1 else kwargs.get("path")
    return InkoObject(O.MODULE, {"@name": name, "@path": path})


def _block_call(self_, args, kwargs):
    return call_block(self_, args, kwargs)


def _loop_receiver(self_, name):
    if type(self_) is not Block:
        raise PanicSignal("ObjectValue::as_block() called on a non block object")


def _block_while(want):
    def while_(self_, args, kwargs):
        if len(args) != 1:
            raise PanicSignal(
                f"while_{'true' if want else 'false'} takes 1 arguments "
                f"but {len(args)} were supplied"
            )
        body = args[0]
        while True:
            if conv.truthy(call_block(self_, ())) is not want:
                return None
            call_block(body, ())

    return while_


def _block_loop(self_, args, kwargs):
    while True:
        call_block(self_, ())


@primitive("bootstrap")
def bootstrap():
    for name, value in O.BUILTINS.items():
        O.INKO.attrs[name] = value
    O.OBJECT.attrs["new"] = native_method("new", _object_new)
    O.MODULE.attrs["new"] = native_method("new", _module_new)
    O.BLOCK.attrs["call"] = native_method("call", _block_call)
    O.BLOCK.attrs["while_true"] = native_method("while_true", _block_while(True))
    O.BLOCK.attrs["while_false"] = native_method("while_false", _block_while(False))
    O.BLOCK.attrs["loop"] = native_method("loop", _block_loop)
    O.bump_version()
    return None


@primitive("builtin")
def builtin(name):
    return O.BUILTINS.get(name)


@primitive("implement_trait")
def implement_trait(target, trait):
    return impl(target, trait)


@primitive("object_equals")
def object_equals(a, b):
    t = type(a)
    if t is int or t is str or t is float:
        return type(b) is t and a == b
    return a is b


@primitive("object_id")
def object_id(a):
    return id(a)


@primitive("set_attribute")
def set_attribute(obj, name, value):
    O.sync_attrs(obj)
    return O.set_attr(obj, name, value)


@primitive("get_attribute")
def get_attribute(obj, name):
    subject = obj
    while type(subject) is InkoObject:  # the attribute may be inherited
        O.sync_attrs(subject)
        subject = subject.proto
    return O.get_attr(obj, name)


@primitive("panic")
def panic(message):
    raise PanicSignal(message if type(message) is str else str(message))


@primitive("set_native_prototype")
def set_native_prototype(kind, proto):
    """Values of the native kind `kind` find their methods on `proto`."""
    try:
        O.set_native_prototype(kind, proto)
    except KeyError:
        # The module that registers the kind may not be loaded yet: the
        # code generator looks primitives up at their first call.
        load_kind(kind)
        try:
            O.set_native_prototype(kind, proto)
        except KeyError:
            raise PanicSignal(f"{kind} is not a native kind") from None
    return proto
