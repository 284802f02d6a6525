"""CUDA kernels beyond matmul: random draws, gather / index / scatter_add, cumsum, logsumexp,
batch norm and a fused Adam step, vs PyTorch on the GPU

    PYTHONPATH=python python3 bench/run.py cuda_kernels   # or: python3 bench/bench_cuda_kernels.py

Every timed call ends with a device synchronize, so GPU time is measured, not launch time.
Without a GPU (or without PyTorch built with CUDA) the cells say so and nothing runs.
"""

import os
import sys

import numpy as np

from common import Case, Unavailable, need, need_ember

N = int(os.environ.get("EMBER_BENCH_CUDA_KERNELS_N", str(1 << 24)))  # elements per tensor
ROWS, COLS = 8192, 2048


def _ember():
    ember = need_ember()
    if not ember.cuda.is_available():
        raise Unavailable(f"no CUDA device ({ember.cuda.unavailable_reason()})")
    return ember, ember.cuda.synchronize


def _torch():
    torch = need("torch")
    if not torch.cuda.is_available():
        raise Unavailable("PyTorch has no CUDA device")
    return torch, torch.cuda.synchronize


def _both(body):
    """body(lib, sync, to_device) -> the zero-argument call, for ember and torch."""
    def ember_impl():
        ember, sync = _ember()
        return body(ember, sync, lambda a: ember.tensor(a).to("cuda"))

    def torch_impl():
        torch, sync = _torch()
        return body(torch, sync, lambda a: torch.tensor(a).cuda())
    return {"ember": ember_impl, "torch": torch_impl}


def _timed(sync, f):
    def call():
        f()
        sync()
    return call


def _randn(lib, sync, dev):
    return _timed(sync, lambda: lib.randn(N, device="cuda"))


def _data(rows=ROWS, cols=COLS):
    return np.random.default_rng(0).standard_normal((rows, cols), dtype=np.float32)


def _gather(lib, sync, dev):
    x = dev(_data())
    idx = dev(np.random.default_rng(1).integers(0, COLS, size=(ROWS, 1)))
    return _timed(sync, lambda: lib.gather(x, 1, idx))


def _index_rows(lib, sync, dev):
    x = dev(_data())
    idx = dev(np.random.default_rng(2).integers(0, ROWS, size=ROWS))
    return _timed(sync, lambda: x[idx])


def _scatter_add(lib, sync, dev):
    x = dev(np.zeros((ROWS, 64), dtype=np.float32))
    src = dev(_data(ROWS, COLS))
    idx = dev(np.random.default_rng(3).integers(0, 64, size=(ROWS, COLS)))
    return _timed(sync, lambda: x.scatter_add(1, idx, src))


def _cumsum(lib, sync, dev):
    x = dev(_data())
    return _timed(sync, lambda: lib.cumsum(x, 1))


def _logsumexp(lib, sync, dev):
    x = dev(_data())
    return _timed(sync, lambda: lib.logsumexp(x, 1))


def _batch_norm(lib, sync, dev):
    x = dev(np.random.default_rng(4).standard_normal((64, 128, 32 * 32), dtype=np.float32))
    return _timed(sync, lambda: lib.nn.functional.batch_norm(x, None, None, training=True))


def _adam(lib, sync, dev):
    w = dev(np.zeros(N, dtype=np.float32)).requires_grad_()
    w.grad = dev(np.ones(N, dtype=np.float32))
    opt = lib.optim.Adam([w], lr=1e-3, fused=True)
    return _timed(sync, opt.step)


_BYTES = 4.0 * ROWS * COLS
CASES = [
    Case(f"randn {N} float32", _both(_randn), nbytes=4.0 * N),
    Case(f"gather [{ROWS}, {COLS}] -> [{ROWS}, 1]", _both(_gather), nbytes=8.0 * ROWS * 2),
    Case(f"x[idx] rows of [{ROWS}, {COLS}]", _both(_index_rows), nbytes=2 * _BYTES),
    Case(f"scatter_add [{ROWS}, {COLS}] into [{ROWS}, 64]", _both(_scatter_add), nbytes=3 * _BYTES),
    Case(f"cumsum [{ROWS}, {COLS}] dim 1", _both(_cumsum), nbytes=2 * _BYTES),
    Case(f"logsumexp [{ROWS}, {COLS}] dim 1", _both(_logsumexp), nbytes=_BYTES),
    Case("batch_norm [64, 128, 1024] training", _both(_batch_norm), nbytes=2 * 4.0 * 64 * 128 * 1024),
    Case(f"fused Adam step, {N} float32 params", _both(_adam), nbytes=4.0 * N * 7),
]


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import run

    sys.exit(run.main(["cuda_kernels", *sys.argv[1:]]))
