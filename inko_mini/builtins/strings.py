"""Primitives of String (STDLIB-CORE.md §9) and the `inspect` texts (§17)."""

from __future__ import annotations

from inko_mini.builtins import conv, primitive
from inko_mini.errors import PanicSignal
from inko_mini.runtime.rustfmt import rust_debug_quote


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
        raise PanicSignal(conv.INT_ERROR)
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


@primitive("string_inspect")
def string_inspect(text):
    return rust_debug_quote(text)


@primitive("string_join")
def string_join(parts):
    return "".join(parts)


@primitive("inspect_native")
def inspect_native(value):
    """The inspect text of VM values that are not plain objects, else Nil."""
    if type(value) is bytearray:
        return f"ByteArray {{ {len(value)} bytes }}"
    return None
