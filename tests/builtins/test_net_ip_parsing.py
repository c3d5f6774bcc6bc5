"""0.4.0's IP address parser and IPv6 formatting (STDLIB-NET-PROCESS §5.3-5.4)."""

from __future__ import annotations

import pytest

from inko_mini.builtins.net import ip
from inko_mini.errors import ThrowSignal

ACCEPTED = {
    "1.2.3.4": [1, 2, 3, 4],
    "1.2.3.4.": [1, 2, 3, 4],
    "01.002.3.4": [1, 2, 3, 4],
    "+1.2.3.4": [1, 2, 3, 4],
    "-0.1.2.3": [0, 1, 2, 3],
    "::": [0] * 8,
    "::1": [0] * 7 + [1],
    "1::": [1] + [0] * 7,
    "fe80::1": [0xFE80, 0, 0, 0, 0, 0, 0, 1],
    "FFFF::1": [0xFFFF, 0, 0, 0, 0, 0, 0, 1],
    "00001::": [1] + [0] * 7,
    "+1::": [1] + [0] * 7,
    "::ffff:1.2.3.4": [0, 0, 0, 0, 0, 0xFFFF, 0x102, 0x304],
    "::1.2.3.4": [0, 0, 0, 0, 0, 0, 0x102, 0x304],
    "1::1.2.3.4": [1, 0, 0, 0, 0, 0, 0x102, 0x304],
    "1:2:3:4:5:6:1.2.3.4": [1, 2, 3, 4, 5, 6, 0x102, 0x304],
    "::1:2:3:4:5:6:7": [0, 1, 2, 3, 4, 5, 6, 7],
    "1:2:3:4:5:6:7::": [1, 2, 3, 4, 5, 6, 7, 0],
    ":1:2:3:4:5:6:7:8": [1, 2, 3, 4, 5, 6, 7, 8],
    "1:2:3:4:5:6:7:8:": [1, 2, 3, 4, 5, 6, 7, 8],
    "1:2:3:4:5:6:7:8::": [1, 2, 3, 4, 5, 6, 7, 8],
    "1:2:3:4::5:6:7:8": [1, 2, 3, 4, 5, 6, 7, 8],
    "1:2:3:4:5:6:7:8.1.2.3": [1, 2, 3, 4, 5, 6, 0x801, 0x203],
}

REJECTED = [
    "1..2.3",
    ".1.2.3.4",
    "1.2.3",
    "1.2.3.4.5",
    "1.2.3.256",
    " 1.2.3.4",
    "1.2.3.4:80",
    "1::2::3",
    ":::",
    "1:::2",
    "::1.2.3",
    "1:2:3:4:5:6:7",
    "::ffff:1.2.3.256",
    "::ffff:a.2.3.4",
    "fe80::1%eth0",
    "[::1]",
    "",
    "foo",
    "1" * 46,
]


@pytest.mark.parametrize("text, segments", ACCEPTED.items())
def test_accepted(text, segments):
    assert ip.ip_parse(text) == segments


@pytest.mark.parametrize("text", REJECTED)
def test_rejected(text):
    with pytest.raises(ThrowSignal) as info:
        ip.ip_parse(text)
    assert info.value.value.endswith(" is not a valid IP address")


@pytest.mark.parametrize(
    "text, message",
    [
        ("foo", '"foo" is not a valid IP address'),
        ("", '"" is not a valid IP address'),
        ("a\"b'\n\t\x01", '"a\\"b\\\'\\n\\t\\u{1}" is not a valid IP address'),
    ],
)
def test_error_text(text, message):
    assert ip.parse_error_text(text) == message


@pytest.mark.parametrize(
    "segments, text",
    [
        ([0] * 8, "::"),
        ([0] * 7 + [1], "::1"),
        ([0] * 7 + [2], "::0.0.0.2"),
        ([0] * 7 + [0xFFFF], "::0.0.255.255"),
        ([0, 0, 0, 0, 0, 0xFFFF, 0x102, 0x304], "::ffff:1.2.3.4"),
        ([1, 0, 2, 3, 4, 5, 6, 7], "1::2:3:4:5:6:7"),
        ([1, 0, 0, 2, 0, 0, 3, 4], "1::2:0:0:3:4"),
        ([0, 0, 1, 2, 3, 4, 5, 6], "::1:2:3:4:5:6"),
        ([1, 2, 3, 4, 5, 6, 7, 8], "1:2:3:4:5:6:7:8"),
        ([0xABCD, 0xEF, 1, 2, 3, 4, 5, 6], "abcd:ef:1:2:3:4:5:6"),
        # 0.4.0 printed these with a single trailing colon; inko-mini prints `::`.
        ([0xFE80, 0, 0, 0, 0, 0, 0, 0], "fe80::"),
        ([0x2001, 0xDB8, 0, 0, 0, 0, 0, 0], "2001:db8::"),
        ([1, 2, 3, 4, 5, 6, 7, 0], "1:2:3:4:5:6:7::"),
    ],
)
def test_ipv6_to_string(segments, text):
    assert ip.ipv6_to_string(segments) == text
