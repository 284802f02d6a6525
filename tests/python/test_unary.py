"""Unary math: forward vs float64 NumPy on contiguous, strided and broadcast inputs, dtype
rules, gradients (first and second order), in-place forms, PyTorch parity, errors."""

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

# name -> (numpy reference, input range low, high)
FLOAT_FNS = {
    "exp": (np.exp, -2, 2),
    "expm1": (np.expm1, -2, 2),
    "log": (np.log, 0.1, 3),
    "log1p": (np.log1p, -0.9, 3),
    "sqrt": (np.sqrt, 0.1, 3),
    "rsqrt": (lambda x: 1 / np.sqrt(x), 0.1, 3),
    "reciprocal": (lambda x: 1 / x, 0.5, 3),
    "sin": (np.sin, -3, 3),
    "cos": (np.cos, -3, 3),
    "tanh": (np.tanh, -3, 3),
    "sigmoid": (lambda x: 1 / (1 + np.exp(-x)), -4, 4),
    "erf": (_erf, -2, 2),
    "square": (np.square, -2, 2),
    "neg": (np.negative, -2, 2),
    "abs": (np.abs, -2, 2),
}
STEP_FNS = {
    "sign": np.sign,
    "floor": np.floor,
    "ceil": np.ceil,
    "round": np.round,  # half to even, like PyTorch
    "trunc": np.trunc,
}
ALL = {**{k: v[0] for k, v in FLOAT_FNS.items()}, **STEP_FNS}


def _range(name):
    return FLOAT_FNS[name][1:] if name in FLOAT_FNS else (-3, 3)


def _input(name, *shape, dtype=np.float64, seed=0):
    lo, hi = _range(name)
    return rand(*shape, dtype=dtype, low=lo, high=hi, seed=seed)


@pytest.mark.parametrize("name", sorted(ALL))
@pytest.mark.parametrize("shape", [(7,), (3, 4, 5), (1, 1)])
def test_forward_matches_numpy(name, shape):
    x = _input(name, *shape)
    check_forward(getattr(ember, name), ALL[name], x, rtol=1e-5, atol=1e-6)
    check_forward(lambda t: getattr(t, name)(), ALL[name], x, dtype=ember.float64, rtol=1e-12,
                  atol=1e-12)


