"""Primitives of Integer and Float (STDLIB-CORE.md §6-8): arithmetic, bits,
conversions, formatting and parsing. Operators usually never get here: the
compiler's guarded fast paths compute them inline.
"""

from __future__ import annotations

import math
import struct

from inko_mini.builtins import conv, primitive
from inko_mini.errors import PanicSignal, ThrowSignal
from inko_mini.runtime.numbers import float_eq as eq
from inko_mini.runtime.rustfmt import inko_float, rust_debug_quote


def _ints(a, b):
    if type(a) is not int or type(b) is not int:
        raise PanicSignal(conv.INT_ERROR)


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


def _floats(a, b):
    if type(a) is not float or type(b) is not float:
        raise PanicSignal(conv.FLOAT_ERROR)


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


# The NaN an invalid operation creates on x86-64: the sign bit is set
# (0xFFF8000000000000), unlike Python's float('nan') (STDLIB-CORE §8).
DEFAULT_NAN: float = struct.unpack("<d", struct.pack("<Q", 0xFFF8000000000000))[0]


@primitive("float_div")
def float_div(a, b):
    _floats(a, b)
    if b == 0.0:
        if a != a:
            return a  # a NaN operand keeps its bits
        if a == 0.0:
            return DEFAULT_NAN
        return math.copysign(math.inf, a) * math.copysign(1.0, b)
    return a / b


@primitive("float_mod")
def float_mod(a, b):
    _floats(a, b)
    if a != a:
        return a
    if b != b:
        return b
    if b == 0.0 or math.isinf(a):
        return DEFAULT_NAN
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
        raise PanicSignal(conv.INT_ERROR)
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


_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


@primitive("integer_format")
def integer_format(value, radix):
    if type(radix) is not int or not 2 <= radix <= 36:
        raise PanicSignal("The radix argument must be between 2 and 36")
    if value == 0:
        return "0"
    digits = []
    number = abs(value)
    while number:
        number, digit = divmod(number, radix)
        digits.append(_DIGITS[digit])
    if value < 0:
        digits.append("-")
    return "".join(reversed(digits))


def _parse_error(text: str, kind: str):
    # Thrown as a StandardError by the Inko side, which wraps this message.
    raise ThrowSignal(f"{rust_debug_quote(text)} can not be converted to {kind}")


@primitive("integer_parse")
def integer_parse(text, radix):
    if type(radix) is not int or not 2 <= radix <= 36:
        raise PanicSignal("radix must be between 2 and 32, not {}")
    body = text[1:] if text[:1] in ("+", "-") else text
    if body and all(c.isascii() and c.isalnum() and int(c, 36) < radix for c in body):
        value = int(body, radix)
        value = -value if text[:1] == "-" else value
        if conv.I64_MIN <= value <= conv.I64_MAX:
            return value
    # The VM retries as a base-10 big integer, which allows `_` between digits.
    if _big_decimal_ok(body):
        value = int(body.replace("_", ""))
        return -value if text[:1] == "-" else value
    _parse_error(text, "an Integer")


def _big_decimal_ok(body: str) -> bool:
    if not body or not ("0" <= body[0] <= "9"):
        return False
    return all(("0" <= c <= "9") or c == "_" for c in body)


@primitive("float_parse")
def float_parse(text):
    if text == "Infinity":
        return float("inf")
    if text == "-Infinity":
        return float("-inf")
    body = text[1:] if text[:1] in ("+", "-") else text
    negative = text[:1] == "-"
    if body in ("inf", "NaN"):
        value = float("inf") if body == "inf" else float("nan")
        return -value if negative else value
    mantissa, _, exponent = body.partition("e") if "e" in body else body.partition("E")
    whole, _, fraction = mantissa.partition(".")
    ok = (
        (whole or fraction)
        and whole.isascii()
        and (whole.isdigit() or whole == "")
        and fraction.isascii()
        and (fraction.isdigit() or fraction == "")
    )
    if ok and ("e" in body or "E" in body):
        digits = exponent[1:] if exponent[:1] in ("+", "-") else exponent
        ok = digits.isascii() and digits.isdigit()
    if not ok:
        _parse_error(text, "a Float")
    value = float(body)
    return -value if negative else value


@primitive("integer_range_array")
def integer_range_array(start, end):
    """The values of an Integer range, or Nil when the bounds are not Integers."""
    if type(start) is int and type(end) is int:
        return list(range(start, end + 1))
    return None
