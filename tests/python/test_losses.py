"""Losses: NumPy float64 references always, PyTorch parity when installed, gradients by
finite differences, and the error paths."""

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember import nn
from helpers import assert_close, gradcheck, requires_torch, torch

rng = np.random.default_rng(0)
X = rng.standard_normal((6, 5))
Y = rng.standard_normal((6, 5))
P = 1 / (1 + np.exp(-X))
T01 = (rng.random((6, 5)) > 0.5).astype(np.float64)
IDX = rng.integers(0, 5, size=6)


def _log_softmax(x, axis=1):
    m = x.max(axis=axis, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=axis, keepdims=True))


def test_mse_l1_references():
    assert_close(F.mse_loss(ember.tensor(X), ember.tensor(Y)), ((X - Y) ** 2).mean(), rtol=1e-6)
    assert_close(F.l1_loss(ember.tensor(X), ember.tensor(Y), reduction="sum"),
                 np.abs(X - Y).sum(), rtol=1e-6)
    assert F.mse_loss(ember.tensor(X), ember.tensor(Y), reduction="none").shape == (6, 5)


def test_cross_entropy_reference():
    expected = -_log_softmax(X)[np.arange(6), IDX].mean()
    out = F.cross_entropy(ember.tensor(X), ember.tensor(IDX))
    assert_close(out, expected, rtol=1e-6)
    assert_close(nn.CrossEntropyLoss()(ember.tensor(X), ember.tensor(IDX)), expected, rtol=1e-6)


def test_bce_with_logits_is_stable_for_large_logits():
    x = ember.tensor([1000.0, -1000.0])
    t = ember.tensor([1.0, 0.0])
    assert F.binary_cross_entropy_with_logits(x, t).item() == pytest.approx(0.0, abs=1e-6)


@requires_torch
@pytest.mark.parametrize("name,args,kwargs", [
    ("mse_loss", (X, Y), {}),
    ("l1_loss", (X, Y), {"reduction": "sum"}),
    ("smooth_l1_loss", (X, Y), {"beta": 0.5}),
    ("huber_loss", (X, Y), {"delta": 0.7}),
    ("cross_entropy", (X, IDX), {}),
    ("cross_entropy", (X, IDX), {"label_smoothing": 0.1}),
    ("cross_entropy", (X, IDX), {"weight": np.linspace(0.5, 1.5, 5), "ignore_index": 2}),
    ("cross_entropy", (X, np.abs(Y) / np.abs(Y).sum(1, keepdims=True)), {}),
    ("cross_entropy", (X.reshape(2, 5, 3), IDX.reshape(2, 3) % 5), {"reduction": "none"}),
    ("nll_loss", (_log_softmax(X), IDX), {"reduction": "sum"}),
    ("binary_cross_entropy", (P, T01), {}),
    ("binary_cross_entropy_with_logits", (X, T01), {"pos_weight": np.full(5, 2.0)}),
    ("kl_div", (_log_softmax(X), np.exp(_log_softmax(Y))), {"reduction": "batchmean"}),
])
def test_matches_pytorch_forward_and_grad(name, args, kwargs):
    def conv(a, lib):
        if isinstance(a, np.ndarray):
            if a.dtype.kind == "i":
                return lib.tensor(a.astype(np.int64))
            return lib.tensor(a, dtype=lib.float64, requires_grad=lib is ember) if lib is ember \
                else torch.tensor(a, dtype=torch.float64, requires_grad=True)
        return a
    e_args = [conv(a, ember) for a in args]
    t_args = [conv(a, torch) for a in args]
    e_kw = {k: ember.tensor(v, dtype=ember.float64) if isinstance(v, np.ndarray) else v
            for k, v in kwargs.items()}
    t_kw = {k: torch.tensor(v, dtype=torch.float64) if isinstance(v, np.ndarray) else v
            for k, v in kwargs.items()}
    e = getattr(F, name)(*e_args, **e_kw)
    t = getattr(torch.nn.functional, name)(*t_args, **t_kw)
    np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=1e-6, atol=1e-9)
    e.sum().backward()
    t.sum().backward()
    np.testing.assert_allclose(e_args[0].grad.numpy(), t_args[0].grad.numpy(), rtol=1e-5,
                               atol=1e-9)


def test_gradients_by_finite_differences():
    gradcheck(lambda a, b: F.smooth_l1_loss(a, b), X[:2], Y[:2])
    gradcheck(lambda a: F.cross_entropy(a, ember.tensor(IDX[:3])), X[:3])
    gradcheck(lambda a, b: F.binary_cross_entropy_with_logits(a, b), X[:2], T01[:2], wrt=[0])


def test_error_paths():
    with pytest.raises(ValueError, match=r"\[mse_loss\].*\[6, 5\].*\[6\]"):
        F.mse_loss(ember.tensor(X), ember.tensor(X[:, 0]))
    with pytest.raises(TypeError, match=r"\[nll_loss\].*int64"):
        F.nll_loss(ember.tensor(X), ember.tensor(IDX.astype(np.float32)))
    with pytest.raises(ValueError, match=r"\[cross_entropy\].*\[6, 5\].*\[6, 1\]"):
        F.cross_entropy(ember.tensor(X), ember.tensor(np.zeros((6, 1), dtype=np.float32)))
    with pytest.raises(ValueError, match=r"reduction"):
        F.mse_loss(ember.tensor(X), ember.tensor(Y), reduction="avg")
    with pytest.raises(IndexError, match=r"\[nll_loss\]"):
        F.cross_entropy(ember.tensor(X), ember.tensor(np.full(6, 9)))
    with pytest.raises(ValueError, match=r"\[nll_loss\].*target of shape \[6\]"):
        F.cross_entropy(ember.tensor(X), ember.tensor(np.zeros(4, dtype=np.int64)))
