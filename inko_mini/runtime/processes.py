"""Inko processes on top of the scheduler: mailboxes, message copies, panics
and the end of the program (STDLIB-NET-PROCESS §1-3).

A `Process` is the Python record of one Inko process; Inko code only ever
holds `ProcessRef` wrappers around it (`process.current` makes a new wrapper
on every call, and a copied message gets a new wrapper to the same process).
"""

from __future__ import annotations

import enum
import gc
import math
import sys
from typing import Any

from inko_mini import scheduler
from inko_mini.errors import PanicSignal, ThrowSignal
from inko_mini.runtime import calls, objects, panics, proctrace
from inko_mini.runtime.calls import _flags, call_block
from inko_mini.runtime.cgframes import CgCode
from inko_mini.runtime.deferred import run_pending_of
from inko_mini.runtime.objects import Block
from inko_mini.runtime.output import flush_all
from inko_mini.runtime.rustfmt import rust_float
from inko_mini.runtime.signals import ExitProgram, ReturnSignal
from inko_mini.scheduler import TIMEOUT, DeadlockError, Scheduler, Task, TaskState, kernel

PARKED = TaskState.PARKED
READY = TaskState.READY

# Marks an empty mailbox (Nil is a valid message).
_EMPTY = object()

DEADLOCK_MESSAGE = (
    "inko-mini: deadlock: the main process is waiting (in process.receive or "
    "similar), but no other process can run and no timer or I/O wait is "
    "pending, so it would wait for ever"
)


class ProcessState(enum.Enum):
    RUNNING = "running"
    WAITING = "waiting"  # in receive, with an empty mailbox
    FINISHED = "finished"


class Process(Task):
    """One Inko process: its mailbox (§2.1) and its panic handler, kept in
    its scheduler task itself (one object per process instead of two, and
    no hop from one to the other on every message). It waits in receive
    exactly while the task is PARKED: nothing else parks a process."""

    __slots__ = (
        "external",
        "internal",
        "ipos",
        "panic_handler",
        "is_main",
        "finished",
    )

    def __init__(self, fn: Any = None, args: Any = None, is_main: bool = False) -> None:
        # The kernel runs fn(*args) (_process_body) once the scheduler
        # starts this task.
        Task.__init__(self, fn, args)
        # Task.data is the process, for code that only knows the task.
        self.data = self
        # The mailbox has two queues: messages from other processes arrive in
        # `external`; `internal` holds self-sends and, once it runs dry, the
        # whole of `external` (swapped in, not copied). `ipos` is the read
        # position in `internal`. Both lists are created lazily: most
        # processes in a big program are idle and should stay small.
        self.external: list[Any] | None = None
        self.internal: list[Any] | None = None
        self.ipos = 0
        self.panic_handler = None
        self.is_main = is_main
        self.finished = False

    @property
    def identifier(self) -> str:
        # Like the VM's: the address of the process structure, in hex.
        return f"{id(self):#x}"

    @property
    def mailbox(self) -> list:
        """The pending messages in the order receive would return them."""
        internal = self.internal[self.ipos :] if self.internal else []
        return internal + (self.external or [])

    @property
    def task(self) -> Task:
        return self

    @property
    def waiting(self) -> bool:
        """Whether it waits in receive with an empty mailbox."""
        return self.state is PARKED

    @property
    def process_state(self) -> ProcessState:
        if self.finished:
            return ProcessState.FINISHED
        return ProcessState.WAITING if self.state is PARKED else ProcessState.RUNNING

    def _pop(self):
        internal = self.internal
        if internal is None or self.ipos >= len(internal):
            external = self.external
            if not external:
                return _EMPTY
            # Move all external messages over at once (§2.1).
            self.internal = internal = external
            self.external = None
            self.ipos = 0
        message = internal[self.ipos]
        internal[self.ipos] = None
        self.ipos += 1
        if self.ipos >= len(internal):
            self.internal = None
            self.ipos = 0
        return message

    def deliver(self, message, from_self: bool) -> None:
        if self.finished:
            return
        if self.state is PARKED:
            # Waiting in receive, so the mailbox is empty (and this is not a
            # self-send): hand the message over with the wake-up.
            scheduler.wake(self, message)
            return
        if from_self:
            # Appending to `internal` is what lets a self-send overtake
            # external messages that have not been moved yet (§2.1).
            if self.internal is None:
                self.internal = [message]
                self.ipos = 0
            else:
                self.internal.append(message)
        elif self.external is None:
            self.external = [message]
        else:
            self.external.append(message)

    def __repr__(self) -> str:
        return f"<Process {self.identifier} {self.process_state.value}>"


