"""Primitives for std::fs, std::fs::file, std::fs::dir, std::fs::raw and std::os.

Files are plain objects whose prototype is one of the three file prototypes
made here (`ReadOnlyFile`, `WriteOnlyFile`, `ReadWriteFile`); the open
descriptor hides under a key that is not a String, so Inko code and `inspect`
only see the `@path` the library stores (STDLIB-FS-OS-FFI §4).

Every call that touches the file system runs in the scheduler's thread pool
while its process waits (DESIGN.md §7), so a slow disk, a FIFO without a
writer or a big read never stops other processes. Arguments are checked
before that, on the scheduler's thread: a wrong kind panics with the VM's
text (§1.4); an OS failure throws the text of §1.2 (`io.error_text`).
"""

from __future__ import annotations

import os
import shutil
import stat
import sys
from collections.abc import Callable
from typing import Any, TypeVar

from inko_mini.builtins import primitive
from inko_mini.builtins.io import INVALID_INPUT, error_text
from inko_mini.errors import PanicSignal, ThrowSignal
from inko_mini.runtime.objects import OBJECT, InkoObject

T = TypeVar("T")

# Open modes of std::fs::raw -> (open(2) flags, index of the prototype).
_MODES: dict[int, tuple[int, int]] = {
    0: (os.O_RDONLY, 0),
    1: (os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 1),
    2: (os.O_WRONLY | os.O_APPEND | os.O_CREAT, 1),
    3: (os.O_RDWR | os.O_CREAT, 2),
    4: (os.O_RDWR | os.O_APPEND | os.O_CREAT, 2),
}
_PROTOTYPE_NAMES = ("ReadOnlyFile", "WriteOnlyFile", "ReadWriteFile")
_prototypes: list[InkoObject] = []

_CHUNK = 1 << 20
_NO_CREATION_TIME = "creation time is not available on this platform currently"
_NOT_A_FILE = "ObjectValue::as_file_mut() called on a non file"
_U64_MAX = (1 << 64) - 1


class FileHandle:
    """An open descriptor, closed at most once.

    `busy` counts the operations running in the thread pool; a close that
    arrives meanwhile (possible only through a module global shared by two
    processes) is finished by the last of them, so the number is never
    reused while a thread still works on it.
    """

    __slots__ = ("fd", "busy", "close_pending")

    # Sending a file to another process panics (STDLIB-NET-PROCESS §2.2).
    is_file = True

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.busy = 0
        self.close_pending = False

    def close(self) -> None:
        if self.fd < 0 or self.close_pending:
            return
        if self.busy:
            self.close_pending = True
            return
        fd, self.fd = self.fd, -1
        try:
            os.close(fd)
        except OSError:
            pass

    def release(self) -> None:
        self.busy -= 1
        if self.close_pending and not self.busy:
            self.close_pending = False
            self.close()

    def __del__(self) -> None:
        # An unclosed file closes when its object goes away, as with the
        # VM's garbage collector.
        if self.fd >= 0 and not self.busy:
            try:
                os.close(self.fd)
            except OSError:
                pass
            self.fd = -1


