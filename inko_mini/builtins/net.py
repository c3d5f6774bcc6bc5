"""Primitives for std::net::socket, std::net::unix and std::net::ip.

Sockets are non-blocking Python sockets wrapped in a small native object per
kind (`IpSocket`, `UnixSocket`), whose Inko prototype is the `Socket` object
of the matching library module. A call that would block parks the calling
process on the scheduler's poller and then retries the same call, so Inko
code only ever sees synchronous operations (STDLIB-NET-PROCESS §1.3).

OS failures are thrown as the texts of §4.1; using a closed socket panics
with the texts of §7.2.
"""

from __future__ import annotations

import errno
import ipaddress
import socket
import struct

from inko_mini.builtins import primitive
from inko_mini.builtins.io import INVALID_INPUT, errno_text, error_text
from inko_mini.errors import PanicSignal, ThrowSignal

# Library constants (std::net::bits): domains and socket kinds.
_DOMAINS = {0: socket.AF_INET, 1: socket.AF_INET6, 2: socket.AF_UNIX}
_KINDS = {0: socket.SOCK_STREAM, 1: socket.SOCK_DGRAM, 2: socket.SOCK_SEQPACKET, 3: socket.SOCK_RAW}

_MUT_PANIC = "ObjectValue::as_socket_mut() called on a non socket"
_REF_PANIC = "ObjectValue::as_socket() called on a non socket"
_BAD_ADDRESS = "invalid IP address syntax"
# A process parked on a descriptor that another process closed wakes up to
# this error instead of waiting for ever.
_CLOSED_WHILE_WAITING = errno_text(errno.EBADF)


class NativeSocket:
    """A socket as Inko sees it: one descriptor, closed at most once."""

    __slots__ = ("sock", "pending_error", "connected", "__weakref__")

    def __init__(self, sock: socket.socket, connected: bool = False):
        sock.setblocking(False)
        self.sock = sock
        # The errno of a connect that failed in the background; the next
        # read or write reports it (STDLIB-NET-PROCESS §7.6).
        self.pending_error = 0
        # Accepted, or connected by this program: a later ENOTCONN from
        # shutdown means the peer has gone, not "never connected".
        self.connected = connected

    def dup_for_message(self):
        # A message copy is a second descriptor for the same kernel socket
        # (STDLIB-NET-PROCESS §2.3); Python's dup is close-on-exec already.
        sock = self._open(_MUT_PANIC)
        try:
            return type(self)(sock.dup(), self.connected)
        except OSError as exc:
            raise ThrowSignal(error_text(exc)) from None

    def _open(self, panic_text: str) -> socket.socket:
        sock = self.sock
        if sock is None:
            raise PanicSignal(panic_text)
        return sock

    def close(self) -> None:
        sock = self.sock
        if sock is None:
            return
        self.sock = None
        _notify_closing(sock)
        sock.close()

    def __del__(self):
        # A socket the program forgot to close is released with its object,
        # as the VM's garbage collector would.
        sock = self.sock
        if sock is not None:
            self.sock = None
            try:
                _notify_closing(sock)
            except Exception:
                pass
            sock.close()


class IpSocket(NativeSocket):
    __slots__ = ()


class UnixSocket(NativeSocket):
    __slots__ = ()


def _register_kinds() -> None:
    from inko_mini import runtime

    register = getattr(runtime, "register_native_kind", None)
    if register is not None:
        register("ip_socket", IpSocket)
        register("unix_socket", UnixSocket)


_register_kinds()


# --- waiting ---------------------------------------------------------------


def _scheduler():
    from inko_mini import scheduler

    return scheduler


def _notify_closing(sock: socket.socket) -> None:
    fd = sock.fileno()
    if fd < 0:
        return
    notify = getattr(_scheduler(), "notify_closing", None)
    if notify is not None:
        notify(fd)


def _wait(sock: socket.socket, writable: bool) -> None:
    sched = _scheduler()
    try:
        if writable:
            sched.wait_writable(sock.fileno())
        else:
            sched.wait_readable(sock.fileno())
    except sched.ClosedResourceError:
        raise ThrowSignal(_CLOSED_WHILE_WAITING) from None
    except sched.BusyResourceError:
        # Two processes share one socket object (through a module global,
        # say) and both wait on it: the poller takes one waiter per fd, so
        # the second one polls at a short interval instead.
        sched.sleep_until(sched.now() + 0.005)