class ProcessRef:
    """The Inko value of type Process: a wrapper; `==` is wrapper identity."""

    __slots__ = ("process",)

    def __init__(self, process: Process) -> None:
        self.process = process

    def __repr__(self) -> str:
        return f"<ProcessRef {self.process.identifier}>"


# -- the current process ----------------------------------------------------


def current_process() -> Process:
    task = scheduler.current()
    if task is None or task.data is None:
        raise PanicSignal("process operations need a running process")
    return task.data


def current() -> ProcessRef:
    return ProcessRef(current_process())


# -- durations --------------------------------------------------------------


def seconds(value) -> float:
    """A timeout argument in seconds; panics on a negative or NaN value as the
    VM's conversion to a duration did (§3)."""
    if type(value) is bool or not isinstance(value, (int, float)):
        raise PanicSignal(f"{_inspected(value)} is not a valid time duration")
    value = float(value)
    if value < 0 or math.isnan(value):
        raise PanicSignal(f"{rust_float(value)} is not a valid time duration")
    return value


def _inspected(value) -> str:
    """`value` as Inko's `inspect` shows it ("abc", True, Nil), for panic
    texts: never a Python repr."""
    try:
        text = calls.send(value, "inspect")
        if isinstance(text, str):
            return text
    except Exception:
        pass
    return "an object"


# -- messages ---------------------------------------------------------------


def process_receive(timeout=0.0):
    """Next message of the current process; Nil when `timeout` seconds pass
    first. A timeout of 0 waits for ever; anything but an Integer or a
    Float is converted by its `to_float`. This is the primitive itself
    (builtins/process.py registers it under its name, which a panic of a
    primitive shows): a wrapper would be one more call per message."""
    # The hottest path of message passing: the scheduler's state is read
    # directly instead of through the module-level helpers.
    sched = kernel._running
    try:
        proc = sched._current.data
    except AttributeError:  # no scheduler or no task running
        proc = None
    if proc is None:
        raise PanicSignal("process operations need a running process")
    if proc.internal is not None or proc.external:
        return proc._pop()
    if type(timeout) is float and timeout == 0.0:
        # A send to a waiting (parked) process hands the message over as
        # the value of the wake-up (process_send, Process.deliver).
        return sched.park(None, None)
    deadline = _deadline(sched, timeout)
    message = sched.park(deadline, None)
    if message is TIMEOUT:
        # A message that arrived between the timeout and this resumption
        # still counts (§3).
        message = proc._pop()
        return None if message is _EMPTY else message
    return message


def _deadline(sched: Scheduler, timeout) -> float | None:
    """When a receive with `timeout` (not a Float 0) gives up, or None."""
    t = type(timeout)
    if t is not float and t is not int:
        timeout = calls.send(timeout, "to_float")
    if timeout != 0 or type(timeout) is not float:
        wait = seconds(timeout)
        if wait > 0 and not math.isinf(wait):
            return sched.now() + wait
    return None


def process_send(target, message):
    """Process#send: deliver a copy (§2.2) and return the original. The
    primitive itself, like process_receive."""
    if type(target) is not ProcessRef:
        raise PanicSignal("ObjectValue::as_process() called on a non process")
    proc = target.process
    if proc.state is PARKED:
        # The receiver waits in receive (so it is not the sender, and its
        # mailbox is empty): hand the copy over with the wake-up, without
        # touching the mailbox. Values that are never mutated need no copy.
        t = type(message)
        if t is int or t is str or t is float or t is bool or message is None:
            message_copy = message
        else:
            message_copy = copy_message(message)
        if proc.timer is None:
            # Scheduler.wake, inline for a receive without a timeout (one
            # call less per message): a parked task is not in the ready
            # queue and has nothing to throw.
            proc.state = READY
            proc.value = message_copy
            kernel._running._ready.append(proc)
        else:
            kernel._running.wake(proc, message_copy)
        return message
    if proc.finished:
        return message
    sched = kernel._running
    if sched is not None and sched._current is proc:
        proc.deliver(message, True)
    else:
        proc.deliver(copy_message(message), False)
    return message


receive = process_receive
send = process_send


