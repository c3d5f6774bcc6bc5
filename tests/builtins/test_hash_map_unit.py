"""Pure-Python pieces of builtins/hash_map.py, checked against STDLIB-CORE §15-17."""

import pytest

from inko_mini import errors
from inko_mini.builtins import hash_map as table
from inko_mini.builtins import numbers
from inko_mini.runtime import rustfmt


class FakeObject:
    def __init__(self, proto, attrs=None):
        self.proto = proto
        self.attrs = attrs if attrs is not None else {}


@pytest.fixture
def fake_runtime():
    # The real runtime: pairs are real InkoObjects; the maps here are plain.
    import inko_mini.runtime as runtime

    return runtime


def new_map():
    return FakeObject(
        None,
        {
            "@hasher": table.DefaultHasher(),
            "@buckets": [],
            "@length": 0,
            "@capacity": 1,
            "@resize_threshold": 1,
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
    assert table.key_hash(value) == expected


def test_default_hasher_finish_resets():
    hasher = table.DefaultHasher()
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
        table.hash_map_set(hash_map, key, 1, None)
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
        table.hash_map_set(hash_map, key, 1, None)
    assert [k for k in bucket_keys(hash_map) if k is not None] == order


def test_get_replace_remove(fake_runtime):
    hash_map = new_map()
    for number in range(100):
        table.hash_map_set(hash_map, number, number * 2, None)
    table.hash_map_set(hash_map, 7, "seven", None)
    assert hash_map.attrs["@length"] == 100
    assert table.hash_map_get(hash_map, 7) == "seven"
    assert table.hash_map_get(hash_map, 1000) is None
    for number in range(0, 100, 2):
        assert table.hash_map_remove(hash_map, number) is not None
    assert table.hash_map_remove(hash_map, 0) is None
    assert hash_map.attrs["@length"] == 50
    for number in range(100):
        assert table.hash_map_has_key(hash_map, number) == (number % 2 == 1)


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
    assert rustfmt.rust_debug_quote(text) == quoted


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
    assert numbers.integer_format(value, radix) == text


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
    assert numbers.integer_parse(text, radix) == value


@pytest.mark.parametrize(
    "text, radix", [("abc", 10), ("", 10), ("0x1", 16), (" 1", 10), ("_1", 10)]
)
def test_integer_parse_rejects(text, radix):
    with pytest.raises(errors.ThrowSignal) as info:
        numbers.integer_parse(text, radix)
    assert info.value.value.endswith("can not be converted to an Integer")


def test_integer_parse_radix_panics():
    with pytest.raises(errors.PanicSignal) as info:
        numbers.integer_parse("1", 40)
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
    assert numbers.float_parse(text) == value


@pytest.mark.parametrize("text", [".", "abc", "1_0", " 1", "", "1e", "infinity", "nan"])
def test_float_parse_rejects(text):
    with pytest.raises(errors.ThrowSignal) as info:
        numbers.float_parse(text)
    assert info.value.value == f"{rustfmt.rust_debug_quote(text)} can not be converted to a Float"


def test_copied_map_rebuilds_its_key_index(fake_runtime):
    original = new_map()
    for key in ("a", "b", 3):
        table.hash_map_set(original, key, key, None)
    # What a message copy does: new attribute values, natives duplicated.
    copy = FakeObject(None, dict(original.attrs))
    copy.attrs["@buckets"] = list(original.attrs["@buckets"])
    copy.attrs["_key_index"] = original.attrs["_key_index"].dup_for_message()
    table.hash_map_set(copy, "c", "c", None)
    assert table.hash_map_has_key(copy, "a") and table.hash_map_has_key(copy, 3)
    assert table.hash_map_has_key(copy, "c")
    assert not table.hash_map_has_key(original, "c")


def test_mixed_builtin_keys_never_equal(fake_runtime):
    hash_map = new_map()
    for key in (1, "1", 1.0, True, None):
        table.hash_map_set(hash_map, key, repr(key), None)
    assert hash_map.attrs["@length"] == 5
    assert table.hash_map_get(hash_map, "1") == "'1'"
    assert table.hash_map_get(hash_map, True) == "True"
