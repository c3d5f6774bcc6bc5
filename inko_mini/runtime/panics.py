"""Inko stack traces and panic reports (STDLIB-CORE.md §1.3).

Nothing is recorded on the hot path. The Python frames of the evaluator
already hold what a trace needs: a frame that starts running an Inko block
has a local `_code` (the block's Code), and a send closure has a free
variable `_line` (the line of the call it is making). A trace is read from
those, either from the live stack or from the traceback of a PanicSignal,
whose frames stay alive after unwinding.
"""

from __future__ import annotations

import sys

from inko_mini.runtime.calls import call_block, uncharged
from inko_mini.runtime.cgframes import CG_FRAMES, PENDING_FRAMES, cg_entries, index_frames
from inko_mini.runtime.hints import write_hints
from inko_mini.runtime.objects import Block, lookup_from
from inko_mini.runtime.output import flush_all
from inko_mini.runtime.rustfmt import rust_debug_quote

Frame = tuple  # (file, line, name)


def _walk(pyframes, lastis: dict | None = None):
    """Inko frames from Python frames given innermost first; oldest first.
    `lastis`: for frames an exception unwound, the instruction it passed
    them at (a frame's own last instruction may be in a handler that ran
    and re-raised since, such as gen.py's adopting_body)."""
    out = []
    pending = None
    skip = None  # the Code of the generated frame just read (compile/codegen)
    if PENDING_FRAMES:
        uncharged(index_frames)
    for fr in pyframes:
        co = fr.f_code
        cg = CG_FRAMES.get(co)
        if cg is not None:
            # A generated function: its own line is the Inko line.
            out.extend(cg_entries(fr, cg, lastis.get(fr) if lastis else None))
            pending = None
            skip = cg
            continue
        names = co.co_varnames
        has_code = "_code" in names or "_code" in co.co_freevars
        has_line = "_line" in co.co_freevars or "_line" in names
        if "_inline" in names:
            # A block the compiler inlined into its caller (if bodies,
            # loops): while it runs, the local `_inline` says what frames
            # the call would have had.
            mark = fr.f_locals.get("_inline")
            if mark is not None:
                pending = _inline_frames(mark, pending, out)
            continue
        if not has_code and not has_line:
            continue
        loc = fr.f_locals
        if has_code:
            code = loc.get("_code")
            if skip is not None and code is not None and (code is skip or code.body is skip.body):
                # The runtime's call of the generated frame read above.
                skip = None
                continue
            if code is not None and hasattr(code, "kind"):
                out.append((code.file, pending if pending is not None else code.line, code.name))
                pending = None
        if has_line:
            line = loc.get("_line")
            if pending is None and type(line) is int:
                pending = line
    out.reverse()
    return out


def _inline_frames(mark, pending, out):
    """Add the `<block>` frame (and the frame of the library method that
    would have called it) for an inlined block; returns the line the
    caller's frame shows: that of the send."""
    file, block_line, frame_name, owner, name, send_line = mark
    out.append((file, pending if pending is not None else block_line, frame_name))
    if owner is not None:
        method = lookup_from(owner, name)
        code = getattr(method, "code", None) if type(method) is Block else None
        if code is not None and code.native is None:
            out.append((code.file, code.body_line, code.name))
    return send_line


def live_frames(skip=0):
    """The Inko stack of the running code, oldest first."""
    frames = []
    f = sys._getframe(skip + 1)
    while f is not None:
        frames.append(f)
        f = f.f_back
    return _walk(frames)


def traceback_frames(exc, catch_frame=None):
    """The Inko stack at the point `exc` was raised (it has unwound since)."""
    inner = []
    lastis = {}
    tb = exc.__traceback__
    while tb is not None:
        inner.append(tb.tb_frame)
        lastis[tb.tb_frame] = tb.tb_lasti
        tb = tb.tb_next
    inner.reverse()
    outer = []
    f = inner[-1].f_back if inner else catch_frame
    while f is not None:
        outer.append(f)
        f = f.f_back
    return _walk(inner + outer, lastis)


def signal_frames(sig):
    if getattr(sig, "frames", None) is None:
        try:
            sig.frames = traceback_frames(sig)
        except Exception:  # a trace is best effort; never hide the panic
            sig.frames = []
    return sig.frames


def _quote(text) -> str:
    return rust_debug_quote(str(text))


MAX_FRAMES = 200


def format_panic_report(frames, process_id, message) -> str:
    lines = ["Stack trace (the most recent call comes last):"]
    count = len(frames)
    for index, (file, line, name) in enumerate(frames):
        if count > MAX_FRAMES and 20 <= index < count - (MAX_FRAMES - 20):
            if index == 20:
                lines.append(f"  ... {count - MAX_FRAMES} frames omitted ...")
            continue
        if str(file).replace("\\", "/").endswith("std/vm.inko"):
            continue
        lines.append(f"  {index}: {_quote(file)}, line {line}, in {_quote(name)}")
    lines.append(f"Process {process_id} panicked: {message}")
    return "\n".join(lines)


# The global handler set by `vm.panicking`; None means the default report.
GLOBAL_HANDLER = [None]
# While a handler runs: the frames of the panic it handles, so that a
# stack trace taken inside the handler still shows where the panic happened.
PANIC_CONTEXT: list = []


def handle_panic(signal, process):
    """Run the handler chain of STDLIB-NET-PROCESS §1.5.

    Returns the exit status for the whole program, or None when only the
    panicking process ends."""
    # Reading the trace is our work, not the program's (calls.uncharged).
    frames = uncharged(lambda: signal_frames(signal))
    message = signal.message
    handler = getattr(process, "panic_handler", None)
    if handler is None:
        handler = GLOBAL_HANDLER[0]
    if handler is not None:
        PANIC_CONTEXT.append(frames)
        try:
            call_block(handler, [message])
        finally:
            PANIC_CONTEXT.pop()
        return None
    write_report(frames, getattr(process, "identifier", "0x0"), message, signal)
    return 1


def write_report(frames, identifier, message, signal=None):
    flush_all()
    report = format_panic_report(frames, identifier, message)
    err = sys.stderr
    err.write(report)
    err.flush()
    err.write("\n")
    err.flush()
    if signal is not None:
        write_hints(signal, frames)


def current_stacktrace():
    """Frames for std::debug: the panic's frames first inside a handler."""
    frames = live_frames(1)
    if PANIC_CONTEXT:
        return list(PANIC_CONTEXT[-1]) + frames
    return frames
