"""The HashMap table and DefaultHasher (STDLIB-CORE.md §15-16); the
hashing itself is siphash.py, and the replay of a lazy table's log
hash_replay.py.

The table lives here rather than in Inko because every map operation would
otherwise cost dozens of sends; its state stays in the map's Inko attributes
(`@buckets`, `@length`, ...) so that copying a map into another process's
mailbox needs nothing special.
"""

from __future__ import annotations

import os
import sys
import weakref
from typing import cast

import inko_mini.runtime as runtime
from inko_mini.builtins import conv, primitive, siphash
from inko_mini.builtins.hash_replay import _REMOVE, _RESIZE, _UPDATE, replay
from inko_mini.builtins.siphash import (
    _INT_HASHES,
    _STR_HASHES,
    hash_bytes_of,
    key_hash,
    to_signed_hash,
)
from inko_mini.errors import PanicSignal
from inko_mini.paths import STDLIB_DIR
from inko_mini.runtime import objects
from inko_mini.runtime.calls import block_function, out_of_reductions
from inko_mini.runtime.objects import Block, InkoObject


class DefaultHasher:
    """The VM's hasher object: bytes written since the last `finish`."""

    __slots__ = ("data",)

    def __init__(self, data: bytes | bytearray = b""):
        self.data = bytearray(data)

    def write(self, value) -> None:
        self.data += hash_bytes_of(value)

    def finish(self) -> int:
        result = to_signed_hash(siphash.siphash13(bytes(self.data)))
        self.data.clear()
        return result

    def dup_for_message(self) -> DefaultHasher:
        return DefaultHasher(self.data)


try:
    runtime.register_native_kind("hasher", DefaultHasher)
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
    send = runtime.send
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
    return runtime.send(hasher, "finish")


primitive("hasher_to_hash")(hasher_finish)


@primitive("hash_key")
def hash_key(hasher, key):
    """The hash of `key` as a HashMap computes it with `hasher`."""
    if type(hasher) is DefaultHasher and type(key) in _PLAIN_TYPES:
        return key_hash(key)
    send = runtime.send
    send(key, "hash", hasher)
    return send(hasher, "finish")


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
    return conv.not_falsy(runtime.send(a, "==", b))


def _insert(attrs, buckets, pair) -> None:
    """Robin Hood insertion of a pair whose key is not in the table."""
    capacity = attrs["@capacity"]
    pattrs = pair.attrs
    index = pattrs["@hash"] % capacity
    if len(buckets) < capacity:
        _insert_growing(capacity, buckets, pair, index)
        return
    # The array covers every bucket (as always after the first insertion):
    # the probe needs no bounds check, and the travelling pair's distance
    # is kept in a local, stored when the pair comes to rest.
    distance = pattrs["@distance"]
    while True:
        existing = buckets[index]
        if existing is None:
            buckets[index] = pair
            pattrs["@distance"] = distance
            return
        eattrs = existing.attrs
        if eattrs["@distance"] < distance:
            buckets[index] = pair
            pattrs["@distance"] = distance
            pair = existing
            pattrs = eattrs
            distance = eattrs["@distance"]
        index += 1
        if index == capacity:
            index = 0
        distance += 1


def _insert_growing(capacity: int, buckets: list, pair, index: int) -> None:
    """`_insert` into an array shorter than the capacity (a fresh table's
    is empty): it grows up to the slot the pair lands in, no further."""
    pattrs = pair.attrs
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
    attrs["@resize_threshold"] = capacity * 3 // 4
    if len(buckets) < capacity:
        buckets.extend([None] * (capacity - len(buckets)))
    for pair in buckets:
        if pair is not None:
            pair.attrs["@distance"] = -1
    # A pair not yet moved has distance -1, so an insertion displaces it and
    # it carries on from there: this is what fixes the VM's bucket order.
    insert = _insert
    for index in range(len(buckets)):
        pair = buckets[index]
        if pair is not None:
            pattrs = pair.attrs
            if pattrs["@distance"] < 0:
                buckets[index] = None
                pattrs["@distance"] = 0
                insert(attrs, buckets, pair)


