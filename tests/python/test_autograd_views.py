"""In-place writes through views of tensors with history (PyTorch's CopySlices): the base's
gradient splits between its old value and the written result."""

import numpy as np
import pytest

import ember
from helpers import requires_torch


def _grads(fn, shape=(3, 4), seed=0):
    rng = np.random.default_rng(seed)
    data = rng.standard_normal(shape).astype(np.float32)
    a = ember.tensor(data, requires_grad=True)
    fn(a, ember).backward()
    return data, a.grad.numpy()


def _numeric_grad(fn, data, eps=1e-3):
    """Central differences in float64 through ember ops."""
    g = np.zeros_like(data, dtype=np.float64)
    for i in np.ndindex(data.shape):
        for sign in (1, -1):
            d = data.astype(np.float64).copy()
            d[i] += sign * eps
            with ember.no_grad():
                v = fn(ember.tensor(d), ember).item()
            g[i] += sign * v / (2 * eps)
    return g


def scale_column(a, m):
    b = a * 2
    v = b[:, 0]
    v.mul_(3)
    return (b * b).sum()


def nested_views(a, m):
    b = a * 2
    v = b[1:, 1:3]
    v.add_(a[:2, :2] * 5)
    w = v[0]
    w.sub_(1)
    return (b ** 3).sum() + v.sum()


def transposed_base(a, m):
    b = a.t() * 1.0
    v = b[0]
    v.mul_(a[0, :3])
    return (b * b).sum()


@pytest.mark.parametrize("fn", [scale_column, nested_views, transposed_base])
def test_inplace_through_a_view_matches_finite_differences(fn):
    data, grad = _grads(fn)
    np.testing.assert_allclose(grad, _numeric_grad(fn, data), rtol=2e-3, atol=2e-3)


@requires_torch
@pytest.mark.parametrize("fn", [scale_column, nested_views, transposed_base])
def test_inplace_through_a_view_matches_pytorch(fn):
    import torch
    data, grad = _grads(fn)
    at = torch.tensor(data, requires_grad=True)
    fn(at, torch).backward()
    np.testing.assert_allclose(grad, at.grad.numpy(), rtol=1e-5, atol=1e-5)


def test_inplace_through_a_view_of_a_leaf_is_an_error():
    a = ember.randn(3, 4, requires_grad=True)
    with pytest.raises(RuntimeError, match="view of a leaf tensor that requires grad"):
        a[:, 0].mul_(2)


def test_double_backward_through_a_view_write():
    a = ember.tensor(np.array([1.0, 2.0, 3.0], dtype=np.float32), requires_grad=True)
    b = a * 1.0
    b[1:].mul_(a[:2])          # b = [a0, a1 * a0, a2 * a1]
    y = (b * b).sum()          # a0^2 + a1^2 a0^2 + a2^2 a1^2
    (g,) = ember.autograd.grad(y, a, create_graph=True)
    # dy/da0 = 2 a0 + 2 a1^2 a0 = 2 + 8 = 10; d(dy/da0)/da... summed second derivatives:
    np.testing.assert_allclose(g.detach().numpy(), [10.0, 2 * 2 + 2 * 9 * 2, 2 * 3 * 4], rtol=1e-6)
    (gg,) = ember.autograd.grad(g.sum(), a)
    # Row sums of the Hessian of a0^2 (1 + a1^2) + a2^2 a1^2.
    h0 = 2 * (1 + 4) + 4 * 1 * 2
    h1 = 4 * 1 * 2 + (2 * 1 + 2 * 9) + 4 * 3 * 2
    h2 = 4 * 3 * 2 + 2 * 4
    np.testing.assert_allclose(gg.numpy(), [h0, h1, h2], rtol=1e-6)


def test_traced_step_with_a_view_write_matches_eager():
    w = ember.randn(4, 3, requires_grad=True)

    def step(x):
        h = x @ w
        h[:, 0].mul_(2.0)
        loss = (h * h).mean()
        loss.backward()
        return loss

    x = ember.randn(5, 4)
    step(x)
    eager = w.grad.numpy().copy()
    w.grad = None
    f = ember.function(step, warmup=0)
    f(x)
    np.testing.assert_allclose(w.grad.numpy(), eager, rtol=1e-5, atol=1e-6)
    w.grad = None
    f(x)   # a replay
    np.testing.assert_allclose(w.grad.numpy(), eager, rtol=1e-5, atol=1e-6)


@requires_torch
@pytest.mark.parametrize("write", ["full", "view_add", "view_mul"])
def test_double_backward_through_inplace_ops_matches_pytorch(write):
    """The old value an in-place op overwrites is saved with its history, so second
    derivatives see it."""
    import torch

    def f(a):
        b = a * 1.0
        if write == "full":
            b.mul_(a * a)
        elif write == "view_add":
            b[1:].add_(a[:2] * a[:2])
        else:
            b[1:].mul_(a[:2])
        return (b * b).sum()

    out = []
    for m, ag in ((ember, ember.autograd), (torch, torch.autograd)):
        a = m.tensor(np.array([1.0, 2.0, 3.0], dtype=np.float32), requires_grad=True)
        (g,) = ag.grad(f(a), a, create_graph=True)
        (gg,) = ag.grad(g.sum(), a)
        out.append((g.detach().numpy(), gg.numpy()))
    np.testing.assert_allclose(out[0][0], out[1][0], rtol=1e-6)
    np.testing.assert_allclose(out[0][1], out[1][1], rtol=1e-6)
