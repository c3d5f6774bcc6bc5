"""Primitives for the core library beyond the built-in types.

Hashing (STDLIB-CORE §15-16), the HashMap table, Rust-style debug quoting for
`inspect` (§17), reflection for `std::mirror`, stack frames for `std::debug`,
`std::env`, `std::vm` and what `std::test` needs to run tests one by one.

The HashMap table lives here rather than in Inko because every map operation
would otherwise cost dozens of sends; the table's state stays in the map's
Inko attributes (`@buckets`, `@length`, ...) so that copying a map into
another process's mailbox needs nothing special.
"""

from __future__ import annotations

import os
import struct
import time

from inko_mini.builtins import primitive
from inko_mini.errors import PanicSignal, ThrowSignal

_MASK = (1 << 64) - 1
_I64_MAX = (1 << 63) - 1
_I64_MIN = -(1 << 63)


def _runtime():
    # Imported late: the runtime imports the primitive table while loading.
    import inko_mini.runtime as runtime

    return runtime


def _truthy(value) -> bool:
    return value is not False and value is not None


# --- SipHash-1-3 (Rust's DefaultHasher with both keys zero) ---------------


def _rotl(x: int, b: int) -> int:
    return ((x << b) | (x >> (64 - b))) & _MASK


def siphash13(data: bytes) -> int:
    """The unsigned 64-bit SipHash-1-3 of `data` with keys (0, 0)."""
    v0 = 0x736F6D6570736575
    v1 = 0x646F72616E646F6D
    v2 = 0x6C7967656E657261
    v3 = 0x7465646279746573

    def sipround():
        nonlocal v0, v1, v2, v3
        v0 = (v0 + v1) & _MASK
        v1 = _rotl(v1, 13) ^ v0
        v0 = _rotl(v0, 32)
        v2 = (v2 + v3) & _MASK
        v3 = _rotl(v3, 16) ^ v2
        v0 = (v0 + v3) & _MASK
        v3 = _rotl(v3, 21) ^ v0
        v2 = (v2 + v1) & _MASK
        v1 = _rotl(v1, 17) ^ v2
        v2 = _rotl(v2, 32)

    length = len(data)
    tail = length - length % 8
    for i in range(0, tail, 8):
        m = int.from_bytes(data[i : i + 8], "little")
        v3 ^= m
        sipround()
        v0 ^= m
    last = ((length & 0xFF) << 56) | int.from_bytes(data[tail:], "little")
    v3 ^= last
    sipround()
    v0 ^= last
    v2 ^= 0xFF
    sipround()
    sipround()
    sipround()
    return (v0 ^ v1 ^ v2 ^ v3) & _MASK


def to_signed_hash(u: int) -> int:
    """The VM's conversion of an unsigned 64-bit hash into an Integer (§15)."""
    return u - (1 << 63) if u > _I64_MAX else u - _I64_MAX


def _float_bits(value: float) -> int:
    return struct.unpack("<Q", struct.pack("<d", value))[0]


def hash_bytes_of(value) -> bytes:
    """The bytes the VM feeds to the hasher for `value` (§15)."""
    kind = type(value)
    if kind is int:
        if _I64_MIN <= value <= _I64_MAX:
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


def key_hash(value) -> int:
    return to_signed_hash(siphash13(hash_bytes_of(value)))


class DefaultHasher:
    """The VM's hasher object: bytes written since the last `finish`."""

    __slots__ = ("data",)

    def __init__(self, data: bytes = b""):
        self.data = bytearray(data)

    def write(self, value) -> None:
        self.data += hash_bytes_of(value)

    def finish(self) -> int:
        result = to_signed_hash(siphash13(bytes(self.data)))
        self.data.clear()
        return result

    def dup_for_message(self) -> DefaultHasher:
        return DefaultHasher(self.data)


try:
    _runtime().register_native_kind("hasher", DefaultHasher)