# The VM's rehash can leave distances that no longer match positions, after
# which its insertion could store a second pair for a key that is already
# present further on (its lookups scan the whole table for this reason).
# Checking for the key first avoids such duplicates without changing the
# order in any other case. For Integer and String keys a dict of the keys per
# map makes that check, and lookups of missing keys, cheap.
class KeyIndex:
    """The Integer and String keys of one map, kept beside its buckets.

    Stored in the map's attribute `_key_index` (not an `@` attribute, so
    inspect and std::mirror do not show it). It belongs to one bucket array;
    a copy made for a message is rebuilt on first use. `keys` is None when
    the array holds a key twice (only Table#insert_pair by hand can do
    that): then every lookup scans, as the VM's did, and finds the first.
    """

    __slots__ = ("buckets", "keys")

    def __init__(self, buckets: list | None = None, keys: dict | None = None):
        self.buckets = buckets
        # key -> the pair holding it (pairs move between slots, not keys)
        self.keys = keys

    def dup_for_message(self) -> KeyIndex:
        return KeyIndex()


def _native_key(key) -> bool:
    kind = type(key)
    return kind is int or kind is str


# `_key_index` of a table whose bucket array Inko code holds (Table#buckets):
# the array may change behind the primitives' back, so no key set is kept.
_NO_KEY_INDEX = "no key index"


def _key_set(hash_map, attrs):
    """The Integer/String keys of `hash_map`, each with its pair, or None."""
    buckets = attrs["@buckets"]
    index = attrs.get("_key_index")
    if index is _NO_KEY_INDEX:
        return None
    if type(index) is KeyIndex and index.buckets is buckets:
        return index.keys
    keys: dict = {}
    count = 0
    for pair in buckets:
        if pair is not None and _native_key(pair.attrs["@key"]):
            keys[pair.attrs["@key"]] = pair
            count += 1
    exact = keys if count == len(keys) else None
    attrs["_key_index"] = KeyIndex(buckets, exact)
    return exact


def _fast_keys(hash_map):
    """The key dict of a map whose Integer/String keys need no scan and no
    Inko code (a DefaultHasher, a valid index without duplicates), else None.

    Only the index built or kept by these primitives is trusted, so a map
    that needs any of the checks in `_table` or `_key_set` gets None.
    """
    attrs = getattr(hash_map, "attrs", None)
    if type(attrs) is not dict:
        return None
    index = attrs.get("_key_index")
    if (
        type(index) is KeyIndex
        and index.buckets is attrs["@buckets"]
        and type(attrs.get("@hasher")) is DefaultHasher
    ):
        return index.keys
    return None


def _slot_of(buckets: list, pair, start: int) -> int:
    """The slot of `pair`, searched by identity from slot `start` on,
    wrapping around; -1 if it is not there at all (an index gone stale
    because code changed the array another way: the caller then scans).

    A pair inserted by Robin Hood sits `distance` slots past its bucket,
    where the callers look first; one carried along by a rehash may not
    (see `_resize`), but it is rarely far from its bucket.
    """
    try:
        return buckets.index(pair, start)  # pairs compare by identity
    except ValueError:
        pass
    try:
        return buckets.index(pair, 0, start)
    except ValueError:
        return -1


def _find(hash_map, attrs, key, key_hash_value=None) -> int:
    """The slot index holding `key`, or -1: scans from the key's bucket."""
    buckets = attrs["@buckets"]
    count = len(buckets)
    if count == 0:
        return -1
    native = _native_key(key)
    if native:
        keys = _key_set(hash_map, attrs)
        if keys is not None and key not in keys:
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
    index = attrs.get("_key_index")
    if type(index) is LazyTable:
        index.materialise()
    return attrs


# -- tables whose bucket layout is a log -------------------------------------
#
# While only `[]`, `[]=`, `key?`, `remove` and `length` have touched a table
# (Integer and String keys, a DefaultHasher), the layout of §15 is not needed
# yet: the keys and values live in a dict, and the operations that decide
# the layout (a new key, a removal, a resize, the first update of a key after
# a resize, which may correct a distance the rehash left stale) go into a
# log. Anything that can see the layout (each, iter, inspect, the Table
# methods, reflection, a message copy, another kind of key) first replays
# the log through the literal algorithm above (`LazyTable.materialise`), and
# from then on the table is an ordinary one for good. @length, @capacity and
# @resize_threshold stay exact throughout, since Inko code reads them.
#
# Inko code itself could read `@buckets` only in a method that runs with the
# table as `self`: so a table is kept this way only while every method its
# prototypes hold comes from the standard library (which never reads it),
# and any new method anywhere (objects.bump_version) builds all such tables.

