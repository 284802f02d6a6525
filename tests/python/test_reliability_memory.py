"""Memory does not grow: training steps (eager and traced) at a small scale of
bench/memory_growth.py, and autograd graphs kept alive only by reference cycles through
Python objects are freed by the garbage collector."""

import gc
import os
import sys

import ember

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "bench"))
import memory_growth  # noqa: E402

MiB = 1 << 20


def test_training_steps_do_not_grow_resident_memory():
    for traced in (False, True):
        start, end, loss = memory_growth.measure(steps=1000, warmup=100, traced=traced)
        # 1000 steps: a leak of one small tensor (~300 B) per step would show as ~0.3 MiB.
        assert end - start < MiB // 5, (
            f"{'traced' if traced else 'eager'} training grew RSS by "
            f"{(end - start) / 1024:.0f} KiB over 1000 steps")
        assert loss == loss  # finite, not NaN


class Holder:
    pass


def _cycle_with_graph(n):
    """A Python-level reference cycle that owns tensors with autograd history (~n*4 bytes
    each, saved for backward)."""
    x = ember.randn(n, requires_grad=True)
    y = ember.tanh(x * 2)  # saves its output for backward
    h = Holder()
    h.loss = (y * y).sum()
    h.inputs = [x, y]
    h.me = h
    h.step = lambda: h.loss  # a closure that refers back to the holder
    return h


def test_graphs_in_python_reference_cycles_are_freed():
    gc.collect()
    base = memory_growth.rss_bytes()
    for _ in range(25):
        _cycle_with_graph(1 << 18)  # 1 MiB per tensor, 3+ per cycle: 75+ MiB if leaked
        gc.collect()
    grown = memory_growth.rss_bytes() - base
    assert grown < 24 * MiB, f"cycles holding autograd graphs leaked {grown / MiB:.0f} MiB"