@pytest.mark.parametrize("name", sorted(ALL))
def test_forward_on_strided_and_broadcast_views(name):
    x = _input(name, 4, 6, seed=3)
    stride0 = np.lib.stride_tricks.as_strided(x[:1], shape=(5, 6), strides=(0, x.strides[1]))
    views = [x.T, x[::2, ::-3], stride0, x[:, 1:2]]
    for v in views:
        t = ember.from_numpy(v)
        assert_close(getattr(ember, name)(t), ALL[name](v), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", sorted(ALL))
@pytest.mark.parametrize("dtype", [ember.float16, ember.bfloat16])
def test_half_precision(name, dtype):
    x = _input(name, 5, 3)
    t = ember.tensor(x, dtype=dtype)
    out = getattr(ember, name)(t)
    assert out.dtype == dtype
    ref = ALL[name](t.float().numpy().astype(np.float64))
    assert_close(out.float(), ref, rtol=2e-2, atol=2e-2)


@pytest.mark.parametrize("name", sorted(FLOAT_FNS))
def test_gradcheck(name):
    gradcheck(getattr(ember, name), _input(name, 3, 4))


@pytest.mark.parametrize("name", sorted(STEP_FNS))
def test_piecewise_constant_ops_have_zero_gradient(name):
    x = ember.tensor(_input(name, 2, 3), dtype=ember.float64, requires_grad=True)
    getattr(ember, name)(x).backward(ember.ones_like(x) if hasattr(ember, "ones_like")
                                     else ember.tensor(np.ones((2, 3))).double())
    assert_close(x.grad, np.zeros((2, 3)))


def _first_derivative(fn):
    """x -> d fn(x) / dx (elementwise), computed with create_graph so it is differentiable."""
    def d(x):
        if not x.requires_grad:
            x = x.detach().requires_grad_(True)
        ones = ember.tensor(np.ones(x.shape), dtype=x.dtype)
        return ember.autograd.grad(fn(x), x, grad_outputs=ones, create_graph=True)[0]
    return d


@pytest.mark.parametrize("name", ["exp", "log", "sqrt", "rsqrt", "reciprocal", "sin", "cos",
                                  "tanh", "sigmoid", "erf", "square", "expm1", "log1p"])
def test_second_order_gradcheck(name):
    gradcheck(_first_derivative(getattr(ember, name)), _input(name, 2, 3), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("dtype", [ember.int32, ember.int64, ember.uint8, ember.bool])
def test_float_functions_promote_integers_to_float32(dtype):
    x = ember.tensor([0, 1, 1], dtype=dtype)
    for name in ["exp", "sqrt", "sigmoid", "sin", "log1p", "reciprocal"]:
        out = getattr(ember, name)(x)
        assert out.dtype == ember.float32, name
        with np.errstate(divide="ignore"):
            expected = FLOAT_FNS[name][0](np.array([0.0, 1, 1]))
        assert_close(out, expected, rtol=1e-6)


@pytest.mark.parametrize("dtype", [ember.int32, ember.int64, ember.uint8])
def test_integer_preserving_functions(dtype):
    vals = [0, 1, 7] if dtype == ember.uint8 else [-3, 0, 7]
    x = ember.tensor(vals, dtype=dtype)
    for name in ["floor", "ceil", "round", "trunc", "abs", "square", "sign"]:
        out = getattr(ember, name)(x)
        assert out.dtype == dtype, name
        np.testing.assert_array_equal(out.numpy(), ALL[name](np.array(vals)).astype(out.numpy().dtype))
    if dtype != ember.uint8:
        assert ember.neg(x).tolist() == [3, 0, -7]
        assert (-x).dtype == dtype


def test_round_is_half_to_even():
    x = ember.tensor([0.5, 1.5, 2.5, -0.5, -1.5])
    assert ember.round(x).tolist() == [0.0, 2.0, 2.0, -0.0, -2.0]


def test_round_decimals():
    x = rand(20, dtype=np.float64, seed=4) * 100
    assert_close(ember.round(ember.tensor(x, dtype=ember.float64), decimals=2), np.round(x, 2),
                 rtol=1e-12)
    assert_close(ember.tensor(x, dtype=ember.float64).round(decimals=-1), np.round(x, -1),
                 rtol=1e-12)
    assert ember.round(ember.tensor([15, 25]), decimals=-1).tolist() == [15, 25]  # ints: as is


@requires_torch
def test_round_decimals_torch_parity():
    x = rand(50, dtype=np.float32, seed=5) * 10
    for d in (1, 3, -1):
        np.testing.assert_array_equal(ember.round(ember.tensor(x), decimals=d).numpy(),
                                      torch.round(torch.from_numpy(x), decimals=d).numpy())


def test_functional_forms_reject_numbers():
    with pytest.raises(TypeError, match=r"\[exp\] expected a Tensor, got float"):
        ember.exp(2.0)
    with pytest.raises(TypeError, match=r"\[relu\] expected a Tensor, got int"):
        ember.relu(1)


def test_empty_tensors():
    e = ember.from_numpy(np.zeros((0, 3), dtype=np.float32))
    for name in ("exp", "neg", "floor", "isnan", "sigmoid"):
        assert getattr(ember, name)(e).shape == (0, 3)
    assert (e + ember.tensor([1.0, 2.0, 3.0])).shape == (0, 3)
    assert ember.where(e > 0, e, 1.0).shape == (0, 3)
    assert (ember.from_numpy(np.zeros((0,), dtype=np.int64)) // ember.tensor([0])).shape == (0,)


def test_sign_of_bool_and_nan():
    assert ember.sign(ember.tensor([True, False])).tolist() == [True, False]
    out = ember.sign(ember.tensor([-2.0, 0.0, 3.0, float("nan")]))
    assert out.tolist()[:3] == [-1.0, 0.0, 1.0] and math.isnan(out.tolist()[3])


def test_predicates():
    x = ember.tensor([1.0, float("nan"), float("inf"), -float("inf"), 0.0])
    assert ember.isnan(x).tolist() == [False, True, False, False, False]
    assert ember.isinf(x).tolist() == [False, False, True, True, False]
    assert ember.isfinite(x).tolist() == [True, False, False, False, True]
    assert ember.logical_not(x).tolist() == [False, False, False, False, True]
    i = ember.tensor([0, 3])
    assert ember.isnan(i).tolist() == [False, False]
    assert ember.isinf(i).tolist() == [False, False]
    assert ember.isfinite(i).tolist() == [True, True]
    assert i.logical_not().tolist() == [True, False]
    for fn in (ember.isnan, ember.isinf, ember.isfinite, ember.logical_not):
        assert fn(x).dtype == ember.bool
        assert fn(ember.from_numpy(np.array([[1.0, np.nan], [np.inf, 2]]).T)).shape == (2, 2)


@pytest.mark.parametrize("name", ["neg", "abs", "exp", "log", "sqrt", "sigmoid", "tanh", "floor",
                                  "ceil", "round"])
def test_inplace_matches_out_of_place(name):
    x = _input(name, 3, 4)
    t = ember.tensor(x)
    v0 = t._version
    r = getattr(t, name + "_")()
    assert r is t
    assert t._version > v0
    assert_close(t, ALL[name](x.astype(np.float32)), rtol=1e-5, atol=1e-6)


def test_inplace_on_strided_view_writes_through():
    base = np.arange(12, dtype=np.float32).reshape(3, 4)
    t = ember.from_numpy(base)
    view = ember.from_numpy(base[:, ::2])
    view.neg_()
    assert t.tolist()[0] == [-0.0, 1.0, -2.0, 3.0]


def test_inplace_with_autograd():
    x = ember.tensor([0.5, 1.0, 2.0], dtype=ember.float64, requires_grad=True)
    y = x * 1.0
    y.exp_()
    y.backward(ember.tensor([1.0, 1.0, 1.0], dtype=ember.float64))
    assert_close(x.grad, np.exp([0.5, 1.0, 2.0]))


def test_inplace_float_function_on_int_tensor_raises():
    t = ember.tensor([1, 2, 3])
    with pytest.raises(TypeError, match=r"\[exp_\].*float32.*int64"):
        t.exp_()


def test_abs_and_pos_operators():
    t = ember.tensor([-1.5, 2.0])
    assert abs(t).tolist() == [1.5, 2.0]
    assert (+t) is t
    assert ember.absolute(t).tolist() == [1.5, 2.0]
    assert ember.negative(t).tolist() == [1.5, -2.0]
    assert ember.fix(ember.tensor([-1.5, 2.7])).tolist() == [-1.0, 2.0]


def test_error_neg_of_bool():
    with pytest.raises(TypeError, match=r"\[neg\].*bool"):
        ember.neg(ember.tensor([True]))


def test_error_pos_of_bool():
    with pytest.raises(TypeError, match=r"\[positive\].*bool"):
        +ember.tensor([True])


def test_error_non_tensor_argument():
    with pytest.raises(TypeError, match=r"\[exp\].*str"):
        ember.exp("x")


@requires_torch
@pytest.mark.parametrize("name", sorted(ALL))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_torch_parity(name, dtype):
    x = _input(name, 4, 5, dtype=np.dtype(dtype), seed=7)
    ours = getattr(ember, name)(ember.from_numpy(x.T))
    theirs = getattr(torch, name)(torch.from_numpy(x).T)
    tol = 1e-6 if dtype == "float32" else 1e-12
    assert_close(ours, theirs.numpy(), rtol=tol, atol=tol)


@requires_torch
@pytest.mark.parametrize("name", sorted(FLOAT_FNS))
def test_torch_gradient_parity(name):
    x = _input(name, 3, 3, seed=11)
    g = rand(3, 3, seed=12)
    t = ember.tensor(x, dtype=ember.float64, requires_grad=True)
    getattr(ember, name)(t).backward(ember.tensor(g, dtype=ember.float64))
    tt = torch.tensor(x, requires_grad=True)
    getattr(torch, name)(tt).backward(torch.tensor(g))
    assert_close(t.grad, tt.grad.numpy(), rtol=1e-10, atol=1e-12)


def _signed_specials(dtype):
    return np.array([-0.0, 0.0, -1.5, 2.5, np.nan, -np.nan, np.inf, -np.inf], dtype=dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
def test_abs_sign_neg_signed_zeros_match_numpy(dtype):
    # abs clears the sign bit (abs(-0.0) is +0.0, as numpy and PyTorch), eagerly and traced.
    x = _signed_specials(dtype)
    t = ember.from_numpy(x)
    for name, ref in [("abs", np.abs), ("sign", np.sign), ("neg", np.negative)]:
        fn = getattr(ember, name)
        want = ref(x)
        got = fn(t).numpy()
        np.testing.assert_array_equal(got, want, err_msg=name)
        finite = ~np.isnan(want)
        np.testing.assert_array_equal(np.signbit(got[finite]), np.signbit(want[finite]), err_msg=name)


def test_abs_clears_sign_inside_a_traced_fused_chain():
    x = np.tile(_signed_specials(np.float32), 40)
    f = ember.function(lambda t: ember.abs(t * 1.0) * 2.0)
    t = ember.from_numpy(x)
    got = f(t).numpy()
    assert "fused_elementwise" in f.graph(t).op_names
    want = np.abs(x) * 2.0
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(np.signbit(got), np.signbit(want))
