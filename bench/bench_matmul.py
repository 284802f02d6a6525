"""Matmul: float32 GEMM throughput (NumPy's np.dot and the ctypes call are bare sgemm calls)"""

import ctypes
import ctypes.util

import numpy as np

from common import Case, Unavailable, need, need_ember


def _data(m, k, n):
    rng = np.random.default_rng(0)
    return (rng.standard_normal((m, k)).astype(np.float32),
            rng.standard_normal((k, n)).astype(np.float32))


def _system_sgemm():
    """cblas_sgemm from the system OpenBLAS that Ember links (NumPy's wheel bundles its own
    build), called through ctypes: the floor for Ember's matmul on the same library."""
    for name in ("libopenblas.so.0", ctypes.util.find_library("openblas")):
        if not name:
            continue
        try:
            lib = ctypes.CDLL(name)
            fn = lib.cblas_sgemm
        except (OSError, AttributeError):
            continue
        i, f, p = ctypes.c_int, ctypes.c_float, ctypes.c_void_p
        fn.argtypes = [i, i, i, i, i, i, f, p, i, p, i, f, p, i]
        fn.restype = None
        return fn
    raise Unavailable("system libopenblas not found")


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

    def openblas_impl():
        sgemm = _system_sgemm()
        a, b = _data(m, k, n)
        row_major, no_trans = 101, 111

        def call():
            c = np.empty((m, n), np.float32)  # allocated per call, like the others
            sgemm(row_major, no_trans, no_trans, m, n, k, 1.0, a.ctypes.data, k,
                  b.ctypes.data, n, 0.0, c.ctypes.data, n)
            return c

        return call

    return {"ember": ember_impl, "numpy": numpy_impl, "torch": torch_impl,
            "system openblas (ctypes)": openblas_impl}


CASES = [
    Case(f"matmul {m}x{k} @ {k}x{n} float32", _impls(m, k, n), flops=2.0 * m * k * n)
    for m, k, n in [(1024, 1024, 1024), (256, 256, 256), (64, 64, 64)]
]