# LazyTables not yet built (weakly: a table nobody reaches is not built).
_LIVE: weakref.WeakSet = weakref.WeakSet()

# (objects.VERSION[0], the prototypes found to hold only standard methods
# then, by id, each kept alive so that its id stays its own)
_ALLOWED: list = [-1, {}]

_STD_PREFIX = os.path.join(STDLIB_DIR, "")


def _only_std_methods(attrs: dict) -> bool:
    for value in attrs.values():
        if type(value) is Block:
            file = value.code.file
            if file != "<builtin>" and not (type(file) is str and file.startswith(_STD_PREFIX)):
                return False
    return True


def _lazy_allowed(table, attrs: dict) -> bool:
    """Whether `table` (fresh: no pair yet) may keep its layout as a log."""
    if not (
        attrs.get("@length") == 0
        and attrs.get("@capacity") == 1
        and attrs.get("@resize_threshold") == 1
        and type(buckets := attrs.get("@buckets")) is list
        and not buckets
        and type(attrs.get("@hasher")) is DefaultHasher
        and type(table) is InkoObject
        and _only_std_methods(attrs)
    ):
        return False
    # Nobody else may hold the (empty) array, which stays stale while the
    # layout is a log: references from the attributes, `buckets`, the
    # count's argument (`_LONE_ARRAY`) and a key index built by a lookup.
    index = attrs.get("_key_index")
    held = _LONE_ARRAY + (1 if type(index) is KeyIndex and index.buckets is buckets else 0)
    if _refcount(buckets) != held:
        return False
    version = objects.VERSION[0]
    if _ALLOWED[0] != version:
        _ALLOWED[0] = version
        _ALLOWED[1] = {}
    seen = _ALLOWED[1]
    proto = table.proto
    depth = 0
    while proto is not None:
        if seen.get(id(proto)) is not proto:
            if type(proto) is not InkoObject or not _only_std_methods(proto.attrs):
                return False
            seen[id(proto)] = proto
        proto = proto.proto
        depth += 1
        if depth > 64:
            return False
    return True


def _start_lazy(table, attrs: dict, index) -> bool:
    """Give a fresh `table` a LazyTable if it may have one (True if so)."""
    if type(index) is LazyTable:
        index.forget(attrs)  # Table#init ran again: a fresh table
        index = None
    if (index is None or type(index) is KeyIndex) and _lazy_allowed(table, attrs):
        LazyTable(attrs)
        return True
    return False


def _lazy_of(hash_map):
    """The LazyTable of `hash_map` if its layout is a log, else None."""
    attrs = getattr(hash_map, "attrs", None)
    if type(attrs) is dict:
        index = attrs.get("_key_index")
        if type(index) is LazyTable:
            if index.buckets is attrs["@buckets"]:
                return index
            index.forget(attrs)
    return None


