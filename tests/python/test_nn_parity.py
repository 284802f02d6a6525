"""Bilinear and nn.init against NumPy references (and PyTorch where installed)."""

import math

import numpy as np
import pytest

import ember
from ember import nn
from helpers import gradcheck, requires_torch


def test_bilinear_matches_numpy_and_its_gradients():
    ember.manual_seed(0)
    layer = nn.Bilinear(3, 4, 5)
    rng = np.random.default_rng(0)
    x1 = rng.standard_normal((6, 3)).astype(np.float32)
    x2 = rng.standard_normal((6, 4)).astype(np.float32)
    w = layer.weight.detach().numpy().astype(np.float64)
    b = layer.bias.detach().numpy().astype(np.float64)
    ref = np.einsum("ni,oij,nj->no", x1, w, x2) + b
    out = layer(ember.tensor(x1), ember.tensor(x2))
    np.testing.assert_allclose(out.detach().numpy(), ref, rtol=1e-5, atol=1e-5)
    # PyTorch's default init: U(-1/sqrt(in1), 1/sqrt(in1)) for weight and bias.
    bound = 1 / math.sqrt(3)
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    wt = ember.tensor(w)
    gradcheck(lambda a, c: ember.nn.functional.bilinear(a, c, wt), x1.astype(np.float64),
              x2.astype(np.float64))
    with pytest.raises(Exception, match="Bilinear|bilinear"):
        layer(ember.tensor(x1), ember.tensor(x1))


@requires_torch
def test_bilinear_matches_pytorch_forward_and_backward():
    import torch
    ember.manual_seed(1)
    layer = nn.Bilinear(3, 4, 2)
    ref = torch.nn.Bilinear(3, 4, 2)
    with torch.no_grad():
        ref.weight.copy_(torch.tensor(layer.weight.detach().numpy()))
        ref.bias.copy_(torch.tensor(layer.bias.detach().numpy()))
    rng = np.random.default_rng(1)
    a, c = rng.standard_normal((5, 3)).astype(np.float32), rng.standard_normal((5, 4)).astype(np.float32)
    ea, ec = ember.tensor(a, requires_grad=True), ember.tensor(c, requires_grad=True)
    ta, tc = torch.tensor(a, requires_grad=True), torch.tensor(c, requires_grad=True)
    (layer(ea, ec) ** 2).sum().backward()
    (ref(ta, tc) ** 2).sum().backward()
    np.testing.assert_allclose(ea.grad.numpy(), ta.grad.numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(layer.weight.grad.numpy(), ref.weight.grad.numpy(), rtol=1e-4,
                               atol=1e-5)


def _stats(t):
    a = t.detach().numpy().astype(np.float64)
    return a.mean(), a.std(), np.abs(a).max()


@pytest.mark.parametrize("shape", [(256, 128), (64, 32, 3, 3)])
def test_init_functions_have_pytorchs_distributions(shape):
    ember.manual_seed(2)
    fan_in = shape[1] * int(np.prod(shape[2:]))
    fan_out = shape[0] * int(np.prod(shape[2:]))
    t = ember.empty(*shape)
    nn.init.xavier_uniform_(t)
    bound = math.sqrt(6 / (fan_in + fan_out))
    _, std, top = _stats(t)
    assert top <= bound and std == pytest.approx(bound / math.sqrt(3), rel=0.05)
    nn.init.xavier_normal_(t, gain=2.0)
    assert _stats(t)[1] == pytest.approx(2.0 * math.sqrt(2 / (fan_in + fan_out)), rel=0.05)
    nn.init.kaiming_uniform_(t, nonlinearity="relu")
    bound = math.sqrt(2) * math.sqrt(3 / fan_in)
    _, std, top = _stats(t)
    assert top <= bound and std == pytest.approx(bound / math.sqrt(3), rel=0.05)
    nn.init.kaiming_normal_(t, mode="fan_out", nonlinearity="relu")
    assert _stats(t)[1] == pytest.approx(math.sqrt(2 / fan_out), rel=0.05)
    nn.init.normal_(t, 1.0, 0.5)
    mean, std, _ = _stats(t)
    assert mean == pytest.approx(1.0, abs=0.02) and std == pytest.approx(0.5, rel=0.05)
    nn.init.uniform_(t, -2.0, 3.0)
    a = t.numpy()
    assert a.min() >= -2.0 and a.max() < 3.0 and a.mean() == pytest.approx(0.5, abs=0.05)
    nn.init.constant_(t, 0.25)
    assert (t.numpy() == 0.25).all()
    nn.init.zeros_(t)
    assert not t.numpy().any()
    nn.init.ones_(t)
    assert (t.numpy() == 1).all()


def test_orthogonal_init_gives_orthonormal_rows_or_columns():
    ember.manual_seed(3)
    for shape in [(4, 9), (9, 4), (6, 2, 3)]:
        t = ember.empty(*shape)
        nn.init.orthogonal_(t, gain=1.5)
        m = t.numpy().reshape(shape[0], -1).astype(np.float64)
        small = min(m.shape)
        gram = m @ m.T if m.shape[0] == small else m.T @ m
        np.testing.assert_allclose(gram, 1.5 ** 2 * np.eye(small), atol=1e-5)


def test_default_layer_init_matches_pytorch_bounds():
    ember.manual_seed(4)
    lin = nn.Linear(50, 20)
    conv = nn.Conv2d(3, 8, 5)
    for w, fan_in in ((lin.weight, 50), (lin.bias, 50), (conv.weight, 75), (conv.bias, 75)):
        assert _stats(w)[2] <= 1 / math.sqrt(fan_in) + 1e-7
    assert nn.init.calculate_gain("tanh") == pytest.approx(5 / 3)
    assert nn.init.calculate_gain("leaky_relu", 0.2) == pytest.approx(math.sqrt(2 / 1.04))