except (AttributeError, ImportError):
    # The runtime registers kinds once it exists; set_native_prototype in
    # std::hasher covers the case where it did not yet when this loaded.
    pass


@primitive("hasher_new")
def hasher_new():
    return DefaultHasher()


def _hasher_write(hasher, value):
    if type(hasher) is DefaultHasher:
        hasher.write(value)
        return None
    # A hasher written in Inko: feed it through its own methods.
    send = _runtime().send
    if type(value) is float:
        return send(hasher, "write_float", value)
    if type(value) is int:
        return send(hasher, "write_integer", value)
    return send(hasher, "write_integer", key_hash(value))


for _name in (
    "hasher_write",
    "hasher_write_integer",
    "hasher_write_float",
    "hasher_write_string",
    "hasher_write_object",
):
    primitive(_name)(_hasher_write)


@primitive("hasher_finish")
def hasher_finish(hasher):
    if type(hasher) is DefaultHasher:
        return hasher.finish()
    return _runtime().send(hasher, "finish")


primitive("hasher_to_hash")(hasher_finish)


@primitive("hash_key")
def hash_key(hasher, key):
    """The hash of `key` as a HashMap computes it with `hasher`."""
    if type(hasher) is DefaultHasher and type(key) in _PLAIN_TYPES:
        return key_hash(key)
    send = _runtime().send
    send(key, "hash", hasher)
    return send(hasher, "finish")


# --- the HashMap table (§15) ---------------------------------------------
# A map's attributes: @hasher, @buckets (list; None = empty slot), @length,
# @capacity, @threshold. A slot holds a Pair object with @key, @value, @hash
# and @distance.


_PLAIN_TYPES = (int, str, float, bool, type(None))


def _keys_equal(a, b) -> bool:
    ta = type(a)
    tb = type(b)
    if ta is tb:
        if ta is int or ta is str:
            return a == b
        if ta is bool or a is None:
            return a is b
    elif ta in _PLAIN_TYPES and tb in _PLAIN_TYPES:
        # Keys of different built-in types are never equal; asking their `==`
        # would panic (e.g. Float#== with a Boolean).
        return False
    return _truthy(_runtime().send(a, "==", b))


def _insert(attrs, buckets, pair) -> None:
    """Robin Hood insertion of a pair whose key is not in the table."""
    capacity = attrs["@capacity"]
    pattrs = pair.attrs
    index = pattrs["@hash"] % capacity
    while True:
        if index >= len(buckets):
            buckets.extend([None] * (index + 1 - len(buckets)))
        existing = buckets[index]
        if existing is None:
            buckets[index] = pair
            return
        eattrs = existing.attrs
        if eattrs["@distance"] < pattrs["@distance"]:
            buckets[index] = pair
            pair, pattrs = existing, eattrs
        index = (index + 1) % capacity
        pattrs["@distance"] += 1


def _resize(attrs, buckets) -> None:
    capacity = attrs["@capacity"] * 2
    attrs["@capacity"] = capacity
    attrs["@threshold"] = capacity * 3 // 4
    if len(buckets) < capacity:
        buckets.extend([None] * (capacity - len(buckets)))
    for pair in buckets:
        if pair is not None:
            pair.attrs["@distance"] = -1
    # A pair not yet moved has distance -1, so an insertion displaces it and
    # it carries on from there: this is what fixes the VM's bucket order.
    for index in range(len(buckets)):
        pair = buckets[index]
        if pair is not None and pair.attrs["@distance"] < 0:
            buckets[index] = None
            pair.attrs["@distance"] = 0
            _insert(attrs, buckets, pair)


