"""A clock for tests: time moves only when told to, or (autojump) when the
hub would otherwise sleep, so timer tests run instantly."""

from __future__ import annotations


class FakeClock:
    def __init__(self, start: float = 1000.0, autojump: bool = True) -> None:
        self.time = start
        self.autojump = autojump

    def __call__(self) -> float:
        return self.time

    def advance(self, seconds: float) -> None:
        self.time += seconds
