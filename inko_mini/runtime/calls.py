"""Running blocks: argument binding (LANGUAGE.md §3.8), sends from Python,
and the unknown-message fallback.

A frame is a Python list `[parent, self, return_target, *locals]`:
`parent` is the frame a closure captured (so captured locals are reached by
walking parents a statically known number of times), `return_target` is the
method or lambda frame a `return` unwinds to.
"""

from __future__ import annotations

# The C module under `signal`: importing signal.py (its enums) costs half a
# millisecond of every start, and these calls need none of its wrappers.
import _signal as signal
import atexit
import os
import threading
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

from inko_mini.errors import PanicSignal
from inko_mini.runtime.hints import note_unknown_message
from inko_mini.runtime.objects import (
    FAST,
    MISSING,
    NATIVE_PROTOS,
    VERSION,
    Block,
    InkoObject,
    holder,
    lookup_from,
)
from inko_mini.runtime.signals import ReturnSignal

FRAME_HEADER = 3  # parent, self, return target


class _OwnFrame:
    """The return target of a method or lambda frame: the frame itself.
    (Storing the frame in itself would make every frame a reference cycle
    that only the cyclic garbage collector can free.)"""

    __slots__ = ()

    def __repr__(self):
        return "<own frame>"


OWN = _OwnFrame()


def closure_target(parent):
    """The return target of a closure created in frame `parent`."""
    if parent is None:
        return None
    target = parent[2]
    return parent if target is OWN else target


class ParamInfo:
    __slots__ = ("name", "default", "rest", "lambda_type")

    def __init__(self, name, default=None, rest=False, lambda_type=False):
        self.name = name
        self.default = default  # compiled fn(frame) or None
        self.rest = rest
        self.lambda_type = lambda_type


class Code:
    """The compiled, immutable part of a block."""

    __slots__ = (
        "name",
        "file",
        "line",
        "kind",
        "params",
        "nparams",
        "nrequired",
        "has_rest",
        "simple",
        "pad",
        "body",
        "nslots",
        "ctx",
        "index",
        "lambda_params",
        "_as_lambda",
        "native",
        "body_line",
        "fast_arity",
        "defaults_from",
        "pads",
        "tail_defaults",
        "direct",
        "direct_trace",
        "direct_defaults",
    )

    def __init__(self, name, file, line, kind, params, ctx):
        self.name = name
        self.file = file
        self.line = line
        self.body_line = line  # of the first statement, for inlined calls' traces
        self.kind = kind  # 'method', 'closure', 'lambda', 'module', 'body'
        self.set_params(params)
        self.ctx = ctx
        self.body = None
        self.nslots = len(params)
        self.pad = ()
        self.simple = False
        # The argument count a send may bind inline (a method without
        # defaults, rest or lambda parameters), else -1.
        self.fast_arity = -1
        # Sends of at least `defaults_from` arguments to a method whose
        # trailing parameters have defaults bind inline too: the frame is
        # `[.., *args, *pads[n]]`, then `tail_defaults[n]` fills the rest.
        self.defaults_from = 1 << 30
        # For a method that only forwards to a primitive: fn(self, *args).
        self.direct = None
        self.direct_trace = None
        # With `direct` and literal defaults: n -> the values of the
        # parameters a send of n arguments leaves out.
        self.direct_defaults = None
        self.pads = {}
        self.tail_defaults = {}
        self._as_lambda = None
        # For methods written in Python: fn(self, args, kwargs) -> value.
        self.native = None

    # A CgCode (runtime/cgframes.py): its body is one generated function.
    generated = False

    # The argument count `block.call(...)` may pass straight to the
    # generated function of a closure (runtime/cgframes.CgCode), else -1.
    call_arity = -1

    def set_params(self, params):
        """The parameters (ParamInfo) and what binding reads of them."""
        self.params = params
        self.nparams = len(params)
        if not params:
            # Most blocks (two in three of the library's): no generator
            # expressions to run, for a cheaper start (issue 12).
            self.has_rest = False
            self.nrequired = 0
            self.lambda_params = ()
            self.index = {}
            return
        # (one loop: generator expressions cost a start some 0.5 ms)
        has_rest = False
        nrequired = 0
        lambdas = []
        index = {}
        for i, p in enumerate(params):
            index[p.name] = i
            if p.rest:
                has_rest = True
            elif p.default is None:
                nrequired += 1
            if p.lambda_type:
                lambdas.append(i)
        self.has_rest = has_rest
        self.nrequired = nrequired
        self.lambda_params = tuple(lambdas)
        self.index = index

    def finish(self, body, nslots):
        self.body = body
        self.nslots = nslots
        self.pad = (None,) * (nslots - self.nparams)
        self.simple = (
            not self.has_rest and self.nrequired == self.nparams and not self.lambda_params
        )
        # All arguments given positionally bind directly even when some
        # parameters have defaults.
        self.fast_arity = (
            self.nparams
            if self.kind == "method" and not self.has_rest and not self.lambda_params
            else -1
        )
        params = self.params
        if (
            self.kind == "method"
            and not self.has_rest
            and not self.lambda_params
            and self.nrequired < self.nparams
            and all(p.default is not None for p in params[self.nrequired :])
        ):
            self.defaults_from = self.nrequired
            for n in range(self.nrequired, self.nparams):
                self.pads[n] = (None,) * (nslots - n)
                self.tail_defaults[n] = tuple(
                    (3 + i, params[i].default) for i in range(n, self.nparams)
                )

    def as_lambda(self):
        if self._as_lambda is None:
            # An inferred lambda keeps its name (`<block>`) in traces and
            # CallFrame#name (LANGUAGE.md §3.6, CHANGES.md 2026-12-04).
            c = Code(self.name, self.file, self.line, "lambda", self.params, self.ctx)
            c.finish(self.body, self.nslots)
            self._as_lambda = c
        return self._as_lambda