def _retry(native: NativeSocket, writable: bool, operation):
    """Run `operation(sock)` until it does not need to wait."""
    while True:
        sock = native._open(_MUT_PANIC)
        try:
            return operation(sock)
        except (BlockingIOError, InterruptedError):
            pass
        except OSError as exc:
            raise ThrowSignal(error_text(exc)) from None
        _wait(sock, writable)


# --- argument checks (the VM's own conversions, §7.1) ---------------------


def _check_int(value, name: str = "value") -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise PanicSignal(f"{_describe(value)} is not an Integer")
    return value


_INKO_KINDS = {
    bool: "A Boolean",
    int: "An Integer",
    float: "A Float",
    str: "A String",
    list: "An Array",
    bytearray: "A ByteArray",
}


def _describe(value) -> str:
    # Name the Inko type, not the Python class, in panics users read.
    if value is None:
        return "Nil"
    return _INKO_KINDS.get(type(value), "An object")


def _unsigned(value, bits: int) -> int:
    value = _check_int(value)
    if not 0 <= value < (1 << bits):
        raise PanicSignal(f"{value} can not be converted to a unsigned {bits} bits integer")
    return value


def _signed(value, bits: int) -> int:
    value = _check_int(value)
    if not -(1 << (bits - 1)) <= value < (1 << (bits - 1)):
        raise PanicSignal(f"{value} can not be converted to a signed {bits} bits integer")
    return value


def _size(value) -> int:
    value = _check_int(value)
    if value < 0:
        raise PanicSignal(f"{value} is too big to convert to an unsigned integer")
    return value


def _port(value) -> int:
    return _unsigned(value, 16)


def _ip_text(value) -> str:
    """Validate an address the way Rust's `IpAddr::from_str` does."""
    if not isinstance(value, str) or "%" in value or not value.isascii():
        raise ThrowSignal(_BAD_ADDRESS)
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        raise ThrowSignal(_BAD_ADDRESS) from None


def _ip_address(native: NativeSocket, ip, port) -> tuple:
    host = _ip_text(ip)
    port = _port(port)
    sock = native._open(_MUT_PANIC)
    if sock.family == socket.AF_INET6 and ":" not in host:
        # An IPv4 address on an IPv6 socket: Rust's std converts the SocketAddr
        # as given, which the kernel rejects for the wrong family.
        raise ThrowSignal(errno_text(errno.EAFNOSUPPORT))
    if sock.family == socket.AF_INET and ":" in host:
        raise ThrowSignal(errno_text(errno.EAFNOSUPPORT))
    return (host, port)


def _unix_address(value) -> str | bytes:
    if isinstance(value, (bytes, bytearray)):
        value = bytes(value).decode("utf-8", "replace")
    if not isinstance(value, str):
        raise ThrowSignal(INVALID_INPUT)
    if value.startswith("\0"):
        # An abstract name is passed as bytes so its exact length is kept.
        data = value.encode("utf-8", "surrogatepass")
        if len(data) > 108:
            raise ThrowSignal(INVALID_INPUT)
        return data
    if len(value.encode("utf-8", "surrogatepass")) >= 108 or "\0" in value:
        raise ThrowSignal(INVALID_INPUT)
    return value


def _address_for(native: NativeSocket, args: tuple):
    if isinstance(native, UnixSocket):
        return _unix_address(args[0])
    return _ip_address(native, args[0], args[1])


def _payload(message) -> bytes:
    if isinstance(message, str):
        return message.encode("utf-8", "surrogatepass")
    if isinstance(message, (bytes, bytearray)):
        return bytes(message)
    raise PanicSignal(f"{_describe(message)} can not be sent over a socket")


def _native(value, panic_text: str) -> NativeSocket:
    if not isinstance(value, NativeSocket):
        raise PanicSignal(panic_text)
    return value