class LazyTable:
    """The keys and values of a table, and the log of its layout (above).

    Stored in the table's attribute `_key_index`, where a KeyIndex takes its
    place once the layout is built.
    """

    __slots__ = ("attrs", "buckets", "values", "log", "keys", "epochs", "__weakref__")

    def __init__(self, attrs: dict) -> None:
        self.attrs = attrs
        # The table's own (empty) array, which the replay fills.
        self.buckets: list = attrs["@buckets"]
        self.values: dict = {}
        self.log: list = []
        # Each key set since the last resize, as the object last given (a
        # Pair holds the key object of the `[]=` that made it), which is
        # also what tells the first update of a key after a resize.
        self.keys: dict = {}
        # The `keys` dicts of the earlier resize epochs, oldest first.
        self.epochs: list = []
        attrs["_key_index"] = self
        _LIVE.add(self)
        if not _HOOKED:
            # Registered with the first such table: a start-up defines some
            # 500 methods, and each would call the hook for nothing.
            _HOOKED.append(True)
            objects.BUMP_HOOKS.append(_materialise_all)

    def dup_for_message(self) -> KeyIndex:
        # Message copies build the layout first (objects.sync_attrs).
        return KeyIndex()

    def set(self, attrs: dict, key, value):
        if attrs["@length"] >= attrs["@resize_threshold"]:
            capacity = attrs["@capacity"] * 2
            attrs["@capacity"] = capacity
            attrs["@resize_threshold"] = capacity * 3 // 4
            self.log.append(_RESIZE)
            self.epochs.append(self.keys)
            self.keys = {}
        values = self.values
        keys = self.keys
        if key in values:
            values[key] = value
            count = len(keys)
            keys[key] = key
            if len(keys) != count:
                # The first update since the resize: it stores the distance
                # the probe counts, which the rehash may have left stale.
                self.log.append((_UPDATE, key))
            return value
        values[key] = value
        keys[key] = key
        attrs["@length"] += 1
        log = self.log
        log.append(key)
        if len(log) > 4 * len(values) + 64:
            self.materialise()  # churn: the log must not outgrow the table
        return value

    def remove(self, attrs: dict, key):
        values = self.values
        if key not in values:
            return None
        self.keys.pop(key, None)
        attrs["@length"] -= 1
        log = self.log
        log.append((_REMOVE, key))
        value = values.pop(key)
        if len(log) > 4 * len(values) + 64:
            self.materialise()
        return value

    def forget(self, attrs: dict) -> None:
        """The table was set up again (Table#init): the log is void."""
        _LIVE.discard(self)
        if attrs.get("_key_index") is self:
            del attrs["_key_index"]

    def materialise(self) -> None:
        """Replay the log into the bucket array; the table is ordinary after."""
        attrs = self.attrs
        _LIVE.discard(self)
        if attrs.get("_key_index") is not self:
            return
        buckets = self.buckets
        if buckets is None or attrs.get("@buckets") is not buckets:
            del attrs["_key_index"]
            return
        # The replay runs the algorithm of `_insert`, `_resize` and
        # `hash_map_remove` on plain lists (a number per pair, its distance
        # beside it) and makes the Pair objects at the end: on the objects
        # themselves it cost more than all the work the log had saved.
        slots, distances, numbers, hashes = replay(self.log)
        # The key objects of the latest `[]=` of each key.
        latest: dict = {}
        for keys in (*self.epochs, self.keys):
            latest.update(keys)
        # Pairs in the order of their numbers, which is the order of
        # `values` too (both follow insertions and removals), so that most
        # reads are sequential; the slot of each number from one pass.
        where: list = [None] * len(hashes)
        for slot, number in enumerate(slots):
            if number is not None:
                where[number] = slot
        proto = _PAIR[0]
        pairs: dict = {}
        values = self.values
        # (zip stops at the shorter; both hold exactly the keys present)
        for (key, number), (own, value) in zip(numbers.items(), values.items()):  # noqa: B905
            if own is not key:
                value = values[key]  # (the orders agree; this is a guard)
            slot = where[number]
            # The row of numbers becomes the row of pairs.
            slots[slot] = pairs[key] = InkoObject(
                proto,
                {
                    "@key": latest.get(key, key),
                    "@value": value,
                    "@hash": hashes[number],
                    "@distance": distances[slot],
                },
            )
        cast(list, buckets)[:] = slots  # (not None: checked above)
        attrs["_key_index"] = KeyIndex(buckets, pairs)
        self.log = []
        self.values = {}
        self.keys = {}
        self.epochs = []


def _materialise_all() -> None:
    if len(_LIVE):
        for lazy in list(_LIVE):
            lazy.materialise()


# Whether `_materialise_all` is in objects.BUMP_HOOKS yet.
_HOOKED: list = []


_refcount = sys.getrefcount


def _lone_pair_references() -> int:
    """sys.getrefcount of a pair that only its table holds, counted as
    `hash_map_set` counts it (its slot, the key index's dict, the local
    `old`, getrefcount's argument: 4 on CPython 3.11). Measured rather than
    written down, since CPython versions differ in which references of
    locals and arguments they count; any more (a variable, an Array, an
    iterator's caller, a closure) and the pair may be seen again."""
    pair = InkoObject(None, {})
    buckets = [pair]
    keys = {0: pair}
    del pair
    old = keys.get(0)
    count = _refcount(old)
    buckets.clear()
    return count


