"""The timer heap. Cancelled entries stay in the heap (cheap cancel) and are
skipped when they surface; the heap is rebuilt when they pile up."""

from __future__ import annotations

import heapq
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .task import Task


class Timers:
    __slots__ = ("_heap", "_seq", "live")

    def __init__(self) -> None:
        # Entries are [deadline, sequence number, task or None once cancelled].
        self._heap: list[list[Any]] = []
        self._seq = 0
        self.live = 0

    def add(self, deadline: float, task: Task) -> list[Any]:
        self._seq += 1
        entry = [deadline, self._seq, task]
        heapq.heappush(self._heap, entry)
        self.live += 1
        return entry

    def cancel(self, entry: list[Any]) -> None:
        if entry[2] is not None:
            entry[2] = None
            self.live -= 1
            # Receives that get their message before the timeout leave dead
            # entries behind; keep the heap proportional to the live ones.
            if len(self._heap) > 64 and len(self._heap) > 4 * self.live:
                self._heap = [e for e in self._heap if e[2] is not None]
                heapq.heapify(self._heap)

    def next_deadline(self) -> float | None:
        heap = self._heap
        while heap and heap[0][2] is None:
            heapq.heappop(heap)
        if not heap:
            return None
        deadline: float = heap[0][0]
        return deadline

    def pop_expired(self, now: float) -> list[Task]:
        """Remove and return the tasks whose deadline is at or before `now`."""
        heap = self._heap
        tasks = []
        while heap and heap[0][0] <= now:
            entry = heapq.heappop(heap)
            task = entry[2]
            if task is not None:
                entry[2] = None
                self.live -= 1
                tasks.append(task)
        return tasks
