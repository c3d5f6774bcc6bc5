"""builtins/hash_map.py's table against the independent §15 model
(hash_map_model.py) on random sequences of sets, removes and lookups.

The primitives keep shortcuts (a key index, slots found from a pair's hash
and distance) beside the literal algorithm; these properties check that the
bucket layout (which pair in which slot, at which distance), the length and
every answer stay exactly those of STDLIB-CORE §15 after each step.
"""

from __future__ import annotations

from hash_map_model import HM, sip13
from hash_map_model import Pair as ModelPair
from hypothesis import example, given, settings
from hypothesis import strategies as st

from inko_mini.builtins import hash_map as table
from inko_mini.builtins import siphash
from inko_mini.runtime import objects
from inko_mini.runtime.objects import InkoObject


class FakeMap:
    """A Table's attributes without the Inko side (as Table#init sets them)."""

    def __init__(self) -> None:
        self.proto = None
        self.attrs = {
            "@hasher": table.DefaultHasher(),
            "@buckets": [],
            "@length": 0,
            "@capacity": 1,
            "@resize_threshold": 1,
        }


def layout(hash_map: FakeMap) -> list:
    out = []
    for pair in hash_map.attrs["@buckets"]:
        if pair is None:
            out.append(None)
        else:
            a = pair.attrs
            out.append((type(a["@key"]), a["@key"], a["@value"], a["@hash"], a["@distance"]))
    return out


def model_layout(model: Model) -> list:
    return [None if p is None else (type(p.k), p.k, p.v, p.hash, p.d) for p in model.b]


def model_get(model: HM, key):
    index = model.find(key)
    return None if index is None else model.b[index].v


class Model(HM):
    """§15 with the two deviations of builtins/hash_map.py. `[]=` looks for
    the key first and replaces the pair where it is found: the VM's probe
    could pass that slot after a rehash left a distance that does not match
    the position, and store the key twice (literal `HM.set`). So only
    Table#insert_pair by hand stores a key twice, and the rehash, which
    never meets a key twice otherwise, moves pairs without comparing keys
    (the VM's kept the later of the two)."""

    def rehash_insert(s, p):
        s.move(p)

    def move(s, p):
        """Robin Hood placement without the same-key check."""
        i = p.hash % s.cap
        while s.b[i] is not None:
            if s.b[i].d < p.d:
                s.b[i], p = p, s.b[i]
            i = (i + 1) % s.cap
            p.d += 1
        s.b[i] = p

    def set(s, k, v):
        if s.length >= s.thr:
            s.resize()
        index = s.find(k)
        if index is None:
            s.insert(ModelPair(k, v))
            return
        pair = ModelPair(k, v)
        pair.d = (index - pair.hash % s.cap) % s.cap
        s.b[index] = pair


# Few keys, so that sets replace, removes hit and the table resizes often;
# Integers and Strings that print alike, which must stay different keys;
# some not cached by Python, so that each `[]=` gives a new key object.
KEYS = st.one_of(
    st.integers(-6, 40),
    st.sampled_from([10**12, -(10**15), 2**62]),
    st.sampled_from(["a", "b", "c", "1", "2", "kalo", "", "ka lo"]),
)
STEPS = st.lists(
    st.tuples(
        st.sampled_from(
            ["set", "set", "set", "remove", "get", "key?", "copy", "insert_pair", "hold", "look"]
        ),
        KEYS,
        st.integers(),
    ),
    max_size=120,
)


def new_key_object(key):
    """An object equal to `key` but (where Python does not share it) not
    the same one, as `'ka' + 'lo'` makes a new String each time."""
    if type(key) is int:
        return int(str(key))
    return "".join([key[:1], key[1:]])


def lazy_map() -> InkoObject:
    """A table as Table#init makes it, as an InkoObject: `[]=` may keep its
    layout as a log (builtins/hash_map.py LazyTable), which it builds when
    something looks at the buckets."""
    return InkoObject(None, FakeMap().attrs)


def look(hash_map) -> None:
    """What every reader of the layout does first (Iterator#next, each,
    inspect and mirrors, a message copy)."""
    objects.sync_attrs(hash_map)


def check_pairs(hash_map, model: Model, held: list, given: dict, copied: bool) -> None:
    """The layout, each pair's key object, and the pairs held earlier."""
    assert layout(hash_map) == model_layout(model)
    pairs = [p for p in hash_map.attrs["@buckets"] if p is not None]
    for pair in pairs:
        key = pair.attrs["@key"]
        # (a key stored twice by Table#insert_pair: the older pair holds the
        # older object)
        if sum(p.attrs["@key"] == key and type(p.attrs["@key"]) is type(key) for p in pairs) == 1:
            assert key is given[(type(key), key)]
    for pair, model_pair in held:
        a = pair.attrs
        assert (a["@key"], a["@value"], a["@hash"], a["@distance"]) == (
            model_pair.k,
            model_pair.v,
            model_pair.hash,
            model_pair.d,
        )
    if not copied:
        # The same objects in the same slots: a held pair is in the table
        # exactly while its model pair is.
        for pair, model_pair in held:
            assert (pair in hash_map.attrs["@buckets"]) == any(p is model_pair for p in model.b)