# The VM's rehash can leave distances that no longer match positions, after
# which its insertion could store a second pair for a key that is already
# present further on (its lookups scan the whole table for this reason).
# Checking for the key first avoids such duplicates without changing the
# order in any other case. For Integer and String keys a set of the keys per
# map makes that check, and lookups of missing keys, cheap.
class KeyIndex:
    """The Integer and String keys of one map, kept beside its buckets.

    Stored in the map's attribute `_key_index` (not an `@` attribute, so
    inspect and std::mirror do not show it). It belongs to one bucket array;
    a copy made for a message is rebuilt on first use.
    """

    __slots__ = ("buckets", "keys")

    def __init__(self, buckets=None, keys=None):
        self.buckets = buckets
        self.keys = keys if keys is not None else set()

    def dup_for_message(self) -> KeyIndex:
        return KeyIndex()


def _native_key(key) -> bool:
    kind = type(key)
    return kind is int or kind is str


def _key_set(hash_map, attrs):
    """The set of Integer/String keys of `hash_map`."""
    buckets = attrs["@buckets"]
    index = attrs.get("_key_index")
    if type(index) is KeyIndex and index.buckets is buckets:
        return index.keys
    keys = set()
    for pair in buckets:
        if pair is not None and _native_key(pair.attrs["@key"]):
            keys.add(pair.attrs["@key"])
    attrs["_key_index"] = KeyIndex(buckets, keys)
    return keys


def _find(hash_map, attrs, key, key_hash_value=None) -> int:
    """The slot index holding `key`, or -1: scans from the key's bucket."""
    buckets = attrs["@buckets"]
    count = len(buckets)
    if count == 0:
        return -1
    native = _native_key(key)
    if native:
        if key not in _key_set(hash_map, attrs):
            return -1
    if key_hash_value is None:
        key_hash_value = hash_key(attrs["@hasher"], key)
    start = key_hash_value % attrs["@capacity"]
    order = range(start, start + count)
    if native:
        kind = type(key)
        for position in order:
            pair = buckets[position % count]
            if pair is not None:
                other = pair.attrs["@key"]
                if type(other) is kind and other == key:
                    return position % count
        return -1
    for position in order:
        pair = buckets[position % count]
        if pair is not None and _keys_equal(pair.attrs["@key"], key):
            return position % count
    return -1


def _table(hash_map):
    """The attributes of a map made by `HashMap.new`. Anything else (the
    HashMap prototype itself, whose @capacity is Nil in 0.4.0) panics the way
    the VM's Integer instructions did on that Nil."""
    attrs = getattr(hash_map, "attrs", None)
    if attrs is None or type(attrs.get("@buckets")) is not list:
        raise PanicSignal("Integer instructions can only be performed using integers")
    return attrs


@primitive("hash_map_set")
def hash_map_set(hash_map, key, value, pair_prototype):
    attrs = _table(hash_map)
    buckets = attrs["@buckets"]
    if attrs["@length"] >= attrs["@threshold"]:
        _resize(attrs, buckets)
    capacity = attrs["@capacity"]
    hash_value = hash_key(attrs["@hasher"], key)
    pair = _runtime().InkoObject(
        pair_prototype,
        {
            "@key": key,
            "@value": value,
            "@hash": hash_value,
            "@distance": 0,
        },
    )
    index = _find(hash_map, attrs, key, hash_value)
    if index >= 0:
        pair.attrs["@distance"] = (index - hash_value % capacity) % capacity
        buckets[index] = pair
        return value
    _insert(attrs, buckets, pair)
    attrs["@length"] += 1
    if _native_key(key):
        _key_set(hash_map, attrs).add(key)
    return value


@primitive("hash_map_get")
def hash_map_get(hash_map, key):
    attrs = _table(hash_map)
    index = _find(hash_map, attrs, key)
    if index < 0:
        return None
    return attrs["@buckets"][index].attrs["@value"]


@primitive("hash_map_has_key")
def hash_map_has_key(hash_map, key):
    return _find(hash_map, _table(hash_map), key) >= 0


