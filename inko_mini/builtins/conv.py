"""What primitives share about their arguments: the VM's texts for values of
the wrong kind, the 64-bit bounds, and Inko truth."""

from __future__ import annotations

from typing import Any

from inko_mini.runtime.calls import truth

INT_ERROR = "Integer instructions can only be performed using integers"
FLOAT_ERROR = "Float instructions can only be performed using floats"

MASK = (1 << 64) - 1
I64_MAX = (1 << 63) - 1
I64_MIN = -(1 << 63)


def truthy(value: Any) -> bool:
    """Inko truth of a value a block returned: only False and Nil are false
    (a user object may answer `if_true` itself: `truth` asks it)."""
    return value is True or (value is not False and value is not None and truth(value))


def not_falsy(value: Any) -> bool:
    """True for anything but False and Nil, without sending a message."""
    return value is not False and value is not None
