"""Socket options (std::net::socket `ttl=` & co.): get and set by the ids
of std::net::bits (STDLIB-NET-PROCESS §7.2)."""

from __future__ import annotations

import errno
import ipaddress
import socket
import struct

from inko_mini.builtins import primitive
from inko_mini.builtins.io import errno_text, error_text
from inko_mini.builtins.net.socket import (
    _BAD_ADDRESS,
    _REF_PANIC,
    Socket,
    _describe,
    _native,
    _size,
    _unsigned,
)
from inko_mini.errors import PanicSignal, ThrowSignal
from inko_mini.runtime.rustfmt import rust_float

# --- options (§7.2; ids from std::net::bits) ------------------------------

_SOL = socket.SOL_SOCKET
_IP = socket.IPPROTO_IP
_IP6 = socket.IPPROTO_IPV6
_TCP = socket.IPPROTO_TCP
_REUSEPORT = getattr(socket, "SO_REUSEPORT", None)

# id -> (level, name, kind); kind: bool, u32, size, linger, keepalive, if4
_OPTIONS = {
    0: (_IP, socket.IP_TTL, "u32"),
    1: (_IP6, socket.IPV6_V6ONLY, "bool"),
    2: (_TCP, socket.TCP_NODELAY, "bool"),
    3: (_SOL, socket.SO_BROADCAST, "bool"),
    4: (_SOL, socket.SO_LINGER, "linger"),
    5: (_SOL, socket.SO_RCVBUF, "size"),
    6: (_SOL, socket.SO_SNDBUF, "size"),
    7: (_SOL, socket.SO_KEEPALIVE, "keepalive"),
    8: (_IP, socket.IP_MULTICAST_LOOP, "bool"),
    9: (_IP6, socket.IPV6_MULTICAST_LOOP, "bool"),
    10: (_IP, socket.IP_MULTICAST_TTL, "u32"),
    11: (_IP6, socket.IPV6_MULTICAST_HOPS, "u32"),
    12: (_IP, socket.IP_MULTICAST_IF, "if4"),
    13: (_IP6, socket.IPV6_MULTICAST_IF, "u32"),
    14: (_IP6, socket.IPV6_UNICAST_HOPS, "u32"),
    15: (_SOL, socket.SO_REUSEADDR, "bool"),
    16: (_SOL, _REUSEPORT, "bool"),
}


def _option(option):
    spec = _OPTIONS.get(option)
    if spec is None:
        raise PanicSignal(f"{option} is not a valid socket option")
    return spec


def _duration_seconds(value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise PanicSignal(f"{_describe(value)} is not a valid time duration")
    if value < 0 or value != value:
        raise PanicSignal(f"{rust_float(float(value))} is not a valid time duration")
    return float(value)


def _check_family(sock: Socket, level: int) -> None:
    # Newer kernels answer EOPNOTSUPP for an IPv6 option on an IPv4 socket;
    # Inko 0.4.0 documents (and its users saw) ENOPROTOOPT.
    if level == _IP6 and sock.family == socket.AF_INET:
        raise ThrowSignal(errno_text(errno.ENOPROTOOPT))


@primitive("socket_get_option")
def socket_get_option(native, option):
    native = _native(native, _REF_PANIC)
    sock = native._open(_REF_PANIC)
    level, name, kind = _option(option)
    _check_family(sock, level)
    try:
        if name is None:
            return False
        if kind == "linger":
            on, seconds = struct.unpack("ii", sock.getsockopt(level, name, 8))
            return float(seconds) if on else 0.0
        if kind == "keepalive":
            if not sock.getsockopt(level, name):
                return 0.0
            return float(sock.getsockopt(_TCP, socket.TCP_KEEPIDLE))
        if kind == "if4":
            raw = sock.getsockopt(level, name, 4)
            return socket.inet_ntoa(raw[:4].ljust(4, b"\0"))
        value = sock.getsockopt(level, name)
    except OSError as exc:
        raise ThrowSignal(error_text(exc)) from None
    if kind == "bool":
        return value != 0
    return value


@primitive("socket_set_option")
def socket_set_option(native, option, value):
    native = _native(native, _REF_PANIC)
    sock = native._open(_REF_PANIC)
    level, name, kind = _option(option)
    _check_family(sock, level)
    try:
        if kind == "bool":
            if name is not None:
                sock.setsockopt(level, name, 1 if value is True else 0)
        elif kind == "u32":
            sock.setsockopt(level, name, _unsigned(value, 32))
        elif kind == "size":
            size = _size(value)
            sock.setsockopt(level, name, min(size, 2**31 - 1))
        elif kind == "linger":
            seconds = int(_duration_seconds(value))
            sock.setsockopt(level, name, struct.pack("ii", 1 if value > 0 else 0, seconds))
        elif kind == "keepalive":
            seconds = _duration_seconds(value)
            if seconds == 0:
                sock.setsockopt(level, name, 0)
            else:
                sock.setsockopt(level, name, 1)
                sock.setsockopt(_TCP, socket.TCP_KEEPIDLE, int(seconds))
        elif kind == "if4":
            if not isinstance(value, str):
                raise ThrowSignal(_BAD_ADDRESS)
            try:
                raw = socket.inet_aton(str(ipaddress.IPv4Address(value)))
            except ValueError:
                raise ThrowSignal(_BAD_ADDRESS) from None
            sock.setsockopt(level, name, raw)
    except OSError as exc:
        raise ThrowSignal(error_text(exc)) from None
    return value
