"""Elementwise: memory-bound float32 kernels on 10M elements (time includes allocating the output)"""

import numpy as np

from common import Case, need, need_ember, need_op

N = 10_000_000


def _data(shape_a, shape_b):
    rng = np.random.default_rng(0)
    return (rng.standard_normal(shape_a).astype(np.float32),
            rng.standard_normal(shape_b).astype(np.float32))


def _impls(shape_a, shape_b, ember_fn, torch_fn, numpy_fn):
    def ember_impl():
        ember = need_ember()
        a, b = (ember.from_numpy(x) for x in _data(shape_a, shape_b))
        return lambda: ember_fn(ember, a, b)

    def torch_impl():
        torch = need("torch")
        a, b = (torch.from_numpy(x) for x in _data(shape_a, shape_b))
        return lambda: torch_fn(torch, a, b)

    def numpy_impl():
        a, b = _data(shape_a, shape_b)
        return lambda: numpy_fn(np, a, b)

    return {"ember": ember_impl, "numpy": numpy_impl, "torch": torch_impl}


def _inplace():
    def ember_impl():
        ember = need_ember()
        a, b = (ember.from_numpy(x) for x in _data(N, N))
        return lambda: a.add_(b)

    def torch_impl():
        torch = need("torch")
        a, b = (torch.from_numpy(x) for x in _data(N, N))
        return lambda: a.add_(b)

    def numpy_impl():
        a, b = _data(N, N)
        return lambda: np.add(a, b, out=a)

    return {"ember": ember_impl, "numpy": numpy_impl, "torch": torch_impl}


def _transposed():
    """a.T + b.T: both inputs strided (the non-contiguous path)."""
    shape = (2500, 4000)

    def ember_impl():
        ember = need_ember()
        a, b = (ember.from_numpy(x) for x in _data(shape, shape))
        t = need_op(a, "t")
        a_t, b_t = t(), b.t()
        return lambda: a_t + b_t

    def torch_impl():
        torch = need("torch")
        a, b = (torch.from_numpy(x).t() for x in _data(shape, shape))
        return lambda: a + b

    def numpy_impl():
        a, b = (x.T for x in _data(shape, shape))
        return lambda: a + b

    return {"ember": ember_impl, "numpy": numpy_impl, "torch": torch_impl}


M = 1_000_000


def _unary(name, numpy_fn):
    """One transcendental on 1M float32 (cache-resident: measures the math, not memory)."""
    rng = np.random.default_rng(0)
    x = (rng.standard_normal(M) * 3).astype(np.float32)

    def ember_impl():
        ember = need_ember()
        a = ember.from_numpy(x)
        fn = need_op(ember, name)
        return lambda: fn(a)

    def torch_impl():
        torch = need("torch")
        a = torch.from_numpy(x)
        fn = getattr(torch, name)
        return lambda: fn(a)

    def numpy_impl():
        return lambda: numpy_fn(x)

    return {"ember": ember_impl, "numpy": numpy_impl, "torch": torch_impl}


def _np_sigmoid(x):
    return 1 / (1 + np.exp(-x))


CASES = [
    Case("add 10M float32", _impls(N, N, lambda m, a, b: a + b, lambda m, a, b: a + b,
                                   lambda m, a, b: a + b), nbytes=3 * 4 * N),
    Case("add_ 10M float32 (in place)", _inplace(), nbytes=3 * 4 * N),
    Case("add 2500x4000 + 4000 (broadcast row)",
         _impls((2500, 4000), 4000, lambda m, a, b: a + b, lambda m, a, b: a + b,
                lambda m, a, b: a + b), nbytes=2 * 4 * N),
    Case("add 10M float32, both transposed", _transposed(), nbytes=3 * 4 * N),
    Case("mul 10M float32", _impls(N, N, lambda m, a, b: a * b, lambda m, a, b: a * b,
                                   lambda m, a, b: a * b), nbytes=3 * 4 * N),
    Case("exp 1M float32", _unary("exp", np.exp), nbytes=2 * 4 * M),
    Case("tanh 1M float32", _unary("tanh", np.tanh), nbytes=2 * 4 * M),
    Case("sigmoid 1M float32", _unary("sigmoid", _np_sigmoid), nbytes=2 * 4 * M),
    Case("atan2 1M float32", _impls(M, M, lambda m, a, b: need_op(m, "atan2")(a, b),
                                    lambda m, a, b: m.atan2(a, b),
                                    lambda m, a, b: m.arctan2(a, b)), nbytes=3 * 4 * M),
]
