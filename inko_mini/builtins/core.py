"""Primitives of the core types: Object, Integer, Float, String, Array,
Block, ByteArray (STDLIB-CORE.md §4-12), and the bootstrap.

The Inko side (stdlib/std/integer.inko and friends) wraps these in methods;
operators on Integer/Float/String usually never get here because the
compiler's guarded fast paths compute them inline.
"""

from __future__ import annotations

import math
import struct

from inko_mini.builtins import (
    corelib,  # noqa: F401  (registers its primitives)
    primitive,
)
from inko_mini.errors import PanicSignal
from inko_mini.runtime import objects as O
from inko_mini.runtime.calls import (
    block_caller,
    call_block,
    find_method,
    native_method,
    truth,
)
from inko_mini.runtime.numbers import float_eq as eq
from inko_mini.runtime.objects import MISSING, Block, InkoObject, holder
from inko_mini.runtime.rustfmt import inko_float
from inko_mini.runtime.sends import implement_trait as impl
from inko_mini.runtime.sends import send_dyn

_INT_ERROR = "Integer instructions can only be performed using integers"
_FLOAT_ERROR = "Float instructions can only be performed using floats"


def _truthy(v):
    return v is True or (v is not False and v is not None and truth(v))


# --- bootstrap ---------------------------------------------------------------


def _object_new(self_, args, kwargs):
    """Object.new and every object's generated `new`: allocate, send init."""
    proto = self_ if type(self_) is InkoObject else holder(self_)
    obj = InkoObject(proto)
    init = find_method(obj, "init")
    if type(init) is Block:
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
            if _truthy(call_block(self_, ())) is not want:
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
    O.VERSION[0] += 1
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
    return O.set_attr(obj, name, value)


@primitive("get_attribute")
def get_attribute(obj, name):
    return O.get_attr(obj, name)


@primitive("panic")
def panic(message):
    raise PanicSignal(message if type(message) is str else str(message))


# --- Integer -----------------------------------------------------------------


def _ints(a, b):
    if type(a) is not int or type(b) is not int:
        raise PanicSignal(_INT_ERROR)


@primitive("integer_add")
def integer_add(a, b):
    _ints(a, b)
    return a + b


@primitive("integer_sub")
def integer_sub(a, b):
    _ints(a, b)
    return a - b


@primitive("integer_mul")
def integer_mul(a, b):
    _ints(a, b)
    return a * b


@primitive("integer_div")
def integer_div(a, b):
    _ints(a, b)
    if b == 0:
        raise PanicSignal("Can not divide an Integer by 0")
    return a // b


@primitive("integer_mod")
def integer_mod(a, b):
    _ints(a, b)
    if b == 0:
        raise PanicSignal("attempt to calculate the remainder with a divisor of zero")
    return a % b


@primitive("integer_lt")
def integer_lt(a, b):
    _ints(a, b)
    return a < b


@primitive("integer_gt")
def integer_gt(a, b):
    _ints(a, b)
    return a > b


@primitive("integer_le")
def integer_le(a, b):
    _ints(a, b)
    return a <= b


@primitive("integer_ge")
def integer_ge(a, b):
    _ints(a, b)
    return a >= b


@primitive("integer_eq")
def integer_eq(a, b):
    _ints(a, b)
    return a == b


@primitive("integer_and")
def integer_and(a, b):
    _ints(a, b)
    return a & b


@primitive("integer_or")
def integer_or(a, b):
    _ints(a, b)
    return a | b


@primitive("integer_xor")
def integer_xor(a, b):
    _ints(a, b)
    return a ^ b


def _shift_amount(a, b):
    _ints(a, b)
    if not -(1 << 31) <= b < (1 << 31):
        raise PanicSignal(f"Can't shift integer {a} with {b} as the operand is too big")


@primitive("integer_shl")
def integer_shl(a, b):
    _shift_amount(a, b)
    return a << b if b >= 0 else a >> -b


@primitive("integer_shr")
def integer_shr(a, b):
    _shift_amount(a, b)
    return a >> b if b >= 0 else a << -b


@primitive("integer_to_string")
def integer_to_string(a):
    if type(a) is not int:
        raise TypeError("expected an Integer")
    return str(a)


@primitive("integer_to_float")
def integer_to_float(a):
    try:
        return float(a)
    except OverflowError:
        raise PanicSignal(f"Failed to convert {a} to a float") from None


# --- Float -------------------------------------------------------------------


def _floats(a, b):
    if type(a) is not float or type(b) is not float:
        raise PanicSignal(_FLOAT_ERROR)


@primitive("float_add")
def float_add(a, b):
    _floats(a, b)
    return a + b


@primitive("float_sub")
def float_sub(a, b):
    _floats(a, b)
    return a - b


@primitive("float_mul")
def float_mul(a, b):
    _floats(a, b)
    return a * b


@primitive("float_div")
def float_div(a, b):
    _floats(a, b)
    if b == 0.0:
        if a != a or a == 0.0:
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)
    return a / b


