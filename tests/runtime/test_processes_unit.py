"""The process layer from Python: mailbox order (§2.1), copy rules (§2.2),
receive timeouts and the end of the program (§1.2, §1.4); the spawn check is
in tests/check/test_captures.py. The same behaviours are checked through the
command line by the programs of tests/process/."""

from __future__ import annotations

import pytest

from inko_mini import scheduler as S
from inko_mini.errors import PanicSignal
from inko_mini.runtime import processes as P


def run(main):
    """Run main() as the main process; return (status, main's result)."""
    box = {}

    def body():
        box["result"] = main()

    status = P.run_main(body)
    return status, box.get("result")


def test_receive_gets_messages_in_order():
    def main():
        me = P.current()
        P.spawn_python(lambda: [P.send(me, i) for i in range(3)])
        return [P.receive() for _ in range(3)]

    assert run(main) == (0, [0, 1, 2])


def test_a_self_send_overtakes_external_messages_not_yet_moved():
    # STDLIB-NET-PROCESS §2.1: A sends X to B, B sends Y to itself: Y then X.
    def main():
        me = P.current()
        P.spawn_python(lambda: P.send(me, "X"))
        S.yield_now()  # X is now in the external queue
        P.send(P.current(), "Y")
        return [P.receive(), P.receive()]

    assert run(main)[1] == ["Y", "X"]


def test_messages_from_two_senders_keep_enqueue_order():
    def main():
        me = P.current()
        P.spawn_python(lambda: (P.send(me, "a1"), S.yield_now(), P.send(me, "a2")))
        P.spawn_python(lambda: (P.send(me, "b1"), S.yield_now(), P.send(me, "b2")))
        return [P.receive() for _ in range(4)]

    assert run(main)[1] == ["a1", "b1", "a2", "b2"]


def test_receive_timeout_returns_nil():
    def main():
        return P.receive(0.01), P.receive(0.01)

    assert run(main) == (0, (None, None))


def test_a_message_cancels_the_timeout():
    def main():
        me = P.current()

        def later():
            S.sleep_until(S.now() + 0.01)
            P.send(me, "hi")

        P.spawn_python(later)
        return P.receive(30)

    assert run(main) == (0, "hi")


@pytest.mark.parametrize(
    "value, text",
    [(-1.0, "-1"), (-0.5, "-0.5"), (-1e-07, "-0.0000001"), (-1e20, "-100000000000000000000")],
)
def test_a_negative_timeout_panics_with_the_rust_float_text(value, text):
    with pytest.raises(PanicSignal) as info:
        P.seconds(value)
    assert info.value.message == f"{text} is not a valid time duration"


def test_sending_to_a_finished_process_is_dropped():
    def main():
        child = P.spawn_python(lambda: None)
        S.yield_now()
        P.send(child, "lost")
        return child.process.finished, child.process.mailbox

    assert run(main) == (0, (True, []))


def test_messages_are_deep_copied():
    def main():
        me = P.current()
        data = [[1, 2], [3, [4]]]
        box = {}

        def child():
            got = P.receive()
            got[1][1].append(5)
            box["child"] = got
            P.send(me, "done")

        c = P.spawn_python(child)
        P.send(c, data)
        P.receive()
        return data, box["child"]

    original, copy = run(main)[1]
    assert original == [[1, 2], [3, [4]]]
    assert copy == [[1, 2], [3, [4, 5]]]


def test_a_self_send_is_not_copied():
    def main():
        data = [1]
        P.send(P.current(), data)
        return P.receive() is data

    assert run(main) == (0, True)


def test_a_process_stays_the_same_process_in_a_new_wrapper():
    def main():
        ref = P.current()
        copy = P.copy_message(ref)
        return copy is not ref and copy.process is ref.process

    assert run(main) == (0, True)


def test_copy_of_objects_keeps_permanent_prototypes():
    from inko_mini.runtime import objects

    proto = objects.InkoObject(objects.OBJECT, {"@_object_name": "Point"})
    point = objects.InkoObject(proto, {"@x": [1, 2], "@name": "p"})
    copy = P.copy_message(point)
    assert copy is not point and copy.proto is proto
    assert copy.attrs == point.attrs and copy.attrs["@x"] is not point.attrs["@x"]
    assert P.copy_message(proto) is proto


def test_a_cycle_is_copied_as_a_cycle():
    cyclic = [1]
    cyclic.append(cyclic)
    copy = P.copy_message(cyclic)
    assert copy is not cyclic and copy[1] is copy


def test_sockets_are_duplicated():
    class FakeSocket:
        def dup_for_message(self):
            return "dup"

    assert P.copy_message([FakeSocket()]) == ["dup"]


def test_a_panic_in_a_child_ends_the_program_with_status_1(capsys):
    def main():
        def child():
            raise PanicSignal("child broke")

        P.spawn_python(child)
        P.receive(5)
        return "not reached"

    assert run(main) == (1, None)
    assert "child broke" in capsys.readouterr().err


def test_a_main_process_that_waits_for_ever_is_a_deadlock(capsys):
    assert run(P.receive) == (1, None)
    assert "deadlock" in capsys.readouterr().err


def test_terminate_ends_only_the_calling_process():
    def main():
        me = P.current()

        def child():
            P.send(me, "before")
            P.terminate()
            P.send(me, "after")

        P.spawn_python(child)
        return P.receive(), P.receive(0.05)

    assert run(main) == (0, ("before", None))


def test_terminate_in_main_ends_the_program_with_status_0():
    def main():
        P.terminate()
        raise AssertionError("not reached")

    assert run(main) == (0, None)


def test_main_ending_abandons_waiting_processes():
    def main():
        for _ in range(10):
            P.spawn_python(P.receive)
        S.yield_now()
        return "bye"

    assert run(main) == (0, "bye")


def test_identifiers_are_hex_and_unique():
    def main():
        a = P.spawn_python(lambda: None)
        b = P.current()
        return a.process.identifier, b.process.identifier

    a, b = run(main)[1]
    assert a.startswith("0x") and b.startswith("0x") and a != b
    int(a, 16)
