"""Reflection: `std::mirror`, stack frames for `std::debug`, `std::vm`'s panic
handler and what `std::test` needs to catch a panic.
"""

from __future__ import annotations

import inko_mini.runtime as runtime
from inko_mini.builtins import primitive
from inko_mini.errors import PanicSignal, ThrowSignal
from inko_mini.runtime.objects import bump_version, sync_attrs
from inko_mini.runtime.panics import signal_frames, traceback_frames


def _own_attrs(value):
    attrs = getattr(value, "attrs", None)
    return attrs if isinstance(attrs, dict) else None


@primitive("mirror_prototype")
def mirror_prototype(value):
    raw = _RAW_PROTOTYPES.get(id(value))
    if raw is not None and raw[0] is value:
        return raw[1]
    return runtime.prototype_of(value)


@primitive("mirror_name")
def mirror_name(value):
    seen = 0
    # True, False and Nil keep their attributes on stand-in objects.
    subject = runtime.holder(value) if value is None or type(value) is bool else value
    while subject is not None and seen < 10_000:
        attrs = _own_attrs(subject)
        if attrs is not None:
            name = attrs.get("@_object_name")
            if type(name) is str:
                return name
        subject = runtime.prototype_of(subject)
        seen += 1
    return "Object"


@primitive("mirror_instance_attributes")
def mirror_instance_attributes(value):
    attrs = _own_attrs(value)
    if attrs is None:
        return []
    return [name for name in attrs if type(name) is str and name.startswith("@")]


@primitive("mirror_get_attribute")
def mirror_get_attribute(value, name):
    # True, False and Nil keep their attributes on stand-in objects.
    subject = runtime.holder(value) if value is None or type(value) is bool else value
    while subject is not None:
        sync_attrs(subject)
        attrs = _own_attrs(subject)
        if attrs is not None and name in attrs:
            return attrs[name]
        subject = runtime.prototype_of(subject)
    return None


def current_frames():
    """The running process's Inko frames as (file, line, name), oldest first."""
    return list(runtime.current_frames())


@primitive("debug_stacktrace")
def debug_stacktrace(skip, limit):
    """[file, line, name] per frame, oldest first, as std::debug.stacktrace.

    The innermost frame is the one calling this primitive (`stacktrace`),
    so `skip` 1 leaves out just that frame.
    """
    frames = [[str(file), int(line), str(name)] for file, line, name in current_frames()]
    if type(skip) is int and skip > 0:
        frames = frames[:-skip] if skip < len(frames) else []
    if type(limit) is int:
        frames = frames[-limit:] if limit > 0 else []
    return frames


@primitive("vm_exit")
def vm_exit(status):
    if type(status) is not int or not -(1 << 31) <= status < (1 << 31):
        raise PanicSignal(f"{status} can not be converted to a signed 32 bits integer")
    raise runtime.ExitProgram(status)


@primitive("vm_set_panic_handler")
def vm_set_panic_handler(block):
    runtime.set_global_panic_handler(block)
    return None


@primitive("test_catch_panic")
def test_catch_panic(block):
    """Runs `block`; Nil if it finished, else [message, frames] of its panic.

    Frames are [file, line, name] triples, oldest first, as they were when the
    panic happened, so the failure location can point into the test body.
    """
    try:
        runtime.call_block(block, ())
    except PanicSignal as signal:
        frames = signal_frames(signal)
        return [
            str(signal.message),
            [[str(file), int(line), str(name)] for file, line, name in frames],
        ]
    except ThrowSignal as signal:
        process = runtime.current_process()
        ident = getattr(process, "identifier", "0x0")
        raw = traceback_frames(signal)
        frames = [[str(file), int(line), str(name)] for file, line, name in raw]
        return [f"A thrown value reached the top-level in process {ident}", frames]
    return None


@primitive("corelib_panic")
def corelib_panic(message):
    raise PanicSignal(message if type(message) is str else str(message))


