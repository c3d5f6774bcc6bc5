"""A small scheduler of greenlet tasks that knows nothing about Inko.

One greenlet per task; a hub greenlet runs the loop (ready queue, timer heap,
selectors poller). The calls below act on the scheduler running in this
thread (CONTRACTS.md §5):

    spawn(fn, *args) -> Task        current() -> Task
    start(task) -> Task             (a Task, or a subclass's, made by the caller)
    yield_now()                     sleep_until(deadline)
    wait_readable(fd, deadline)     wait_writable(fd, deadline)   -> bool
    park(deadline, cancel)          wake(task, value)
    notify_closing(fd)              run_in_thread(fn, *args)
    exit_current(result)            (ends the task: unwinds it with TaskExit)
    Scheduler().run(main_fn)        preempt()       turn() -> int

Deadlines are absolute, in the scheduler's monotonic clock (`now()`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import kernel
from .clock import FakeClock
from .kernel import Scheduler, running
from .poller import HasFileno
from .task import TIMEOUT, BusyResourceError, ClosedResourceError, DeadlockError, Task, TaskState

__all__ = [
    "Scheduler",
    "Task",
    "TaskState",
    "FakeClock",
    "TIMEOUT",
    "BusyResourceError",
    "ClosedResourceError",
    "DeadlockError",
    "running",
    "run",
    "spawn",
    "start",
    "current",
    "yield_now",
    "sleep_until",
    "wait_readable",
    "wait_writable",
    "park",
    "wake",
    "notify_closing",
    "exit_current",
    "run_in_thread",
    "now",
    "preempt",
    "turn",
]


def _sched() -> Scheduler:
    s = kernel._running
    if s is None:
        raise RuntimeError("no scheduler is running")
    return s


def run(main_fn: Callable[..., Any], *args: Any, clock: Callable[[], float] | None = None) -> Any:
    return Scheduler(clock).run(main_fn, *args)


def spawn(fn: Callable[..., Any], *args: Any) -> Task:
    return _sched().spawn(fn, *args)


def start(task: Task) -> Task:
    return _sched().start(task)


def current() -> Task | None:
    s = kernel._running
    return None if s is None else s._current


def now() -> float:
    return _sched().now()


def yield_now() -> None:
    _sched().yield_now()


def sleep_until(deadline: float) -> None:
    _sched().sleep_until(deadline)


def wait_readable(fd: int | HasFileno, deadline: float | None = None) -> bool:
    return _sched().wait_readable(fd, deadline)


def wait_writable(fd: int | HasFileno, deadline: float | None = None) -> bool:
    return _sched().wait_writable(fd, deadline)


def park(deadline: float | None = None, cancel: Callable[[], object] | None = None) -> Any:
    return _sched().park(deadline, cancel)


def wake(task: Task, value: Any = None) -> None:
    _sched().wake(task, value)


def exit_current(result: Any = None) -> None:
    _sched().exit_current(result)


def notify_closing(fd: int | HasFileno) -> None:
    s = kernel._running
    if s is not None:
        s.notify_closing(fd)


def run_in_thread(fn: Callable[..., Any], *args: Any) -> Any:
    s = kernel._running
    if s is None or s._current is None or len(s._tasks) < 2:
        # No other task exists to be held up: the hand-off to a thread would
        # only cost time (about 60 us per call).
        return fn(*args)
    return s.run_in_thread(fn, *args)


def preempt() -> None:
    """Called by the evaluator every so many reductions (its own policy): let other tasks,
    timers and I/O have a turn. Free when no scheduler runs, and when
    nothing else could possibly run."""
    s = kernel._running
    if s is None or s._current is None:
        return
    if (
        not s._ready
        and not s._timers.live
        and not s._thread_jobs
        and (s._poller is None or not len(s._poller))
    ):
        return
    s.yield_now()


def turn() -> int:
    """A number that changes whenever a task is switched in: equal values
    read by the same task mean it has been running all along in between."""
    s = kernel._running
    return 0 if s is None else s._turns