# --- addresses coming back from the OS -------------------------------------


def _host_from_os(host: str) -> str:
    # Python adds `%scope` to link-local IPv6 addresses; Inko never shows it.
    return host.split("%", 1)[0]


def _unix_from_os(address) -> str:
    if address is None:
        return ""
    if isinstance(address, bytes):
        # Abstract names keep their leading NUL so `abstract?` is true for
        # them (0.4.0 dropped it; see the README's differences).
        return address.decode("utf-8", "replace")
    return address


def _address_value(native: NativeSocket, address):
    if isinstance(native, UnixSocket):
        return _unix_from_os(address)
    return [_host_from_os(address[0]), address[1]]


# --- socket primitives ----------------------------------------------------


@primitive("socket_create")
def socket_create(domain, kind):
    domain = _unsigned(domain, 8)
    kind = _unsigned(kind, 8)
    family = _DOMAINS.get(domain)
    if family is None:
        raise PanicSignal(f"{domain} is not a valid socket domain")
    sock_type = _KINDS.get(kind)
    if sock_type is None:
        raise PanicSignal(f"{kind} is not a valid socket type")
    if family == socket.AF_UNIX and sock_type == socket.SOCK_RAW:
        sock_type = socket.SOCK_DGRAM
    try:
        sock = socket.socket(family, sock_type)
    except OSError as exc:
        raise ThrowSignal(error_text(exc)) from None
    cls = UnixSocket if family == socket.AF_UNIX else IpSocket
    return cls(sock)


@primitive("socket_bind")
def socket_bind(native, *address):
    native = _native(native, _MUT_PANIC)
    target = _address_for(native, address)

    def bind(sock):
        sock.bind(target)
        return None

    return _retry(native, False, bind)


@primitive("socket_connect")
def socket_connect(native, *address):
    native = _native(native, _MUT_PANIC)
    target = _address_for(native, address)
    sock = native._open(_MUT_PANIC)
    while True:
        try:
            code = sock.connect_ex(target)
        except OSError as exc:
            raise ThrowSignal(error_text(exc)) from None
        if code == 0:
            native.connected = True
            return None
        if code == errno.EINPROGRESS:
            # As in 0.4.0 (§7.6): wait until writable and carry on; a refusal
            # shows up at the first read or write, not here.
            _wait(sock, True)
            sock = native._open(_MUT_PANIC)
            failure = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if failure:
                native.pending_error = failure
            else:
                # Collect the completed connect, so that connecting again
                # reports EISCONN as a blocking connect would.
                sock.connect_ex(target)
                native.connected = True
            return None
        if code in (errno.EAGAIN, errno.EINTR):
            # A Unix socket whose listener's backlog is full.
            _wait(sock, True)
            sock = native._open(_MUT_PANIC)
            continue
        raise ThrowSignal(errno_text(code))


@primitive("socket_listen")
def socket_listen(native, backlog):
    native = _native(native, _REF_PANIC)
    backlog = _signed(backlog, 32)
    sock = native._open(_REF_PANIC)
    try:
        sock.listen(max(backlog, 0))
    except OSError as exc:
        raise ThrowSignal(error_text(exc)) from None
    return backlog


@primitive("socket_accept")
def socket_accept(native):
    native = _native(native, _MUT_PANIC)

    def accept(sock):
        fd, _ = sock._accept()
        return type(native)(socket.socket(sock.family, sock.type, sock.proto, fileno=fd), True)

    return _retry(native, False, accept)


@primitive("socket_send_to")
def socket_send_to(native, message, *address):
    native = _native(native, _MUT_PANIC)
    data = _payload(message)
    target = _address_for(native, address)
    return _retry(native, True, lambda sock: sock.sendto(data, target))


@primitive("socket_receive_from")
def socket_receive_from(native, bytes_, size):
    native = _native(native, _MUT_PANIC)
    size = _size(size)

    def receive(sock):
        data, address = sock.recvfrom(size)
        bytes_.extend(data)
        return _address_value(native, address)

    return _retry(native, False, receive)