class _HandleKey:
    """The attribute key of a file object's descriptor: not a String, so
    neither Inko code nor the mirror's attribute lists can reach it."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<file handle>"


_HANDLE = _HandleKey()


# --- argument checks (STDLIB-FS-OS-FFI §1.4) --------------------------------


def _wrong_kind(value: Any, method: str, what: str) -> PanicSignal:
    if type(value) is int:
        return PanicSignal(f"ObjectPointer::{method}() called on a tagged integer")
    return PanicSignal(f"ObjectValue::{method}() called on {what}")


def _string(value: Any) -> str:
    if type(value) is not str:
        raise _wrong_kind(value, "as_string", "a non string")
    return value


def _integer(value: Any) -> int:
    if type(value) is not int:
        raise PanicSignal("ObjectPointer::integer_value() called on a non integer object")
    return value


def _byte_array(value: Any) -> bytearray:
    if type(value) is not bytearray:
        raise _wrong_kind(value, "as_byte_array_mut", "a non byte array")
    return value


def _handle(value: Any) -> FileHandle:
    if type(value) is InkoObject:
        handle = value.attrs.get(_HANDLE)
        if handle is not None and handle.fd >= 0 and not handle.close_pending:
            return handle
    if type(value) is int:
        raise PanicSignal("ObjectPointer::as_file_mut() called on a tagged integer")
    raise PanicSignal(_NOT_A_FILE)


def _truthy(value: Any) -> bool:
    return value is not False and value is not None


# --- running off the scheduler's thread ------------------------------------


def _blocking(fn: Callable[..., T], *args: Any) -> T:
    """Run fn(*args) in the thread pool; an OS failure becomes a throw."""
    from inko_mini import scheduler

    try:
        return scheduler.run_in_thread(fn, *args)
    except OSError as exc:
        raise ThrowSignal(error_text(exc)) from None
    except (ValueError, OverflowError):
        # A NUL byte or an unencodable character in a path, an offset beyond
        # the OS's signed 64 bits: invalid input to Inko (as EINVAL).
        raise ThrowSignal(INVALID_INPUT) from None


def _on_file(handle: FileHandle, fn: Callable[..., T], *args: Any) -> T:
    handle.busy += 1
    try:
        return _blocking(fn, handle.fd, *args)
    finally:
        handle.release()


# --- file prototypes and opening ---------------------------------------------


def _prototype_list() -> list[InkoObject]:
    if not _prototypes:
        for name in _PROTOTYPE_NAMES:
            proto = InkoObject(OBJECT)
            proto.attrs["@_object_name"] = name
            _prototypes.append(proto)
    return _prototypes


@primitive("fs_file_prototype")
def fs_file_prototype(index: Any) -> InkoObject:
    """The VM's prototype of ReadOnlyFile (0), WriteOnlyFile (1) or ReadWriteFile (2)."""
    number = _integer(index)
    if not 0 <= number < len(_PROTOTYPE_NAMES):
        raise PanicSignal(f"{number} is not a file prototype")
    return _prototype_list()[number]


def _open(path: str, flags: int) -> int:
    return os.open(path, flags | os.O_CLOEXEC, 0o666)


@primitive("fs_open")
def fs_open(path: Any, mode: Any) -> InkoObject:
    """A bare file object for `path` opened in `mode` (std::fs::raw, §6)."""
    path = _string(path)
    mode = _integer(mode)
    entry = _MODES.get(mode)
    if entry is None:
        raise PanicSignal(f"Invalid file open mode: {mode}")
    flags, index = entry
    fd = _blocking(_open, path, flags)
    file = InkoObject(_prototype_list()[index])
    file.attrs[_HANDLE] = FileHandle(fd)
    return file


@primitive("fs_close")
def fs_close(file: Any) -> None:
    if type(file) is InkoObject:
        handle = file.attrs.get(_HANDLE)
        if handle is not None:
            handle.close()
            return None
    _handle(file)  # panics with the VM's text
    return None


# --- reading, writing, seeking ---------------------------------------------


def _read(fd: int, size: int | None) -> bytes:
    parts = []
    got = 0
    while size is None or got < size:
        want = _CHUNK if size is None else min(_CHUNK, size - got)
        chunk = os.read(fd, want)
        if not chunk:
            break
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)


@primitive("fs_read")
def fs_read(file: Any, bytes_: Any, size: Any) -> int:
    """Append up to `size` bytes (all of them until EOF when Nil) to `bytes_`."""
    handle = _handle(file)
    target = _byte_array(bytes_)
    if size is not None:
        size = _integer(size)
        if size < 0:
            raise PanicSignal(f"{size} is too big to convert to an unsigned integer")
        if size == 0:
            return 0
    data = _on_file(handle, _read, size)
    target.extend(data)
    return len(data)


@primitive("fs_write")
def fs_write(file: Any, data: Any) -> int:
    """One write(2) of a String's UTF-8 bytes or a ByteArray; the count written."""
    handle = _handle(file)
    if type(data) is str:
        payload = data.encode("utf-8", "surrogatepass")
    elif type(data) is bytearray:
        payload = bytes(data)
    else:
        raise _wrong_kind(data, "as_byte_array", "a non byte array")
    return _on_file(handle, os.write, payload)


@primitive("fs_flush")
def fs_flush(file: Any) -> None:
    # Rust's File::flush does nothing (no fsync); only a closed file panics.
    _handle(file)
    return None


@primitive("fs_seek")
def fs_seek(file: Any, position: Any) -> int:
    handle = _handle(file)
    offset = _integer(position)
    if offset < 0:
        raise PanicSignal(f"{offset} is not a valid seek offset")
    if offset > _U64_MAX:
        raise PanicSignal(f"{offset} is too big for a seek offset")
    return _on_file(handle, os.lseek, offset, os.SEEK_SET)


# --- queries on paths --------------------------------------------------------