@primitive("hash_map_remove")
def hash_map_remove(hash_map, key):
    attrs = _table(hash_map)
    index = _find(hash_map, attrs, key)
    if index < 0:
        return None
    buckets = attrs["@buckets"]
    pair = buckets[index]
    buckets[index] = None
    attrs["@length"] -= 1
    if _native_key(key):
        _key_set(hash_map, attrs).discard(key)
    # Backward-shift the following pairs that are away from their bucket.
    index += 1
    while index < len(buckets):
        following = buckets[index]
        if following is None or following.attrs["@distance"] <= 0:
            break
        buckets[index - 1] = following
        buckets[index] = None
        following.attrs["@distance"] -= 1
        index += 1
    return pair.attrs["@value"]


@primitive("hash_map_each")
def hash_map_each(hash_map, block):
    call_block = _runtime().call_block
    buckets = getattr(hash_map, "attrs", {}).get("@buckets")
    if type(buckets) is not list:
        return None  # 0.4.0: `@buckets` is Nil on the prototype, which absorbs `each`
    # Like Array.each: the slot count is read once, slots at call time.
    for index in range(len(buckets)):
        if index >= len(buckets):
            break
        pair = buckets[index]
        if pair is not None:
            call_block(block, (pair.attrs["@key"], pair.attrs["@value"]))
    return None


@primitive("hash_map_next_slot")
def hash_map_next_slot(buckets, index):
    """The index of the first occupied slot at or after `index` (or the count)."""
    count = len(buckets)
    while index < count and buckets[index] is None:
        index += 1
    return index


# --- inspect (§17) ---------------------------------------------------------

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
            out.append("\\u{%x}" % ord(char))
    out.append('"')
    return "".join(out)


@primitive("string_inspect")
def string_inspect(text):
    return rust_debug_quote(text)


@primitive("string_join")
def string_join(parts):
    return "".join(parts)


@primitive("inspect_native")
def inspect_native(value):
    """The inspect text of VM values that are not plain objects, else Nil."""
    if type(value) is bytearray:
        return f"ByteArray {{ {len(value)} bytes }}"
    return None


# --- reflection for std::mirror -------------------------------------------


def prototype_of(value):
    runtime = _runtime()
    finder = getattr(runtime, "prototype_of", None)
    if finder is not None:
        return finder(value)
    return getattr(value, "proto", None)


def _own_attrs(value):
    attrs = getattr(value, "attrs", None)
    return attrs if isinstance(attrs, dict) else None


@primitive("mirror_prototype")
def mirror_prototype(value):
    return prototype_of(value)


@primitive("mirror_name")
def mirror_name(value):
    seen = 0
    # True, False and Nil keep their attributes on stand-in objects.
    subject = _runtime().holder(value) if value is None or type(value) is bool else value
    while subject is not None and seen < 10_000:
        attrs = _own_attrs(subject)
        if attrs is not None:
            name = attrs.get("@_object_name")
            if type(name) is str:
                return name
        subject = prototype_of(subject)
        seen += 1
    return "Object"


@primitive("mirror_instance_attributes")
def mirror_instance_attributes(value):
    attrs = _own_attrs(value)
    if attrs is None:
        return []
    return [name for name in attrs if type(name) is str and name.startswith("@")]


@primitive("mirror_get_attribute")
def mirror_get_attribute(value, name):
    attrs = _own_attrs(value)
    subject = value
    while subject is not None:
        attrs = _own_attrs(subject)
        if attrs is not None and name in attrs:
            return attrs[name]
        subject = prototype_of(subject)
    return None


# --- std::debug -------------------------------------------------------------


def current_frames():
    """The running process's Inko frames as (file, line, name), oldest first."""
    finder = getattr(_runtime(), "current_frames", None)
    if finder is None:
        return []
    return list(finder())


@primitive("debug_stacktrace")
def debug_stacktrace(skip, limit):
    """[file, line, name] per frame, oldest first, as std::debug.stacktrace.

    The innermost frame is the one calling this primitive (`stacktrace`),
    so `skip` 1 leaves out just that frame.
    """
    frames = [[str(file), int(line), str(name)] for file, line, name in current_frames()]
    if type(skip) is int and skip > 0:
        frames = frames[:-skip] if skip < len(frames) else []
    if type(limit) is int:
        frames = frames[-limit:] if limit > 0 else []
    return frames


