"""The §15 model used to derive expected HashMap orders reproduces what the
specification itself states (check values and example orders)."""

from hash_map_model import build, h


def test_check_values():
    assert h("a") == -1037146530912343564
    assert h("b") == 7769805559724975114
    assert h(0) == 4422724733251329605
    assert h(1) == -7016762969768448550
    assert h(1.5) == -8907393358157087018


def test_published_orders():
    assert build(["a", "b"]).order() == ["a", "b"]
    assert [p and p.k for p in build(["a", "b", "c"]).b] == ["a", "c", "b", None]
    assert build(["name", "city"]).order() == ["city", "name"]
    assert [p and p.k for p in build([1, 2, 3]).b] == [3, None, 1, 2]
    assert build([0, 1, 2, 3, 10]).order() == [1, 3, 0, 2, 10]


def test_orders_used_by_the_inko_tests():
    assert build(list(range(1, 11))).order() == [9, 4, 2, 5, 10, 6, 3, 1, 8, 7]
    removed = build(list(range(1, 9)))
    removed.remove(3)
    removed.remove(5)
    assert removed.order() == [4, 2, 6, 1, 8, 7]
    abc = build(["a", "b", "c"])
    abc.set("a", "A")
    assert abc.order() == ["b", "a", "c"]
    small = build([1, 2, 3])
    small.remove(1)
    assert small.order() == [3, 2]