@primitive("socket_address")
def socket_address(native, which):
    """which: 0 = local address, 1 = peer address (std::net::bits)."""
    native = _native(native, _REF_PANIC)
    sock = native._open(_REF_PANIC)
    try:
        address = sock.getpeername() if which == 1 else sock.getsockname()
    except OSError as exc:
        raise ThrowSignal(error_text(exc)) from None
    return _address_value(native, address)


@primitive("socket_shutdown")
def socket_shutdown(native, how):
    """how: 0 = read, 1 = write, 2 = both (std::net::bits)."""
    native = _native(native, _REF_PANIC)
    sock = native._open(_REF_PANIC)
    mode = {0: socket.SHUT_RD, 1: socket.SHUT_WR, 2: socket.SHUT_RDWR}.get(how)
    if mode is None:
        raise PanicSignal(f"{how} is not a valid shutdown mode")
    try:
        sock.shutdown(mode)
    except OSError as exc:
        if native.connected and exc.errno in _PEER_GONE:
            # A deliberate difference from 0.4.0 (README): the peer closed or
            # reset the connection first, so it is shut down already. Node,
            # the JDK and hyper treat this as success too; throwing made the
            # Sockets page's servers die at the first port probe.
            return None
        raise ThrowSignal(error_text(exc)) from None
    return None


_PEER_GONE = frozenset((errno.ENOTCONN, errno.ECONNRESET, errno.EPIPE))


@primitive("socket_read")
def socket_read(native, bytes_, size):
    """Append what one recv returns (§7.5), or everything until EOF for Nil."""
    native = _native(native, _MUT_PANIC)
    if native.pending_error:
        _raise_pending(native)
    if size is not None:
        size = _size(size)
        if size == 0:
            native._open(_MUT_PANIC)
            return 0

        def receive(sock):
            data = sock.recv(size)
            bytes_.extend(data)
            return len(data)

        return _retry(native, False, receive)

    total = 0
    while True:
        chunk = _retry(native, False, lambda sock: sock.recv(65536))
        if not chunk:
            return total
        bytes_.extend(chunk)
        total += len(chunk)


@primitive("socket_write")
def socket_write(native, data):
    """One send (§7.2): the count may be partial; waits only if nothing fits."""
    native = _native(native, _MUT_PANIC)
    if native.pending_error:
        _raise_pending(native)
    payload = _payload(data)
    if not payload:
        native._open(_MUT_PANIC)
        return 0
    return _retry(native, True, lambda sock: sock.send(payload))


def _raise_pending(native: NativeSocket):
    native._open(_MUT_PANIC)
    number = native.pending_error
    native.pending_error = 0
    raise ThrowSignal(errno_text(number))


@primitive("socket_close")
def socket_close(native):
    if isinstance(native, NativeSocket):
        native.close()
    return None


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
        raise PanicSignal(f"{_rust_float(float(value))} is not a valid time duration")
    return float(value)


def _rust_float(value: float) -> str:
    from decimal import Decimal

    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "inf" if value > 0 else "-inf"
    text = format(Decimal(repr(value)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _check_family(sock: socket.socket, level: int) -> None:
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


# --- building streams from sockets (std::net::bits.to_stream) -------------


@primitive("net_to_stream")
def net_to_stream(native, prototype):
    """An instance of `prototype` holding `native` as @socket, without init."""
    from inko_mini import runtime

    obj = runtime.new_object(prototype)
    runtime.set_attr(obj, "@socket", native)
    return obj


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


def parse_ipv6(data: bytes) -> list:
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


def rust_debug_string(text: str) -> str:
    """Rust 2019's `{:?}` of a str: double quotes and backslash escapes."""
    out = ['"']
    for char in text:
        if char in "\\\"'":
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\r":
            out.append("\\r")
        elif char == "\t":
            out.append("\\t")
        elif char.isprintable() or char == " ":
            out.append(char)
        else:
            out.append(f"\\u{{{ord(char):x}}}")
    out.append('"')
    return "".join(out)


def parse_error_text(value) -> str:
    if isinstance(value, (bytes, bytearray)):
        value = bytes(value).decode("utf-8", "replace")
    return f"{rust_debug_string(str(value))} is not a valid IP address"


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