def _lone_array_references() -> int:
    """sys.getrefcount of a bucket array that only its table's attributes
    hold, counted as `_lazy_allowed` counts it (3 on CPython 3.11)."""
    attrs: dict = {"@buckets": []}
    if type(buckets := attrs.get("@buckets")) is list:
        return _refcount(buckets)
    return -1


_UNSHARED = _lone_pair_references()
_LONE_ARRAY = _lone_array_references()

# The prototype of the pairs `[]=` makes: std::hash_map's Pair, handed over
# once when that module loads (hash_map_use_pair) rather than looked up as a
# constant on every `[]=`.
_PAIR: list = [None]


@primitive("hash_map_use_pair")
def hash_map_use_pair(pair_prototype):
    _PAIR[0] = pair_prototype
    return None


@primitive("hash_map_set")
def hash_map_set(hash_map, key, value, pair_prototype=None):
    kind = type(key)
    if kind is str or kind is int:
        attrs = getattr(hash_map, "attrs", None)
        if type(attrs) is dict:
            index = attrs.get("_key_index")
            if type(index) is LazyTable and index.buckets is attrs["@buckets"]:
                values = index.values
                if key in values and attrs["@length"] < attrs["@resize_threshold"]:
                    # `LazyTable.set` of an existing key without a resize,
                    # written out: the commonest `[]=`.
                    values[key] = value
                    keys = index.keys
                    count = len(keys)
                    keys[key] = key
                    if len(keys) != count:
                        index.log.append((_UPDATE, key))
                    return value
                return index.set(attrs, key, value)
            if (type(index) is not KeyIndex or not index.keys) and _start_lazy(
                hash_map, attrs, index
            ):
                return attrs["_key_index"].set(attrs, key, value)
        # Integer and String keys of a map with a DefaultHasher and a valid
        # key index (what `_fast_keys` checks, written out: this is the
        # hottest primitive): no Inko code runs, the hash is memoised and
        # the index gives the old pair, whose slot its distance tells.
        attrs = getattr(hash_map, "attrs", None)
        if (
            type(attrs) is dict
            and type(index := attrs.get("_key_index")) is KeyIndex
            and (keys := index.keys) is not None
            and index.buckets is (buckets := attrs["@buckets"])
            and type(attrs.get("@hasher")) is DefaultHasher
        ):
            if attrs["@length"] >= attrs["@resize_threshold"]:
                _resize(attrs, buckets)  # even for a key that exists (§15)
            hash_value = (_STR_HASHES if kind is str else _INT_HASHES).get(key)
            if hash_value is None:
                hash_value = key_hash(key)
            if pair_prototype is None:
                pair_prototype = _PAIR[0]
            old = keys.get(key)
            if old is None:
                pair = InkoObject(
                    pair_prototype,
                    {"@key": key, "@value": value, "@hash": hash_value, "@distance": 0},
                )
                _insert(attrs, buckets, pair)
                attrs["@length"] += 1
                keys[key] = pair
                return value
            capacity = attrs["@capacity"]
            pattrs = old.attrs
            slot = (hash_value + pattrs["@distance"]) % capacity
            if slot >= len(buckets) or buckets[slot] is not old:
                slot = _slot_of(buckets, old, hash_value % capacity)
            elif (
                _refcount(old) == _UNSHARED
                and old.proto is pair_prototype
                and len(pattrs) == 4
                and pattrs["@hash"] == hash_value
            ):
                # Nothing but this table holds the old pair (its slot, the
                # key index, `old` and the count's argument), so no code can
                # tell it from the new Pair §15 makes: updating it in place
                # saves making an object per update (a third of the time of
                # a word count's `[]=`).
                pattrs["@key"] = key
                pattrs["@value"] = value
                pattrs["@distance"] = (slot - hash_value) % capacity
                return value
            if slot >= 0:
                # The distance the VM's probe would count on reaching the slot.
                buckets[slot] = keys[key] = InkoObject(
                    pair_prototype,
                    {
                        "@key": key,
                        "@value": value,
                        "@hash": hash_value,
                        "@distance": (slot - hash_value) % capacity,
                    },
                )
                return value
    return _set_scanning(
        hash_map, key, value, _PAIR[0] if pair_prototype is None else pair_prototype
    )


