"""gevent twins of the Inko process benchmarks (for reference): one greenlet
per process and a gevent Queue per mailbox.
Usage: twins_gevent.py ping_pong|ring|spawn_wait N"""

from __future__ import annotations

import os
import sys
import time

import gevent
from gevent.queue import Queue


def ping_pong(rounds: int) -> None:
    start = time.perf_counter()
    mine, pongs = Queue(), Queue()

    def pong():
        ping = pongs.get()
        while True:
            ping.put(pongs.get())

    gevent.spawn(pong)
    pongs.put(mine)
    for i in range(rounds):
        pongs.put(i)
        mine.get()
    print(time.perf_counter() - start)


def ring(size: int, laps: int = 10) -> None:
    start = time.perf_counter()

    def member(box):
        nxt = box.get()
        while True:
            nxt.put(box.get())

    mine = Queue()
    head = mine
    for _ in range(size):
        box = Queue()
        gevent.spawn(member, box)
        box.put(head)
        head = box
    for lap in range(laps):
        head.put(lap)
        mine.get()
    print(time.perf_counter() - start)


def spawn_wait(count: int) -> None:
    start = time.perf_counter()
    greenlets = [gevent.spawn(Queue().get) for _ in range(count)]
    gevent.sleep(0)
    print(time.perf_counter() - start)
    del greenlets


if __name__ == "__main__":
    name, n = sys.argv[1], int(sys.argv[2])
    {"ping_pong": ping_pong, "ring": ring, "spawn_wait": spawn_wait}[name](n)
    sys.stdout.flush()
    os._exit(0)
