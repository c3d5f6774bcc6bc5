"""IP addresses (std::net::ip, STDLIB-NET-PROCESS §5): parsing and IPv6
formatting."""

from __future__ import annotations

from inko_mini.builtins import primitive
from inko_mini.errors import PanicSignal, ThrowSignal
from inko_mini.runtime.rustfmt import rust_debug_quote

# --- IP addresses (std::net::ip, §5) ---------------------------------------
#
# Parsing follows 0.4.0's own parser, not Python's `ipaddress`: it accepts
# forms Python rejects (`+1.2.3.4`, `1.2.3.4.`, 5-digit hextets) and rejects
# zones. Segments come back as a list of Integers (4 or 8 of them).

_MAX_ADDRESS = 45
_MAX_IPV4 = 15
_DIGITS = {10: set(b"0123456789"), 16: set(b"0123456789abcdefABCDEF")}


class _BadAddress(Exception):
    pass


def _parse_number(piece: bytes, radix: int, maximum: int) -> int:
    # Rust's i64::from_str_radix: an optional sign, then at least one digit.
    body = piece[1:] if piece[:1] in (b"+", b"-") else piece
    if not body or any(byte not in _DIGITS[radix] for byte in body):
        if radix == 10 and b"_" in body and body[:1].isdigit() and body[-1:].isdigit():
            # the BigInt fallback of §5.2 accepts `_` between digits
            body = body.replace(b"_", b"")
            if not body.isdigit():
                raise _BadAddress
        else:
            raise _BadAddress
    value = int(body, radix)
    if piece[:1] == b"-":
        value = -value
    if not 0 <= value <= maximum:
        raise _BadAddress
    return value


def parse_ipv4(data: bytes) -> list:
    if len(data) > _MAX_IPV4:
        raise _BadAddress
    parts = []
    cursor = 0
    while cursor < len(data):
        end = data.find(b".", cursor)
        if end < 0:
            end = len(data)
        piece = data[cursor:end]
        if not piece:
            raise _BadAddress
        parts.append(_parse_number(piece, 10, 255))
        cursor = end + 1
    if len(parts) != 4:
        raise _BadAddress
    return parts


def parse_ipv6(data: bytes) -> list:  # noqa: C901 (one pass over the RFC 4291 text forms; each branch is one form)
    if len(data) > _MAX_ADDRESS:
        raise _BadAddress
    segs: list = []
    v4: list = []
    compressed = False
    v4mode = False
    cursor = 0
    size = len(data)
    while cursor < size:
        start = cursor
        while cursor < size and data[cursor] not in b":.":
            cursor += 1
        piece = data[start:cursor]
        if not v4mode and cursor < size and data[cursor] == ord("."):
            v4mode = True
        if piece:
            if v4mode:
                v4.append(_parse_number(piece, 10, 255))
            else:
                segs.append(_parse_number(piece, 16, 0xFFFF))
        cursor += 1
        if cursor < size and data[cursor] == ord(":"):
            if compressed:
                raise _BadAddress
            compressed = True
            pad = 8 - len(segs)
            if cursor + 1 < size:
                seen_dot = False
                for byte in data[cursor:]:
                    if byte == ord(":"):
                        pad -= 1
                    elif byte == ord(".") and not seen_dot:
                        seen_dot = True
                        pad -= 1
            if pad > 0:
                segs.extend([0] * pad)
            cursor += 1
    if len(v4) == 4:
        while len(segs) < 8:
            segs.append(None)
        segs[6] = v4[0] << 8 | v4[1]
        segs[7] = v4[2] << 8 | v4[3]
    if len(segs) != 8 or None in segs:
        raise _BadAddress
    return segs


def parse_ip(data: bytes) -> list:
    if len(data) > _MAX_ADDRESS:
        raise _BadAddress
    for byte in data:
        if byte == ord("."):
            return parse_ipv4(data)
        if byte == ord(":"):
            return parse_ipv6(data)
    raise _BadAddress


def _as_bytes(value) -> bytes:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass")
    raise _BadAddress


def _parse_primitive(parser, value) -> list:
    try:
        return parser(_as_bytes(value))
    except _BadAddress:
        raise ThrowSignal(parse_error_text(value)) from None


@primitive("ip_parse")
def ip_parse(value):
    return _parse_primitive(parse_ip, value)


@primitive("ip_parse_v4")
def ip_parse_v4(value):
    return _parse_primitive(parse_ipv4, value)


@primitive("ip_parse_v6")
def ip_parse_v6(value):
    return _parse_primitive(parse_ipv6, value)


def parse_error_text(value) -> str:
    if isinstance(value, (bytes, bytearray)):
        value = bytes(value).decode("utf-8", "replace")
    return f"{rust_debug_quote(str(value))} is not a valid IP address"


@primitive("ip_parse_error_text")
def ip_parse_error_text(value):
    return parse_error_text(value)


def ipv6_to_string(segs: list) -> str:
    """§5.4, with a trailing run of zeros printed as `::` (0.4.0 printed `:`)."""
    if all(seg == 0 for seg in segs):
        return "::"
    if segs[:7] == [0] * 7 and segs[7] == 1:
        return "::1"
    if segs[:6] == [0] * 6:
        return "::" + _dotted(segs[6], segs[7])
    if segs[:5] == [0] * 5 and segs[5] == 0xFFFF:
        return "::ffff:" + _dotted(segs[6], segs[7])
    best_start, best_len = -1, 0
    index = 0
    while index < 8:
        if segs[index] == 0:
            start = index
            while index < 8 and segs[index] == 0:
                index += 1
            if index - start > best_len:
                best_start, best_len = start, index - start
        else:
            index += 1
    if best_len == 0:
        return ":".join(f"{seg:x}" for seg in segs)
    head = ":".join(f"{seg:x}" for seg in segs[:best_start])
    tail = ":".join(f"{seg:x}" for seg in segs[best_start + best_len :])
    return f"{head}::{tail}"


def _dotted(high: int, low: int) -> str:
    return f"{high >> 8}.{high & 0xFF}.{low >> 8}.{low & 0xFF}"


@primitive("ipv6_to_string")
def ipv6_to_string_primitive(segments):
    try:
        segs = [int(seg) for seg in segments]
    except (TypeError, ValueError):
        raise PanicSignal("an IPv6 address needs 8 Integer segments") from None
    if len(segs) != 8:
        raise PanicSignal("an IPv6 address needs 8 Integer segments")
    return ipv6_to_string(segs)
