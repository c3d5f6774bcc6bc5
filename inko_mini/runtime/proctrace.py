"""`inko-mini run --trace-processes`: spawns, exits and panics of processes on
stderr, and where each process of a deadlock waits.

The CLI sets INKO_MINI_TRACE_PROCESSES=1; processes.py asks `ENABLED` before
calling anything here, so a program run without the option pays one
attribute test per spawn. Lines start with `[process]` so they are easy to
tell from the program's own output and to grep:

    [process] 0x7f.. (main) started
    [process] 0x7f.. spawned by 0x7f.. at "server.inko", line 12
    [process] 0x7f.. panicked: Division by zero
    [process] 0x7f.. exited
"""

from __future__ import annotations

import os
import sys
from typing import Any

from inko_mini.runtime.panics import _walk, live_frames

ENV = "INKO_MINI_TRACE_PROCESSES"
ENABLED = os.environ.get(ENV, "").strip() not in ("", "0")


def _stdlib_dirs() -> tuple[str, ...]:
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    root = os.path.dirname(here)
    return tuple(
        os.path.join(base, "stdlib") + os.sep
        for base in (here, root)
        if os.path.isdir(os.path.join(base, "stdlib"))
    )


_STDLIB: list[tuple[str, ...]] = []  # filled on first use (keeps start-up cheap)


def _in_stdlib(file: str) -> bool:
    if not _STDLIB:
        _STDLIB.append(_stdlib_dirs())
    return any(str(file).startswith(d) for d in _STDLIB[0])


def user_frame(frames: list) -> tuple | None:
    """The innermost frame of the program itself (not of the library)."""
    for frame in reversed(frames):
        if not _in_stdlib(frame[0]):
            return frame
    return frames[-1] if frames else None


def _where(frame: tuple | None) -> str:
    if frame is None:
        return "an unknown line"
    file, line, name = frame
    return f'"{file}", line {line}, in {name}'


def _write(text: str) -> None:
    try:
        out = sys.stdout
        if out is not None:
            out.flush()
        sys.stderr.write(f"[process] {text}\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def started(proc: Any) -> None:
    _write(f"{proc.identifier} (main) started")


def spawned(proc: Any, parent: Any) -> None:
    try:
        where = _where(user_frame(live_frames(1)))
    except Exception:
        where = "an unknown line"
    by = f" by {parent.identifier}" if parent is not None else ""
    _write(f"{proc.identifier} spawned{by} at {where}")


def panicked(proc: Any, message: str) -> None:
    _write(f"{proc.identifier} panicked: {message}")


def exited(proc: Any) -> None:
    _write(f"{proc.identifier} exited")


def waiting_lines(tasks: Any) -> list[str]:
    """For a deadlock report: where each process that is still waiting waits."""
    lines = []
    for task in tasks or ():
        proc = getattr(task, "data", None)
        if proc is None or getattr(proc, "finished", False):
            continue
        frame = getattr(getattr(task, "greenlet", None), "gr_frame", None)
        pyframes = []
        while frame is not None:
            pyframes.append(frame)
            frame = frame.f_back
        try:
            inko = _walk(pyframes)
        except Exception:
            inko = []
        if not inko:
            continue
        label = " (main)" if getattr(proc, "is_main", False) else ""
        where = _where(user_frame(inko))
        inner = inko[-1][2]
        waits = f"waits in {inner} at" if user_frame(inko) != inko[-1] else "waits at"
        lines.append(f"inko-mini:   process {proc.identifier}{label} {waits} {where}")
    lines.sort(key=lambda text: "(main)" not in text)
    return lines