# --- std::env ---------------------------------------------------------------


@primitive("env_arguments")
def env_arguments():
    runtime = _runtime()
    for name in ("program_arguments", "arguments", "ARGUMENTS"):
        args = getattr(runtime, name, None)
        if args is not None:
            return list(args() if callable(args) else args)
    return []


@primitive("env_get")
def env_get(name):
    return os.environ.get(name)


@primitive("env_set")
def env_set(name, value):
    try:
        os.environ[name] = value
    except (ValueError, OSError) as exc:
        raise PanicSignal(f"Failed to set the environment variable {name!s}: {exc}") from None
    return value


@primitive("env_remove")
def env_remove(name):
    os.environ.pop(name, None)
    return None


@primitive("env_variables")
def env_variables():
    return [[key, value] for key, value in os.environ.items()]


@primitive("env_home_directory")
def env_home_directory():
    home = os.environ.get("HOME")
    if home:
        return home
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_dir
    except (ImportError, KeyError):
        return None


@primitive("env_temporary_directory")
def env_temporary_directory():
    # Rust's env::temp_dir: $TMPDIR verbatim when set, else /tmp (STDLIB-FS-OS-FFI §12).
    return os.environ.get("TMPDIR", "/tmp")


def _io_error(exc: OSError):
    try:
        from inko_mini.builtins.io import error_text
    except ImportError:
        raise ThrowSignal(str(exc)) from None
    raise ThrowSignal(error_text(exc)) from None


@primitive("env_working_directory")
def env_working_directory():
    try:
        return os.getcwd()
    except OSError as exc:
        _io_error(exc)


@primitive("env_set_working_directory")
def env_set_working_directory(directory):
    try:
        os.chdir(directory)
    except OSError as exc:
        _io_error(exc)
    return directory


# --- std::vm ----------------------------------------------------------------


@primitive("vm_exit")
def vm_exit(status):
    if type(status) is not int or not -(1 << 31) <= status < (1 << 31):
        raise PanicSignal(f"{status} can not be converted to a signed 32 bits integer")
    raise _runtime().ExitProgram(status)


@primitive("vm_set_panic_handler")
def vm_set_panic_handler(block):
    runtime = _runtime()
    setter = getattr(runtime, "set_global_panic_handler", None)
    if setter is not None:
        setter(block)
    else:
        runtime.global_panic_handler = block
    return None


# --- time and integers ------------------------------------------------------


@primitive("monotonic_time")
def monotonic_time():
    return time.monotonic()


_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


@primitive("integer_format")
def integer_format(value, radix):
    if type(radix) is not int or not 2 <= radix <= 36:
        raise PanicSignal("The radix argument must be between 2 and 36")
    if value == 0:
        return "0"
    digits = []
    number = abs(value)
    while number:
        number, digit = divmod(number, radix)
        digits.append(_DIGITS[digit])
    if value < 0:
        digits.append("-")
    return "".join(reversed(digits))


def _parse_error(text: str, kind: str):
    # Thrown as a StandardError by the Inko side, which wraps this message.
    raise ThrowSignal(f"{rust_debug_quote(text)} can not be converted to {kind}")


@primitive("integer_parse")
def integer_parse(text, radix):
    if type(radix) is not int or not 2 <= radix <= 36:
        raise PanicSignal("radix must be between 2 and 32, not {}")
    body = text[1:] if text[:1] in ("+", "-") else text
    if body and all(c.isascii() and c.isalnum() and int(c, 36) < radix for c in body):
        value = int(body, radix)
        value = -value if text[:1] == "-" else value
        if _I64_MIN <= value <= _I64_MAX:
            return value
    # The VM retries as a base-10 big integer, which allows `_` between digits.
    if _big_decimal_ok(body):
        value = int(body.replace("_", ""))
        return -value if text[:1] == "-" else value
    _parse_error(text, "an Integer")