@primitive("debug_last_frame_in")
def debug_last_frame_in(frames, path):
    """The most recent [file, line, name] of `frames` in file `path`, or Nil."""
    for frame in reversed(frames):
        if frame[0] == path:
            return frame
    return None


@primitive("mirror_has_trait")
def mirror_has_trait(traits, target):
    """Whether an `@_implemented_traits` value records `target`."""
    if traits is None or traits is False:
        return False
    if isinstance(traits, dict):
        return any(key is target or value is target for key, value in traits.items())
    if isinstance(traits, (list, tuple, set)):
        return any(item is target for item in traits)
    attrs = _own_attrs(traits)
    if attrs is not None:
        return any(key is target or value is target for key, value in attrs.items())
    return False


# -- std::mirror, the rest of STDLIB-CORE §18 (issue 10) --------------------

_IMMUTABLE = (int, float, str)


def _own_holder(value) -> runtime.InkoObject | None:
    """The object whose own attributes a mirror reads and writes: the value
    itself, or the stand-in object of True, False and Nil; None for values
    without attributes of their own (Integer, Float, String, Array, ...)."""
    if type(value) is runtime.InkoObject:
        return value
    if value is None or type(value) is bool:
        return runtime.holder(value)
    return None


@primitive("mirror_attributes")
def mirror_attributes(value) -> list:
    """The names of the subject's own attributes, every kind."""
    own = _own_holder(value)
    return [] if own is None else list(own.attrs)


@primitive("mirror_set_attribute")
def mirror_set_attribute(value, name, new):
    """Creates or replaces an own attribute; Nil (no change) when the subject
    is immutable or has no attributes of its own."""
    if isinstance(value, _IMMUTABLE) and type(value) is not bool:
        return None
    own = _own_holder(value)
    if own is None:
        return None
    sync_attrs(own)
    runtime.set_attr(own, name, new)
    return new


@primitive("mirror_set_prototype")
def mirror_set_prototype(value, prototype):
    """Replaces the subject's prototype with any value; Nil when it can not."""
    if type(value) is not runtime.InkoObject:
        return None
    if type(prototype) is runtime.InkoObject:
        _RAW_PROTOTYPES.pop(id(value), None)
        value.proto = prototype
    else:
        # Sends still need an object to look methods up in: the value's own
        # (Integer for 10); the mirror reports the value itself.
        _RAW_PROTOTYPES[id(value)] = (value, prototype)
        value.proto = runtime.holder(prototype)
    bump_version()  # inline caches resolved through the old chain
    return prototype


# id(object) -> (object, the non-object value given to `prototype=`)
_RAW_PROTOTYPES: dict[int, tuple] = {}


@primitive("mirror_traits")
def mirror_traits(traits) -> list:
    """The traits an `@_implemented_traits` set records, in order."""
    attrs = _own_attrs(traits)
    if attrs is None:
        return []
    return [key for key, value in attrs.items() if value is True and type(key) is not str]


def _block_code(block):
    if type(block) is not runtime.Block:
        raise PanicSignal("ObjectValue::as_block() called on a non block object")
    return block.code


@primitive("mirror_block_name")
def mirror_block_name(block) -> str:
    return str(_block_code(block).name)


@primitive("mirror_block_path")
def mirror_block_path(block) -> str:
    return str(_block_code(block).file)


@primitive("mirror_block_line")
def mirror_block_line(block) -> int:
    return int(_block_code(block).line)


@primitive("mirror_block_argument_names")
def mirror_block_argument_names(block) -> list:
    return [str(p.name) for p in _block_code(block).params]


@primitive("mirror_block_required_arguments")
def mirror_block_required_arguments(block) -> int:
    return int(_block_code(block).nrequired)


@primitive("mirror_block_rest_argument")
def mirror_block_rest_argument(block) -> bool:
    params = _block_code(block).params
    return bool(params) and bool(params[-1].rest)
