"""asyncio twins of the Inko process benchmarks: one task per process and an
asyncio.Queue per mailbox. Usage: twins_asyncio.py ping_pong|ring|spawn_wait N"""

from __future__ import annotations

import asyncio
import sys
import time


async def ping_pong(rounds: int) -> None:
    start = time.perf_counter()
    mine: asyncio.Queue = asyncio.Queue()
    pongs: asyncio.Queue = asyncio.Queue()

    async def pong():
        ping = await pongs.get()
        while True:
            ping.put_nowait(await pongs.get())

    task = asyncio.create_task(pong())
    pongs.put_nowait(mine)
    for i in range(rounds):
        pongs.put_nowait(i)
        await mine.get()
    print(time.perf_counter() - start)
    task.cancel()


async def ring(size: int, laps: int = 10) -> None:
    start = time.perf_counter()

    async def member(box):
        nxt = await box.get()
        while True:
            nxt.put_nowait(await box.get())

    mine: asyncio.Queue = asyncio.Queue()
    head = mine
    tasks = []
    for _ in range(size):
        box: asyncio.Queue = asyncio.Queue()
        tasks.append(asyncio.create_task(member(box)))
        box.put_nowait(head)
        head = box
    for lap in range(laps):
        head.put_nowait(lap)
        await mine.get()
    print(time.perf_counter() - start)
    for t in tasks:
        t.cancel()


async def spawn_wait(count: int) -> None:
    start = time.perf_counter()

    async def waiter(box):
        await box.get()

    tasks = [asyncio.create_task(waiter(asyncio.Queue())) for _ in range(count)]
    await asyncio.sleep(0)
    print(time.perf_counter() - start)
    sys.stdout.flush()
    # Leave the waiting tasks in place, as the Inko program does.
    import os

    os._exit(0)
    del tasks


if __name__ == "__main__":
    name, n = sys.argv[1], int(sys.argv[2])
    asyncio.run({"ping_pong": ping_pong, "ring": ring, "spawn_wait": spawn_wait}[name](n))
