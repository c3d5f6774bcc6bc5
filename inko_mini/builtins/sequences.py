"""Primitives of Array and ByteArray (STDLIB-CORE.md §10, §12)."""

from __future__ import annotations

from inko_mini.builtins import conv, primitive
from inko_mini.errors import PanicSignal
from inko_mini.runtime.calls import (
    block_function,
    out_of_reductions,
)
from inko_mini.runtime.objects import FAST
from inko_mini.runtime.sends import send_dyn


def _index(i, n):
    if type(i) is not int:
        raise PanicSignal(conv.INT_ERROR)
    if i >= 0:
        return i
    return i % n if n else 0


# Array (list) and ByteArray (bytearray) share these: the two Python types
# answer the same calls, and the spec gives both the same rules.
def sequence_pop(seq):
    return seq.pop() if seq else None


def sequence_remove_at(seq, i):
    i = _index(i, len(seq))
    if i >= len(seq):
        return None
    return seq.pop(i)


def sequence_clear(seq):
    seq.clear()
    return seq


def sequence_length(seq):
    return len(seq)


for _kind in ("array", "byte_array"):
    primitive(f"{_kind}_pop")(sequence_pop)
    primitive(f"{_kind}_remove_at")(sequence_remove_at)
    primitive(f"{_kind}_clear")(sequence_clear)
    primitive(f"{_kind}_length")(sequence_length)


@primitive("array_new")
def array_new(values):
    return list(values)


@primitive("array_get")
def array_get(a, i):
    i = _index(i, len(a))
    return a[i] if i < len(a) else None


@primitive("array_set")
def array_set(a, i, value):
    n = len(a)
    i = _index(i, n)
    if i >= n:
        a.extend([None] * (i - n + 1))
    a[i] = value
    return value


@primitive("array_push")
def array_push(a, value):
    a.append(value)
    return value


@primitive("array_each")
def array_each(a, block):
    run, checks = block_function(block, 1)
    if checks:
        for i in range(len(a)):
            run(a[i] if i < len(a) else None)
        return None
    flags = FAST
    for i in range(len(a)):
        if flags["_P"]:
            out_of_reductions()
        run(a[i] if i < len(a) else None)
    return None


@primitive("array_each_with_index")
def array_each_with_index(a, block):
    run, checks = block_function(block, 2)
    if checks:
        for i in range(len(a)):
            run(a[i] if i < len(a) else None, i)
        return None
    flags = FAST
    for i in range(len(a)):
        if flags["_P"]:
            out_of_reductions()
        run(a[i] if i < len(a) else None, i)
    return None


@primitive("array_equals")
def array_equals(a, b):
    if type(b) is not list or len(a) != len(b):
        return False
    for x, y in zip(list(a), list(b), strict=False):
        if not conv.truthy(send_dyn(x, "==", [y])):
            return False
    return True


@primitive("array_contains")
def array_contains(a, value):
    for x in list(a):
        if conv.truthy(send_dyn(x, "==", [value])):
            return True
    return False


def _byte(v):
    if type(v) is not int or not 0 <= v < 256:
        raise PanicSignal(f"The value {v} is not within the range 0..256")
    return v


@primitive("byte_array_new")
def byte_array_new(values):
    if type(values) is bytearray:
        return bytearray(values)
    return bytearray(_byte(v) for v in values)


@primitive("byte_array_get")
def byte_array_get(b, i):
    if type(i) is not int:
        raise PanicSignal(conv.INT_ERROR)
    n = len(b)
    if i >= n:
        return None
    i = _index(i, n)
    return b[i] if i < n else None


@primitive("byte_array_set")
def byte_array_set(b, i, value):
    n = len(b)
    i = _index(i, n)
    _byte(value)
    if i == n:
        b.append(value)
    elif i > n:
        raise PanicSignal(f"Byte array index {i} is out of bounds")
    else:
        b[i] = value
    return value


@primitive("byte_array_push")
def byte_array_push(b, value):
    b.append(_byte(value))
    return value


@primitive("byte_array_to_string")
def byte_array_to_string(b):
    return bytes(b).decode("utf-8", "replace")


@primitive("byte_array_drain_to_string")
def byte_array_drain_to_string(b):
    text = bytes(b).decode("utf-8", "replace")
    b.clear()
    return text


@primitive("byte_array_to_array")
def byte_array_to_array(b):
    return list(b)


@primitive("byte_array_equals")
def byte_array_equals(a, b):
    return type(b) is bytearray and a == b