def _big_decimal_ok(body: str) -> bool:
    if not body or not ("0" <= body[0] <= "9"):
        return False
    return all(("0" <= c <= "9") or c == "_" for c in body)


@primitive("float_parse")
def float_parse(text):
    if text == "Infinity":
        return float("inf")
    if text == "-Infinity":
        return float("-inf")
    body = text[1:] if text[:1] in ("+", "-") else text
    negative = text[:1] == "-"
    if body in ("inf", "NaN"):
        value = float("inf") if body == "inf" else float("nan")
        return -value if negative else value
    mantissa, _, exponent = body.partition("e") if "e" in body else body.partition("E")
    whole, _, fraction = mantissa.partition(".")
    ok = (
        (whole or fraction)
        and whole.isascii()
        and (whole.isdigit() or whole == "")
        and fraction.isascii()
        and (fraction.isdigit() or fraction == "")
    )
    if ok and ("e" in body or "E" in body):
        digits = exponent[1:] if exponent[:1] in ("+", "-") else exponent
        ok = digits.isascii() and digits.isdigit()
    if not ok:
        _parse_error(text, "a Float")
    value = float(body)
    return -value if negative else value


# --- std::test --------------------------------------------------------------


@primitive("test_catch_panic")
def test_catch_panic(block):
    """Runs `block`; Nil if it finished, else [message, frames] of its panic.

    Frames are [file, line, name] triples, oldest first, as they were when the
    panic happened, so the failure location can point into the test body.
    """
    runtime = _runtime()
    try:
        runtime.call_block(block, ())
    except PanicSignal as signal:
        try:
            from inko_mini.runtime.panics import signal_frames

            frames = signal_frames(signal)
        except ImportError:
            frames = signal.frames or current_frames()
        return [
            str(signal.message),
            [[str(file), int(line), str(name)] for file, line, name in frames],
        ]
    except ThrowSignal as signal:
        process = None
        current = getattr(runtime, "current_process", None)
        if callable(current):
            process = current()
        ident = getattr(process, "identifier", "0x0")
        try:
            from inko_mini.runtime.panics import traceback_frames

            raw = traceback_frames(signal)
        except ImportError:
            raw = current_frames()
        frames = [[str(file), int(line), str(name)] for file, line, name in raw]
        return [f"A thrown value reached the top-level in process {ident}", frames]
    return None


@primitive("corelib_panic")
def corelib_panic(message):
    raise PanicSignal(message if type(message) is str else str(message))


@primitive("integer_range_array")
def integer_range_array(start, end):
    """The values of an Integer range, or Nil when the bounds are not Integers."""
    if type(start) is int and type(end) is int:
        return list(range(start, end + 1))
    return None


@primitive("debug_last_frame_in")
def debug_last_frame_in(frames, path):
    """The most recent [file, line, name] of `frames` in file `path`, or Nil."""
    for frame in reversed(frames):
        if frame[0] == path:
            return frame
    return None


@primitive("path_exists")
def path_exists(path):
    return os.path.exists(path)


@primitive("path_is_file")
def path_is_file(path):
    return os.path.isfile(path)


@primitive("path_is_directory")
def path_is_directory(path):
    return os.path.isdir(path)


@primitive("mirror_has_trait")
def mirror_has_trait(traits, target):
    """Whether an `@_implemented_traits` value records `target`."""
    if traits is None or traits is False:
        return False
    if isinstance(traits, dict):
        return any(key is target or value is target for key, value in traits.items())
    if isinstance(traits, (list, tuple, set)):
        return any(item is target for item in traits)
    attrs = _own_attrs(traits)
    if attrs is not None:
        return any(key is target or value is target for key, value in attrs.items())
    return False
