"""Socket primitives for std::net::socket and std::net::unix.

Sockets are non-blocking Python sockets wrapped in a small native object per
kind (`IpSocket`, `UnixSocket`), whose Inko prototype is the `Socket` object
of the matching library module. A call that would block parks the calling
process on the scheduler's poller and then retries the same call, so Inko
code only ever sees synchronous operations (STDLIB-NET-PROCESS §1.3).

Every socket object has a timeout of 0 (CPython's non-blocking mode), set
without a syscall by passing SOCK_NONBLOCK in the type given to its
constructor. A socket made by `socket_create` is also non-blocking in the
kernel (the flag goes to socket(2)). An accepted one is not: accept4 gets no
SOCK_NONBLOCK from CPython, and making it non-blocking would cost an ioctl
per connection. So every call that could wait on a connected socket says
MSG_DONTWAIT (recv, recvfrom, send, sendto), and connect, which takes no
flags, first makes a connected socket non-blocking for real. The other calls
never wait on a connected socket: accept and listen fail with EINVAL at once,
bind never waits, and close and shutdown do not depend on the mode.

OS failures are thrown as the texts of §4.1; using a closed socket panics
with the texts of §7.2.
"""

from __future__ import annotations

import _socket
import errno
import ipaddress
import os
import socket

from inko_mini import runtime, scheduler
from inko_mini.builtins import primitive
from inko_mini.builtins.io import INVALID_INPUT, errno_text, error_text
from inko_mini.errors import PanicSignal, ThrowSignal
from inko_mini.runtime.objects import InkoObject

# Library constants (std::net::bits): domains and socket kinds.
_DOMAINS = {0: socket.AF_INET, 1: socket.AF_INET6, 2: socket.AF_UNIX}
_KINDS = {0: socket.SOCK_STREAM, 1: socket.SOCK_DGRAM, 2: socket.SOCK_SEQPACKET, 3: socket.SOCK_RAW}

_NONBLOCK = socket.SOCK_NONBLOCK
_DONTWAIT = socket.MSG_DONTWAIT

_MUT_PANIC = "ObjectValue::as_socket_mut() called on a non socket"
_REF_PANIC = "ObjectValue::as_socket() called on a non socket"
_BAD_ADDRESS = "invalid IP address syntax"
# A process parked on a descriptor that another process closed wakes up to
# this error instead of waiting for ever.
_CLOSED_WHILE_WAITING = errno_text(errno.EBADF)

# Sockets are instances of the C type behind socket.socket: the Python class
# adds only what Inko never uses (enum-valued family and type, makefile's
# reference counts) at the cost of Python-level calls on every accept, copy
# and close, which a server pays once per connection.
Socket = _socket.socket


