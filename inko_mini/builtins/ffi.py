"""Primitives for std::ffi and std::ffi::types over Python's ctypes
(STDLIB-FS-OS-FFI §8).

Three native kinds: a `Library` is an `FfiLibrary` (one dlopen'ed handle), a
`Pointer` is an `FfiPointer` (an unsigned address), and a `Function` is an
ordinary Inko object (it has the attributes `@name`, `@arguments` and
`@returns`) that keeps its `FfiFunction` under a key Inko code can not name.

Every failure panics with the VM's text. Arguments of a call are checked and
converted by hand before C is called, so that a value of the wrong kind or a
wrong count is a panic, not a crash; only a bad address can still crash the
process, as in 0.4.0.
"""

from __future__ import annotations

import ctypes
import os
from collections.abc import Callable
from decimal import Decimal
from typing import Any, cast

from inko_mini.builtins import primitive
from inko_mini.errors import PanicSignal
from inko_mini.runtime import objects

# --- type ids (std::ffi::types) ----------------------------------------------

VOID, POINTER, F64, F32, I8, I16, I32, I64, U8, U16, U32, U64, STRING, BYTE_ARRAY, SIZE_T = range(
    15
)

_CTYPES: dict[int, Any] = {
    VOID: None,
    POINTER: ctypes.c_void_p,
    F64: ctypes.c_double,
    F32: ctypes.c_float,
    I8: ctypes.c_int8,
    I16: ctypes.c_int16,
    I32: ctypes.c_int32,
    I64: ctypes.c_int64,
    U8: ctypes.c_uint8,
    U16: ctypes.c_uint16,
    U32: ctypes.c_uint32,
    U64: ctypes.c_uint64,
    STRING: ctypes.c_void_p,
    BYTE_ARRAY: ctypes.c_void_p,
    SIZE_T: ctypes.c_size_t,
}

# size and alignment on x86-64 Linux (§8.1); VOID is 1/1 as libffi says.
_LAYOUT: dict[int, tuple[int, int]] = {
    VOID: (1, 1),
    POINTER: (8, 8),
    F64: (8, 8),
    F32: (4, 4),
    I8: (1, 1),
    I16: (2, 2),
    I32: (4, 4),
    I64: (8, 8),
    U8: (1, 1),
    U16: (2, 2),
    U32: (4, 4),
    U64: (8, 8),
    STRING: (8, 8),
    BYTE_ARRAY: (8, 8),
    SIZE_T: (8, 8),
}

_POINTER_IDS = (POINTER, STRING, BYTE_ARRAY)
# id -> (bits, signed) for the integer types.
_INTEGERS: dict[int, tuple[int, bool]] = {
    I8: (8, True),
    I16: (16, True),
    I32: (32, True),
    I64: (64, True),
    U8: (8, False),
    U16: (16, False),
    U32: (32, False),
    U64: (64, False),
    SIZE_T: (64, False),
}

# --- the VM's texts (§1.4, §8) -------------------------------------------------

_TAGGED_MIN = -(1 << 62)
_TAGGED_MAX = (1 << 62) - 1
_I64_MIN = -(1 << 63)
_I64_MAX = (1 << 63) - 1
_U64_MAX = (1 << 64) - 1
_F32_MAX = 3.4028234663852886e38
_INTEGER_VALUE = "ObjectPointer::integer_value() called on a non integer object"
_NO_LIBRARY = "ObjectValue::as_library() called on a non library"
_NO_FUNCTION = "ObjectValue::as_function() called on a non function"
_BAD_TYPE_REPRESENTATION = "The type representation is invalid or unsupported"
_NUL_IN_NAME = "non-final null byte found"

# The attribute of a Function object holding its FfiFunction. Not an Inko
# identifier and not an `@` name, so Inko code and std::mirror never see it.
FUNCTION_KEY = "<ffi function>"


def _tagged(value: object) -> bool:
    return type(value) is int and _TAGGED_MIN <= value <= _TAGGED_MAX


def _as_value_panic(value: object, method: str, what: str) -> PanicSignal:
    """The panic of the VM's `as_<what>` conversions for a wrong value."""
    if _tagged(value):
        return PanicSignal(f"ObjectPointer::{method}() called on a tagged integer")
    return PanicSignal(f"ObjectValue::{method}() called on a non {what}")


def _string(value: object) -> str:
    if type(value) is not str:
        raise _as_value_panic(value, "as_string", "string")
    return value


def _integer(value: object) -> int:
    """An Integer that fits the VM's 64-bit integers (else a BigInteger)."""
    if type(value) is not int or not _I64_MIN <= value <= _I64_MAX:
        raise PanicSignal(_INTEGER_VALUE)
    return value


