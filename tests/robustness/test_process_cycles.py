"""Processes that end, by returning or through process.terminate, give their
memory back: resident memory stays flat over many spawn cycles.

bench/soak.py runs 1,000,000 spawn+exit and 100,000 spawn+terminate cycles;
here 20,000 of each (a terminated process used to stay referenced for ever:
40,000 of them grew RSS to 345 MB)."""

from __future__ import annotations

import os

import pytest
from process_cycles import cycle

pytestmark = pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs /proc")


@pytest.mark.parametrize("mode", ["exit", "terminate"])
def test_memory_is_flat_over_spawn_cycles(mode):
    samples = cycle(mode, rounds=10, per_round=2_000)
    # The first round sets up what stays (compiled code, allocator arenas);
    # from the second on, memory must stay within 10 % of it.
    baseline = samples[1]
    assert max(samples[1:]) <= baseline * 1.10, samples
