"""The replay of a lazy HashMap table's log (hash_map.py LazyTable): the
bucket layout the logged insertions, updates, removals and resizes lead to,
computed with the literal steps of STDLIB-CORE.md §15 on plain lists of
pair numbers, from which hash_map.py then makes the Pair objects.
"""

from __future__ import annotations

from inko_mini.builtins import conv, siphash
from inko_mini.builtins.siphash import hash_bytes_of, key_hash

# A log entry: a bare key is the insertion of that key; (_UPDATE, key) the
# first update of a key since a resize; (_REMOVE, key) its removal.
_RESIZE = object()
_UPDATE = 0
_REMOVE = 1


def replay(log: list) -> tuple[list, list, dict, list]:
    """The layout the log leads to from a fresh table: per slot the number
    of its pair (None: empty) and the pair's distance; the number of each
    key present, in order of insertion; the hash of each number. Each step
    is its namesake's, literally: `_insert` (with `_insert_growing`),
    `_resize` and `hash_map_remove`."""
    hashes = _hashes_of(
        [entry for entry in log if entry is not _RESIZE and type(entry) is not tuple]
    )
    slots: list = []
    distances: list = []
    numbers: dict = {}
    count = 0  # pairs numbered so far
    capacity = 1
    for entry in log:
        if entry is _RESIZE:
            capacity *= 2
            distances = _replay_resize(capacity, slots, distances, hashes)
        elif type(entry) is tuple:
            _replay_change(capacity, slots, distances, hashes, numbers, entry)
        else:
            numbers[entry] = count
            _replay_place(capacity, slots, distances, count, hashes[count] % capacity)
            count += 1
    return slots, distances, numbers, hashes


def _replay_place(capacity: int, slots: list, distances: list, moving: int, index: int) -> None:
    """`_insert` of pair number `moving` from slot `index` on: Robin Hood
    swaps with any pair nearer its bucket, until an empty slot."""
    distance = 0
    while True:
        if index >= len(slots):  # (only a fresh table's array is short)
            grow = index + 1 - len(slots)
            slots.extend([None] * grow)
            distances.extend([0] * grow)
        existing = slots[index]
        if existing is None:
            slots[index] = moving
            distances[index] = distance
            return
        other = distances[index]
        if other < distance:
            slots[index] = moving
            distances[index] = distance
            moving = existing
            distance = other
        index += 1
        if index == capacity:
            index = 0
        distance += 1


def _replay_resize(capacity: int, slots: list, distances: list, hashes: list) -> list:
    """`_resize` to `capacity`: pads `slots`, returns the new distances."""
    if len(slots) < capacity:
        slots.extend([None] * (capacity - len(slots)))
    # Every pair not moved yet has distance -1 (see `_resize`).
    distances = [0 if number is None else -1 for number in slots]
    for start, moving in enumerate(slots):
        if moving is None or distances[start] >= 0:
            continue
        slots[start] = None
        _replay_place(capacity, slots, distances, moving, hashes[moving] % capacity)
    return distances


def _replay_change(
    capacity: int, slots: list, distances: list, hashes: list, numbers: dict, entry: tuple
) -> None:
    """An update (the distance the probe counts, as `hash_map_set` stores
    it) or a removal (`hash_map_remove`) of the pair of a key."""
    op, key = entry
    number = numbers[key]
    hash_value = hashes[number]
    start = hash_value % capacity
    try:
        slot = slots.index(number, start)
    except ValueError:
        slot = slots.index(number, 0, start)
    if op == _UPDATE:
        distances[slot] = (slot - hash_value) % capacity
        return
    del numbers[key]
    slots[slot] = None
    slot += 1
    while slot < len(slots):
        following = slots[slot]
        if following is None or distances[slot] <= 0:
            break
        slots[slot - 1] = following
        distances[slot - 1] = distances[slot] - 1
        slots[slot] = None
        slot += 1


def _hashes_of(keys: list) -> list:
    """`key_hash` of each Integer or String key, without the memo (these
    keys were never hashed, and a word count's pair map has 80,000)."""
    siphash.siphash13(b"")  # (picks the implementation)
    accelerated = getattr(siphash.siphash13, "args", None)
    if not accelerated:
        return [key_hash(key) for key in keys]
    c_siphash13 = accelerated[0]
    zero = siphash._ZERO_KEY
    top = conv.I64_MAX
    hashes = []
    for key in keys:
        if type(key) is str:
            data = key.encode("utf-8", "surrogatepass") + b"\xff"
        else:
            data = hash_bytes_of(key)
        u = c_siphash13(data, key=zero).intdigest() & siphash._M
        hashes.append(u - (1 << 63) if u > top else u - top)
    return hashes
