"""The hash of a HashMap key (STDLIB-CORE.md §15-16): SipHash-1-3 with
zero keys, as Rust's DefaultHasher, over the bytes the VM feeds it, turned
into an Integer the VM's way. The rounds are written in Python; the
siphash24 package runs them in C when it is installed.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from functools import partial
from typing import Any

from inko_mini.builtins import conv

_M = (1 << 64) - 1


def _siphash13_python(data: bytes) -> int:
    """The unsigned 64-bit SipHash-1-3 of `data` with keys (0, 0)."""
    # The rounds are written out: a nested round function with `nonlocal`
    # state cost four times as much, and every HashMap key is hashed here.
    M = _M
    v0 = 0x736F6D6570736575
    v1 = 0x646F72616E646F6D
    v2 = 0x6C7967656E657261
    v3 = 0x7465646279746573
    length = len(data)
    tail = length - length % 8
    words = [int.from_bytes(data[i : i + 8], "little") for i in range(0, tail, 8)]
    words.append(((length & 0xFF) << 56) | int.from_bytes(data[tail:], "little"))
    for m in words:
        v3 ^= m
        v0 = (v0 + v1) & M
        v1 = (((v1 << 13) | (v1 >> 51)) & M) ^ v0
        v0 = ((v0 << 32) | (v0 >> 32)) & M
        v2 = (v2 + v3) & M
        v3 = (((v3 << 16) | (v3 >> 48)) & M) ^ v2
        v0 = (v0 + v3) & M
        v3 = (((v3 << 21) | (v3 >> 43)) & M) ^ v0
        v2 = (v2 + v1) & M
        v1 = (((v1 << 17) | (v1 >> 47)) & M) ^ v2
        v2 = ((v2 << 32) | (v2 >> 32)) & M
        v0 ^= m
    # The three finishing rounds, without a message word.
    v2 ^= 0xFF
    for _ in (0, 1, 2):
        v0 = (v0 + v1) & M
        v1 = (((v1 << 13) | (v1 >> 51)) & M) ^ v0
        v0 = ((v0 << 32) | (v0 >> 32)) & M
        v2 = (v2 + v3) & M
        v3 = (((v3 << 16) | (v3 >> 48)) & M) ^ v2
        v0 = (v0 + v3) & M
        v3 = (((v3 << 21) | (v3 >> 43)) & M) ^ v0
        v2 = (v2 + v1) & M
        v1 = (((v1 << 17) | (v1 >> 47)) & M) ^ v2
        v2 = ((v2 << 32) | (v2 >> 32)) & M
    return (v0 ^ v1 ^ v2 ^ v3) & M


_ZERO_KEY = bytes(16)


def _c_siphash13() -> Any:
    """The siphash24 package's SipHash-1-3 (about five times as fast as the
    Python rounds: every new HashMap key is hashed once), or None."""
    try:
        from siphash24 import siphash13 as c_siphash13
    except ImportError:  # an optional accelerator: the Python rounds are exact
        return None
    return c_siphash13


def _siphash13_first(data: bytes) -> int:
    """SipHash-1-3 of `data` with the zero key. The first call picks the
    implementation and puts it in `siphash13`'s place: importing the
    siphash24 package cost every start (a hello world hashes nothing)
    about 0.3 ms."""
    global siphash13
    accelerated = _c_siphash13()
    if accelerated is None:
        siphash13 = _siphash13_python
    else:
        siphash13 = partial(_siphash13_c, accelerated)
    return siphash13(data)


def _siphash13_c(c_siphash13: Any, data: bytes) -> int:
    return c_siphash13(data, key=_ZERO_KEY).intdigest() & _M


siphash13: Callable[[bytes], int] = _siphash13_first


def to_signed_hash(u: int) -> int:
    """The VM's conversion of an unsigned 64-bit hash into an Integer (§15)."""
    return u - (1 << 63) if u > conv.I64_MAX else u - conv.I64_MAX


def _float_bits(value: float) -> int:
    return struct.unpack("<Q", struct.pack("<d", value))[0]


def hash_bytes_of(value) -> bytes:
    """The bytes the VM feeds to the hasher for `value` (§15)."""
    kind = type(value)
    if kind is int:
        if conv.I64_MIN <= value <= conv.I64_MAX:
            return value.to_bytes(8, "little", signed=True)
        # Big integers: sign and magnitude; the real order is not reproducible.
        size = (value.bit_length() + 7) // 8
        return (b"\x01" if value < 0 else b"\x00") + abs(value).to_bytes(size, "little")
    if kind is str:
        return value.encode("utf-8", "surrogatepass") + b"\xff"
    if kind is float:
        return to_signed_hash(_float_bits(value)).to_bytes(8, "little", signed=True)
    # Booleans, Nil and other objects hash their identity, like the VM's address.
    return id(value).to_bytes(8, "little", signed=False)


# The hashes of strings and integers, which depend on the value alone (the
# keys are fixed): a word counted a thousand times is hashed once. The limit
# keeps a map of some 100,000 distinct keys (a word-pair count) from
# emptying the memo while its keys are still being set.
_STR_HASHES: dict[str, int] = {}
_INT_HASHES: dict[int, int] = {}
_MEMO_LIMIT = 1 << 17


def key_hash(value) -> int:
    kind = type(value)
    memo = _STR_HASHES if kind is str else _INT_HASHES if kind is int else None
    if memo is None:
        return to_signed_hash(siphash13(hash_bytes_of(value)))
    h = memo.get(value)
    if h is None:
        if len(memo) >= _MEMO_LIMIT:
            memo.clear()
        h = memo[value] = to_signed_hash(siphash13(hash_bytes_of(value)))
    return h
