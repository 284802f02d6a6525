"""softmax / log_softmax: stable fused kernels, dtype=, gradients to second order."""

import math

import numpy as np
import pytest

import ember
from helpers import assert_close, gradcheck, rand, requires_torch, torch


def np_softmax(a, dim):
    e = np.exp(a - a.max(axis=dim, keepdims=True))
    return e / e.sum(axis=dim, keepdims=True)


def np_log_softmax(a, dim):
    m = a.max(axis=dim, keepdims=True)
    return a - m - np.log(np.exp(a - m).sum(axis=dim, keepdims=True))


REFS = {"softmax": np_softmax, "log_softmax": np_log_softmax}


def second_order(f):
    def g(x):
        if not x.requires_grad:
            x = ember.tensor(x.numpy(), dtype=ember.float64, requires_grad=True)
        y = f(x)
        w = ember.tensor(np.linspace(0.5, 1.5, y.numel()).reshape(y.shape))
        (gx,) = ember.autograd.grad((y * w).sum(), [x], create_graph=True)
        return gx
    return g


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("dim", [0, 1, 2, -1])
@pytest.mark.parametrize("strided", [False, True])
def test_forward_matches_numpy(name, dim, strided):
    a = rand(3, 4, 5, low=-5, high=5)
    x = ember.from_numpy(np.asfortranarray(a)) if strided else ember.tensor(a)
    assert_close(getattr(ember, name)(x, dim), REFS[name](a, dim), rtol=1e-12, atol=1e-12)
    assert_close(getattr(x, name)(dim), REFS[name](a, dim), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_large_rows_use_parallel_paths(name):
    a = np.random.default_rng(0).standard_normal((64, 3000))
    for dim in (0, 1):
        assert_close(getattr(ember, name)(ember.tensor(a), dim), REFS[name](a, dim), rtol=1e-10,
                     atol=1e-12)


def test_stable_for_large_and_infinite_values():
    a = np.array([[1000.0, 1001.0, 999.0], [-1000.0, -1e4, -1000.0], [-np.inf, 0.0, -np.inf]])
    x = ember.tensor(a)
    assert_close(ember.softmax(x, 1), np_softmax(np.where(np.isinf(a), -1e300, a), 1))
    ls = ember.log_softmax(x, 1).numpy()
    assert np.isfinite(ls[:2]).all()
    assert ls[2, 1] == 0.0 and ls[2, 0] == -np.inf
    f32 = ember.softmax(ember.tensor(a[:2], dtype=ember.float32), 1)
    assert np.isfinite(f32.numpy()).all()


@pytest.mark.parametrize("dt", [ember.float16, ember.bfloat16, ember.float32])
def test_low_precision(dt):
    a = rand(4, 7)
    out = ember.softmax(ember.tensor(a, dtype=dt), 1)
    assert out.dtype == dt
    tol = 1e-2 if dt != ember.float32 else 1e-6
    assert_close(out.to(ember.float64), np_softmax(a, 1), rtol=tol, atol=tol)


def test_dtype_kwarg_and_integer_input():
    i = ember.tensor(np.array([[1, 2, 3]]))
    with pytest.raises(TypeError, match=r"\[softmax\].*int64"):
        ember.softmax(i, 1)
    with pytest.raises(TypeError, match=r"\[log_softmax\].*int64"):
        i.log_softmax(0)
    out = ember.softmax(i, 1, dtype=ember.float64)
    assert out.dtype == ember.float64
    assert_close(out, np_softmax(np.array([[1.0, 2.0, 3.0]]), 1))
    assert ember.log_softmax(ember.tensor(rand(2, 3), dtype=ember.float32), 1,
                             dtype=ember.float64).dtype == ember.float64


def test_zero_dim_and_empty():
    assert ember.softmax(ember.from_numpy(np.array(3.0)), 0).item() == 1.0
    assert ember.log_softmax(ember.from_numpy(np.array(3.0)), -1).item() == 0.0
    assert ember.softmax(ember.tensor(np.zeros((0, 4))), 1).shape == (0, 4)


def test_bad_dim_names_the_op():
    x = ember.tensor(rand(2, 3))
    with pytest.raises(IndexError, match=r"\[softmax\]"):
        ember.softmax(x, 2)
    with pytest.raises(IndexError, match=r"\[log_softmax\]"):
        ember.log_softmax(x, -3)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_gradients(name, dim):
    a = rand(3, 4, 2)
    gradcheck(lambda x: getattr(ember, name)(x, dim), a)
    gradcheck(second_order(lambda x: getattr(ember, name)(x, dim)), a)


@requires_torch
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_torch_parity(name):
    a = rand(3, 5, 4)
    x, tx = ember.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    y, ty = getattr(ember, name)(x, 1), getattr(torch, name)(tx, 1)
    assert_close(y, ty.detach().numpy(), rtol=1e-12)
    w = rand(3, 5, 4, seed=3)
    (y * ember.tensor(w)).sum().backward()
    (ty * torch.tensor(w)).sum().backward()
    assert_close(x.grad, tx.grad.numpy(), rtol=1e-10, atol=1e-12)
    assert math.isclose(float(getattr(ember, name)(ember.tensor(a), 1).sum().item()),
                        float(getattr(torch, name)(torch.tensor(a), 1).sum()), rel_tol=1e-12)