def _unsigned(value: object) -> int:
    """An Integer as a 64-bit unsigned value (addresses, offsets, u64)."""
    if type(value) is not int:
        raise PanicSignal(_INTEGER_VALUE)
    if value < 0 or value > _U64_MAX:
        raise PanicSignal(f"{value} is too big to convert to an unsigned integer")
    return value


def _type_id(value: object) -> int:
    ident = _integer(value)
    if ident not in _CTYPES:
        raise PanicSignal(f"Invalid FFI type: {ident}")
    return ident


def _rust_float(value: float) -> str:
    """A Float as Rust's `{}` prints an f64 (no exponent, `inf`)."""
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "inf" if value > 0 else "-inf"
    return format(Decimal(repr(value)), "f")


def _type_name(value: Any) -> str:
    """The VM's name for a value's kind, as the pointer-argument panic shows it."""
    t = type(value)
    if t is int:
        return "BigInteger"
    if t is float:
        return "Float"
    if t is str:
        return "String"
    if t is list:
        return "Array"
    if t is bytearray:
        return "ByteArray"
    if t is objects.Block:
        return "Block"
    if t is FfiLibrary:
        return "Library"
    if t is FfiPointer:
        return "Pointer"
    if t is objects.InkoObject and FUNCTION_KEY in value.attrs:
        return "Function"
    if t.__name__ == "ProcessRef":
        return "Process"
    return "Object"


# --- native values -------------------------------------------------------------


class FfiLibrary:
    """A library opened with dlopen; `handle` is None once closed."""

    __slots__ = ("handle", "__weakref__")

    def __init__(self, handle: ctypes.CDLL) -> None:
        self.handle: ctypes.CDLL | None = handle

    def open_handle(self) -> ctypes.CDLL:
        if self.handle is None:
            raise PanicSignal(_NO_LIBRARY)
        return self.handle

    def address_of(self, name: object) -> int:
        """dlsym: the symbol's address (0 for a symbol whose value is NULL)."""
        handle = self.open_handle()
        symbol = _string(name)
        if "\0" in symbol:
            raise PanicSignal(_NUL_IN_NAME)
        try:
            found = handle[symbol]
        except AttributeError as exc:
            raise PanicSignal(str(exc)) from None
        return ctypes.cast(found, ctypes.c_void_p).value or 0


class FfiPointer:
    """A raw address; two Pointers are equal when their addresses are."""

    __slots__ = ("address", "__weakref__")

    def __init__(self, address: int) -> None:
        self.address = address


def _library(value: object) -> FfiLibrary:
    if type(value) is not FfiLibrary:
        raise _as_value_panic(value, "as_library", "library")
    return value


def _pointer(value: object) -> FfiPointer:
    if type(value) is not FfiPointer:
        raise _as_value_panic(value, "as_pointer", "pointer")
    return value


def _register_kinds() -> None:
    objects.register_native_kind("ffi_library", FfiLibrary)
    objects.register_native_kind("ffi_pointer", FfiPointer)


_register_kinds()


# --- argument conversion (§8.3) ---------------------------------------------------


def _wrap(value: int, bits: int, signed: bool) -> int:
    value &= (1 << bits) - 1
    if signed and value >= 1 << (bits - 1):
        value -= 1 << bits
    return value


def _float_argument(value: object) -> float:
    if type(value) is not float:
        if _tagged(value):
            raise PanicSignal("ObjectPointer::as_float() called on a tagged integer")
        raise PanicSignal("as_float called non a non float value")
    return value


class _Keep:
    """Buffers that must stay alive (and pinned) until a call returns."""

    __slots__ = ("items",)

    def __init__(self) -> None:
        self.items: list[Any] = []


def _pointer_argument(value: Any, keep: _Keep) -> int:
    t = type(value)
    if t is FfiPointer:
        return value.address
    if t is int and _I64_MIN <= value <= _I64_MAX:
        return value & _U64_MAX
    if t is str:
        buffer = ctypes.create_string_buffer(value.encode("utf-8", "surrogatepass"))
        keep.items.append(buffer)
        return ctypes.addressof(buffer)
    if t is bytearray:
        if not value:
            # An empty ByteArray has no buffer of its own; C gets a valid,
            # empty one.
            buffer = ctypes.create_string_buffer(1)
            keep.items.append(buffer)
            return ctypes.addressof(buffer)
        view = (ctypes.c_char * len(value)).from_buffer(value)
        keep.items.append(view)
        return ctypes.addressof(view)
    raise PanicSignal(f"objects of type {_type_name(value)} can not be passed as a pointer")


