"""Speed check: ember.matmul (float32) against a bare cblas_sgemm call on the same sizes,
through the same system OpenBLAS that ember links (via ctypes); numpy's np.dot for context.
Run: OPENBLAS_CORETYPE=Haswell PYTHONPATH=python python3 bench/matmul_vs_numpy.py"""
import ctypes
import time

import numpy as np

import ember

_blas = ctypes.CDLL("libopenblas.so.0")
_f = ctypes.c_float
_i = ctypes.c_int
_p = ctypes.c_void_p
_blas.cblas_sgemm.argtypes = [_i, _i, _i, _i, _i, _i, _f, _p, _i, _p, _i, _f, _p, _i]
ROW_MAJOR, NO_TRANS, TRANS = 101, 111, 112


def bare_sgemm(a, b, c, ta=False):
    n, k = c.shape[0], a.shape[0] if ta else a.shape[1]
    _blas.cblas_sgemm(ROW_MAJOR, TRANS if ta else NO_TRANS, NO_TRANS, n, c.shape[1], k, 1.0,
                      a.ctypes.data, a.shape[1], b.ctypes.data, b.shape[1], 0.0, c.ctypes.data,
                      c.shape[1])


REPS = 40


def main():
    for n, layout in [(1024, "nn"), (1024, "tn"), (512, "nn"), (128, "nn")]:
        rng = np.random.default_rng(0)
        a = rng.standard_normal((n, n)).astype(np.float32)
        b = rng.standard_normal((n, n)).astype(np.float32)
        c = np.empty((n, n), np.float32)
        ea, eb = ember.tensor(a), ember.tensor(b)
        if layout == "tn":  # a transposed view: ember must pass CblasTrans, not copy
            ea = ember.from_numpy(a.T)
            assert not ea.is_contiguous()
        flops = 2.0 * n ** 3
        ref = a.T if layout == "tn" else a
        # Interleaved runs; on a shared machine compare medians (and the least-disturbed run).
        # numpy bundles its own OpenBLAS whose spinning threads would starve the system
        # one's, so np.dot runs in its own block after the interleaved pair.
        runs = {"bare": [], "ember": []}
        fns = {"bare": lambda: bare_sgemm(a, b, c, ta=(layout == "tn")),
               "ember": lambda: ember.matmul(ea, eb)}
        for f in fns.values():
            f()
        for _ in range(REPS):
            for k, f in fns.items():
                t0 = time.perf_counter()
                f()
                runs[k].append(time.perf_counter() - t0)
        time.sleep(0.2)
        runs["numpy"] = []
        for _ in range(REPS):
            t0 = time.perf_counter()
            np.dot(ref, b)
            runs["numpy"].append(time.perf_counter() - t0)
        time.sleep(0.2)
        t_bare, t_np, t_em = (float(np.median(runs[k])) for k in ("bare", "numpy", "ember"))
        best = min(runs["bare"]) / min(runs["ember"])
        assert np.allclose(ember.matmul(ea, eb).numpy(), ref @ b, rtol=1e-3, atol=1e-2)
        print(f"{n}x{n} {layout}: bare sgemm {flops / t_bare / 1e9:6.1f}  numpy "
              f"{flops / t_np / 1e9:6.1f}  ember {flops / t_em / 1e9:6.1f} GFLOP/s  "
              f"ember/bare median {t_bare / t_em:.3f} best {best:.3f}")


if __name__ == "__main__":
    main()
