"""Shared checks for op tests: forward against a float64 NumPy reference, gradients
against central finite differences in float64, and PyTorch parity when it is installed."""

import numpy as np
import pytest

import ember

try:  # PyTorch parity is optional: tests that need it skip cleanly without it.
    import torch
except ImportError:  # pragma: no cover
    torch = None

requires_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")


def rand(*shape, dtype=np.float64, low=-2.0, high=2.0, seed=0):
    rng = np.random.default_rng(seed + sum(shape) * 7919)
    return rng.uniform(low, high, size=shape).astype(dtype)


def to_np(t):
    return t.detach().numpy() if isinstance(t, ember.Tensor) else np.asarray(t)


def assert_close(actual, expected, rtol=1e-5, atol=1e-6):
    a = to_np(actual)
    e = np.asarray(expected)
    assert a.shape == e.shape, f"shape {a.shape} != expected {e.shape}"
    np.testing.assert_allclose(a.astype(np.float64), e.astype(np.float64), rtol=rtol, atol=atol)


def check_forward(fn, ref, *arrays, rtol=1e-5, atol=1e-6, dtype=ember.float32):
    """fn(ember tensors) vs ref(float64 numpy arrays)."""
    ins = [ember.tensor(a, dtype=dtype) for a in arrays]
    expected = ref(*[np.asarray(a, dtype=np.float64) for a in arrays])
    assert_close(fn(*ins), expected, rtol=rtol, atol=atol)


def numerical_grad(fn, arrays, i, eps=1e-6):
    """d sum(fn(*arrays) * w) / d arrays[i] by central differences, with a fixed random
    weighting w so every output element matters."""
    base = [np.array(a, dtype=np.float64) for a in arrays]
    out0 = to_np(fn(*[ember.tensor(a) for a in base]))
    w = np.random.default_rng(1).uniform(0.5, 1.5, size=out0.shape)
    g = np.zeros_like(base[i])
    flat = base[i].reshape(-1)
    for k in range(flat.size):
        old = flat[k]
        flat[k] = old + eps
        fp = (to_np(fn(*[ember.tensor(a, dtype=ember.float64) for a in base])) * w).sum()
        flat[k] = old - eps
        fm = (to_np(fn(*[ember.tensor(a, dtype=ember.float64) for a in base])) * w).sum()
        flat[k] = old
        g.reshape(-1)[k] = (fp - fm) / (2 * eps)
    return g, w


def gradcheck(fn, *arrays, rtol=1e-4, atol=1e-6, wrt=None):
    """Analytic gradients of fn (float64) against finite differences, for each input."""
    wrt = range(len(arrays)) if wrt is None else wrt
    for i in wrt:
        g_num, w = numerical_grad(fn, arrays, i)
        ins = [ember.tensor(np.asarray(a, dtype=np.float64), dtype=ember.float64,
                            requires_grad=(j == i)) for j, a in enumerate(arrays)]
        out = fn(*ins)
        out.backward(ember.tensor(w, dtype=ember.float64))  # = d sum(out * w)
        assert ins[i].grad is not None, f"no gradient reached input {i}"
        np.testing.assert_allclose(ins[i].grad.numpy(), g_num, rtol=rtol, atol=atol,
                                   err_msg=f"gradient of input {i}")
