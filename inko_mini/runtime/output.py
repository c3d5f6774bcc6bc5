"""Flushing the program's standard streams: before a panic report, at exit,
and when a reader has gone away (then the rest is dropped quietly)."""

from __future__ import annotations

import atexit
import os
import sys
from typing import IO, Any


def flush_stream(stream: IO[Any] | None) -> None:
    if stream is None:
        return
    try:
        stream.flush()
    except (OSError, ValueError):
        pass


def flush_all() -> None:
    """Flush stdout and stderr, ignoring a reader that went away."""
    for stream in (sys.stdout, sys.stderr):
        if stream is None:
            continue
        try:
            stream.flush()
        except (OSError, ValueError):
            # A closed pipe: drop what is left so the interpreter's own
            # shutdown flush does not complain about it again.
            try:
                fd = stream.fileno()
                os.dup2(os.open(os.devnull, os.O_WRONLY), fd)
            except (OSError, ValueError):
                pass


atexit.register(flush_all)