def check_steps(steps, lazy: bool) -> None:
    hash_map = lazy_map() if lazy else FakeMap()
    model = Model()
    # Pairs taken out of the table as Iterator#next hands them over, each
    # with the model's pair for the same slot: `[]=` may update a pair in
    # place only while nothing else holds it, so a held pair must go on
    # matching its model pair (the VM's old Pair object) field for field.
    held: list = []
    # The key object of the latest `[]=` of each key, which its Pair holds.
    given: dict = {}
    for op, key, value in steps:
        if op == "hold":
            look(hash_map)
            index = model.find(key)
            if index is not None:
                held.append((hash_map.attrs["@buckets"][index], model.b[index]))
        elif op == "look":
            look(hash_map)
        elif op == "set":
            key = new_key_object(key)
            given[(type(key), key)] = key
            assert table.hash_map_set(hash_map, key, value, None) == value
            model.set(key, value)
        elif op == "remove":
            index = model.find(key)
            expected = None if index is None else model.b[index].v
            assert table.hash_map_remove(hash_map, key) == expected
            model.remove(key)
        elif op == "copy":
            # What sending the map in a message does: new attributes, a new
            # bucket array, the natives duplicated (the key index forgets).
            look(hash_map)
            copy = lazy_map() if lazy else FakeMap()
            copy.attrs = dict(hash_map.attrs)
            copy.attrs["@buckets"] = list(hash_map.attrs["@buckets"])
            if "_key_index" in copy.attrs:
                copy.attrs["_key_index"] = copy.attrs["_key_index"].dup_for_message()
            hash_map = copy
        elif op == "insert_pair":
            # Table#insert_pair(Pair.new(key, value, hash_key(key))) by hand;
            # it never resizes, so only where a slot is free (else it would
            # probe forever, as the VM's did).
            look(hash_map)
            occupied = sum(p is not None for p in hash_map.attrs["@buckets"])
            if occupied >= hash_map.attrs["@capacity"]:
                continue
            pair = InkoObject(None, {"@key": key, "@value": value, "@distance": 0})
            pair.attrs["@hash"] = table.key_hash(key)
            given[(type(key), key)] = key
            table.hash_map_insert_pair(hash_map, pair, True)
            model.insert(ModelPair(key, value))
        elif op == "get":
            assert table.hash_map_get(hash_map, key) == model_get(model, key)
        else:
            assert table.hash_map_has_key(hash_map, key) is (model.find(key) is not None)
        assert table.hash_map_length(hash_map) == model.length
        assert hash_map.attrs["@length"] == model.length
        assert hash_map.attrs["@capacity"] == model.cap
        assert hash_map.attrs["@resize_threshold"] == model.thr
        if lazy and op not in ("look", "hold", "copy", "insert_pair"):
            continue  # the layout may be a log: only its answers count
        check_pairs(hash_map, model, held, given, op == "copy")
    look(hash_map)
    assert layout(hash_map) == model_layout(model)


@settings(max_examples=300, deadline=None)
@given(STEPS)
# A pair held while its key is set again (found by the search too, not
# every run).
@example([("set", "a", 1), ("set", "a", 2), ("hold", "a", 0), ("set", "a", 3)])
# A key stored twice by hand, each pair with its own key object.
@example([("set", "1", 0), ("set", 0, 0), ("set", 0, 0), ("insert_pair", "1", 0)])
def test_random_steps_match_the_model(steps) -> None:
    check_steps(steps, False)


def _sets(*pairs: tuple) -> list:
    return [("set", key, value) for key, value in pairs] + [("look", 0, 0)]


@settings(max_examples=300, deadline=None)
@given(STEPS)
@example([("set", "a", 1), ("set", "a", 2), ("hold", "a", 0), ("set", "a", 3)])
# An update that corrects a distance the rehash left stale (the log must
# keep it), and one that does so for a key set before the last resize.
@example(_sets((25, 2), (17, 3), (26, 6), (29, 7), (8, 8), (1, 9), (26, 10)))
@example(
    _sets(
        (11, 0), (26, 14), (28, 16), (19, 18), (8, 19), (24, 20), (29, 21),
        (15, 22), (9, 24), (30, 25), (25, 26), (22, 27), (26, 28),
    )
)  # fmt: skip
def test_random_steps_of_a_lazy_table_match_the_model(steps) -> None:
    # The same steps on a table whose layout is a log until something looks.
    hash_map = lazy_map()
    table.hash_map_set(hash_map, "a", 1, None)
    assert type(hash_map.attrs["_key_index"]) is table.LazyTable
    check_steps(steps, True)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(max_size=6), max_size=200), st.data())
def test_many_string_keys_then_removes(keys, data) -> None:
    hash_map = FakeMap()
    model = Model()
    for number, key in enumerate(keys):
        table.hash_map_set(hash_map, key, number, None)
        model.set(key, number)
    for key in data.draw(st.lists(st.sampled_from(keys or [""]), max_size=50)):
        table.hash_map_remove(hash_map, key)
        model.remove(key)
        table.hash_map_set(hash_map, key + "!", 0, None)
        model.set(key + "!", 0)
    assert layout(hash_map) == model_layout(model)
    assert [table.hash_map_get(hash_map, k) for k in keys] == [model_get(model, k) for k in keys]


def test_model_pair_hash_is_the_primitive_hash() -> None:
    for key in (0, 1, -5, "a", "kalo", ""):
        assert ModelPair(key, None).hash == table.key_hash(key)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=80))
def test_both_siphash_implementations_agree(data: bytes) -> None:
    # siphash13 is the C accelerator where the siphash24 package is
    # installed; the Python rounds are the fallback and must give the same.
    assert siphash._siphash13_python(data) == siphash.siphash13(data)
    assert siphash._siphash13_python(data) == sip13(data)