def copy_message(value, _active=None):
    """The deep copy of §2.2 made when a message goes to another process.

    Sharing is not preserved (a shared sub-object arrives as two copies), as
    in the VM; a cycle, on which the VM overflowed its stack, is copied as a
    cycle instead.
    """
    t = type(value)
    if t is int or t is str or t is float or t is bool or value is None:
        return value
    if t is ProcessRef:
        return ProcessRef(value.process)
    if t is bytearray:
        return bytearray(value)
    if _active is None:
        _active = {}
    key = id(value)
    done = _active.get(key)
    if done is not None:
        return done
    if t is list:
        copy = []
        _active[key] = copy
        copy.extend([copy_message(v, _active) for v in value])
        del _active[key]
        return copy
    objects = _objects()
    if t is objects.InkoObject:
        if _is_permanent(value, objects):
            return value
        objects.sync_attrs(value)  # a HashMap table's layout, if it is a log
        copy = objects.InkoObject(None, {})
        _active[key] = copy
        proto = value.proto
        copy.proto = (
            proto
            if proto is None or _is_permanent(proto, objects)
            else copy_message(proto, _active)
        )
        for name, attr in value.attrs.items():
            copy.attrs[name] = copy_message(attr, _active)
        del _active[key]
        return copy
    if t is objects.Block:
        return _copy_block(value, _active, objects)
    dup = getattr(value, "dup_for_message", None)
    if dup is not None:
        return dup()
    dup = getattr(value, "copy_for_message", None)
    if dup is not None:
        return dup()
    if getattr(value, "is_file", False):
        # As in the VM (§2.2): a file can not be sent.
        raise PanicSignal("The VM panicked with an unknown error")
    return value


def _objects():
    return objects


def _is_permanent(obj, objects) -> bool:
    # Modules, traits and named prototypes (`object X`) live in the VM's
    # permanent heap; messages refer to them instead of copying them.
    if obj.proto is None or "@_object_name" in obj.attrs:
        return True
    proto = obj.proto
    return proto is objects.MODULE or proto is objects.TRAIT or obj is objects.INKO


def _copy_block(block, active, objects):
    # A closure's captured frames (lists, see runtime.calls) are copied with
    # it, so the receiver can not reach the sender's locals.
    receiver = copy_message(block.receiver, active)
    parent = block.parent
    if parent is not None:
        parent = copy_message(parent, active)
    return objects.Block(block.code, parent, receiver, block.literal)


# -- spawning and ending ----------------------------------------------------


def process_spawn(block) -> ProcessRef:
    """Start a process running the Inko block (a lambda) and return it. The
    primitive itself, like process_receive."""
    if type(block) is Block:
        code = block.code
        if getattr(code, "captures", None):
            reject_captures(block)
    else:
        code = None
        reject_captures(block)
    # One argument that is not a tuple, not a tuple of it (see _process_body).
    if (
        type(code) is CgCode
        and code.plain
        and code.kind == "lambda"
        and code.nparams == 0
        and code.native is None
    ):
        # A generated lambda without parameters (what `process.spawn { }`
        # passes) is its own function of `self`: call_block would only add
        # two Python calls and frames, which every waiting process keeps.
        # Its frame is the block's in traces, as below call_block.
        proc = Process(_process_body, None)
        proc.args = (proc, code.fn, block.receiver)
    else:
        proc = Process(_process_body, None)
        proc.args = (proc, call_block, block)
    # Only a running process calls this primitive, so a scheduler runs.
    kernel._running.start(proc)  # type: ignore[union-attr]
    if proctrace.ENABLED:
        parent = scheduler.current()
        proctrace.spawned(proc, getattr(parent, "data", None))
    return ProcessRef(proc)


spawn = process_spawn


def spawn_python(fn, *args) -> ProcessRef:
    """Start a process running a Python callable (used by tests and tools)."""
    proc = Process(_process_body, None)
    proc.args = (proc, fn, args)
    scheduler.start(proc)
    return ProcessRef(proc)


def reject_captures(block) -> None:
    """A spawned block must not refer to locals of its surroundings: that
    would share memory between processes. The compiler may record the names
    a block captures on its code object (`captures`)."""
    code = getattr(block, "code", None)
    names = getattr(code, "captures", None)
    if names:
        name = sorted(names)[0] if not isinstance(names, (list, tuple)) else names[0]
        raise PanicSignal(
            f'The block given to process.spawn refers to the local variable "{name}" '
            "of its surroundings; a process can not share local variables, so send "
            "the value to it as a message instead"
        )


def terminate() -> None:
    """End the current process at once; its deferred blocks do not run."""
    proc = current_process()
    proc.finished = True
    scheduler.exit_current(None)


