"""Activations: relu, relu6, gelu (exact/tanh), silu, softplus, leaky_relu, elu, hardtanh,
clamp (number and tensor bounds) with in-place forms, gradients, PyTorch parity, errors."""

import math

import numpy as np
import pytest

import ember
from helpers import assert_close, check_forward, gradcheck, rand, requires_torch, torch

# Tensor.sum is bound by the reduce family; gradcheck needs it, so stand in until it exists.
if not hasattr(ember.Tensor, "sum"):
    class _Summed:
        def __init__(self, t):
            self.t = t

        def backward(self):
            self.t.backward(ember.tensor(np.ones(self.t.shape), dtype=self.t.dtype))
    ember.Tensor.sum = lambda self: _Summed(self)

_erf = np.vectorize(math.erf)


def _softplus(x, beta=1.0, threshold=20.0):
    return np.where(x * beta > threshold, x, np.log1p(np.exp(x * beta)) / beta)


def _gelu_tanh(x):
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))


# name -> (ember fn, numpy reference, torch fn name/kwargs)
ACTS = {
    "relu": (ember.relu, lambda x: np.maximum(x, 0), ("relu", {})),
    "relu6": (ember.relu6, lambda x: np.clip(x, 0, 6), ("relu6", {})),
    "gelu": (ember.gelu, lambda x: 0.5 * x * (1 + _erf(x / np.sqrt(2))), ("gelu", {})),
    "gelu_tanh": (lambda t: ember.gelu(t, approximate="tanh"), _gelu_tanh,
                  ("gelu", {"approximate": "tanh"})),
    "silu": (ember.silu, lambda x: x / (1 + np.exp(-x)), ("silu", {})),
    "softplus": (ember.softplus, _softplus, ("softplus", {})),
    "softplus_b2": (lambda t: ember.softplus(t, beta=2.0, threshold=3.0),
                    lambda x: _softplus(x, 2.0, 3.0), ("softplus", {"beta": 2.0, "threshold": 3.0})),
    "leaky_relu": (ember.leaky_relu, lambda x: np.where(x > 0, x, 0.01 * x), ("leaky_relu", {})),
    "leaky_relu_02": (lambda t: ember.leaky_relu(t, 0.2), lambda x: np.where(x > 0, x, 0.2 * x),
                      ("leaky_relu", {"negative_slope": 0.2})),
    "elu": (ember.elu, lambda x: np.where(x > 0, x, np.expm1(x)), ("elu", {})),
    "elu_a": (lambda t: ember.elu(t, alpha=0.5), lambda x: np.where(x > 0, x, 0.5 * np.expm1(x)),
              ("elu", {"alpha": 0.5})),
    "hardtanh": (ember.hardtanh, lambda x: np.clip(x, -1, 1), ("hardtanh", {})),
    "hardtanh_2": (lambda t: ember.hardtanh(t, -2.0, 0.5), lambda x: np.clip(x, -2, 0.5),
                   ("hardtanh", {"min_val": -2.0, "max_val": 0.5})),
    "clamp": (lambda t: ember.clamp(t, -0.5, 1.2), lambda x: np.clip(x, -0.5, 1.2), None),
    "clamp_min": (lambda t: ember.clamp(t, min=0.3), lambda x: np.maximum(x, 0.3), None),
    "clamp_max": (lambda t: ember.clamp_max(t, 0.3), lambda x: np.minimum(x, 0.3), None),
}


def _away_from_kinks(x):
    """Moves points off the non-differentiable spots (0, +-1, 6, clamp bounds)."""
    for k in (0.0, 1.0, -1.0, -0.5, 1.2, 0.3, 0.5, -2.0, 3.0 / 2.0):
        x = np.where(np.abs(x - k) < 0.05, x + 0.1, x)
    return x


