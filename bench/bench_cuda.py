"""GPU benchmarks: matmul 8192^2 and an eager MLP training step, ember vs PyTorch on CUDA.

    PYTHONPATH=python python3 bench/bench_cuda.py [--size 8192] [--steps 50]

Prints one line per case (milliseconds per call, TFLOP/s for matmul, ratio to PyTorch).
Exits cleanly, saying why, when there is no GPU or PyTorch has no CUDA. Timings wait for
the device (ember.cuda.synchronize / torch.cuda.synchronize) before reading the clock.
"""

import argparse
import sys
import time

import numpy as np


def timeit(fn, sync, warmup=3, reps=10):
    for _ in range(warmup):
        fn()
    sync()
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        sync()
        best = min(best, time.perf_counter() - t0)
    return best


def torch_cuda():
    try:
        import torch
    except ImportError:
        return None
    return torch if torch.cuda.is_available() else None


def bench_matmul(ember, torch, n, dtype_name):
    a = np.random.default_rng(0).standard_normal((n, n), dtype=np.float32)
    dt = getattr(ember, dtype_name)
    x = ember.tensor(a).to("cuda", dt)
    y = ember.tensor(a).to("cuda", dt)
    flops = 2.0 * n ** 3
    t_e = timeit(lambda: x @ y, ember.cuda.synchronize)
    line = f"matmul {n}x{n} {dtype_name:9s} ember {t_e * 1e3:8.2f} ms {flops / t_e / 1e12:7.1f} TFLOP/s"
    if torch is not None:
        tx = torch.tensor(a).cuda().to(getattr(torch, dtype_name))
        t_t = timeit(lambda: tx @ tx, torch.cuda.synchronize)
        line += f" | torch {t_t * 1e3:8.2f} ms {flops / t_t / 1e12:7.1f} TFLOP/s | ember/torch {t_e / t_t:5.2f}x"
    print(line)


def bench_mlp(ember, torch, steps, batch=256, width=1024):
    rng = np.random.default_rng(0)
    xs = rng.standard_normal((batch, width), dtype=np.float32)
    ys = rng.integers(0, 10, size=batch)

    def ember_step():
        nn = ember.nn
        model = nn.Sequential(nn.Linear(width, width), nn.ReLU(), nn.Linear(width, width),
                              nn.ReLU(), nn.Linear(width, 10)).cuda()
        opt = ember.optim.Adam(model.parameters(), lr=1e-3)
        x, y = ember.tensor(xs).cuda(), ember.tensor(ys).cuda()
        loss_fn = nn.CrossEntropyLoss()

        def step():
            opt.zero_grad()
            loss_fn(model(x), y).backward()
            opt.step()
        return step

    t_e = timeit(ember_step(), ember.cuda.synchronize, reps=steps)
    line = f"mlp step batch {batch} width {width}      ember {t_e * 1e3:8.2f} ms"
    if torch is not None:
        nn = torch.nn
        model = nn.Sequential(nn.Linear(width, width), nn.ReLU(), nn.Linear(width, width),
                              nn.ReLU(), nn.Linear(width, 10)).cuda()
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        x, y = torch.tensor(xs).cuda(), torch.tensor(ys).cuda()
        loss_fn = nn.CrossEntropyLoss()

        def tstep():
            opt.zero_grad()
            loss_fn(model(x), y).backward()
            opt.step()
        t_t = timeit(tstep, torch.cuda.synchronize, reps=steps)
        line += f" | torch {t_t * 1e3:8.2f} ms | ember/torch {t_e / t_t:5.2f}x"
    print(line)


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--size", type=int, default=8192)
    p.add_argument("--steps", type=int, default=20)
    args = p.parse_args()
    import ember
    if not ember.cuda.is_available():
        print(f"bench_cuda: skipped, no CUDA device ({ember.cuda.unavailable_reason()})")
        return 0
    torch = torch_cuda()
    if torch is None:
        print("bench_cuda: PyTorch with CUDA not found; timing ember only")
    for dt in ("float32", "float16", "bfloat16"):
        bench_matmul(ember, torch, args.size, dt)
    bench_mlp(ember, torch, args.steps)
    s = ember.cuda.memory_stats()
    print(f"memory: peak {s['peak_allocated_bytes'] / 2**20:.0f} MiB, reserved "
          f"{s['reserved_bytes'] / 2**20:.0f} MiB, cudaMalloc calls {s['num_device_allocs']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