def _process_body(proc: Process, fn, args):
    """Run fn(*args) as the process; `args` that is not a tuple (a spawned
    block) is fn's one argument: one object less per waiting process."""
    try:
        if type(args) is not tuple:
            # call_block tests the preemption flag before a block's body;
            # so does a generated lambda called without it.
            if _flags["_P"]:
                calls.out_of_reductions()
            return fn(args)
        if proc.is_main:
            # The main process runs inside one big CPython frame-stack chunk
            # (see runtime.calls.run_with_big_stack): deep Inko recursion
            # then stops mapping and unmapping stack chunks on every call.
            # Other processes keep the default: a chunk each would cost
            # memory per waiting process.
            return calls.run_with_big_stack(fn, *args)
        # Positional calls for the common arities (see the kernel's
        # _bootstrap): fn(*args) would add a C-level frame to the stack that
        # every waiting process keeps.
        n = len(args)
        if n == 1:
            return fn(args[0])
        if n == 0:
            return fn()
        if n == 2:
            return fn(args[0], args[1])
        return fn(*args)
    except PanicSignal as signal:
        _panicked(signal, proc)
    except ThrowSignal as thrown:
        try:
            _run_deferred_of(thrown)
        except PanicSignal as signal:
            _panicked(signal, proc)
            return None
        # The trace is where the value was thrown (a test failure's location
        # is read from it; STDLIB-TEST.md §5).
        _panicked(
            _panic_at(thrown, f"A thrown value reached the top-level in process {proc.identifier}"),
            proc,
        )
    except ReturnSignal as exc:
        # A closure's `return` whose method frame has already finished.
        _panicked(
            _panic_at(exc, "A closure returned from a method that has already returned"), proc
        )
    except RecursionError as exc:
        _panicked(_panic_at(exc, "Stack overflow: too many nested calls"), proc)
    finally:
        proc.finished = True
        proc.external = proc.internal = None
        if proctrace.ENABLED:
            proctrace.exited(proc)


def _run_deferred_of(thrown) -> None:
    run_pending_of(thrown)


def _panic_at(exc: BaseException, message: str) -> PanicSignal:
    """A panic whose trace is where the evaluator raised `exc`."""
    signal = PanicSignal(message)
    signal.frames = panics.traceback_frames(exc)
    return signal


def _panicked(signal: PanicSignal, proc: Process) -> None:
    if proctrace.ENABLED:
        proctrace.panicked(proc, signal.message)

    while True:
        try:
            status = panics.handle_panic(signal, proc)
            break
        except PanicSignal as again:
            signal = again
        except ThrowSignal:
            signal = PanicSignal(
                f"A thrown value reached the top-level in process {proc.identifier}"
            )
        # The handler itself panicked: the process's own handler hands
        # the new panic to the global one; a failing global handler to
        # the default report. A broken handler never loops or vanishes.
        if proc.panic_handler is not None:
            proc.panic_handler = None
            continue
        status = _default_panic_report(signal, proc)
        break
    if status is not None:
        raise _exit_program(status)


def _default_panic_report(signal: PanicSignal, proc: Process) -> int:
    panics.write_report(panics.signal_frames(signal), proc.identifier, signal.message, signal)
    return 1


def _exit_program(status: int) -> ExitProgram:
    return ExitProgram(status)


def _exit_status(exc) -> int:
    status = getattr(exc, "status", None)
    if status is None and exc.args:
        status = exc.args[0]
    return int(status or 0)


_flush_output = flush_all


# CPython's cyclic collector runs its youngest generation every 700 net
# allocations of container objects, its middle one every 10 of those and a
# full collection every 10 middle ones once the heap has grown by a quarter.
# Every waiting process is about ten containers (its task, greenlet, frame
# lists, ...) that each full collection walks, so a program that builds up
# 100,000 processes spent a quarter of its time in ten full collections.
# Ten times fewer collections of each generation (young cyclic garbage
# lingers for at most 7,000 allocations) took that to one.
_GC_YOUNG_THRESHOLD = 7000


def run_main(fn, *args) -> int:
    """Run `fn` (the main module body) as the main process; return the exit
    status of the program (§1.2, §1.4)."""
    thresholds = gc.get_threshold()
    if thresholds[0] < _GC_YOUNG_THRESHOLD:
        gc.set_threshold(_GC_YOUNG_THRESHOLD, *thresholds[1:])
    try:
        return _run_main(fn, args)
    finally:
        gc.set_threshold(*thresholds)


def _main_body(main: Process, fn, args):
    if proctrace.ENABLED:
        proctrace.started(main)
    return _process_body(main, fn, args)


def _run_main(fn, args) -> int:
    exit_types = (ExitProgram,)
    main = Process(_main_body, None, is_main=True)
    main.args = (main, fn, args)
    sched = Scheduler()
    try:
        sched.run_task(main)
        status = 0
    except exit_types as exc:
        status = _exit_status(exc)
    except DeadlockError as error:
        _flush_output()
        sys.stderr.write(DEADLOCK_MESSAGE + "\n")
        waiting = proctrace.waiting_lines(getattr(error, "tasks", ()))
        sys.stderr.write("".join(line + "\n" for line in waiting))
        status = 1
    except KeyboardInterrupt:
        status = 130
    _flush_output()
    return status


__all__ = [
    "Process",
    "ProcessRef",
    "ProcessState",
    "TaskState",
    "TIMEOUT",
    "current",
    "current_process",
    "receive",
    "send",
    "spawn",
    "spawn_python",
    "terminate",
    "copy_message",
    "run_main",
    "seconds",
]
