"""Readiness waits on file descriptors, behind a `selectors` selector.

At most one reader and one writer task per fd (as in curio); each wait is
one-shot: the fd is unregistered (or narrowed) as soon as it fires, so a
closed fd is never left in the epoll set.
"""

from __future__ import annotations

from typing import Protocol

from .task import BusyResourceError, Task

# selectors.EVENT_READ and EVENT_WRITE: selectors itself is imported by the
# first Poller, as most programs never wait on a descriptor (start-up speed).
READ = 1
WRITE = 2


class HasFileno(Protocol):
    def fileno(self) -> int: ...


def fileno(fd: int | HasFileno) -> int:
    return fd if isinstance(fd, int) else fd.fileno()


class Poller:
    def __init__(self) -> None:
        import selectors

        assert (selectors.EVENT_READ, selectors.EVENT_WRITE) == (READ, WRITE)
        self._selector = selectors.DefaultSelector()
        # fd -> [reader task or None, writer task or None]
        self._waiters: dict[int, list[Task | None]] = {}
        self._masks: dict[int, int] = {}
        self._wakeup_fd: int | None = None

    def __len__(self) -> int:
        """Number of fds some task waits on (the wake-up pipe excluded)."""
        return len(self._waiters)

    def add(self, fd: int, event: int, task: Task) -> None:
        slots = self._waiters.get(fd)
        if slots is None:
            slots = self._waiters[fd] = [None, None]
        index = 0 if event == READ else 1
        if slots[index] is not None:
            raise BusyResourceError(f"another task is already waiting on fd {fd}")
        slots[index] = task
        try:
            self._update(fd)
        except BaseException:
            # epoll refused the fd (a regular file, /dev/null: EPERM): the
            # task does not wait after all, so its slot must not stay taken.
            slots[index] = None
            if slots == [None, None]:
                del self._waiters[fd]
            raise

    def remove(self, fd: int, event: int, task: Task) -> None:
        slots = self._waiters.get(fd)
        if slots is None:
            return
        index = 0 if event == READ else 1
        if slots[index] is task:
            slots[index] = None
            self._update(fd)

    def take_all(self, fd: int) -> list[Task]:
        """Forget every waiter of `fd` (it is being closed) and return them."""
        slots = self._waiters.pop(fd, None)
        if slots is None:
            return []
        self._update(fd)
        return [t for t in slots if t is not None]

    def set_wakeup_fd(self, fd: int) -> None:
        self._wakeup_fd = fd
        self._selector.register(fd, READ)

    def poll(self, timeout: float | None) -> tuple[list[Task], bool]:
        """Wait up to `timeout` seconds (None: for ever); return the tasks
        whose fd is ready, and whether the wake-up fd fired."""
        ready: list[Task] = []
        woke = False
        for key, mask in self._selector.select(timeout):
            fd = key.fd
            if fd == self._wakeup_fd:
                woke = True
                continue
            slots = self._waiters.get(fd)
            if slots is None:
                continue
            if mask & READ and slots[0] is not None:
                ready.append(slots[0])
                slots[0] = None
            if mask & WRITE and slots[1] is not None:
                ready.append(slots[1])
                slots[1] = None
            self._update(fd)
        return ready, woke

    def _update(self, fd: int) -> None:
        slots = self._waiters.get(fd)
        mask = 0
        if slots is not None:
            mask = (READ if slots[0] is not None else 0) | (WRITE if slots[1] is not None else 0)
            if not mask:
                del self._waiters[fd]
        old = self._masks.get(fd, 0)
        if mask == old:
            return
        sel = self._selector
        if old and mask:
            try:
                sel.modify(fd, mask)
                self._masks[fd] = mask
                return
            except (KeyError, ValueError, OSError):
                pass
        if old:
            self._forget(fd)
        if mask:
            try:
                sel.register(fd, mask)
            except KeyError:
                # The fd was closed and reused without notify_closing: the
                # selector still maps the old registration.
                self._forget(fd)
                sel.register(fd, mask)
            self._masks[fd] = mask

    def _forget(self, fd: int) -> None:
        self._masks.pop(fd, None)
        try:
            self._selector.unregister(fd)
        except (KeyError, ValueError, OSError):
            pass

    def close(self) -> None:
        self._selector.close()
