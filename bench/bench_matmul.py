"""Matmul: float32 GEMM throughput (NumPy's np.dot is a bare OpenBLAS sgemm call)"""

import numpy as np

from common import Case, need, need_ember


def _data(m, k, n):
    rng = np.random.default_rng(0)
    return (rng.standard_normal((m, k)).astype(np.float32),
            rng.standard_normal((k, n)).astype(np.float32))


def _impls(m, k, n):
    def ember_impl():
        ember = need_ember()
        a, b = (ember.from_numpy(x) for x in _data(m, k, n))
        return lambda: a @ b

    def torch_impl():
        torch = need("torch")
        a, b = (torch.from_numpy(x) for x in _data(m, k, n))
        return lambda: a @ b

    def numpy_impl():
        a, b = _data(m, k, n)
        return lambda: np.dot(a, b)

    return {"ember": ember_impl, "numpy": numpy_impl, "torch": torch_impl}


CASES = [
    Case(f"matmul {m}x{k} @ {k}x{n} float32", _impls(m, k, n), flops=2.0 * m * k * n)
    for m, k, n in [(1024, 1024, 1024), (256, 256, 256), (64, 64, 64)]
]
