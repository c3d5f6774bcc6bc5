"""Pure-Python pieces of builtins/corelib.py, checked against STDLIB-CORE §15-17."""

import types

import pytest

from inko_mini.builtins import corelib


class FakeObject:
    def __init__(self, proto, attrs=None):
        self.proto = proto
        self.attrs = attrs if attrs is not None else {}


@pytest.fixture
def fake_runtime(monkeypatch):
    runtime = types.SimpleNamespace(InkoObject=FakeObject)
    monkeypatch.setattr(corelib, "_runtime", lambda: runtime)
    return runtime


def new_map():
    return FakeObject(
        None,
        {
            "@hasher": corelib.DefaultHasher(),
            "@buckets": [],
            "@length": 0,
            "@capacity": 1,
            "@threshold": 1,
        },
    )


def bucket_keys(hash_map):
    return [None if p is None else p.attrs["@key"] for p in hash_map.attrs["@buckets"]]


@pytest.mark.parametrize(
    "value, expected",
    [
        ("a", -1037146530912343564),
        ("b", 7769805559724975114),
        (0, 4422724733251329605),
        (1, -7016762969768448550),
        (1.5, -8907393358157087018),
    ],
)
def test_key_hash_check_values(value, expected):
    assert corelib.key_hash(value) == expected


def test_default_hasher_finish_resets():
    hasher = corelib.DefaultHasher()
    hasher.write("a")
    assert hasher.finish() == -1037146530912343564
    hasher.write(0)
    assert hasher.finish() == 4422724733251329605


@pytest.mark.parametrize(
    "keys, buckets",
    [
        (["a", "b"], ["a", "b"]),
        (["a", "b", "c"], ["a", "c", "b", None]),
        ([1, 2, 3], [3, None, 1, 2]),
    ],
)
def test_bucket_layout(fake_runtime, keys, buckets):
    hash_map = new_map()
    for key in keys:
        corelib.hash_map_set(hash_map, key, 1, None)
    assert bucket_keys(hash_map) == buckets


@pytest.mark.parametrize(
    "keys, order",
    [
        (["name", "city"], ["city", "name"]),
        ([0, 1, 2, 3, 10], [1, 3, 0, 2, 10]),
    ],
)
def test_iteration_order(fake_runtime, keys, order):
    hash_map = new_map()
    for key in keys:
        corelib.hash_map_set(hash_map, key, 1, None)
    assert [k for k in bucket_keys(hash_map) if k is not None] == order


def test_get_replace_remove(fake_runtime):
    hash_map = new_map()
    for number in range(100):
        corelib.hash_map_set(hash_map, number, number * 2, None)
    corelib.hash_map_set(hash_map, 7, "seven", None)
    assert hash_map.attrs["@length"] == 100
    assert corelib.hash_map_get(hash_map, 7) == "seven"
    assert corelib.hash_map_get(hash_map, 1000) is None
    for number in range(0, 100, 2):
        assert corelib.hash_map_remove(hash_map, number) is not None
    assert corelib.hash_map_remove(hash_map, 0) is None
    assert hash_map.attrs["@length"] == 50
    for number in range(100):
        assert corelib.hash_map_has_key(hash_map, number) == (number % 2 == 1)


@pytest.mark.parametrize(
    "text, quoted",
    [
        ("it's", '"it\\\'s"'),
        ('a"b', '"a\\"b"'),
        ("\t\r\n\\", '"\\t\\r\\n\\\\"'),
        ("\x1b\x00", '"\\u{1b}\\u{0}"'),
        ("쿠키", '"쿠키"'),
    ],
)
def test_rust_debug_quote(text, quoted):
    assert corelib.rust_debug_quote(text) == quoted


@pytest.mark.parametrize(
    "value, radix, text",
    [
        (0, 10, "0"),
        (255, 16, "ff"),
        (-5, 2, "-101"),
        (2**70, 10, str(2**70)),
    ],
)
def test_integer_format(value, radix, text):
    assert corelib.integer_format(value, radix) == text


@pytest.mark.parametrize(
    "text, radix, value",
    [
        ("42", 10, 42),
        ("-ff", 16, -255),
        ("FF", 16, 255),
        ("+7", 10, 7),
        ("1_000", 10, 1000),
        ("123456789012345678901234567890", 10, 123456789012345678901234567890),
    ],
)
def test_integer_parse(text, radix, value):
    assert corelib.integer_parse(text, radix) == value


@pytest.mark.parametrize(
    "text, radix", [("abc", 10), ("", 10), ("0x1", 16), (" 1", 10), ("_1", 10)]
)
def test_integer_parse_rejects(text, radix):
    with pytest.raises(corelib.ThrowSignal) as info:
        corelib.integer_parse(text, radix)
    assert info.value.value.endswith("can not be converted to an Integer")


def test_integer_parse_radix_panics():
    with pytest.raises(corelib.PanicSignal) as info:
        corelib.integer_parse("1", 40)
    assert info.value.message == "radix must be between 2 and 32, not {}"


@pytest.mark.parametrize(
    "text, value",
    [
        ("1.5", 1.5),
        ("5.", 5.0),
        (".5", 0.5),
        ("-2e3", -2000.0),
        ("+1E+2", 100.0),
        ("Infinity", float("inf")),
        ("-inf", float("-inf")),
    ],
)
def test_float_parse(text, value):
    assert corelib.float_parse(text) == value


@pytest.mark.parametrize("text", [".", "abc", "1_0", " 1", "", "1e", "infinity", "nan"])
def test_float_parse_rejects(text):
    with pytest.raises(corelib.ThrowSignal) as info:
        corelib.float_parse(text)
    assert info.value.value == f"{corelib.rust_debug_quote(text)} can not be converted to a Float"


def test_copied_map_rebuilds_its_key_index(fake_runtime):
    original = new_map()
    for key in ("a", "b", 3):
        corelib.hash_map_set(original, key, key, None)
    # What a message copy does: new attribute values, natives duplicated.
    copy = FakeObject(None, dict(original.attrs))
    copy.attrs["@buckets"] = list(original.attrs["@buckets"])
    copy.attrs["_key_index"] = original.attrs["_key_index"].dup_for_message()
    corelib.hash_map_set(copy, "c", "c", None)
    assert corelib.hash_map_has_key(copy, "a") and corelib.hash_map_has_key(copy, 3)
    assert corelib.hash_map_has_key(copy, "c")
    assert not corelib.hash_map_has_key(original, "c")


def test_mixed_builtin_keys_never_equal(fake_runtime):
    hash_map = new_map()
    for key in (1, "1", 1.0, True, None):
        corelib.hash_map_set(hash_map, key, repr(key), None)
    assert hash_map.attrs["@length"] == 5
    assert corelib.hash_map_get(hash_map, "1") == "'1'"
    assert corelib.hash_map_get(hash_map, True) == "True"