def _size(path: str) -> int:
    return os.stat(path).st_size


@primitive("fs_size")
def fs_size(path: Any) -> int:
    return _blocking(_size, _string(path))


def _type(path: str) -> int:
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return 0
    return 2 if stat.S_ISDIR(info.st_mode) else 1


@primitive("fs_type")
def fs_type(path: Any) -> int:
    """0 when stat fails, 2 for a directory, 1 for anything else (§6)."""
    return _blocking(_type, _string(path))


def _seconds(ns: int) -> float:
    return float(ns // 1_000_000_000) + (ns % 1_000_000_000) / 1e9


def _time(path: str, kind: int) -> float | str:
    info = os.stat(path)
    if kind == 0:
        birth = getattr(info, "st_birthtime", None)
        if birth is None:
            return _NO_CREATION_TIME
        return float(birth)
    if kind == 1:
        return _seconds(info.st_mtime_ns)
    if kind == 2:
        return _seconds(info.st_atime_ns)
    return ""


@primitive("fs_time")
def fs_time(path: Any, kind: Any) -> float:
    """Seconds since the Unix epoch of the creation (0), modification (1) or
    access (2) time of `path`, stat following links (§3, §6)."""
    path = _string(path)
    kind = _integer(kind)
    result = _blocking(_time, path, kind)
    if result == "":
        raise PanicSignal(f"{kind} is not a valid type of timestamp")
    if isinstance(result, str):
        raise ThrowSignal(result)
    return result


# --- removing and copying files ------------------------------------------------


@primitive("fs_remove_file")
def fs_remove_file(path: Any) -> None:
    _blocking(os.unlink, _string(path))
    return None


def _copy(source: str, target: str) -> int | None:
    # Rust 1.34's fs::copy: only a regular file is copied, and that is
    # checked before the destination is touched.
    if not os.path.isfile(source):
        return None
    mode = stat.S_IMODE(os.stat(source).st_mode)
    src = _open(source, os.O_RDONLY)
    try:
        dst = _open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        try:
            total = 0
            while True:
                chunk = os.read(src, _CHUNK)
                if not chunk:
                    break
                view = memoryview(chunk)
                while view:
                    written = os.write(dst, view)
                    view = view[written:]
                total += len(chunk)
            os.fchmod(dst, mode)
        finally:
            os.close(dst)
    finally:
        os.close(src)
    return total


@primitive("fs_copy")
def fs_copy(source: Any, target: Any) -> int:
    copied = _blocking(_copy, _string(source), _string(target))
    if copied is None:
        raise ThrowSignal(INVALID_INPUT)
    return copied


# --- directories -------------------------------------------------------------


def _create_dir(path: str, recursive: bool) -> None:
    if not recursive:
        os.mkdir(path, 0o777)
    elif path != "":
        os.makedirs(path, 0o777, exist_ok=True)


@primitive("fs_dir_create")
def fs_dir_create(path: Any, recursive: Any) -> None:
    _blocking(_create_dir, _string(path), _truthy(recursive))
    return None


def _remove_dir(path: str, recursive: bool) -> None:
    if not recursive:
        os.rmdir(path)
    elif stat.S_ISLNK(os.lstat(path).st_mode):
        os.unlink(path)
    else:
        shutil.rmtree(path)


@primitive("fs_dir_remove")
def fs_dir_remove(path: Any, recursive: Any) -> None:
    _blocking(_remove_dir, _string(path), _truthy(recursive))
    return None


def _list_dir(path: str) -> list[str]:
    prefix = path if path.endswith("/") else path + "/"
    names = os.listdir(os.fsencode(path))
    return [prefix + name.decode("utf-8", "replace") for name in names]


@primitive("fs_dir_list")
def fs_dir_list(path: Any) -> list[str]:
    """The entries of a directory, in readdir order, each joined to `path`."""
    return _blocking(_list_dir, _string(path))


# --- std::os -------------------------------------------------------------------


def platform_name(name: str = sys.platform, os_name: str = os.name) -> str:
    """std::os.platform for a Python `sys.platform` (STDLIB-FS-OS-FFI §7)."""
    if name == "win32":
        return "windows"
    if name == "darwin":
        return "macos"
    if name == "ios":
        return "ios"
    if name.startswith("linux"):
        return "linux"
    for family in ("android", "freebsd", "dragonfly", "openbsd", "netbsd"):
        if name.startswith(family):
            return family
    return "unix" if os_name == "posix" else "unknown"


@primitive("os_platform")
def os_platform() -> str:
    return platform_name()