class NativeSocket:
    """A socket as Inko sees it: one descriptor, closed at most once.

    A message copy (STDLIB-NET-PROCESS §2.3) is a second descriptor for the
    same kernel socket, but it is made only when needed: the copy first
    shares the original's descriptor (`shared` counts the sharers), and
    whichever sharer is about to wait on the poller takes a descriptor of
    its own first (`own`). So no process ever waits on a shared descriptor,
    closing a sharer that is not the last one closes nothing (there is
    nobody to wake), and the last one closes the descriptor as a lone socket
    does. A process-per-connection server, whose accept loop sends each
    connection to a new process and closes its own copy at once, then pays
    no dup, no second socket object and no second close per connection.
    """

    __slots__ = (
        "sock",
        "pending_error",
        "connected",
        "shared",
        "waiting",
        "listening",
        "__weakref__",
    )

    def __init__(self, sock: Socket, connected: bool = False):
        # `sock` has a timeout of 0 already (see the module's docstring).
        self.sock: Socket | None = sock
        # The errno of a connect that failed in the background; the next
        # read or write reports it (STDLIB-NET-PROCESS §7.6).
        self.pending_error = 0
        # Accepted, or connected by this program: a later ENOTCONN from
        # shutdown means the peer has gone, not "never connected".
        self.connected = connected
        # [number of NativeSockets using `sock`] when copies share it.
        self.shared: list[int] | None = None
        # Processes parked on the poller for this socket right now.
        self.waiting = 0
        # Set by listen: its copies go to processes that wait in accept.
        self.listening = False

    def dup_for_message(self):
        sock = self._open(_MUT_PANIC)
        if self.waiting or self.listening:
            # A process is parked on this descriptor (the copy gets its own
            # at once, so that closing either wakes only its own waiters), or
            # it is a listener, whose copies all end up waiting in accept:
            # dup now, so that a server's descriptor count does not creep up
            # as its acceptors first wait.
            try:
                copy = type(self)(_wrap(sock, _socket.dup(sock.fileno())), self.connected)
            except OSError as exc:
                raise ThrowSignal(error_text(exc)) from None
            copy.listening = self.listening
            return copy
        shared = self.shared
        if shared is None:
            shared = self.shared = [1]
        shared[0] += 1
        copy = object.__new__(type(self))
        copy.sock = sock
        copy.pending_error = 0
        copy.connected = self.connected
        copy.shared = shared
        copy.waiting = 0
        copy.listening = False
        return copy

    def _open(self, panic_text: str) -> Socket:
        sock = self.sock
        if sock is None:
            raise PanicSignal(panic_text)
        return sock

    def own(self) -> Socket:
        """The socket, on a descriptor no other NativeSocket uses (a dup,
        close-on-exec like every descriptor Python makes, when shared)."""
        sock = self._open(_MUT_PANIC)
        shared = self.shared
        if shared is not None:
            if shared[0] > 1:
                sock = _wrap(sock, _socket.dup(sock.fileno()))
                shared[0] -= 1
                self.sock = sock
            self.shared = None
        return sock

    def _release(self) -> Socket | None:
        """Forget the socket; return it if this was its last user."""
        sock = self.sock
        if sock is None:
            return None
        self.sock = None
        shared = self.shared
        if shared is not None:
            self.shared = None
            shared[0] -= 1
            if shared[0]:
                return None
        return sock

    def close(self) -> None:
        sock = self._release()
        if sock is not None:
            if self.waiting:
                _notify_closing(sock)
            sock.close()

    def __del__(self):
        # A socket the program forgot to close is released with its object,
        # as the VM's garbage collector would.
        if self.sock is None:
            return
        sock = self._release()
        if sock is not None:
            if self.waiting:
                try:
                    _notify_closing(sock)
                except Exception:
                    pass
            sock.close()


class IpSocket(NativeSocket):
    __slots__ = ()


class UnixSocket(NativeSocket):
    __slots__ = ()


def _wrap(like: Socket, fd: int) -> Socket:
    """A socket object for the new descriptor `fd` (from accept or dup) of
    the same family and type as `like`, with a timeout of 0 but the
    descriptor's mode unchanged; `fd` is closed if that fails."""
    try:
        # (CPython still validates `fd` with a getsockname: it does so
        # whatever is given.)
        return Socket(like.family, like.type | _NONBLOCK, like.proto, fd)
    except BaseException:
        os.close(fd)
        raise


runtime.register_native_kind("ip_socket", IpSocket)
runtime.register_native_kind("unix_socket", UnixSocket)


# --- waiting ---------------------------------------------------------------


def _scheduler():
    return scheduler


def _notify_closing(sock: Socket) -> None:
    fd = sock.fileno()
    if fd >= 0:
        _scheduler().notify_closing(fd)


def _wait(native: NativeSocket, writable: bool) -> None:
    sched = _scheduler()
    try:
        fd = native.own().fileno()
    except OSError as exc:
        raise ThrowSignal(error_text(exc)) from None
    native.waiting += 1
    try:
        if writable:
            sched.wait_writable(fd)
        else:
            sched.wait_readable(fd)
    except sched.ClosedResourceError:
        raise ThrowSignal(_CLOSED_WHILE_WAITING) from None
    except sched.BusyResourceError:
        # Two processes share one socket object (through a module global,
        # say) and both wait on it: the poller takes one waiter per fd, so
        # the second one polls at a short interval instead.
        sched.sleep_until(sched.now() + 0.005)
    finally:
        native.waiting -= 1


def _retry(native: NativeSocket, writable: bool, operation, *args):
    """Run `operation(sock, *args)` until it does not need to wait."""
    while True:
        sock = native._open(_MUT_PANIC)
        try:
            return operation(sock, *args)
        except (BlockingIOError, InterruptedError):
            pass
        except OSError as exc:
            raise ThrowSignal(error_text(exc)) from None
        _wait(native, writable)


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