def arity_panic(name, code, given):
    total = code.nparams  # the rest parameter counts (LANGUAGE.md §3.8)
    n = f"{total}+" if code.has_rest else str(total)
    sig = PanicSignal(f"{name} takes {n} arguments but {given} were supplied")
    sig.hint = ("arity", name, code)  # runtime/hints.py
    return sig


class _NoCaptures(list):
    """The parent frame of a brace block made a lambda by inference: a
    lambda captures nothing, so reaching for an outer local panics."""

    __slots__ = ()

    def __getitem__(self, index):
        raise PanicSignal("A lambda can not use the local variables of the scope it is defined in")

    def __setitem__(self, index, value):
        self[index]


NO_CAPTURES = _NoCaptures()


def self_for(block, receiver):
    """`self` for running `block` as the method of a send to `receiver`."""
    return receiver if block.code.kind == "method" else block.receiver


def make_frame(block, self_, args, kwargs=None, name=None):  # noqa: C901 (hot path: LANGUAGE.md §3.8 binding rules inline)
    """Bind arguments (positional, then keywords by name, then defaults)."""
    code = block.code
    params = code.params
    nargs = len(args)
    if kwargs is None and code.simple:
        if nargs != code.nparams:
            raise arity_panic(name or code.name, code, nargs)
        f = [block.parent, self_, None, *args, *code.pad]
    else:
        given = nargs + (len(kwargs) if kwargs else 0)
        total = code.nparams
        if given < code.nrequired or (not code.has_rest and given > total):
            raise arity_panic(name or code.name, code, given)
        f = [block.parent, self_, None] + [MISSING] * code.nslots
        npos = total - 1 if code.has_rest else total
        for i in range(min(nargs, npos)):
            f[3 + i] = args[i]
        if code.has_rest:
            f[3 + npos] = list(args[npos:])
        elif nargs > npos:
            raise arity_panic(name or code.name, code, given)
        if kwargs:
            index = code.index
            for key, value in kwargs.items():
                i = index.get(key)
                if i is not None:
                    f[3 + i] = value
        for i, p in enumerate(params):
            if f[3 + i] is MISSING:
                if p.default is not None:
                    f[3 + i] = p.default(f)
                elif p.rest:
                    f[3 + i] = []
                else:
                    sig = PanicSignal(
                        f'{name or code.name} requires the argument "{p.name}", '
                        f"but it was not supplied"
                    )
                    sig.hint = ("arity", name or code.name, code)  # runtime/hints.py
                    raise sig
        for i in range(3 + code.nparams, len(f)):
            f[i] = None
        for i in code.lambda_params:
            v = f[3 + i]
            if type(v) is Block and v.literal and v.code.kind == "closure":
                f[3 + i] = Block(v.code.as_lambda(), NO_CAPTURES, v.code.ctx.module)
    if code.kind == "closure":
        parent = block.parent
        f[2] = closure_target(parent)
    else:
        f[2] = OWN
    return f


