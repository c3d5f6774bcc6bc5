"""The kernel: a hub greenlet running the event loop, one greenlet per task
(reused by a later task once its task ends: see _bootstrap).

A task blocks by recording how to undo its wait (`Task.cancel`), optionally
arming a timer, and switching to the hub. Only the hub switches into a
waiting task, delivering a value (`switch`) or an exception (`throw`). The
kernel knows nothing about Inko.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn, cast

import greenlet

from .clock import FakeClock
from .poller import READ, WRITE, HasFileno, Poller, fileno
from .task import NO_WAKE, TIMEOUT, ClosedResourceError, DeadlockError, Task, TaskState
from .timers import Timers

if TYPE_CHECKING:
    import socket

    from .blocking import DaemonPool

READY = TaskState.READY
RUNNING = TaskState.RUNNING
PARKED = TaskState.PARKED
TERMINATED = TaskState.TERMINATED

# Tasks still suspended when run() returns are never resumed. They are kept
# referenced so that their greenlets are not collected: collecting one
# throws GreenletExit into it, which would run its `finally` code (Inko's
# deferred blocks) although an abandoned process must not run anything.
_abandoned: list[object] = []


class TaskExit(BaseException):
    """Unwinds the current task for exit_current; caught by _run_task."""


# How many times tasks may switch straight to each other while timers or
# I/O waits are pending, before the hub gets a turn to look at them.
_MAX_HANDOFFS = 16

# The longest single wait of the loop, in seconds (see _loop).
_MAX_WAIT = 86_400.0

# The value of a task that has not started yet: the hub's first switch into
# it delivers this, not the task. A new greenlet's first switch passes its
# value as the argument of _bootstrap, and greenlet keeps that argument
# tuple for as long as the greenlet runs: a spare greenlet would keep the
# first task it ran (its result, its panic handler) alive for good.
_START: Any = object()

# How many greenlets whose task has ended wait to run a new one (see
# _bootstrap). Each keeps the 16 KiB frame stack CPython gave it: a
# process-per-connection server then maps and unmaps no stack per spawn.
_SPARE_GREENLETS = 64


class Scheduler:
    def __init__(self, clock: Callable[[], float] | None = None) -> None:
        # `clock()` gives monotonic seconds; tests inject a FakeClock.
        self._clock: Callable[[], float] = clock if clock is not None else time.monotonic
        self._autojump = bool(getattr(self._clock, "autojump", False))
        self._ready: deque[Task] = deque()
        self._timers = Timers()
        self._poller: Poller | None = None
        # The hub's greenlet.greenlet (greenlet has no type hints).
        self._hub: Any = None
        self._main: Task | None = None
        self._current: Task | None = None
        # Every task not yet terminated (see _abandoned).
        self._tasks: set[Task] = set()
        # Jobs in the thread pool; their completions arrive through a
        # socketpair so that the hub can sleep in select().
        self._executor: DaemonPool | None = None
        self._thread_jobs = 0
        self._thread_done: deque[Task] = deque()
        self._wakeup: tuple[socket.socket, socket.socket] | None = None
        # Direct task-to-task switches since the hub's last turn.
        self._handoffs = 0
        # How many times a task was switched in (see turn()).
        self._turns = 0
        # Greenlets whose task has ended, each waiting in _bootstrap for the
        # next task that start() gives it.
        self._spare: list[Any] = []

    # -- API used by tasks -------------------------------------------------

    def now(self) -> float:
        return self._clock()

    def spawn(self, fn: Callable[..., Any], *args: Any) -> Task:
        """Queue a new task running fn(*args); the caller keeps running."""
        return self.start(Task(fn, args))

    def start(self, task: Task) -> Task:
        """Queue a task made by the caller (its fn and args set; it may be
        of a subclass of Task, which lets a layer above keep its own record
        of a task in the task itself); the caller keeps running."""
        # No greenlet yet: the task gets one when it first runs (see
        # _loop and _bootstrap), so that a burst of spawns does not make a
        # greenlet (and map a frame stack) for each queued task. The first
        # switch into it starts a new greenlet's _bootstrap or wakes a spare
        # one; either finds its task as the scheduler's current one.
        task.value = _START
        self._tasks.add(task)
        self._ready.append(task)
        return task

    def current(self) -> Task | None:
        return self._current

    def yield_now(self) -> None:
        """Go to the back of the ready queue."""
        task = self._current
        assert task is not None, "yield_now() outside a task"
        task.state = READY
        task.value = None
        self._ready.append(task)
        self._switch_away()

    def sleep_until(self, deadline: float) -> None:
        self._suspend(TaskState.TIME_SLEEP, deadline, None)

    def wait_readable(self, fd: int | HasFileno, deadline: float | None = None) -> bool:
        return self._wait_fd(fileno(fd), READ, TaskState.READ_WAIT, deadline)

    def wait_writable(self, fd: int | HasFileno, deadline: float | None = None) -> bool:
        return self._wait_fd(fileno(fd), WRITE, TaskState.WRITE_WAIT, deadline)

    def _can_hand_off(self, ready: deque[Task]) -> bool:
        """Whether a task that stops running may switch straight to the next
        ready one instead of through the hub: not to a task that has not
        started (a greenlet begins at the recursion depth of whoever first
        switches into it), and only while the hub has nothing to do or has
        had a turn recently."""
        return bool(ready and ready[0].value is not _START and self._may_skip_hub())

    def _may_skip_hub(self) -> bool:
        """Whether the next task may run without a turn of the hub between
        (a hand-off, or _bootstrap running the next task on its greenlet):
        while the hub has nothing to do, or had a turn within the last
        _MAX_HANDOFFS tasks."""
        return self._handoffs < _MAX_HANDOFFS or (
            not self._timers.live
            and not self._thread_jobs
            and (self._poller is None or not len(self._poller))
        )

    def park(
        self, deadline: float | None = None, cancel: Callable[[], object] | None = None
    ) -> Any:
        """Suspend until wake(); return its value, or TIMEOUT after `deadline`
        (then `cancel()` runs first, to undo whatever the caller set up)."""
        # (No assert that a task runs, here on the path of every message:
        # outside a task, `task.pending` fails on None.)
        task: Task = self._current  # type: ignore[assignment]
        pending = task.pending
        if pending is not NO_WAKE:
            task.pending = NO_WAKE
            return pending
        # _suspend and _switch_away, inline: a message receive parks here,
        # and every waiting process keeps this frame on its stack.
        task.state = PARKED
        task.cancel = cancel
        if deadline is not None:
            task.timer = self._timers.add(deadline, task)
        ready = self._ready
        # _can_hand_off and _may_skip_hub, inline (a call per message costs
        # more than the test): keep the three in step.
        handoffs = self._handoffs
        if (
            ready
            and (other := ready[0]).value is not _START
            and (
                handoffs < _MAX_HANDOFFS
                or (
                    not self._timers.live
                    and not self._thread_jobs
                    and (self._poller is None or not len(self._poller))
                )
            )
        ):
            self._handoffs = handoffs + 1
            ready.popleft()
            self._current = other
            other.state = RUNNING
            exc = other.exc
            if exc is not None:
                other.exc = None
                value = other.greenlet.throw(exc)
            else:
                value = other.greenlet.switch(other.value)
        else:
            value = self._hub.switch()
        # The woken task's value (a message) is not kept alive by the task.
        task.value = None
        return value

    def wake(self, task: Task, value: Any = None) -> None:
        state = task.state
        if state is PARKED:
            # _resume, inline: every message to a waiting process comes here.
            timer = task.timer
            if timer is not None:
                task.timer = None
                self._timers.cancel(timer)
            task.state = READY
            task.value = value
            task.exc = None
            self._ready.append(task)
        elif state is not TERMINATED:
            task.pending = value

    def exit_current(self, result: Any = None) -> NoReturn:
        """End the current task at once. Its stack unwinds with TaskExit, a
        BaseException that no `except Exception` (and so no Inko-level
        handler: deferred blocks, try/else) catches; Python `finally`
        clauses do run. Keeping the suspended greenlet instead, so that
        nothing at all ran, kept every terminated task's frames alive for
        ever (40,000 process.terminate calls: 345 MB)."""
        task = self._current
        assert task is not None, "exit_current() outside a task"
        task.result = result
        raise TaskExit

    def notify_closing(self, fd: int | HasFileno) -> None:
        """Wake every task waiting on `fd` with ClosedResourceError; call it
        before closing an fd that other tasks may be waiting on."""
        poller = self._poller
        if poller is None:
            return
        if not isinstance(fd, int):
            fd = fd.fileno()
        # Every socket's last close comes here, and almost never with a
        # waiter: two calls less then.
        if fd not in poller._waiters:
            return
        for task in poller.take_all(fd):
            task.cancel = None
            self._resume(task, None, ClosedResourceError(f"fd {fileno(fd)} was closed"))

    def run_in_thread(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run a blocking fn(*args) in the thread pool while this task waits."""
        if self._executor is None:
            # Imported on first use (start-up speed): most programs never
            # run blocking work in a thread.
            from inko_mini.scheduler.blocking import DaemonPool

            self._executor = DaemonPool(max_workers=4, thread_name_prefix="inko-blocking")
            import socket  # on first use, like DaemonPool (start-up speed)

            r, w = socket.socketpair()
            r.setblocking(False)
            w.setblocking(False)
            self._wakeup = (r, w)
            self._get_poller().set_wakeup_fd(r.fileno())
        task = self._current
        assert task is not None, "run_in_thread() outside a task"
        future = self._executor.submit(fn, *args)
        self._thread_jobs += 1

        def done(f: object, task: Task = task) -> None:
            # Runs in the worker thread: only thread-safe operations here.
            self._thread_done.append(task)
            try:
                # (_wakeup is set above, before the first job is submitted.)
                self._wakeup[1].send(b"\0")  # type: ignore[index]
            except OSError:
                pass

        future.add_done_callback(done)
        try:
            self._suspend(TaskState.THREAD_WAIT, None, None)
        finally:
            self._thread_jobs -= 1
        return future.result()

    # -- running -----------------------------------------------------------

    def run(self, main_fn: Callable[..., Any], *args: Any) -> Any:
        """Run main_fn(*args) as the main task; return its result when it
        returns (other tasks are abandoned). Exceptions escaping any task,
        DeadlockError and KeyboardInterrupt propagate from here."""
        return self.run_task(Task(main_fn, args))

    def run_task(self, main: Task) -> Any:
        """run() with a main task made by the caller (see start())."""
        global _running
        if _running is not None:
            raise RuntimeError("a scheduler is already running")
        self._hub = greenlet.greenlet(self._loop)
        self._main = self.start(main)
        _running = self
        try:
            return self._hub.switch()
        finally:
            _running = None
            self._current = None
            self._abandon()

    def _abandon(self) -> None:
        self._ready.clear()
        # Collecting a spare throws GreenletExit into _bootstrap's wait for
        # a task, which runs nothing of any task.
        self._spare.clear()
        if self._tasks:
            _abandoned.append(self._tasks)
            self._tasks = set()
        if self._poller is not None:
            self._poller.close()
            self._poller = None
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            assert self._wakeup is not None  # made with the executor
            for s in self._wakeup:
                s.close()
            self._executor = None

    def _loop(self) -> Any:  # noqa: C901 (the event loop: poll, timers, ready queue in one place)
        main = self._main
        assert main is not None  # run() spawns it before switching here
        ready = self._ready
        timers = self._timers
        clock = self._clock
        while True:
            # This 'while' loop right here is our event loop. Each turn:
            # poll I/O (without blocking if a task is ready), expire timers,
            # then run every task that was ready at that point.
            timeout: float | None
            if ready:
                timeout = 0.0
            else:
                deadline = timers.next_deadline()
                # A far deadline (process.suspend(2 ** 63 - 1), an infinite one)
                # is waited for a day at a time: the OS's sleep and poll
                # calls reject larger timeouts.
                timeout = None if deadline is None else min(max(deadline - clock(), 0.0), _MAX_WAIT)
                if (
                    timeout is None
                    and not self._thread_jobs
                    and not (self._poller and len(self._poller))
                ):
                    error = DeadlockError(
                        "the main task is waiting, but no other task can "
                        "run and no timer or I/O wait is pending"
                    )
                    error.tasks = list(self._tasks)  # for a report of who waits where
                    raise error
            poller = self._poller
            if poller is not None and (len(poller) or self._thread_jobs):
                if self._autojump and timeout:
                    woken, thread_woke = poller.poll(0)
                    if not woken and not thread_woke:
                        cast(FakeClock, clock).advance(timeout)
                else:
                    woken, thread_woke = poller.poll(timeout)
                for task in woken:
                    task.cancel = None
                    self._resume(task, True)
                if thread_woke:
                    self._drain_threads()
            elif timeout:
                if self._autojump:
                    cast(FakeClock, clock).advance(timeout)
                else:
                    time.sleep(timeout)
            if timers.live:
                for task in timers.pop_expired(clock()):
                    task.timer = None
                    cancel = task.cancel
                    if cancel is not None:
                        task.cancel = None
                        cancel()
                    self._resume(task, TIMEOUT)
            self._handoffs = 0
            for _ in range(len(ready)):
                if not ready:
                    break
                task = ready.popleft()
                if task.state is not READY:
                    continue
                self._current = task
                task.state = RUNNING
                self._turns += 1
                g = task.greenlet
                if g is None:
                    # Its first run. A plain function, not the bound method
                    # self._bootstrap: that would be one more object per
                    # greenlet for the collector to walk.
                    spare = self._spare
                    g = task.greenlet = (
                        spare.pop() if spare else greenlet.greenlet(_bootstrap, self._hub)
                    )
                exc = task.exc
                if exc is not None:
                    task.exc = None
                    g.throw(exc)
                else:
                    g.switch(task.value)
                self._current = None
                if main.state is TERMINATED:
                    return main.result

    def _drain_threads(self) -> None:
        assert self._wakeup is not None  # threads ran, so it exists
        try:
            while self._wakeup[0].recv(4096):
                pass
        except OSError:
            pass
        done = self._thread_done
        while done:
            self._resume(done.popleft(), None)

    # -- suspension --------------------------------------------------------

    def _suspend(
        self, state: TaskState, deadline: float | None, cancel: Callable[[], object] | None
    ) -> Any:
        task = self._current
        assert task is not None, "only a task can suspend"
        task.state = state
        task.cancel = cancel
        if deadline is not None:
            task.timer = self._timers.add(deadline, task)
        return self._switch_away()

    def _switch_away(self) -> Any:
        """Leave the current task: hand the CPU straight to the next ready
        task when the hub has nothing to do (no timers, no I/O) or has had a
        turn recently; otherwise go through the hub. Whatever is later
        switched into this task is returned (or raised) here. (park has its
        own copy of this.)"""
        ready = self._ready
        # A new task must start from the hub: a greenlet begins at the
        # recursion depth of whoever first switches into it.
        if self._can_hand_off(ready):
            self._handoffs += 1
            task = ready.popleft()
            self._current = task
            task.state = RUNNING
            self._turns += 1
            exc = task.exc
            if exc is not None:
                task.exc = None
                return task.greenlet.throw(exc)
            return task.greenlet.switch(task.value)
        return self._hub.switch()

    def _resume(self, task: Task, value: Any, exc: BaseException | None = None) -> None:
        timer = task.timer
        if timer is not None:
            task.timer = None
            self._timers.cancel(timer)
        task.state = READY
        task.value = value
        task.exc = exc
        self._ready.append(task)

    def _get_poller(self) -> Poller:
        if self._poller is None:
            self._poller = Poller()
        return self._poller

    def _wait_fd(self, fd: int, event: int, state: TaskState, deadline: float | None) -> bool:
        poller = self._get_poller()
        task = self._current
        assert task is not None, "only a task can wait"
        poller.add(fd, event, task)
        result = self._suspend(state, deadline, lambda: poller.remove(fd, event, task))
        return result is True


