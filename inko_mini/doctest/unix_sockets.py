"""Keep Unix socket files from making a page fail on its second run.

Binding a Unix socket creates a file that outlives the program, and the
next bind to that path fails (the seed page tells readers to delete it by
hand). Before a block runs, a socket file at a path the block mentions is
removed only when nothing listens on it any more; after the block ends,
every socket file it created is removed.
"""

from __future__ import annotations

import errno
import os
import re
import socket
import stat
from pathlib import Path

# Inko string literals; a path a block binds is almost always one of them
_STRING_LITERAL = re.compile(r"'((?:[^'\\\n]|\\.)*)'|\"((?:[^\"\\\n]|\\.)*)\"")


def mentioned_paths(source: str, cwd: Path) -> set[str]:
    """Absolute paths of string literals that could name a socket file."""
    paths = set()
    for match in _STRING_LITERAL.finditer(source):
        text = match[1] if match[1] is not None else match[2]
        if not text or "\\" in text or "{" in text or "://" in text or " " in text:
            continue
        if "/" in text or text.endswith(".sock"):
            paths.add(os.path.normpath(os.path.join(cwd, text)))
    return paths


def is_socket_file(path: str) -> bool:
    try:
        return stat.S_ISSOCK(os.lstat(path).st_mode)
    except OSError:
        return False


def _is_listened_on(path: str) -> bool:
    for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM, socket.SOCK_SEQPACKET):
        probe = socket.socket(socket.AF_UNIX, kind)
        try:
            probe.settimeout(0.5)
            probe.connect(path)
            return True
        except OSError as error:
            # a socket of another type is bound there: try that type next
            if error.errno in (errno.EPROTOTYPE, errno.EPROTONOSUPPORT):
                continue
            # refused (or a full backlog): stale only when refused
            return error.errno != errno.ECONNREFUSED
        finally:
            probe.close()
    return False


def remove_stale(paths: set[str]) -> set[str]:
    """Remove dead socket files among `paths`; return those that were removed."""
    removed = set()
    for path in paths:
        if is_socket_file(path) and not _is_listened_on(path):
            try:
                os.unlink(path)
                removed.add(path)
            except OSError:
                pass
    return removed


def absent(paths: set[str]) -> set[str]:
    return {path for path in paths if not os.path.lexists(path)}


def remove_created(candidates: set[str], bound: set[str]) -> None:
    """Remove socket files a finished block created.

    `candidates` did not exist before the block ran; `bound` were seen bound
    by the block's processes (a bind creates the file, so they are its own).
    """
    for path in candidates | bound:
        if is_socket_file(path):
            try:
                os.unlink(path)
            except OSError:
                pass