@primitive("float_mod")
def float_mod(a, b):
    _floats(a, b)
    if b == 0.0 or math.isinf(a):
        return math.nan
    return math.fmod(a, b)


@primitive("float_lt")
def float_lt(a, b):
    _floats(a, b)
    return a < b


@primitive("float_gt")
def float_gt(a, b):
    _floats(a, b)
    return a > b


@primitive("float_le")
def float_le(a, b):
    _floats(a, b)
    return a <= b


@primitive("float_ge")
def float_ge(a, b):
    _floats(a, b)
    return a >= b


@primitive("float_eq")
def float_eq(a, b):
    _floats(a, b)
    return eq(a, b)


float_to_string_py = inko_float


@primitive("float_to_string")
def float_to_string(x):
    return float_to_string_py(x)


@primitive("float_to_integer")
def float_to_integer(x):
    if x != x:
        raise PanicSignal("A NaN can not be converted to an Integer")
    if math.isinf(x):
        raise PanicSignal("An infinite Float can not be converted to an Integer")
    return int(x)


@primitive("float_floor")
def float_floor(x):
    return float(math.floor(x)) if math.isfinite(x) else x


@primitive("float_ceil")
def float_ceil(x):
    return float(math.ceil(x)) if math.isfinite(x) else x


def _round_half_away(x):
    if not math.isfinite(x):
        return x
    a = abs(x)
    r = math.floor(a)
    if a - r >= 0.5:
        r += 1
    return math.copysign(float(r), x)


@primitive("float_round")
def float_round(x, decimals):
    if type(decimals) is not int:
        raise PanicSignal(_INT_ERROR)
    if decimals == 0:
        return _round_half_away(x)
    if not -(1 << 31) <= decimals < (1 << 31):
        return x
    try:
        factor = 10.0**decimals
    except OverflowError:
        return x
    product = x * factor
    if not math.isfinite(product) or factor == 0.0:
        return x
    return _round_half_away(product) / factor


@primitive("float_to_bits")
def float_to_bits(x):
    return struct.unpack("<Q", struct.pack("<d", x))[0]


@primitive("float_is_nan")
def float_is_nan(x):
    return x != x


@primitive("float_is_infinite")
def float_is_infinite(x):
    return math.isinf(x)


# --- String ------------------------------------------------------------------


@primitive("string_length")
def string_length(s):
    return len(s)


@primitive("string_bytesize")
def string_bytesize(s):
    return len(s.encode("utf-8", "surrogatepass"))


@primitive("string_concat")
def string_concat(a, b):
    if type(b) is not str:
        raise PanicSignal("ObjectValue::as_string() called on a non string")
    return a + b


@primitive("string_eq")
def string_eq(a, b):
    return type(b) is str and a == b


@primitive("string_to_upper")
def string_to_upper(s):
    return s.upper()


@primitive("string_to_lower")
def string_to_lower(s):
    return s.lower()


@primitive("string_slice")
def string_slice(s, start, length):
    if type(start) is not int or type(length) is not int:
        raise PanicSignal(_INT_ERROR)
    if length < 0:
        raise PanicSignal(f"{length} is too big to convert to an unsigned integer")
    n = len(s)
    if start < 0:
        start = start % n if n else 0
    return s[start : start + length]


@primitive("string_starts_with")
def string_starts_with(s, prefix):
    return s.startswith(prefix)


@primitive("string_ends_with")
def string_ends_with(s, suffix):
    return s.endswith(suffix)


@primitive("string_to_byte_array")
def string_to_byte_array(s):
    return bytearray(s.encode("utf-8", "surrogatepass"))


# --- Array -------------------------------------------------------------------


def _index(i, n):
    if type(i) is not int:
        raise PanicSignal(_INT_ERROR)
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
    run = block_caller(block, 1)
    for i in range(len(a)):
        run(a[i] if i < len(a) else None)
    return None


@primitive("array_each_with_index")
def array_each_with_index(a, block):
    run = block_caller(block, 2)
    for i in range(len(a)):
        run(a[i] if i < len(a) else None, i)
    return None


@primitive("array_equals")
def array_equals(a, b):
    if type(b) is not list or len(a) != len(b):
        return False
    for x, y in zip(list(a), list(b), strict=False):
        if not _truthy(send_dyn(x, "==", [y])):
            return False
    return True


@primitive("array_contains")
def array_contains(a, value):
    for x in list(a):
        if _truthy(send_dyn(x, "==", [value])):
            return True
    return False


# --- ByteArray ---------------------------------------------------------------


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
        raise PanicSignal(_INT_ERROR)
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


__all__ = ["float_to_string_py", "MISSING"]


@primitive("set_native_prototype")
def set_native_prototype(kind, proto):
    """Values of the native kind `kind` find their methods on `proto`."""
    try:
        O.set_native_prototype(kind, proto)
    except KeyError:
        raise PanicSignal(f"{kind} is not a native kind") from None
    return proto