@pytest.mark.parametrize("name", sorted(ACTS))
@pytest.mark.parametrize("shape", [(9,), (3, 4, 5)])
def test_forward(name, shape):
    fn, ref, _ = ACTS[name]
    x = rand(*shape, low=-8, high=8) if "relu6" in name else rand(*shape, low=-3, high=3)
    check_forward(fn, ref, x, rtol=1e-5, atol=1e-6)
    check_forward(fn, ref, x, dtype=ember.float64, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", sorted(ACTS))
def test_forward_strided_and_broadcast(name):
    fn, ref, _ = ACTS[name]
    x = rand(5, 6, low=-3, high=3, seed=4)
    stride0 = np.lib.stride_tricks.as_strided(x[:1], shape=(4, 6), strides=(0, x.strides[1]))
    for v in (x.T, x[::-2, 1::2], stride0):
        assert_close(fn(ember.from_numpy(v)), ref(v), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", sorted(ACTS))
@pytest.mark.parametrize("dtype", [ember.float16, ember.bfloat16])
def test_half_precision(name, dtype):
    fn, ref, _ = ACTS[name]
    t = ember.tensor(rand(4, 4, low=-3, high=3), dtype=dtype)
    out = fn(t)
    assert out.dtype == dtype
    assert_close(out.float(), ref(t.float().numpy().astype(np.float64)), rtol=2e-2, atol=2e-2)


@pytest.mark.parametrize("name", sorted(ACTS))
def test_gradcheck(name):
    fn = ACTS[name][0]
    gradcheck(fn, _away_from_kinks(rand(3, 5, low=-3, high=3, seed=2)))


def _first_derivative(fn):
    def d(x):
        x = x if x.requires_grad else x.detach().requires_grad_(True)
        ones = ember.tensor(np.ones(x.shape), dtype=x.dtype)
        return ember.autograd.grad(fn(x), x, grad_outputs=ones, create_graph=True)[0]
    return d


@pytest.mark.parametrize("name", ["gelu", "gelu_tanh", "silu", "softplus", "softplus_b2", "elu"])
def test_second_order(name):
    gradcheck(_first_derivative(ACTS[name][0]), _away_from_kinks(rand(2, 4, low=-3, high=3)),
              rtol=1e-4, atol=1e-5)


def test_relu_keeps_integers_and_nan():
    i = ember.tensor([-2, 0, 3])
    assert ember.relu(i).dtype == ember.int64 and ember.relu(i).tolist() == [0, 0, 3]
    assert np.isnan(ember.relu(ember.tensor([np.nan])).tolist()[0])
    assert ember.relu6(ember.tensor([-1, 3, 9], dtype=ember.int32)).tolist() == [0, 3, 6]


def test_relu_gradient_at_zero_is_zero():
    x = ember.tensor([-1.0, 0.0, 2.0], dtype=ember.float64, requires_grad=True)
    ember.relu(x).backward(ember.tensor([1.0, 1.0, 1.0], dtype=ember.float64))
    assert x.grad.tolist() == [0.0, 0.0, 1.0]


def test_tensor_methods():
    t = ember.tensor([-1.0, 0.5, 2.0])
    assert t.relu().tolist() == [0.0, 0.5, 2.0]
    assert_close(t.gelu(approximate="tanh"), _gelu_tanh(np.array([-1.0, 0.5, 2.0])))
    assert_close(t.silu(), ACTS["silu"][1](np.array([-1.0, 0.5, 2.0])))
    assert_close(t.softplus(beta=2.0), _softplus(np.array([-1.0, 0.5, 2.0]), 2.0))
    assert_close(t.elu(alpha=2.0), [2 * np.expm1(-1.0), 0.5, 2.0])
    assert_close(t.leaky_relu(0.1), [-0.1, 0.5, 2.0])
    assert t.hardtanh(-0.5, 0.5).tolist() == [-0.5, 0.5, 0.5]
    assert t.relu6().tolist() == [0.0, 0.5, 2.0]
    assert t.clip(0, 1).tolist() == [0.0, 0.5, 1.0]
    assert t.clamp_min(0).tolist() == [0.0, 0.5, 2.0]
    assert ember.clip(t, max=0).tolist() == [-1.0, 0.0, 0.0]


def test_inplace_relu_and_clamp():
    t = ember.tensor([-1.0, 0.5, 2.0])
    assert t.relu_() is t and t.tolist() == [0.0, 0.5, 2.0]
    assert t.clamp_(max=1.0) is t and t.tolist() == [0.0, 0.5, 1.0]
    t.clamp_(min=ember.tensor([0.2, 0.2, 0.2]))
    assert_close(t, [0.2, 0.5, 1.0])
    u = ember.tensor([-1.0, 3.0])
    ember.relu_(u)
    assert u.tolist() == [0.0, 3.0]


def test_inplace_relu_with_autograd():
    x = ember.tensor([-1.0, 2.0], dtype=ember.float64, requires_grad=True)
    y = x * 2.0
    y.relu_()
    y.backward(ember.tensor([1.0, 1.0], dtype=ember.float64))
    assert x.grad.tolist() == [0.0, 2.0]


# ---- clamp ----

def test_clamp_dtypes():
    i = ember.tensor([-5, 0, 5])
    assert ember.clamp(i, -2, 2).dtype == ember.int64
    assert ember.clamp(i, -2, 2).tolist() == [-2, 0, 2]
    out = ember.clamp(i, min=-2.5)
    assert out.dtype == ember.float32 and out.tolist() == [-2.5, 0.0, 5.0]
    h = ember.tensor([1.0, 2.0], dtype=ember.float16)
    assert ember.clamp(h, 1.5).dtype == ember.float16


def test_clamp_min_greater_than_max_gives_max_and_nan_propagates():
    t = ember.tensor([-1.0, 0.5, np.nan])
    out = ember.clamp(t, 2.0, 1.0).tolist()
    assert out[:2] == [1.0, 1.0] and np.isnan(out[2])
    tb = ember.clamp(t, ember.tensor(2.0), ember.tensor(1.0)).tolist()
    assert tb[:2] == [1.0, 1.0]


def test_clamp_tensor_bounds_broadcast_and_promote():
    x = rand(3, 4, seed=6)
    lo = rand(4, seed=7, low=-1, high=0)
    hi = rand(3, 1, seed=8, low=0, high=1)
    out = ember.clamp(ember.tensor(x), ember.tensor(lo), ember.tensor(hi))
    assert_close(out, np.minimum(np.maximum(x, lo), hi))
    i = ember.tensor([-3, 0, 3])
    out = ember.clamp(i, min=ember.tensor([-1.5, 0.5, 0.0]))
    assert out.dtype == ember.float32 and out.tolist() == [-1.5, 0.5, 3.0]


def test_clamp_tensor_bounds_gradients():
    x = _away_from_kinks(rand(3, 4, seed=6))
    lo = _away_from_kinks(rand(4, seed=7, low=-1, high=0))
    hi = _away_from_kinks(rand(3, 1, seed=8, low=0, high=1))
    x = np.where(np.abs(x - lo) < 0.05, x + 0.1, x)
    x = np.where(np.abs(x - hi) < 0.05, x + 0.1, x)
    gradcheck(lambda a, b, c: ember.clamp(a, b, c), x, lo, hi)
    gradcheck(lambda a, b: ember.clamp_min(a, b), x, lo)
    gradcheck(lambda a, c: ember.clamp_max(a, c), x, hi)


def test_clamp_gradient_at_bounds_passes_like_torch():
    x = ember.tensor([0.0, 1.0, 0.5, 2.0], dtype=ember.float64, requires_grad=True)
    ember.clamp(x, 0.0, 1.0).backward(ember.tensor([1.0] * 4, dtype=ember.float64))
    assert x.grad.tolist() == [1.0, 1.0, 1.0, 0.0]


# ---- errors ----

def test_error_clamp_without_bounds():
    with pytest.raises(ValueError, match=r"\[clamp\] at least one of min or max"):
        ember.clamp(ember.tensor([1.0]))


def test_error_clamp_bool():
    with pytest.raises(TypeError, match=r"\[clamp\].*bool"):
        ember.clamp(ember.tensor([True]), min=False)


def test_error_gelu_bad_approximate():
    with pytest.raises(ValueError, match=r"\[gelu\] approximate.*'fast'"):
        ember.gelu(ember.tensor([1.0]), approximate="fast")


@pytest.mark.parametrize("fn,name", [(ember.gelu, "gelu"), (ember.silu, "silu"),
                                     (ember.softplus, "softplus"), (ember.elu, "elu"),
                                     (ember.leaky_relu, "leaky_relu")])
def test_error_float_only_activations_reject_ints(fn, name):
    with pytest.raises(TypeError, match=rf"\[{name}\] expected a floating-point tensor, got int64"):
        fn(ember.tensor([1, 2]))


def test_error_relu_of_bool():
    with pytest.raises(TypeError, match=r"\[relu\].*bool"):
        ember.relu(ember.tensor([True]))


def test_error_hardtanh_bounds():
    with pytest.raises(ValueError, match=r"\[hardtanh\] min_val \(2.*\) must not exceed max_val"):
        ember.hardtanh(ember.tensor([1.0]), 2.0, 1.0)


def test_error_inplace_relu_on_expanded_tensor():
    base = np.zeros((1, 3))
    t = ember.from_numpy(np.lib.stride_tricks.as_strided(base, shape=(2, 3),
                                                         strides=(0, base.strides[1])))
    with pytest.raises(ValueError, match=r"\[relu_\].*expanded"):
        t.relu_()


# ---- PyTorch parity ----

@requires_torch
@pytest.mark.parametrize("name", sorted(k for k, v in ACTS.items() if v[2]))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_torch_parity(name, dtype):
    fn, _, (tname, kw) = ACTS[name]
    x = rand(4, 5, low=-4, high=8, seed=3).astype(dtype)
    theirs = getattr(torch.nn.functional, tname)(torch.from_numpy(x), **kw)
    tol = 1e-6 if dtype == "float32" else 1e-12
    assert_close(fn(ember.from_numpy(x)), theirs.numpy(), rtol=tol, atol=tol)


@requires_torch
@pytest.mark.parametrize("name", sorted(k for k, v in ACTS.items() if v[2]))
def test_torch_gradient_parity(name):
    fn, _, (tname, kw) = ACTS[name]
    x = rand(4, 5, low=-4, high=8, seed=3)
    g = rand(4, 5, seed=5)
    t = ember.tensor(x, dtype=ember.float64, requires_grad=True)
    fn(t).backward(ember.tensor(g, dtype=ember.float64))
    tt = torch.tensor(x, requires_grad=True)
    getattr(torch.nn.functional, tname)(tt, **kw).backward(torch.tensor(g))
    assert_close(t.grad, tt.grad.numpy(), rtol=1e-10, atol=1e-12)


@requires_torch
def test_torch_clamp_parity_with_tensor_bounds():
    x = rand(3, 4, seed=1)
    lo, hi = rand(4, seed=2, low=-1, high=0), rand(3, 1, seed=3, low=0, high=1)
    g = rand(3, 4, seed=4)
    ts = [ember.tensor(a, dtype=ember.float64, requires_grad=True) for a in (x, lo, hi)]
    ember.clamp(*ts).backward(ember.tensor(g, dtype=ember.float64))
    tt = [torch.tensor(a, requires_grad=True) for a in (x, lo, hi)]
    torch.clamp(*tt).backward(torch.tensor(g))
    for a, b in zip(ts, tt):
        assert_close(a.grad, b.grad.numpy(), rtol=1e-12, atol=1e-12)
