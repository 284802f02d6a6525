"""weight_norm / spectral_norm (hook and parametrization forms), parametrize, and
copy.deepcopy of modules, against PyTorch where it is installed."""

import copy
import warnings

import numpy as np
import pytest

import ember
from ember.nn.utils import parametrize
from helpers import requires_torch, torch


def _e(t):
    return ember.tensor(t.detach().numpy())


def _n(t):
    return t.detach().numpy()


LAYERS = [lambda nn: nn.Linear(4, 3), lambda nn: nn.Conv2d(2, 3, 2),
          lambda nn: nn.ConvTranspose1d(3, 2, 2), lambda nn: nn.Conv3d(2, 2, 1)]


def _input(tm):
    name = type(tm).__name__
    if "Linear" in name:
        return torch.randn(2, 4, dtype=torch.float64)
    if "ConvTranspose1d" in name:
        return torch.randn(2, 3, 5, dtype=torch.float64)
    if "Conv3d" in name:
        return torch.randn(1, 2, 3, 3, 3, dtype=torch.float64)
    return torch.randn(2, 2, 5, 5, dtype=torch.float64)


def _apis(kind, new):
    if new:
        return (getattr(torch.nn.utils.parametrizations, kind),
                getattr(ember.nn.utils.parametrizations, kind))
    return getattr(torch.nn.utils, kind), getattr(ember.nn.utils, kind)


