"""Resident memory over a long training run: an MLP trained N steps eagerly, then N steps
through ember.function, reporting RSS at the start and end of each phase. A leak of even a
few bytes per step shows as growth; the target is at most 1% (docs/reliability.md).

    PYTHONPATH=python python3 bench/memory_growth.py            # 10,000 + 10,000 steps
    PYTHONPATH=python python3 bench/memory_growth.py --steps 500

Also importable: tests/python/test_reliability_memory.py runs `measure` at a small scale.
"""

import argparse
import gc
import os
import sys

import numpy as np

import ember


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def make_training(batch=32, features=16, hidden=64, seed=0):
    ember.manual_seed(seed)
    model = ember.nn.Sequential(ember.nn.Linear(features, hidden), ember.nn.ReLU(),
                                ember.nn.Linear(hidden, hidden), ember.nn.Tanh(),
                                ember.nn.Linear(hidden, 1))
    opt = ember.optim.Adam(model.parameters(), lr=1e-3)
    rng = np.random.default_rng(seed)
    x = ember.tensor(rng.standard_normal((batch, features)).astype(np.float32))
    y = ember.tensor(rng.standard_normal((batch, 1)).astype(np.float32))

    def step(x, y):
        opt.zero_grad()
        loss = ember.nn.functional.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        return loss

    return step, x, y


def measure(steps, warmup, traced):
    """(rss after warm-up, rss at the end, last loss) for `steps` training steps."""
    step, x, y = make_training()
    if traced:
        step = ember.function(step)
    for _ in range(warmup):
        step(x, y)
    gc.collect()
    start = rss_bytes()
    for _ in range(steps):
        loss = step(x, y)
    gc.collect()
    return start, rss_bytes(), float(loss.item())


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=10_000)
    p.add_argument("--warmup", type=int, default=200)
    args = p.parse_args(argv)
    worst = 0.0
    for mode in ("eager", "traced"):
        start, end, loss = measure(args.steps, args.warmup, mode == "traced")
        growth = (end - start) / start * 100
        worst = max(worst, growth)
        print(f"{mode:7s} {args.steps} steps: RSS {start / 2**20:.1f} MiB -> {end / 2**20:.1f} MiB "
              f"({growth:+.2f}%), final loss {loss:.4f}")
    print(f"worst growth {worst:+.2f}% (target <= 1%)")
    return 0 if worst <= 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