def _set_scanning(hash_map, key, value, pair_prototype):
    attrs = _table(hash_map)
    buckets = attrs["@buckets"]
    if attrs["@length"] >= attrs["@resize_threshold"]:
        _resize(attrs, buckets)
    capacity = attrs["@capacity"]
    hash_value = hash_key(attrs["@hasher"], key)
    pair = InkoObject(
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
    else:
        _insert(attrs, buckets, pair)
        attrs["@length"] += 1
    if _native_key(key):
        keys = _key_set(hash_map, attrs)
        if keys is not None:
            keys[key] = pair
    return value


@primitive("hash_map_get")
def hash_map_get(hash_map, key):
    kind = type(key)
    if kind is str or kind is int:
        if type(hash_map) is InkoObject:  # (a table: its attrs are a dict)
            attrs = hash_map.attrs
            index = attrs.get("_key_index")
            if type(index) is LazyTable and index.buckets is attrs["@buckets"]:
                return index.values.get(key)
        else:
            attrs = getattr(hash_map, "attrs", None)
            index = attrs.get("_key_index") if type(attrs) is dict else None
        if type(index) is KeyIndex and index.buckets is attrs["@buckets"]:
            keys = index.keys
            if keys is not None:  # the pair without scanning the buckets
                pair = keys.get(key)
                return None if pair is None else pair.attrs["@value"]
    attrs = _table(hash_map)
    if _native_key(key):
        keys = _key_set(hash_map, attrs)
        if keys is not None:
            pair = keys.get(key)
            return None if pair is None else pair.attrs["@value"]
    index = _find(hash_map, attrs, key)
    if index < 0:
        return None
    return attrs["@buckets"][index].attrs["@value"]


def _native_slot(hash_map, key) -> int | None:
    """`_find` for an Integer/String key of a map `_fast_keys` accepts
    (the same slot, without hashing or scanning); None for other maps."""
    keys = _fast_keys(hash_map)
    if keys is None:
        return None
    pair = keys.get(key)
    if pair is None:
        return -1
    attrs = hash_map.attrs
    buckets = attrs["@buckets"]
    capacity = attrs["@capacity"]
    pattrs = pair.attrs
    index = (pattrs["@hash"] + pattrs["@distance"]) % capacity
    if index < len(buckets) and buckets[index] is pair:
        return index
    index = _slot_of(buckets, pair, pattrs["@hash"] % capacity)
    return None if index < 0 else index


@primitive("hash_map_has_key")
def hash_map_has_key(hash_map, key):
    if _native_key(key):
        lazy = _lazy_of(hash_map)
        if lazy is not None:
            return key in lazy.values
        index = _native_slot(hash_map, key)
        if index is not None:
            return index >= 0
    return _find(hash_map, _table(hash_map), key) >= 0


@primitive("hash_map_remove")
def hash_map_remove(hash_map, key):
    if _native_key(key):
        lazy = _lazy_of(hash_map)
        if lazy is not None:
            return lazy.remove(hash_map.attrs, key)
    index = _native_slot(hash_map, key) if _native_key(key) else None
    attrs = _table(hash_map)
    if index is None:
        index = _find(hash_map, attrs, key)
    if index < 0:
        return None
    buckets = attrs["@buckets"]
    pair = buckets[index]
    buckets[index] = None
    attrs["@length"] -= 1
    if _native_key(key):
        keys = _key_set(hash_map, attrs)
        if keys is not None:
            keys.pop(key, None)
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
    attrs = getattr(hash_map, "attrs", {})
    if type(attrs.get("_key_index")) is LazyTable:
        attrs["_key_index"].materialise()
    buckets = attrs.get("@buckets")
    if type(buckets) is not list:
        return None  # 0.4.0: `@buckets` is Nil on the prototype, which absorbs `each`
    # Like Array.each: the slot count is read once, slots at call time; and
    # like it, a closure taking two arguments runs as its own function
    # (half the cost of call_block per pair), the time slice tested here.
    run, checks = block_function(block, 2)
    flags = objects.FAST
    for index in range(len(buckets)):
        if index >= len(buckets):
            break
        pair = buckets[index]
        if pair is not None:
            if not checks and flags["_P"]:
                out_of_reductions()
            pattrs = pair.attrs
            run(pattrs["@key"], pattrs["@value"])
    return None


@primitive("hash_map_next_slot")
def hash_map_next_slot(table, index):
    """The index of the first occupied slot at or after `index` (or the count)."""
    buckets = _table(table)["@buckets"]
    count = len(buckets)
    while index < count and buckets[index] is None:
        index += 1
    return index


# -- the Table methods of STDLIB-CORE §15 that code may call by hand ---------


def _int(value, what: str) -> int:
    if type(value) is not int:
        raise PanicSignal(f"{what} must be an Integer")
    return value


def _pair_attrs(pair):
    attrs = getattr(pair, "attrs", None)
    if type(pair) is not runtime.InkoObject or type(attrs.get("@hash")) is not int:
        raise PanicSignal("a std::hash_map::Pair is required")
    return attrs


@primitive("hash_map_slot_count")
def hash_map_slot_count(table) -> int:
    return len(_table(table)["@buckets"])


@primitive("hash_map_slot")
def hash_map_slot(table, index):
    buckets = _table(table)["@buckets"]
    index = _int(index, "the index")
    return buckets[index] if 0 <= index < len(buckets) else None


@primitive("hash_map_buckets")
def hash_map_buckets(table) -> list:
    """The live bucket array: code may now change it, so keep no key set."""
    attrs = _table(table)
    attrs["_key_index"] = _NO_KEY_INDEX
    return attrs["@buckets"]


@primitive("hash_map_resize")
def hash_map_resize(table):
    attrs = _table(table)
    capacity = _int(attrs["@capacity"], "the capacity") * 2
    attrs["@capacity"] = capacity
    attrs["@resize_threshold"] = int(0.75 * float(capacity))
    buckets = attrs["@buckets"]
    if len(buckets) < capacity:
        buckets.extend([None] * (capacity - len(buckets)))
    return hash_map_rehash(table)


@primitive("hash_map_rehash")
def hash_map_rehash(table):
    attrs = _table(table)
    buckets = attrs["@buckets"]
    for pair in buckets:
        if pair is not None:
            _pair_attrs(pair)["@distance"] = -1
    for index in range(len(buckets)):
        pair = buckets[index]
        if pair is not None and pair.attrs["@distance"] < 0:
            buckets[index] = None
            pair.attrs["@distance"] = 0
            _insert(attrs, buckets, pair)
    return None


@primitive("hash_map_insert_pair")
def hash_map_insert_pair(table, pair, increment_length):
    """Robin Hood insertion from the pair's stored hash; a slot holding an
    equal key is replaced by the pair."""
    attrs = _table(table)
    buckets = attrs["@buckets"]
    capacity = _int(attrs["@capacity"], "the capacity")
    pattrs = _pair_attrs(pair)
    index = pattrs["@hash"] % capacity
    if attrs.get("_key_index") is not _NO_KEY_INDEX:
        attrs.pop("_key_index", None)  # rebuilt on the next lookup
    while True:
        if index >= len(buckets):
            buckets.extend([None] * (index + 1 - len(buckets)))
        existing = buckets[index]
        if existing is None:
            buckets[index] = pair
            if conv.not_falsy(increment_length):
                attrs["@length"] += 1
            return None
        if _keys_equal(existing.attrs["@key"], pattrs["@key"]):
            buckets[index] = pair
            return None
        if existing.attrs["@distance"] < pattrs["@distance"]:
            buckets[index] = pair
            pair, pattrs = existing, existing.attrs
        index = (index + 1) % capacity
        pattrs["@distance"] += 1


@primitive("hash_map_bucket_index")
def hash_map_bucket_index(table, key):
    index = _find(table, _table(table), key)
    return None if index < 0 else index


@primitive("hash_map_backwards_shift")
def hash_map_backwards_shift(table, index):
    buckets = _table(table)["@buckets"]
    index = _int(index, "the index")
    while 0 < index < len(buckets):
        pair = buckets[index]
        if pair is None or _pair_attrs(pair)["@distance"] <= 0:
            break
        buckets[index - 1] = pair
        buckets[index] = None
        pair.attrs["@distance"] -= 1
        index += 1
    return None


@primitive("hash_map_length")
def hash_map_length(table) -> int:
    attrs = getattr(table, "attrs", None)
    if type(attrs) is dict and type(attrs.get("_key_index")) is LazyTable:
        return attrs["@length"]  # kept exact while the layout is a log
    return _table(table)["@length"]