def _convert_argument(ident: int, value: object, keep: _Keep) -> object:
    if ident in _POINTER_IDS:
        return _pointer_argument(value, keep)
    if ident == F64 or ident == F32:
        return _float_argument(value)
    bits, signed = _INTEGERS[ident]
    if bits == 64 and not signed:
        # u64 and size_t: 0 ... 2^63-1 (larger Integers are BigIntegers).
        number = _integer(value)
        if number < 0:
            raise PanicSignal(f"{number} is too big to convert to an unsigned integer")
        return number
    return _wrap(_integer(value), bits, signed)


# --- results ---------------------------------------------------------------------


def _convert_result(ident: int, value: Any) -> object:
    if ident == VOID:
        return None
    if ident in _POINTER_IDS:
        return FfiPointer(value or 0)
    if ident == F64 or ident == F32:
        return float(value)
    return int(value)


class FfiFunction:
    """A C function: its address, its signature, and a ctypes caller."""

    __slots__ = ("arguments", "returns", "caller")

    def __init__(self, address: int, arguments: list[int], returns: int) -> None:
        self.arguments = arguments
        self.returns = returns
        prototype = ctypes.CFUNCTYPE(
            _CTYPES[returns], *(_CTYPES[a] for a in arguments), use_errno=True
        )
        self.caller: Callable[..., Any] = prototype(address)

    def call(self, values: list) -> object:
        expected = len(self.arguments)
        if len(values) != expected:
            raise PanicSignal(
                f"Invalid number of arguments, expected {expected} but got {len(values)}"
            )
        keep = _Keep()
        converted = [
            _convert_argument(ident, value, keep)
            for ident, value in zip(self.arguments, values, strict=True)
        ]
        result = self.caller(*converted)
        del keep
        return _convert_result(self.returns, result)


def _type_object_id(value: object) -> int:
    """The id of a std::ffi::types Type (anything answering `to_integer`)."""
    from inko_mini.runtime import send

    return _type_id(send(value, "to_integer"))


# --- primitives: types -----------------------------------------------------------


@primitive("ffi_type_size")
def ffi_type_size(ident: object) -> int:
    return _LAYOUT[_type_id(ident)][0]


@primitive("ffi_type_alignment")
def ffi_type_alignment(ident: object) -> int:
    return _LAYOUT[_type_id(ident)][1]


# --- primitives: Library ------------------------------------------------------------


@primitive("ffi_library_open")
def ffi_library_open(names: object) -> FfiLibrary:
    """dlopen each name in order; the first that loads wins (§8.2)."""
    if type(names) is not list:
        raise _as_value_panic(names, "as_array", "array")
    errors = []
    for name in names:
        text = _string(name)
        if "\0" in text:
            errors.append(f"{text}: {_NUL_IN_NAME}")
            continue
        try:
            return FfiLibrary(ctypes.CDLL(text, mode=os.RTLD_NOW))
        except OSError as exc:
            errors.append(f"{text}: {exc}")
    raise PanicSignal(
        "Unable to open the supplied libraries:\n" + "".join("\n" + e for e in errors)
    )


@primitive("ffi_library_variable")
def ffi_library_variable(library: object, name: object) -> FfiPointer:
    return FfiPointer(_library(library).address_of(name))


@primitive("ffi_library_close")
def ffi_library_close(library: object) -> None:
    # Marked closed, never dlclose'd: functions attached earlier keep their
    # code addresses (§8.2).
    _library(library).handle = None
    return None


# --- primitives: Function -------------------------------------------------------------


@primitive("ffi_function_attach")
def ffi_function_attach(
    proto: object, library: object, name: object, arguments: object, returns: object
) -> objects.InkoObject:
    """A new Function object (prototype `proto`) for a symbol of `library`.

    Checks in the VM's order: symbol, return type, each argument type, then
    whether libffi could call it (a `void` argument can not be passed).
    """
    address = _library(library).address_of(name)
    return_id = _type_object_id(returns)
    if type(arguments) is not list:
        raise _as_value_panic(arguments, "as_array", "array")
    argument_ids = [_type_object_id(argument) for argument in arguments]
    if VOID in argument_ids:
        raise PanicSignal(_BAD_TYPE_REPRESENTATION)
    function = objects.InkoObject(proto if type(proto) is objects.InkoObject else None)
    function.attrs[FUNCTION_KEY] = FfiFunction(address, argument_ids, return_id)
    return function


