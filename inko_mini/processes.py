"""Inko processes on top of the scheduler: mailboxes, message copies, panics
and the end of the program (STDLIB-NET-PROCESS §1-3).

A `Process` is the Python record of one Inko process; Inko code only ever
holds `ProcessRef` wrappers around it (`process.current` makes a new wrapper
on every call, and a copied message gets a new wrapper to the same process).
"""

from __future__ import annotations

import dataclasses
import enum
import math
import sys
from decimal import Decimal

from inko_mini import ast, scheduler
from inko_mini.errors import PanicSignal, ThrowSignal
from inko_mini.runtime.signals import ReturnSignal
from inko_mini.scheduler import TIMEOUT, DeadlockError, Scheduler, TaskState

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


class Process:
    """One Inko process: its task, its mailbox (§2.1) and its panic handler."""

    __slots__ = (
        "task",
        "external",
        "internal",
        "ipos",
        "waiting",
        "panic_handler",
        "is_main",
        "finished",
        "__weakref__",
    )

    def __init__(self, is_main: bool = False) -> None:
        self.task = None
        # The mailbox has two queues: messages from other processes arrive in
        # `external`; `internal` holds self-sends and, once it runs dry, the
        # whole of `external` (swapped in, not copied). `ipos` is the read
        # position in `internal`. Both lists are created lazily: most
        # processes in a big program are idle and should stay small.
        self.external = None
        self.internal = None
        self.ipos = 0
        self.waiting = False
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
    def state(self) -> ProcessState:
        if self.finished:
            return ProcessState.FINISHED
        return ProcessState.WAITING if self.waiting else ProcessState.RUNNING

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
        if self.waiting:
            self.waiting = False
            scheduler.wake(self.task)

    def _stop_waiting(self) -> None:
        self.waiting = False

    def __repr__(self) -> str:
        return f"<Process {self.identifier} {self.state.value}>"


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


def rust_float(value: float) -> str:
    """A float as Rust's Display prints it: positional, shortest round-trip
    digits, and no `.0` for whole numbers (-1, -0.5, -0.0000001)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    text = format(Decimal(repr(value)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


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
        from inko_mini import runtime

        text = runtime.send(value, "inspect")
        if isinstance(text, str):
            return text
    except Exception:
        pass
    return "an object"


# -- messages ---------------------------------------------------------------


def receive(timeout=0.0):
    """Next message of the current process; Nil when `timeout` seconds pass
    first. A timeout of 0 waits for ever."""
    proc = current_process()
    message = proc._pop()
    if message is not _EMPTY:
        return message
    deadline = None
    if timeout != 0 or type(timeout) is not float:
        wait = seconds(timeout)
        if wait > 0 and not math.isinf(wait):
            deadline = scheduler.now() + wait
    proc.waiting = True
    try:
        scheduler.park(deadline, proc._stop_waiting)
    finally:
        proc.waiting = False
    # A message that arrived between the timeout and this resumption still
    # counts (§3).
    message = proc._pop()
    return None if message is _EMPTY else message


def send(target, message):
    """Process#send: deliver a copy (§2.2) and return the original."""
    proc = target.process if type(target) is ProcessRef else target
    if proc.finished:
        return message
    task = scheduler.current()
    sender = task.data if task is not None else None
    if sender is proc:
        proc.deliver(message, True)
    else:
        proc.deliver(copy_message(message), False)
    return message


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
    global _objects_module
    if _objects_module is None:
        from inko_mini.runtime import objects

        _objects_module = objects
    return _objects_module


_objects_module = None


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

# runtime.call_block, looked up on first use (the runtime imports us).
_call_block = [None]


def spawn(block) -> ProcessRef:
    """Start a process running the Inko block (a lambda) and return it."""
    call_block = _call_block[0]
    if call_block is None:
        from inko_mini import runtime

        call_block = _call_block[0] = runtime.call_block
    reject_captures(block)
    proc = Process()
    proc.task = scheduler.spawn(_process_body, proc, call_block, (block,))
    proc.task.data = proc
    return ProcessRef(proc)


