"""Replays one training step many times, traced or eager, for profilers.

    PY=$(python3 -c 'import sys; print(sys.executable)')   # not a pyenv shim script
    for n in 100 300; do OMP_NUM_THREADS=1 OPENBLAS_CORETYPE=Haswell PYTHONPATH=python \
        valgrind --tool=callgrind --callgrind-out-file=cg_$n.out \
        $PY bench/profile_trace_step.py --size tiny --steps $n; done
    # instructions per step = (total of cg_300 - total of cg_100) / 200; the same
    # difference per function (callgrind_annotate) shows where a step's time goes.
    PYTHONPATH=python python3 bench/profile_trace_step.py --mode eager --size mlp

Sizes: tiny (16-32-32-4 Adam, batch 16), small (32-64-64-10 Adam, batch 32), mlp
(128-256-256-10 SGD momentum, batch 64). Prints the wall-clock time per step.
"""

import argparse
import time

import numpy as np

import ember
from ember import nn, optim

SIZES = {
    "tiny": dict(batch=16, sizes=(16, 32, 32, 4), opt="adam"),
    "small": dict(batch=32, sizes=(32, 64, 64, 10), opt="adam"),
    "mlp": dict(batch=64, sizes=(128, 256, 256, 10), opt="sgd"),
}


def make_step(cfg, traced):
    ember.manual_seed(0)
    i, h1, h2, o = cfg["sizes"]
    model = nn.Sequential(nn.Linear(i, h1), nn.ReLU(), nn.Linear(h1, h2), nn.ReLU(), nn.Linear(h2, o))
    if cfg["opt"] == "adam":
        opt = optim.Adam(model.parameters(), lr=1e-3)
    else:
        opt = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    rng = np.random.default_rng(0)
    x = ember.from_numpy(rng.standard_normal((cfg["batch"], i)).astype(np.float32))
    y = ember.from_numpy(rng.integers(0, o, size=cfg["batch"]).astype(np.int64))

    def step(xb, yb):
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
        return loss

    fn = ember.function(step) if traced else step
    return lambda: fn(x, y)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", default="tiny", choices=sorted(SIZES))
    ap.add_argument("--mode", default="traced", choices=["traced", "eager"])
    ap.add_argument("--steps", type=int, default=1000)
    a = ap.parse_args()
    call = make_step(SIZES[a.size], a.mode == "traced")
    for _ in range(3):
        call()
    t0 = time.perf_counter()
    for _ in range(a.steps):
        call()
    dt = (time.perf_counter() - t0) / max(1, a.steps)
    print(f"{a.size} {a.mode}: {dt * 1e6:.1f} us/step")


if __name__ == "__main__":
    main()
