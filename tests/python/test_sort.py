"""sort / argsort / topk against NumPy, gradients against finite differences and PyTorch."""

import numpy as np
import pytest

import ember
from helpers import gradcheck, requires_torch


@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("descending", [False, True])
def test_sort_matches_numpy(dim, descending):
    rng = np.random.default_rng(0)
    a = rng.integers(0, 5, size=(4, 6)).astype(np.float32)  # ties: stability matters
    values, indices = ember.sort(ember.tensor(a), dim=dim, descending=descending)
    key = -a if descending else a
    ref_idx = np.argsort(key, axis=dim, kind="stable")
    np.testing.assert_array_equal(indices.numpy(), ref_idx)
    np.testing.assert_array_equal(values.numpy(), np.take_along_axis(a, ref_idx, axis=dim))
    np.testing.assert_array_equal(ember.argsort(ember.tensor(a), dim, descending).numpy(), ref_idx)


def test_sort_puts_nan_last_and_keeps_dtypes():
    t = ember.tensor([3.0, float("nan"), 1.0])
    v, i = t.sort()
    assert np.isnan(v.numpy()[-1]) and i.tolist() == [2, 0, 1]
    v, i = t.sort(descending=True)
    assert np.isnan(v.numpy()[0])
    ints = ember.tensor([5, 2, 9], dtype=ember.int64)
    assert ints.sort().values.tolist() == [2, 5, 9] and ints.sort().values.dtype == ember.int64


@pytest.mark.parametrize("largest", [True, False])
def test_topk_matches_numpy(largest):
    rng = np.random.default_rng(1)
    a = rng.standard_normal((3, 10)).astype(np.float32)
    v, i = ember.topk(ember.tensor(a), 4, dim=1, largest=largest)
    order = np.argsort(-a if largest else a, axis=1)[:, :4]
    np.testing.assert_array_equal(i.numpy(), order)
    np.testing.assert_array_equal(v.numpy(), np.take_along_axis(a, order, 1))
    assert ember.tensor(a).topk(2).values.shape == (3, 2)
    with pytest.raises(ValueError, match=r"\[topk\] k \(11\) is out of range"):
        ember.topk(ember.tensor(a), 11)


def test_sort_and_topk_gradients():
    gradcheck(lambda x: ember.sort(x, dim=1, descending=True).values * ember.arange(5.0),
              np.random.default_rng(2).standard_normal((3, 5)))
    gradcheck(lambda x: ember.topk(x, 2, dim=0).values.exp(),
              np.random.default_rng(3).standard_normal((4, 3)))


@requires_torch
def test_topk_matches_pytorch_forward_and_backward():
    import torch
    a = np.random.default_rng(4).standard_normal((5, 7)).astype(np.float32)
    e = ember.tensor(a, requires_grad=True)
    t = torch.tensor(a, requires_grad=True)
    ev, ei = ember.topk(e, 3, dim=-1)
    tv, ti = torch.topk(t, 3, dim=-1)
    np.testing.assert_array_equal(ei.numpy(), ti.numpy())
    (ev * ev).sum().backward()
    (tv * tv).sum().backward()
    np.testing.assert_allclose(e.grad.numpy(), t.grad.numpy(), rtol=1e-6)


def test_sort_is_traceable():
    f = ember.function(lambda x: ember.sort(x, descending=True).values[:, :2].sum(), warmup=0)
    x = ember.tensor(np.arange(12, dtype=np.float32).reshape(3, 4))
    assert f(x).item() == pytest.approx((3 + 2) + (7 + 6) + (11 + 10))
