"""A task: one greenlet plus the bookkeeping the kernel needs to resume it."""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any


class TaskState(enum.Enum):
    READY = "ready"  # in the ready queue
    RUNNING = "running"  # the greenlet currently executing
    PARKED = "parked"  # waiting for wake() (or its deadline)
    READ_WAIT = "read_wait"  # waiting for an fd to become readable
    WRITE_WAIT = "write_wait"  # waiting for an fd to become writable
    TIME_SLEEP = "time_sleep"  # sleeping until a deadline
    THREAD_WAIT = "thread_wait"  # waiting for a job in the thread pool
    TERMINATED = "terminated"  # its function returned or raised


class ClosedResourceError(Exception):
    """The fd a task was waiting on is being closed by another task."""


class BusyResourceError(Exception):
    """A second task tried to wait for the same readiness of the same fd."""


class DeadlockError(Exception):
    """The main task is blocked and nothing can ever wake it."""

    # Set by the kernel before raising: every task not yet terminated.
    tasks: list[Task]


class _Timeout:
    __slots__ = ()

    def __repr__(self) -> str:
        return "TIMEOUT"


# Returned by park() when its deadline passes before a wake().
TIMEOUT = _Timeout()

# Marks "no wake() is pending" (None is a legitimate wake value).
NO_WAKE = object()


class Task:
    __slots__ = (
        "greenlet",
        "state",
        "data",
        "fn",
        "args",
        "cancel",
        "timer",
        "value",
        "exc",
        "pending",
        "result",
        "__weakref__",
    )

    def __init__(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        # A greenlet.greenlet (greenlet has no type hints), set by the kernel.
        self.greenlet: Any = None
        self.state = TaskState.READY
        # Free for the layer above (the Inko process object lives here).
        self.data: Any = None
        self.fn: Callable[..., Any] | None = fn
        self.args: tuple[Any, ...] | None = args
        # Undo callback of the current suspension: run when the suspension
        # ends by timeout or close instead of by the event it waited for.
        self.cancel: Callable[[], object] | None = None
        # Timer entry of the current suspension, if it has a deadline.
        self.timer: list[Any] | None = None
        # What the next switch into the greenlet delivers.
        self.value: Any = None
        self.exc: BaseException | None = None
        # A wake() that arrived while the task was not parked.
        self.pending: Any = NO_WAKE
        self.result: Any = None

    @property
    def alive(self) -> bool:
        return self.state is not TaskState.TERMINATED

    def __repr__(self) -> str:
        return f"<Task {id(self):#x} {self.state.value}>"
