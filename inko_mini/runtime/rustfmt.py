"""Text formats of the Rust 2019 standard library that Inko 0.4.0's VM used
for floats and quoted strings, in one place."""

from __future__ import annotations

import math


def _positional(value: float) -> str:
    from decimal import Decimal  # on first use: most programs print no float

    return format(Decimal(repr(value)), "f")


def inko_float(value: float) -> str:
    """`Float#to_string`: positional digits, always with a fraction
    (`1.0`, `0.1`), `NaN`, `Infinity`, `-Infinity`."""
    if value != value:
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    text = _positional(value)
    if "." not in text:
        text += ".0"
    return text


def rust_float(value: float) -> str:
    """A float as Rust's Display printed it inside VM messages: positional,
    shortest round-trip digits, no `.0` for whole numbers (-1, -0.5), `inf`."""
    if value != value:
        return "NaN"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    text = _positional(value)
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


_ESCAPES = {"\t": "\\t", "\r": "\\r", "\n": "\\n", "\\": "\\\\", '"': '\\"', "'": "\\'"}


def rust_debug_quote(text: str) -> str:
    """`text` quoted like Rust 2019's `{:?}` for str."""
    out = ['"']
    for char in text:
        escaped = _ESCAPES.get(char)
        if escaped is not None:
            out.append(escaped)
        elif char.isprintable():
            out.append(char)
        else:
            out.append(f"\\u{{{ord(char):x}}}")
    out.append('"')
    return "".join(out)