def run_frame(_code, f):
    """Run a compiled body in a frame; catches `return`s aimed at it."""
    try:
        return _code.body(f)
    except ReturnSignal as sig:
        if sig.target is f:
            return sig.value
        raise


def call_block(block, args=(), kwargs=None, receiver=MISSING, name=None):
    """Run any Block from Python with Inko argument binding."""
    if type(block) is not Block:
        raise PanicSignal("ObjectValue::as_block() called on a non block object")
    _code = block.code
    kind = _code.kind
    self_ = block.receiver if receiver is MISSING or kind != "method" else receiver
    if _code.native is not None:
        return _code.native(self_, list(args), kwargs)
    if kwargs is None and _code.simple and len(args) == _code.nparams:
        parent = block.parent
        f = [parent, self_, None, *args, *_code.pad]
        if kind == "closure":
            f[2] = closure_target(parent)
        else:
            f[2] = OWN
    else:
        f = make_frame(block, self_, args, kwargs, name)
    # The tail of runtime/sends.py's run_call, written again on purpose: a
    # call to it would add a second Python frame holding `_code`, which
    # runtime/panics.py would show as a second Inko frame.
    if _flags["_P"]:
        out_of_reductions()
    try:
        return _code.body(f)
    except ReturnSignal as sig:
        if sig.target is f:
            return sig.value
        raise


def block_caller(block, nargs):
    """A Python function running `block` with `nargs` positional arguments,
    for primitives that call one block many times (Array#each & co.): a
    closure of that arity gets its frame bound inline, anything else goes
    through call_block."""
    code = block.code if type(block) is Block else None
    if (
        code is None
        or code.native is not None
        or code.kind != "closure"
        or not code.simple
        or code.nparams != nargs
        or nargs > 2
    ):

        def slow(*args):
            return call_block(block, args)

        return slow
    parent, self_, body, pad = block.parent, block.receiver, code.body, code.pad
    flags = _flags
    if code.generated and code.plain:
        return _generated_caller(parent[0], nargs)
    # A `return` in a closure unwinds to its method's frame, never to the
    # closure's own: no ReturnSignal needs catching here.
    target = closure_target(parent)
    _code = code
    if nargs == 1:

        def run1(x):
            if False:
                _code  # noqa: B018 (a free variable: traces read it)
            if flags["_P"]:
                out_of_reductions()
            return body([parent, self_, target, x, *pad])

        return run1
    if nargs == 2:

        def run2(x, y):
            if False:
                _code  # noqa: B018
            if flags["_P"]:
                out_of_reductions()
            return body([parent, self_, target, x, y, *pad])

        return run2

    def run0():
        if False:
            _code  # noqa: B018
        if flags["_P"]:
            out_of_reductions()
        return body([parent, self_, target, *pad])

    return run0


def _generated_caller(fn, nargs):
    """block_caller for a generated closure: its function itself, without a
    frame list; its own Python frame is the block's frame in traces."""
    flags = _flags
    if nargs == 1:

        def run_fn1(x):
            if flags["_P"]:
                out_of_reductions()
            return fn(x)

        return run_fn1
    if nargs == 2:

        def run_fn2(x, y):
            if flags["_P"]:
                out_of_reductions()
            return fn(x, y)

        return run_fn2

    def run_fn0():
        if flags["_P"]:
            out_of_reductions()
        return fn()

    return run_fn0


