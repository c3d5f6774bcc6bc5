"""The thread pool behind `run_in_thread`: daemon threads.

concurrent.futures.ThreadPoolExecutor joins its workers when the interpreter
exits, so a single call that never returns (open(2) on a FIFO nobody writes,
a read from a terminal) would keep the program alive after its main process
ended. An Inko program ends when its main process does (DESIGN.md §8), so
these workers are daemon threads that the exit simply abandons.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

_STOP = None


class DaemonPool:
    """At most `max_workers` daemon threads, started as work arrives."""

    def __init__(self, max_workers: int, thread_name_prefix: str = "blocking") -> None:
        self._max = max_workers
        self._prefix = thread_name_prefix
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._idle = threading.Semaphore(0)
        self._closed = False

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        if self._closed:
            raise RuntimeError("the pool was shut down")
        future: Future = Future()
        self._queue.put((future, fn, args))
        if not self._idle.acquire(blocking=False) and len(self._threads) < self._max:
            thread = threading.Thread(
                target=self._work, name=f"{self._prefix}_{len(self._threads)}", daemon=True
            )
            self._threads.append(thread)
            thread.start()
        return future

    def _work(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            future, fn, args = item
            if future.set_running_or_notify_cancel():
                try:
                    result = fn(*args)
                except BaseException as exc:  # handed to the waiting task
                    future.set_exception(exc)
                else:
                    future.set_result(result)
            del item, future, fn, args
            self._idle.release()

    def shutdown(self, wait: bool = False, cancel_futures: bool = True) -> None:
        """Stop taking work; cancel queued jobs; idle workers end, busy ones
        are abandoned (they end with their call, or with the program)."""
        self._closed = True
        if cancel_futures:
            while True:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is not _STOP:
                    item[0].cancel()
        for _ in self._threads:
            self._queue.put(_STOP)
        if wait:
            for thread in self._threads:
                thread.join()