@requires_torch
@pytest.mark.parametrize("new", [False, True], ids=["hooks", "parametrizations"])
@pytest.mark.parametrize("kind", ["weight_norm", "spectral_norm"])
@pytest.mark.parametrize("make", LAYERS)
def test_reparametrization_matches_torch(make, kind, new):
    """Same state-dict names; loaded with PyTorch's values, two training steps give the same
    outputs, gradients and power-iteration buffers; eval mode too."""
    tm, em = make(torch.nn).double(), make(ember.nn).to(ember.float64)
    tfn, efn = _apis(kind, new)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tfn(tm)
    efn(em)
    assert sorted(em.state_dict()) == sorted(tm.state_dict())
    assert sorted(n for n, _ in em.named_parameters()) == \
        sorted(n for n, _ in tm.named_parameters())
    em.load_state_dict({k: _e(v) for k, v in tm.state_dict().items()})
    x = _input(tm)
    for _ in range(2):
        ty, ey = tm(x), em(_e(x))
        ty.square().sum().backward()
        ey.square().sum().backward()
    np.testing.assert_allclose(_n(ey), _n(ty), rtol=1e-10, atol=1e-12)
    eparams = dict(em.named_parameters())
    for name, p in tm.named_parameters():
        np.testing.assert_allclose(_n(eparams[name].grad), _n(p.grad), rtol=1e-9, atol=1e-11)
    esd = em.state_dict()
    for k, v in tm.state_dict().items():
        np.testing.assert_allclose(_n(esd[k]), _n(v), rtol=1e-10, atol=1e-12)
    tm.eval()   # (in training mode PyTorch's parametrized weight iterates on every access)
    em.eval()
    np.testing.assert_allclose(_n(em(_e(x))), _n(tm(x)), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(_n(em.weight), _n(tm.weight), rtol=1e-10, atol=1e-12)


def test_weight_norm_math_and_remove():
    lin = ember.nn.Linear(5, 3).to(ember.float64)
    w0 = lin.weight.numpy().copy()
    ember.nn.utils.weight_norm(lin)
    g, v = lin.weight_g.numpy(), lin.weight_v.numpy()
    np.testing.assert_allclose(v, w0, rtol=1e-12)
    np.testing.assert_allclose(g[:, 0], np.linalg.norm(w0, axis=1), rtol=1e-12)
    with ember.no_grad():
        lin.weight_g.mul_(2.0)
    x = ember.randn(4, 5, dtype=ember.float64)
    expected = x.numpy() @ (2 * w0).T + lin.bias.numpy()
    np.testing.assert_allclose(lin(x).numpy(), expected, rtol=1e-10)
    ember.nn.utils.remove_weight_norm(lin)
    assert sorted(lin.state_dict()) == ["bias", "weight"]
    np.testing.assert_allclose(lin.weight.numpy(), 2 * w0, rtol=1e-12)
    np.testing.assert_allclose(lin(x).numpy(), expected, rtol=1e-10)
    with pytest.raises(ValueError, match=r"\[remove_weight_norm\] weight_norm of 'weight' "
                                         r"not found in Linear"):
        ember.nn.utils.remove_weight_norm(lin)


def test_spectral_norm_bounds_sigma_and_remove():
    lin = ember.nn.Linear(6, 4).to(ember.float64)
    ember.nn.utils.parametrizations.spectral_norm(lin)
    for _ in range(300):   # power iteration converges in training mode
        lin(ember.randn(1, 6, dtype=ember.float64))
    assert np.linalg.norm(lin.weight.numpy(), 2) == pytest.approx(1.0, rel=1e-6)
    parametrize.remove_parametrizations(lin, "weight")
    assert sorted(lin.state_dict()) == ["bias", "weight"] and not parametrize.is_parametrized(lin)
    assert np.linalg.norm(lin.weight.numpy(), 2) == pytest.approx(1.0, rel=1e-6)
    with pytest.raises(ValueError, match=r"n_power_iterations to be positive"):
        ember.nn.utils.spectral_norm(ember.nn.Linear(2, 2), n_power_iterations=0)


def test_register_parametrization_custom_module():
    class Symmetric(ember.nn.Module):
        def forward(self, X):
            return X.triu() + X.triu(1).transpose(0, 1)

    lin = ember.nn.Linear(3, 3)
    parametrize.register_parametrization(lin, "weight", Symmetric())
    w = lin.weight.numpy()
    np.testing.assert_allclose(w, w.T)
    assert "parametrizations.weight.original" in lin.state_dict()
    out = lin(ember.randn(2, 3))
    out.sum().backward()
    assert lin.parametrizations.weight.original.grad is not None
    with pytest.raises(ValueError, match=r"\[register_parametrization\] Linear has no "
                                         r"parameter 'scale'"):
        parametrize.register_parametrization(lin, "scale", Symmetric())


def test_deepcopy_modules_and_tensors():
    class Net(ember.nn.Module):
        def __init__(self):
            super().__init__()
            self.body = ember.nn.Sequential(ember.nn.Conv2d(1, 2, 3, padding=1),
                                            ember.nn.BatchNorm2d(2), ember.nn.ReLU(),
                                            ember.nn.Flatten(),
                                            ember.nn.Linear(32, 3, bias=False))
            self.lstm = ember.nn.LSTM(3, 4, num_layers=2, batch_first=True)
            self.scale = ember.nn.Parameter(ember.ones(3))
            self.register_buffer("count", ember.zeros(1))
            self.tags = ["a"]

        def forward(self, x):
            out, _ = self.lstm((self.body(x) * self.scale).unsqueeze(1))
            return out.sum() + self.count

    net = Net()
    clone = copy.deepcopy(net)
    x = ember.randn(2, 1, 4, 4)
    assert clone(x).item() == net(x).item()
    assert list(clone.state_dict()) == list(net.state_dict())
    assert all(a is not b for a, b in zip(clone.parameters(), net.parameters()))
    assert "body.4.bias" not in clone.state_dict() and clone.tags == net.tags and clone.tags is not net.tags
    with ember.no_grad():
        clone.scale.mul_(2.0)
    assert net.scale.tolist() == [1.0, 1.0, 1.0]
    t = ember.ones(2, requires_grad=True)
    assert copy.deepcopy(t).requires_grad and copy.deepcopy(t) is not t

    def own_forward(x):
        return x

    net.lstm.forward = own_forward
    with pytest.raises(TypeError, match=r"\[deepcopy\] cannot copy a LSTM whose forward"):
        copy.deepcopy(net)


@pytest.mark.parametrize("reparametrize", [
    ember.nn.utils.weight_norm, ember.nn.utils.spectral_norm,
    ember.nn.utils.parametrizations.weight_norm, ember.nn.utils.parametrizations.spectral_norm])
def test_deepcopy_reparametrized_module(reparametrize):
    model = ember.nn.Sequential(reparametrize(ember.nn.Linear(3, 4)), ember.nn.Tanh())
    model.eval()
    clone = copy.deepcopy(model)
    x = ember.randn(2, 3)
    assert clone(x).tolist() == model(x).tolist()
    assert list(clone.state_dict()) == list(model.state_dict())
    for p in clone.parameters():
        with ember.no_grad():
            p.mul_(0.5)
    assert clone(x).tolist() != model(x).tolist()   # the copy uses its own parameters
    clone(x).sum().backward()
    assert all(p.grad is not None for p in clone.parameters())
    assert all(p.grad is None for p in model.parameters())