_running: Scheduler | None = None


def _bootstrap(start: object) -> None:
    """Run the current task (the hub switches in with `start`, which is
    _START, after making the task current), then, while the scheduler keeps
    fewer than _SPARE_GREENLETS spare greenlets, wait as one of them for the
    next task start() hands over: making a greenlet, and the frame stack
    CPython maps for its first frame and unmaps when it dies, cost more than
    a switch. An exception escaping a task ends its greenlet (and reaches
    the hub)."""
    s: Scheduler | None = _running
    while s is not None:
        # (No typing.cast: it is a call, on every task.)
        task: Task = s._current  # type: ignore[assignment]
        _run_task(task)
        s = _running
        if s is None:
            return
        # Nobody switches into an ended task; its greenlet is not its own.
        # Nor is the ended task kept alive while its greenlet waits.
        task.greenlet = None
        if task is s._main:
            # The hub ends the run when it sees the main task ended.
            return
        del task
        ready = s._ready
        if ready:
            task = ready[0]
            if (
                task.value is _START
                and task.state is READY
                and task.exc is None
                and s._may_skip_hub()
            ):
                # The next task to run has not started: run it right here,
                # on this greenlet, as the hub would have on a spare one,
                # without two switches and a turn of the hub in between
                # (a process-per-connection server ends one process and
                # starts the next on every request). Like a hand-off, this
                # gives the hub a turn at least every _MAX_HANDOFFS tasks.
                s._handoffs += 1
                ready.popleft()
                task.greenlet = greenlet.getcurrent()
                s._current = task
                task.state = RUNNING
                s._turns += 1
                continue
            del task
        if len(s._spare) >= _SPARE_GREENLETS:
            return
        s._spare.append(greenlet.getcurrent())
        s._hub.switch()


def _run_task(task: Task) -> None:
    try:
        fn, args = task.fn, task.args
        assert fn is not None and args is not None  # cleared only here
        # Not kept for the task's whole life: the frames hold what they use.
        task.fn = task.args = None
        # Positional calls, not fn(*args): CPython 3.11 runs a Python
        # function called with *args in a new C-level interpreter frame,
        # and every such frame is C stack that greenlet copies out and
        # keeps for each suspended task (about 0.4 KiB each) and copies
        # again on every switch.
        n = len(args)
        if n == 3:
            a, b, c = args
            args = ()  # nor by this frame
            task.result = fn(a, b, c)
        elif n == 2:
            task.result = fn(args[0], args[1])
        elif n == 1:
            task.result = fn(args[0])
        elif n == 0:
            task.result = fn()
        else:
            task.result = fn(*args)
    except TaskExit:
        pass  # exit_current set the result
    finally:
        task.state = TERMINATED
        # A task runs only while its scheduler runs (abandoned ones are
        # never resumed).
        s = _running
        if s is not None:
            s._tasks.discard(task)


def running() -> Scheduler | None:
    """The scheduler running in this thread, or None."""
    return _running