def block_function(block, nargs):
    """(fn, checks): a Python function running `block` with `nargs`
    positional arguments, and whether it tests the preemption flag itself.
    For a generated closure that is its own function (one Python call per
    run); a primitive calling it in a loop then tests the flag itself:
    `if FAST["_P"]: out_of_reductions()`."""
    code = block.code if type(block) is Block else None
    if (
        code is not None
        and code.generated
        and code.plain
        and code.kind == "closure"
        and code.simple
        and code.nparams == nargs
    ):
        return block.parent[0], False
    return block_caller(block, nargs), True


def _true_block():
    if not _TRUE_BLOCK:
        _TRUE_BLOCK.append(native_method("<block>", lambda s, a, k: True))
    return _TRUE_BLOCK[0]


_TRUE_BLOCK: list = []


def truth(value) -> bool:
    """Whether a loop condition that is not True, False or Nil holds: an
    object may be falsy by its own `if_false` (std::conditional)."""
    if type(value) is not InkoObject:
        return True
    m = find_method(value, "if_false")
    if type(m) is not Block:
        return True
    return call_block(m, (_true_block(),), None, value) is not True


def _with_stack(fn, *args):
    return fn(*args)


def _stack_runner(slots):
    """A trampoline whose own frame reserves `slots` words of CPython's
    frame stack. CPython 3.11 keeps frames in 16 KiB chunks that it maps and
    unmaps as the stack grows and shrinks, so recursion going back and forth
    over a chunk boundary costs an mmap/munmap pair per call (measured: up
    to 40% of a recursive program's time). Everything called from inside
    the trampoline fits in its one big chunk instead."""
    runner = _with_stack.__code__.replace(co_stacksize=slots)
    return type(_with_stack)(runner, _with_stack.__globals__, "run_with_stack")


run_with_big_stack = _stack_runner(1 << 17)  # 1 MiB, for the main process


def find_method(receiver, name):
    t = type(receiver)
    if t is InkoObject:
        m = receiver.attrs.get(name, MISSING)
        if m is not MISSING:
            return m
        return lookup_from(receiver.proto, name)
    return lookup_from(holder(receiver), name)


def send(receiver, name, *args, kwargs=None):
    """A dynamic message send from Python."""
    m = find_method(receiver, name)
    if m is MISSING:
        return unknown_message(receiver, name, args)
    return call_block(m, args, kwargs, receiver)


def unknown_message(receiver, name, args):
    hook = find_method(receiver, "unknown_message")
    if type(hook) is Block:
        if hook.code.has_rest and hook.code.nparams == 2:
            # `unknown_message(name, *arguments)`: the rest parameter holds
            # the arguments (0.4.0 nested them in one more Array: a quirk).
            return call_block(hook, (name, *args), None, receiver)
        return call_block(hook, (name, list(args)), None, receiver)
    sig = PanicSignal("ObjectValue::as_block() called on a non block object")
    sig.frames = None
    note_unknown_message(sig, receiver, name)
    raise sig


def native_method(name, fn, nparams=0):
    """A method implemented in Python: fn(self, args, kwargs)."""
    code = Code(name, "<builtin>", 0, "method", [], None)
    code.finish(None, 0)
    code.simple = False
    code.fast_arity = -1
    code.native = fn
    return Block(code)


def reductions_from_env() -> int:
    """INKO_REDUCTIONS (DESIGN.md decision 5): how many calls and loop
    iterations a process makes before it lets the others run. As in Inko
    0.4.0, a value that does not parse, or is not positive, is ignored."""
    try:
        value = int(os.environ.get("INKO_REDUCTIONS", "1000"))
    except ValueError:
        return 1000
    return value if value > 0 else 1000