@primitive("ffi_function_call")
def ffi_function_call(function: object, arguments: object) -> object:
    native = None
    if type(function) is objects.InkoObject:
        native = function.attrs.get(FUNCTION_KEY)
    if type(native) is not FfiFunction:
        raise _as_value_panic(function, "as_function", "function")
    if type(arguments) is not list:
        raise _as_value_panic(arguments, "as_array", "array")
    return native.call(arguments)


# --- primitives: Pointer ---------------------------------------------------------------


@primitive("ffi_pointer_new")
def ffi_pointer_new(address: object) -> FfiPointer:
    return FfiPointer(_unsigned(address))


@primitive("ffi_pointer_address")
def ffi_pointer_address(pointer: object) -> int:
    return _pointer(pointer).address


# errno (§11): the interpreter itself sets errno between two Inko
# statements, so C functions are called with ctypes' private copy of errno
# (use_errno) and the thread's real errno is synchronised with that copy
# whenever a Pointer reads or writes the memory holding it. A program then
# sees, through `libc.variable('errno')`, the errno of its last C call, and C
# sees what the program wrote there, as in the VM.
_ERRNO: list[int | None] = []


def _errno_address() -> int | None:
    if not _ERRNO:
        try:
            location = ctypes.CDLL(None)["__errno_location"]
            location.restype = ctypes.c_void_p
            _ERRNO.append(location())
        except (AttributeError, OSError):
            _ERRNO.append(None)
    return _ERRNO[0]


def _touches_errno(kind: int, address: int, value: Any = None) -> bool:
    errno_at = _errno_address()
    if errno_at is None:
        return False
    if kind == STRING or kind == BYTE_ARRAY:
        # a read: the first byte at least; a write: the bytes written.
        size = 1 if value is None else 4 * len(value) + 1
    else:
        size = _LAYOUT[kind][0]
    return address < errno_at + 4 and errno_at < address + size


def _target(pointer: object, ident: object, offset: object) -> tuple[int, int]:
    base = _pointer(pointer).address
    kind = _type_id(ident)
    if kind == VOID:
        raise PanicSignal(f"Invalid FFI type: {kind}")
    return kind, (base + _unsigned(offset)) & _U64_MAX


@primitive("ffi_pointer_read")
def ffi_pointer_read(pointer: object, ident: object, offset: object) -> object:
    kind, address = _target(pointer, ident, offset)
    if _touches_errno(kind, address):
        ctypes.c_int.from_address(cast(int, _ERRNO[0])).value = ctypes.get_errno()
    if kind == POINTER:
        return FfiPointer(ctypes.c_void_p.from_address(address).value or 0)
    if kind == STRING:
        return ctypes.string_at(address).decode("utf-8", "replace")
    if kind == BYTE_ARRAY:
        return bytearray(ctypes.string_at(address))
    value = _CTYPES[kind].from_address(address).value
    return float(value) if kind in (F64, F32) else int(value)


def _range_checked(kind: int, value: object) -> int:
    bits, signed = _INTEGERS[kind]
    if bits == 64:
        return _integer(value) if signed else _unsigned(value)
    number = _integer(value)
    low, high = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)
    if not low <= number <= high:
        sign = "signed" if signed else "unsigned"
        raise PanicSignal(f"{number} can not be converted to a {sign} {bits} bits integer")
    return number


@primitive("ffi_pointer_write")
def ffi_pointer_write(pointer: object, ident: object, value: object, offset: object) -> object:
    kind, address = _target(pointer, ident, offset)
    _write(kind, address, value)
    if _touches_errno(kind, address, value):
        ctypes.set_errno(ctypes.c_int.from_address(cast(int, _ERRNO[0])).value)
    return value


def _write(kind: int, address: int, value: object) -> None:
    if kind == POINTER:
        ctypes.c_void_p.from_address(address).value = _pointer(value).address
    elif kind == STRING:
        data = _string(value).encode("utf-8", "surrogatepass") + b"\0"
        ctypes.memmove(address, data, len(data))
    elif kind == BYTE_ARRAY:
        if type(value) is not bytearray:
            raise _as_value_panic(value, "as_byte_array", "byte array")
        data = bytes(value)
        ctypes.memmove(address, data, len(data))
    elif kind == F64 or kind == F32:
        number = _float_argument(value)
        if kind == F32 and (number > _F32_MAX or number < -_F32_MAX):
            raise PanicSignal(
                f"{_rust_float(number)} can not be converted to a 32 bits floating point"
            )
        _CTYPES[kind].from_address(address).value = number
    else:
        _CTYPES[kind].from_address(address).value = _range_checked(kind, value)
