"""`std::process.defer` (LANGUAGE.md §3.12, STDLIB-NET-PROCESS.md §3).

Only blocks whose own body sends `defer` can own deferred blocks, and the
compiler knows which those are: it wraps just their bodies with
`deferring(body)`. Every other call pays nothing. The wrapper keeps the
frame's deferred blocks in its local `_deferred`, which `defer_to_caller`
finds by walking the Python stack up to the innermost wrapper: that is the
frame of the method or closure that sent `defer`.

When the wrapped body ends:
- it returns (normally or through a `return` unwinding it): run them;
- a panic or `vm.exit` passes: run them (before the panic handler, which
  runs once the process has unwound, or before the program ends);
- a throw passes: hand them to the throw; the `try ... else` that catches
  it gives them to its own frame (`adopt`), so they run when that returns.
Abandoned and terminated processes never reach the wrapper's handlers
(greenlet exits are BaseExceptions), so their deferred blocks do not run.
"""

from __future__ import annotations

import sys

from inko_mini.errors import PanicSignal, ThrowSignal
from inko_mini.runtime.calls import call_block
from inko_mini.runtime.panics import signal_frames
from inko_mini.runtime.signals import ExitProgram, ReturnSignal


def run_blocks(blocks) -> None:
    """Run deferred blocks, the most recently deferred first."""
    while blocks:
        call_block(blocks.pop(), ())


def deferring(body):
    """Wrap a compiled body whose frame may own deferred blocks."""

    def run_with_defer(f):
        _deferred = []
        try:
            result = body(f)
        except BaseException as exc:
            if _deferred:
                settle(_deferred, exc)
            raise
        if _deferred:
            run_blocks(_deferred)
        return result

    return run_with_defer


def settle(blocks: list, exc: BaseException) -> None:
    """What happens to a frame's deferred blocks when `exc` unwinds it: a
    return (to an enclosing method), a panic or `vm.exit` runs them; a throw
    takes them along to the frame that catches it; anything else (a process
    abandoned or terminated) drops them."""
    if isinstance(exc, ThrowSignal):
        pending = exc.__dict__.setdefault("deferred", [])
        pending[:0] = blocks
    elif isinstance(exc, PanicSignal):
        signal_frames(exc)  # the trace is where it panicked, not here
        run_blocks(blocks)
    elif isinstance(exc, (ReturnSignal, ExitProgram)):
        run_blocks(blocks)


_WRAPPER_CODE = deferring(None).__code__


def _owner_list(depth=2, frame=None):
    """The `_deferred` list of the innermost deferring frame, or None; with
    `frame`, only if that wrapper runs the Inko frame `frame`."""
    fr = sys._getframe(depth)
    while fr is not None:
        if fr.f_code is _WRAPPER_CODE:
            loc = fr.f_locals
            if frame is not None and loc.get("f") is not frame:
                return None
            return loc.get("_deferred")
        fr = fr.f_back
    return None


def defer_to_caller(block) -> None:
    """Give `block` to the frame that sent `defer`, to run when it returns."""
    owner = _owner_list()
    if owner is None:
        # Only reachable when Python code sends `defer` itself: no Inko
        # frame owns the block, so it runs at once rather than never.
        run_blocks([block])
        return None
    owner.append(block)
    return None


def adopt(sig, f) -> None:
    """A `try ... else` running in Inko frame `f` caught `sig`: `f` takes
    over the deferred blocks of the frames the throw unwound (they run now
    when `f` cannot own deferred blocks, i.e. its body never sends `defer`)."""
    pending = sig.__dict__.pop("deferred", None)
    if not pending:
        return
    owner = _owner_list(2, f)
    if owner is None:
        run_blocks(pending)
    else:
        owner[:0] = pending


def adopt_local(sig, blocks: list | None) -> list | None:
    """`adopt` for a frame whose body never sends `defer` (gen.py
    `adopting_body`): the blocks go to the list the frame keeps in a local
    of its own, created at the first throw that brings any, so a frame that
    catches nothing of the sort pays nothing. Returns the frame's list."""
    pending = sig.__dict__.pop("deferred", None)
    if not pending:
        return blocks
    if blocks is None:
        return pending
    blocks[:0] = pending
    return blocks


def run_pending_of(sig) -> None:
    """A throw that becomes a panic (`try!`, the top of a process): run the
    deferred blocks it carries first."""
    pending = sig.__dict__.pop("deferred", None) if hasattr(sig, "__dict__") else None
    if pending:
        run_blocks(pending)
