"""Number semantics shared by the compiler's fast paths and the primitives."""

from __future__ import annotations

import struct


def float_eq(a: float, b: float) -> bool:
    """Float `==`: IEEE equality, or within 2 ULPs with the same sign."""
    if a == b:
        return True
    if a != a or b != b:
        return False
    if (a < 0) != (b < 0):
        return False
    ia: int = struct.unpack("<q", struct.pack("<d", a))[0]
    ib: int = struct.unpack("<q", struct.pack("<d", b))[0]
    return abs(ia - ib) <= 2
