"""Primitives for std::io and std::stdio, plus the OS error texts shared with net.

Inko sees OS failures only as strings (STDLIB-NET-PROCESS §4.1); the library
wraps them in `IoError.new`. `error_text` is the one place an errno becomes
that string, so sockets and standard streams report identical texts.
"""

from __future__ import annotations

import errno
import os
import sys

from inko_mini import scheduler
from inko_mini.builtins import primitive
from inko_mini.errors import PanicSignal, ThrowSignal
from inko_mini.runtime.output import flush_stream

# errno -> the text Inko 0.4.0's VM gave for it (Rust's io::ErrorKind names).
_ERRNO_TEXTS = {
    errno.ENOENT: "The resource could not be found.",
    errno.EPERM: "The operation lacked the necessary privileges to complete.",
    errno.EACCES: "The operation lacked the necessary privileges to complete.",
    errno.ECONNREFUSED: "The connection was refused by the remote server.",
    errno.ECONNRESET: "The connection was reset by the remote server.",
    errno.ECONNABORTED: "The connection was terminated by the remote server.",
    errno.ENOTCONN: "The operation failed because the connection has not yet been established.",
    errno.EADDRINUSE: "The address is already in use.",
    errno.EADDRNOTAVAIL: "The address is not available.",
    errno.EPIPE: "The operation failed because a pipe was closed.",
    errno.EEXIST: "The resource already exists.",
    errno.EINVAL: "An input parameter is invalid.",
    errno.ETIMEDOUT: "The operation timed out.",
    errno.EINTR: "The operation was interrupted.",
    errno.EAGAIN: "The operation failed as it would block.",
}

INVALID_INPUT = _ERRNO_TEXTS[errno.EINVAL]


def errno_text(number: int) -> str:
    text = _ERRNO_TEXTS.get(number)
    if text is not None:
        return text
    return f"{os.strerror(number)} (os error {number})"


def error_text(exc: BaseException) -> str:
    """The Inko text for an OS-level exception."""
    number = getattr(exc, "errno", None)
    if isinstance(number, int):
        return errno_text(number)
    # Errors raised by Python itself rather than the kernel (a Unix path that
    # is too long, a string with a NUL byte) are invalid input to Inko.
    return INVALID_INPUT


def throw_os_error(exc: BaseException):
    raise ThrowSignal(error_text(exc)) from None


# --- waiting on the scheduler's poller ------------------------------------


def wait_readable(fd: int) -> None:
    """Park the current process until `fd` is readable (no timeout)."""
    scheduler.wait_readable(fd)


def wait_writable(fd: int) -> None:
    scheduler.wait_writable(fd)


# --- standard output and error --------------------------------------------


def _write(stream, data: bytes, always_flush: bool = False) -> int:
    # Line-buffered like Rust's stdout: everything up to the newline reaches
    # the terminal (or pipe) before print returns, so interleaving with
    # stderr and child processes stays in program order.
    if stream is None:  # the descriptor was closed before inko-mini started
        return 0
    try:
        stream.write(data)
        if always_flush or b"\n" in data:
            stream.flush()
    except (OSError, ValueError):
        return 0
    return len(data)


def _stdout():
    return sys.stdout.buffer if sys.stdout is not None else None


def _stderr():
    return sys.stderr.buffer if sys.stderr is not None else None


def _to_bytes(value) -> bytes:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    return str(value).encode("utf-8", "surrogatepass")


@primitive("stdout_write_string")
def stdout_write_string(string):
    return _write(_stdout(), _to_bytes(string))


@primitive("stdout_write_bytes")
def stdout_write_bytes(bytes_):
    return _write(_stdout(), _to_bytes(bytes_))


@primitive("stdout_flush")
def stdout_flush():
    _flush(sys.stdout)
    return None


@primitive("stderr_write_string")
def stderr_write_string(string):
    # Keep the two streams in order when both go to one terminal.
    _flush(sys.stdout)
    return _write(_stderr(), _to_bytes(string), always_flush=True)


@primitive("stderr_write_bytes")
def stderr_write_bytes(bytes_):
    _flush(sys.stdout)
    return _write(_stderr(), _to_bytes(bytes_), always_flush=True)


@primitive("stderr_flush")
def stderr_flush():
    _flush(sys.stderr)
    return None


_flush = flush_stream


# --- standard input --------------------------------------------------------


def _read_stdin_chunk(limit: int) -> bytes:
    if sys.stdin is None:  # closed before inko-mini started: nothing to read
        return b""
    fd = sys.stdin.fileno()
    try:
        wait_readable(fd)
    except PermissionError:
        pass  # a regular file: epoll refuses it, and reading never blocks
    return os.read(fd, limit)


@primitive("stdin_read")
def stdin_read(bytes_, size):
    """Append up to `size` bytes (or everything until EOF when Nil) to `bytes_`.

    Unlike a socket read this keeps reading until it has `size` bytes or the
    stream ends (STDLIB-NET-PROCESS §9).
    """
    if size is not None and (not isinstance(size, int) or isinstance(size, bool)):
        raise ThrowSignal(INVALID_INPUT)
    if size is not None and size < 0:
        raise PanicSignal(f"{size} is too big to convert to an unsigned integer")
    total = 0
    try:
        while size is None or total < size:
            want = 65536 if size is None else min(65536, size - total)
            try:
                chunk = _read_stdin_chunk(want)
            except BlockingIOError:
                continue
            if not chunk:
                break
            bytes_.extend(chunk)
            total += len(chunk)
    except OSError as exc:
        throw_os_error(exc)
    except (ValueError, AttributeError):
        pass  # stdin is closed or missing: behave as at EOF
    return total


# --- byte buffers used by std::io's default methods -----------------------


@primitive("io_new_byte_array")
def io_new_byte_array():
    return bytearray()


@primitive("io_drain_to_string")
def io_drain_to_string(bytes_):
    text = bytes(bytes_).decode("utf-8", "replace")
    del bytes_[:]
    return text


# --- std::string_buffer ----------------------------------------------------


@primitive("string_buffer_to_string")
def string_buffer_to_string(parts):
    # join checks every part itself (str instances only), in one C loop.
    try:
        return "".join(parts)
    except TypeError:
        for part in parts:  # as before when `parts` itself is not iterable
            if not isinstance(part, str):
                raise PanicSignal("ObjectValue::as_string() called on a non string") from None
        raise
