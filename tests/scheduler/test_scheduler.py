"""Unit tests of the scheduler kernel. Timer tests use a FakeClock that jumps
forward when the hub would sleep, so they take no wall-clock time; I/O tests
use real socketpairs."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from inko_mini import scheduler as S
from inko_mini.scheduler import FakeClock, Scheduler


def run(main, clock=None):
    return Scheduler(clock or FakeClock()).run(main)


def test_run_returns_main_result():
    assert run(lambda: 7) == 7


def test_spawn_does_not_switch_to_the_child():
    log = []

    def main():
        S.spawn(log.append, "child")
        log.append("parent")
        S.yield_now()
        return log

    assert run(main) == ["parent", "child"]


def test_yield_now_is_round_robin():
    log = []

    def worker(name):
        for i in range(3):
            log.append(f"{name}{i}")
            S.yield_now()

    def main():
        S.spawn(worker, "a")
        S.spawn(worker, "b")
        for _ in range(5):
            S.yield_now()

    run(main)
    assert log == ["a0", "b0", "a1", "b1", "a2", "b2"]


def test_current_and_task_data():
    def main():
        task = S.current()
        task.data = "proc"
        return S.current().data

    assert run(main) == "proc"
    assert S.current() is None


def test_sleep_until_orders_by_deadline_with_a_fake_clock():
    clock = FakeClock(start=0.0)
    log = []

    def sleeper(delay):
        S.sleep_until(S.now() + delay)
        log.append((delay, S.now()))

    def main():
        for delay in (3.0, 1.0, 2.0):
            S.spawn(sleeper, delay)
        S.sleep_until(10.0)

    started = time.monotonic()
    run(main, clock)
    assert log == [(1.0, 1.0), (2.0, 2.0), (3.0, 3.0)]
    assert clock.time == 10.0
    assert time.monotonic() - started < 1.0


def test_sleep_with_the_real_clock_sleeps():
    def main():
        start = S.now()
        S.sleep_until(start + 0.05)
        return S.now() - start

    assert Scheduler().run(main) >= 0.05


def test_park_returns_the_wake_value():
    def main():
        me = S.current()
        S.spawn(lambda: S.wake(me, "hello"))
        return S.park()

    assert run(main) == "hello"


def test_a_wake_before_the_park_is_kept():
    def main():
        S.wake(S.current(), 5)
        return S.park()

    assert run(main) == 5


def test_park_timeout_runs_the_undo_callback():
    undone = []

    def main():
        result = S.park(S.now() + 2.0, cancel=lambda: undone.append(True))
        return result

    assert run(main) is S.TIMEOUT
    assert undone == [True]


def test_wake_cancels_the_timer_and_skips_the_undo():
    clock = FakeClock(start=0.0)
    undone = []

    def main():
        me = S.current()

        def waker():
            S.sleep_until(1.0)
            S.wake(me, "early")

        S.spawn(waker)
        value = S.park(5.0, cancel=lambda: undone.append(True))
        S.sleep_until(20.0)  # the stale 5.0 timer must not fire anything
        return value

    assert run(main, clock) == "early"
    assert undone == []


def test_waking_a_finished_task_is_ignored():
    def main():
        child = S.spawn(lambda: None)
        S.yield_now()
        S.wake(child, 1)
        return child.state

    assert run(main) is S.TaskState.TERMINATED


def test_wait_readable_on_a_socketpair():
    a, b = socket.socketpair()
    a.setblocking(False)
    try:

        def writer():
            S.yield_now()
            b.send(b"x")

        def main():
            S.spawn(writer)
            ready = S.wait_readable(a)
            return ready, a.recv(1)

        assert Scheduler().run(main) == (True, b"x")
    finally:
        a.close()
        b.close()


def test_wait_writable_is_immediate_on_an_empty_socket():
    a, b = socket.socketpair()
    try:
        assert Scheduler().run(lambda: S.wait_writable(a, S.now() + 5)) is True
    finally:
        a.close()
        b.close()


def test_wait_readable_timeout_returns_false_and_unregisters():
    a, b = socket.socketpair()
    try:

        def main():
            first = S.wait_readable(a, S.now() + 0.01)
            # A second wait on the same fd must not be refused as busy.
            b.send(b"y")
            second = S.wait_readable(a, S.now() + 5)
            return first, second

        assert Scheduler().run(main) == (False, True)
    finally:
        a.close()
        b.close()


def test_a_reader_and_a_writer_can_share_an_fd():
    a, b = socket.socketpair()
    try:
        results = {}

        def reader():
            results["read"] = S.wait_readable(a, S.now() + 5)

        def main():
            S.spawn(reader)
            S.yield_now()
            results["write"] = S.wait_writable(a, S.now() + 5)
            b.send(b"z")
            S.sleep_until(S.now() + 0.05)
            return results

        assert Scheduler().run(main) == {"write": True, "read": True}
    finally:
        a.close()
        b.close()


def test_two_readers_of_one_fd_are_refused():
    a, b = socket.socketpair()
    try:

        def reader():
            S.wait_readable(a, S.now() + 0.05)

        def main():
            S.spawn(reader)
            S.yield_now()
            with pytest.raises(S.BusyResourceError):
                S.wait_readable(a)
            return "ok"

        assert Scheduler().run(main) == "ok"
    finally:
        a.close()
        b.close()


def test_notify_closing_wakes_waiters_with_closed_resource_error():
    a, b = socket.socketpair()
    try:
        outcome = []

        def reader():
            try:
                S.wait_readable(a)
            except S.ClosedResourceError:
                outcome.append("closed")

        def main():
            S.spawn(reader)
            S.yield_now()
            S.notify_closing(a)
            a.close()
            S.yield_now()
            return outcome

        assert Scheduler().run(main) == ["closed"]
    finally:
        b.close()


def test_deadlock_is_reported_instead_of_hanging():
    with pytest.raises(S.DeadlockError):
        run(lambda: S.park())


def test_no_deadlock_while_someone_waits_on_io():
    a, b = socket.socketpair()
    try:

        def main():
            me = S.current()

            def io_waiter():
                S.wait_readable(a)
                S.wake(me, a.recv(1))

            S.spawn(io_waiter)
            threading.Timer(0.05, b.send, (b"q",)).start()
            return S.park()

        assert Scheduler().run(main) == b"q"
    finally:
        a.close()
        b.close()


def test_main_ending_abandons_other_tasks_without_unwinding_them():
    log = []

    def stuck():
        try:
            S.park()
        finally:
            log.append("unwound")

    def main():
        S.spawn(stuck)
        S.yield_now()
        return "done"

    assert run(main) == "done"
    import gc

    gc.collect()
    assert log == []


def test_an_exception_in_a_task_escapes_run():
    def bad():
        raise ValueError("boom")

    def main():
        S.spawn(bad)
        S.park(S.now() + 1)

    with pytest.raises(ValueError, match="boom"):
        run(main)
    # The scheduler is free again afterwards.
    assert run(lambda: 1) == 1


def test_keyboard_interrupt_escapes_promptly():
    def spinner():
        raise KeyboardInterrupt

    def main():
        S.spawn(spinner)
        S.sleep_until(S.now() + 1000)

    with pytest.raises(KeyboardInterrupt):
        run(main)


def test_preempt_lets_a_spinning_task_share_with_timers():
    clock = FakeClock(start=0.0, autojump=False)
    log = []

    def spinner():
        while True:
            clock.advance(0.001)
            S.preempt()

    def main():
        S.spawn(spinner)
        for i in range(3):
            S.sleep_until(S.now() + 0.01)
            log.append(i)
        return log

    assert run(main, clock) == [0, 1, 2]


def test_preempt_is_free_outside_a_scheduler():
    S.preempt()


def test_run_in_thread_does_not_block_other_tasks():
    log = []

    def main():
        def ticker():
            for i in range(3):
                log.append(i)
                S.yield_now()

        S.spawn(ticker)
        value = S.run_in_thread(lambda: (time.sleep(0.05), "slow")[1])
        log.append(value)
        return log

    assert Scheduler().run(main) == [0, 1, 2, "slow"]


def test_many_timers_with_early_wakes_keep_the_heap_small():
    def main():
        me = S.current()
        for i in range(1000):
            S.wake(me, i)
            S.park(S.now() + 100)
        return len(S.running()._timers._heap)

    assert run(main) <= 300


def test_exit_current_ends_a_task_past_its_exception_handlers():
    log = []

    def child():
        try:
            S.exit_current()
        except Exception:
            log.append("caught")
        finally:
            log.append("unwound")
        log.append("carried on")

    def main():
        task = S.spawn(child)
        S.yield_now()
        return task.state

    assert run(main) is S.TaskState.TERMINATED
    # No handler sees it; `finally` clauses run, so that the task's frames
    # are released (they used to be kept for ever).
    assert log == ["unwound"]


def test_exited_tasks_are_released():
    import gc
    import weakref

    refs = []

    class Marker:
        pass

    def child():
        marker = Marker()
        refs.append(weakref.ref(marker))
        S.exit_current()

    def main():
        for _ in range(100):
            S.spawn(child)
        S.yield_now()
        S.yield_now()

    run(main)
    gc.collect()
    assert len(refs) == 100
    assert all(ref() is None for ref in refs)


def test_exit_current_in_main_ends_the_run():
    def main():
        S.spawn(lambda: None)
        S.exit_current("early")
        return "late"

    assert run(main) == "early"


def test_a_spare_greenlet_keeps_nothing_of_its_ended_tasks():
    # An ended task's greenlet waits as a spare for a later task; it must
    # not keep the ended task (nor its arguments or result) alive: that
    # would keep, say, a socket its process returned open for good.
    import gc
    import weakref

    import greenlet

    refs = []
    first, second = [], []

    class Marker:
        pass

    def child(marker, ran_on):
        ran_on.append(greenlet.getcurrent())
        return marker

    def main():
        for _ in range(10):
            marker = Marker()
            refs.append(weakref.ref(marker))
            S.spawn(child, marker, first)
        del marker
        S.yield_now()
        gc.collect()
        alive = [ref for ref in refs if ref() is not None]
        S.spawn(child, Marker(), second)
        S.yield_now()
        return len(alive)

    assert run(main) == 0
    assert len(first) == 10
    # The later task ran on a spare, so the test looked at spares.
    assert second[0] in first


def test_tasks_started_one_after_another_each_run_as_the_current_task():
    # A task that ends runs the next queued task that has not started on
    # its own greenlet; that task must be the current one, in queue order.
    import greenlet

    log = []
    tasks = []

    def child(i):
        log.append((i, S.current() is tasks[i], greenlet.getcurrent()))

    def main():
        tasks.extend(S.spawn(child, i) for i in range(5))
        S.yield_now()
        return [entry[:2] for entry in log]

    assert run(main) == [(i, True) for i in range(5)]
    # They ran one after another on one greenlet, without the hub between.
    assert len({entry[2] for entry in log}) == 1


def test_tasks_started_one_after_another_still_let_the_hub_poll():
    # Running queued new tasks straight after one another must still give
    # the hub a turn (I/O, timers) every so often, as hand-offs do.
    a, b = socket.socketpair()
    log = []

    def reader():
        S.wait_readable(a)
        log.append("reader")

    def child(i, main):
        # Each one queues the next: the queue never runs dry.
        log.append(i)
        if i < 200:
            S.spawn(child, i + 1, main)
        else:
            S.wake(main)

    def main():
        S.spawn(reader)
        S.yield_now()  # the reader now waits on the poller
        b.send(b"x")
        S.spawn(child, 0, S.current())
        S.park()
        return log.index("reader")

    try:
        assert run(main) < 100
    finally:
        a.close()
        b.close()


def test_main_ending_leaves_queued_new_tasks_unstarted():
    # The main task ends while new tasks are queued behind it: the run
    # ends, and none of them starts.
    log = []

    def main():
        for i in range(3):
            S.spawn(log.append, i)
        return "done"

    assert run(main) == "done"
    assert log == []