def _payload(message) -> bytes | bytearray:
    if isinstance(message, str):
        return message.encode("utf-8", "surrogatepass")
    if isinstance(message, (bytes, bytearray)):
        # Sent as it is, not copied first: nothing else can change a
        # ByteArray while its own process sends it.
        return message
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
        sock = Socket(family, sock_type | _NONBLOCK)
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
    if native.connected:
        # Perhaps an accepted socket, blocking in the kernel: a Unix connect
        # would wait there for room in the listener's backlog (and only then
        # report EISCONN), holding up every process.
        try:
            sock.setblocking(False)
        except OSError as exc:
            raise ThrowSignal(error_text(exc)) from None
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
            _wait(native, True)
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
            _wait(native, True)
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
    native.listening = True
    return backlog


@primitive("socket_accept")
def socket_accept(native):
    if not isinstance(native, NativeSocket):
        raise PanicSignal(_MUT_PANIC)
    # _retry, inline: a server accepts once per connection.
    while True:
        sock = native.sock
        if sock is None:
            raise PanicSignal(_MUT_PANIC)
        try:
            # The C type's accept returns the bare descriptor (typeshed
            # leaves it out): socket.socket.accept would build a
            # Python-level object.
            fd, _ = sock._accept()  # type: ignore[attr-defined]
            return type(native)(_wrap(sock, fd), True)
        except (BlockingIOError, InterruptedError):
            pass
        except OSError as exc:
            raise ThrowSignal(error_text(exc)) from None
        _wait(native, False)


@primitive("socket_send_to")
def socket_send_to(native, message, *address):
    native = _native(native, _MUT_PANIC)
    data = _payload(message)
    target = _address_for(native, address)
    return _retry(native, True, lambda sock: sock.sendto(data, _DONTWAIT, target))


@primitive("socket_receive_from")
def socket_receive_from(native, bytes_, size):
    native = _native(native, _MUT_PANIC)
    size = _size(size)

    def receive(sock):
        data, address = sock.recvfrom(size, _DONTWAIT)
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
    # _native and _open, inline: a server shuts down every connection.
    if not isinstance(native, NativeSocket):
        raise PanicSignal(_REF_PANIC)
    sock = native.sock
    if sock is None:
        raise PanicSignal(_REF_PANIC)
    mode = _SHUTDOWN_MODES.get(how)
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
_SHUTDOWN_MODES = {0: socket.SHUT_RD, 1: socket.SHUT_WR, 2: socket.SHUT_RDWR}


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
            data = sock.recv(size, _DONTWAIT)
            bytes_.extend(data)
            return len(data)

        return _retry(native, False, receive)

    total = 0
    while True:
        chunk = _retry(native, False, _recv_all_chunk)
        if not chunk:
            return total
        bytes_.extend(chunk)
        total += len(chunk)


def _recv_all_chunk(sock: Socket) -> bytes:
    return sock.recv(65536, _DONTWAIT)


@primitive("socket_write")
def socket_write(native, data):
    """One send (§7.2): the count may be partial; waits only if nothing fits."""
    if not isinstance(native, NativeSocket):
        raise PanicSignal(_MUT_PANIC)
    if native.pending_error:
        _raise_pending(native)
    if type(data) is str:
        payload = data.encode("utf-8", "surrogatepass")
    else:
        payload = _payload(data)
    sock = native.sock
    if not payload or sock is None:
        native._open(_MUT_PANIC)
        return 0
    # The first try, without _retry: a server's one write per connection
    # nearly always fits.
    try:
        return sock.send(payload, _DONTWAIT)
    except (BlockingIOError, InterruptedError):
        pass
    except OSError as exc:
        raise ThrowSignal(error_text(exc)) from None
    return _retry(native, True, _send, payload)


def _send(sock: Socket, payload: bytes | bytearray) -> int:
    return sock.send(payload, _DONTWAIT)


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


# --- building streams from sockets (std::net::bits.to_stream) -------------


@primitive("net_to_stream")
def net_to_stream(native, prototype):
    """An instance of `prototype` holding `native` as @socket, without init."""
    # What new_object and set_attr do for a new object and an @ name, in
    # one call: every accepted connection comes through here.
    return InkoObject(prototype, {"@socket": native})
