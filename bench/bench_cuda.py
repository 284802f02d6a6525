"""CUDA: matmul 8192^2 (float32/float16/bfloat16) and an eager MLP training step, vs PyTorch on the GPU

    PYTHONPATH=python python3 bench/run.py cuda      # or: python3 bench/bench_cuda.py

Every timed call ends with a device synchronize, so GPU time is measured, not launch time.
Without a GPU (or without PyTorch built with CUDA) the cells say so and nothing runs.
"""

import os
import sys

import numpy as np

from common import Case, Unavailable, need, need_ember

N = int(os.environ.get("EMBER_BENCH_CUDA_N", "8192"))
BATCH, WIDTH = 256, 1024


def _ember_cuda():
    ember = need_ember()
    if not ember.cuda.is_available():
        raise Unavailable(f"no CUDA device ({ember.cuda.unavailable_reason()})")
    return ember


def _torch_cuda():
    torch = need("torch")
    if not torch.cuda.is_available():
        raise Unavailable("PyTorch has no CUDA device")
    return torch


def _matrix(n):
    return np.random.default_rng(0).standard_normal((n, n), dtype=np.float32)


def _matmul_impls(dtype_name):
    def ember_impl():
        ember = _ember_cuda()
        x = ember.tensor(_matrix(N)).to("cuda", getattr(ember, dtype_name))

        def call():
            x @ x
            ember.cuda.synchronize()
        return call

    def torch_impl():
        torch = _torch_cuda()
        x = torch.tensor(_matrix(N)).cuda().to(getattr(torch, dtype_name))

        def call():
            x @ x
            torch.cuda.synchronize()
        return call

    return {"ember": ember_impl, "torch": torch_impl}


def _mlp_step(lib, nn, optim, tensor, sync, loss_fn):
    rng = np.random.default_rng(0)
    model = nn.Sequential(nn.Linear(WIDTH, WIDTH), nn.ReLU(), nn.Linear(WIDTH, WIDTH), nn.ReLU(),
                          nn.Linear(WIDTH, 10)).cuda()
    opt = optim.Adam(model.parameters(), lr=1e-3)
    x = tensor(rng.standard_normal((BATCH, WIDTH), dtype=np.float32)).cuda()
    y = tensor(rng.integers(0, 10, size=BATCH)).cuda()

    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()
        sync()
    return step


def _mlp_impls():
    def ember_impl():
        ember = _ember_cuda()
        return _mlp_step(ember, ember.nn, ember.optim, ember.tensor, ember.cuda.synchronize,
                         ember.nn.CrossEntropyLoss())

    def torch_impl():
        torch = _torch_cuda()
        return _mlp_step(torch, torch.nn, torch.optim, torch.tensor, torch.cuda.synchronize,
                         torch.nn.CrossEntropyLoss())

    return {"ember": ember_impl, "torch": torch_impl}


_MLP_FLOPS = 3 * 2.0 * BATCH * (2 * WIDTH * WIDTH + WIDTH * 10)  # forward + backward GEMMs

CASES = [Case(f"matmul {N}x{N} {dt}", _matmul_impls(dt), flops=2.0 * N ** 3)
         for dt in ("float32", "float16", "bfloat16")]
CASES.append(Case(f"mlp step (Adam) batch {BATCH} width {WIDTH}", _mlp_impls(), flops=_MLP_FLOPS))


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import run

    sys.exit(run.main(["cuda", *sys.argv[1:]]))