def spawn_python(fn, *args) -> ProcessRef:
    """Start a process running a Python callable (used by tests and tools)."""
    proc = Process()
    proc.task = scheduler.spawn(_process_body, proc, fn, args)
    proc.task.data = proc
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
    try:
        return _stack_runner(proc)(fn, *args)
    except PanicSignal as signal:
        _panicked(signal, proc)
    except ThrowSignal as thrown:
        try:
            _run_deferred_of(thrown)
        except PanicSignal as signal:
            _panicked(signal, proc)
            return None
        _panicked(
            PanicSignal(f"A thrown value reached the top-level in process {proc.identifier}"), proc
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
        proc.waiting = False
        proc.external = proc.internal = None


def _run_deferred_of(thrown) -> None:
    try:
        from inko_mini.runtime.deferred import run_pending_of
    except ImportError:
        return
    run_pending_of(thrown)


def _panic_at(exc: BaseException, message: str) -> PanicSignal:
    """A panic whose trace is where the evaluator raised `exc`."""
    signal = PanicSignal(message)
    try:
        from inko_mini.runtime.panics import traceback_frames

        signal.frames = traceback_frames(exc)
    except ImportError:
        pass
    return signal


def _stack_runner(proc: Process):
    """The main process runs inside one big CPython frame-stack chunk (see
    runtime.calls.run_with_big_stack): deep Inko recursion then stops
    mapping and unmapping stack chunks on every call. Other processes keep
    the default: a chunk each would cost memory per waiting process."""
    if proc.is_main:
        try:
            from inko_mini.runtime import calls
        except ImportError:
            return _call
        return calls.run_with_big_stack
    return _call


def _call(fn, *args):
    return fn(*args)


def _panicked(signal: PanicSignal, proc: Process) -> None:
    from inko_mini import runtime

    handle = getattr(runtime, "handle_panic", None)
    if handle is None:
        status = _default_panic_report(signal, proc)
    else:
        while True:
            try:
                status = handle(signal, proc)
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
    try:
        from inko_mini.runtime import panics

        panics.write_report(panics.signal_frames(signal), proc.identifier, signal.message)
    except (ImportError, AttributeError):
        sys.stdout.flush()
        sys.stderr.write(f"Process {proc.identifier} panicked: {signal.message}\n")
        sys.stderr.flush()
    return 1


class _FallbackExit(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


def _exit_class():
    from inko_mini import runtime

    return getattr(runtime, "ExitProgram", _FallbackExit)


def _exit_program(status: int):
    return _exit_class()(status)


def _exit_status(exc) -> int:
    status = getattr(exc, "status", None)
    if status is None and exc.args:
        status = exc.args[0]
    return int(status or 0)


def _flush_output() -> None:
    io = sys.modules.get("inko_mini.builtins.io")
    flush_all = getattr(io, "flush_all", None)
    if flush_all is not None:
        flush_all()
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        pass


def run_main(fn, *args) -> int:
    """Run `fn` (the main module body) as the main process; return the exit
    status of the program (§1.2, §1.4)."""
    exit_types = (_exit_class(), _FallbackExit)
    main = Process(is_main=True)
    sched = Scheduler()

    def body():
        main.task = scheduler.current()
        main.task.data = main
        return _process_body(main, fn, args)

    try:
        sched.run(body)
        status = 0
    except exit_types as exc:
        status = _exit_status(exc)
    except DeadlockError:
        _flush_output()
        sys.stderr.write(DEADLOCK_MESSAGE + "\n")
        status = 1
    except KeyboardInterrupt:
        status = 130
    _flush_output()
    return status


# -- the spawn capture check ------------------------------------------------
# A `process.spawn { ... }` block runs as a lambda in another process
# (LANGUAGE.md §3.6): it captures nothing, so a local of the enclosing scope
# would either be undefined there or, worse, memory shared between
# processes. The original compiler rejected such programs; so do we, before
# running anything, naming the variable and its position.


class SpawnCaptureError(Exception):
    def __init__(self, name: str, span: ast.Span) -> None:
        self.name = name
        self.span = span
        self.message = (
            f'the block passed to process.spawn can not use the local variable "{name}" '
            "of its surroundings: a process shares no memory, so send the value to "
            "the new process as a message instead"
        )
        super().__init__(self.message)

    def render(self) -> str:
        return f"{self.span.file}:{self.span.line}:{self.span.column}: error: {self.message}"


class _Scope:
    __slots__ = ("names", "parent", "forbidden")

    def __init__(self, parent=None, forbidden=frozenset()):
        self.names: set = set()
        # None for a scope that sees no outer locals (method, lambda, object body).
        self.parent = parent
        # Locals of the surroundings of a spawned block, not visible inside it.
        self.forbidden = forbidden

    def resolves(self, name: str) -> bool:
        scope = self
        while scope is not None:
            if name in scope.names:
                return True
            scope = scope.parent
        return False

    def visible(self) -> set:
        out: set = set()
        scope = self
        while scope is not None:
            out |= scope.names
            scope = scope.parent
        return out

    def root_forbidden(self):
        scope = self
        while scope.parent is not None:
            scope = scope.parent
        return scope.forbidden


def _is_spawn(node: ast.Send) -> bool:
    return (
        node.name == "spawn"
        and isinstance(node.receiver, ast.Identifier)
        and node.receiver.name == "process"
        and bool(node.args)
        and isinstance(node.args[-1], ast.BlockLit)
        and node.args[-1].kind in ("brace", "lambda")
    )


class _Checker:
    def module(self, module: ast.Module) -> None:
        scope = _Scope()
        for node in module.body:
            self.visit(node, scope)

    def body(self, nodes, scope) -> None:
        for node in nodes or ():
            self.visit(node, scope)

    def use(self, name: str, span, scope: _Scope) -> None:
        if not scope.resolves(name) and name in scope.root_forbidden():
            raise SpawnCaptureError(name, span)

    def visit(self, node, scope: _Scope) -> None:
        if isinstance(node, ast.Identifier):
            self.use(node.name, node.span, scope)
        elif isinstance(node, ast.AssignLocal):
            self.visit(node.value, scope)
            self.use(node.name, node.span, scope)
        elif isinstance(node, ast.LetLocal):
            self.visit(node.value, scope)
            scope.names.add(node.name)
        elif isinstance(node, ast.Send) and _is_spawn(node):
            self.visit(node.receiver, scope)
            for arg in node.args[:-1]:
                self.visit(arg, scope)
            for _, value in node.kwargs:
                self.visit(value, scope)
            forbidden = scope.visible() | scope.root_forbidden()
            self.block(node.args[-1], _Scope(None, frozenset(forbidden)))
        elif isinstance(node, ast.BlockLit):
            if node.kind == "lambda":
                self.block(node, _Scope(None, scope.root_forbidden()))
            else:
                self.block(node, _Scope(scope))
        elif isinstance(node, ast.MethodDef):
            if node.body is not None:
                inner = _Scope()
                self.params(node.params, inner)
                self.body(node.body, inner)
        elif isinstance(node, (ast.ObjectDef, ast.TraitDef)):
            self.body(node.body, _Scope())
        elif isinstance(node, ast.ImplDef):
            self.visit(node.target, scope)
            self.body(node.body, _Scope())
        elif isinstance(node, ast.Try):
            self.visit(node.expr, scope)
            if node.else_body is not None:
                inner = _Scope(scope)
                if node.else_name:
                    inner.names.add(node.else_name)
                self.body(node.else_body, inner)
        elif isinstance(node, ast.HashLit):
            for key, value in node.pairs:
                self.visit(key, scope)
                self.visit(value, scope)
        elif isinstance(node, ast.Send):
            if node.receiver is not None:
                self.visit(node.receiver, scope)
            for arg in node.args:
                self.visit(arg, scope)
            for _, value in node.kwargs:
                self.visit(value, scope)
        elif isinstance(node, ast.Node):
            for f in dataclasses.fields(node):
                if f.name == "span":
                    continue
                value = getattr(node, f.name)
                if isinstance(value, ast.Node):
                    self.visit(value, scope)
                elif isinstance(value, list):
                    for item in value:
                        if isinstance(item, ast.Node):
                            self.visit(item, scope)

    def params(self, params, scope: _Scope) -> None:
        for param in params:
            if param.default is not None:
                self.visit(param.default, scope)
            scope.names.add(param.name)

    def block(self, block: ast.BlockLit, scope: _Scope) -> None:
        self.params(block.params, scope)
        self.body(block.body, scope)


def check_spawn_captures(module: ast.Module) -> None:
    """Raise SpawnCaptureError for the first spawned block (in source order)
    that uses a local variable of its surroundings."""
    _Checker().module(module)


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
    "rust_float",
    "check_spawn_captures",
    "SpawnCaptureError",
]