# Preemption (DESIGN.md decision 5). Generated code tests one flag, the
# global `_P` of its namespace (objects.FAST), at every method entry and loop
# back-edge: `if _P: _oor()`. A one-shot interval timer (SIGALRM, or a
# thread where no signal handler can be installed) sets the flag about every
# `SLICE` seconds of a running program; out_of_reductions clears it, re-arms
# the timer and lets the scheduler run others. Testing a flag costs about a
# tenth of what counting costs (a list item decremented and compared at every
# call), and a busy loop still yields within about a millisecond. Calls from
# Python (call_block, block_caller, SendSite.invoke) still count
# reductions as well: every `_limit` of them (INKO_REDUCTIONS) preempt too.
SLICE = 0.001
_budget = [1000]
_preempt = [None]
_limit = [1000]
_flags = FAST
_flags["_P"] = False
_timer: list = [None]  # how to arm the next tick: fn() or None
_turn: list = [lambda: 0]  # the scheduler's turn(): changes at every switch
_last_turn = [-1]
_turn_cpu = [0.0]  # the CPU time when a tick first saw the current turn
_cpu_time = time.process_time


def configure_reductions(limit, preempt, turn=None):
    _limit[0] = limit
    _budget[0] = limit
    _preempt[0] = preempt
    if turn is not None:
        _turn[0] = turn
    if preempt is not None and _timer[0] is None:
        _timer[0] = _start_ticks()
        _timer[0]()


def _tick(signum=None, frame=None):
    _flags["_P"] = True


def _start_ticks():
    """Install the tick and return the function that arms it once."""
    try:
        signal.signal(signal.SIGALRM, _tick)
    except (ValueError, OSError, AttributeError):
        # Not the main thread (or no SIGALRM): a thread ticks instead.
        return _thread_ticks()
    setitimer = signal.setitimer
    which = signal.ITIMER_REAL

    def arm():
        setitimer(which, SLICE)

    # A tick due while Python shuts down (and puts back SIGALRM's default
    # action, which ends the process) must not come.
    atexit.register(setitimer, which, 0)
    return arm


def _thread_ticks():
    wanted = threading.Event()

    def run():
        while True:
            wanted.wait()
            wanted.clear()
            time.sleep(SLICE)
            _flags["_P"] = True

    threading.Thread(target=run, name="inko-preempt", daemon=True).start()
    return wanted.set


def uncharged(work: Callable[[], Any]) -> Any:
    """`work()`, with its CPU time left out of the running turn's slice.

    For the one-off work inko-mini does lazily on a program's behalf (the
    first trace indexes every generated frame, a cached brace block is first
    built as a lambda): the VM never did such work, so it must not cut a
    process's turn short. Otherwise the first test of a std::test suite to
    fail could be preempted where the others are not, and tests that never
    wait would no longer report in registration order."""
    start = _cpu_time()
    try:
        return work()
    finally:
        _turn_cpu[0] += _cpu_time() - start


def count_reduction():
    _budget[0] -= 1
    if _budget[0] <= 0:
        out_of_reductions()


def out_of_reductions():
    _budget[0] = _limit[0]
    _flags["_P"] = False
    arm = _timer[0]
    if arm is not None:
        arm()
        # A tick only preempts a process that has used a whole slice of CPU
        # time since its turn was first seen by a tick: one switched in
        # since keeps going, so its turn is not cut short by a tick meant
        # for another, nor by the wall clock running on while the machine
        # is busy with other programs (which made the order of short
        # processes' output vary with the load).
        turn = _turn[0]()
        now = _cpu_time()
        if turn != _last_turn[0]:
            _last_turn[0] = turn
            _turn_cpu[0] = now
            return
        if now - _turn_cpu[0] < SLICE:
            return
    p = _preempt[0]
    if p is not None:
        p()


__all__ = [
    "Code",
    "ParamInfo",
    "make_frame",
    "call_block",
    "send",
    "find_method",
    "unknown_message",
    "run_frame",
    "NATIVE_PROTOS",
    "VERSION",
]
