"""atan2 (and its NumPy / Keras / TF names): values against float64 NumPy, broadcasting,
type promotion as in PyTorch, gradients against finite differences, in-place rules, tracing,
errors, and the CUDA kernel where a GPU is present."""

import math

import numpy as np
import pytest

import ember
from ember import keras
from helpers import assert_close, check_forward, gradcheck, rand, requires_torch, torch

requires_cuda = pytest.mark.skipif(not ember.cuda.is_available(),
                                   reason="no CUDA device (ember.cuda.is_available() is False)")

SHAPES = [((3, 4), (3, 4)), ((2, 1, 4), (3, 1)), ((5,), (1,)), ((1, 1), (2, 3)), ((), (4,))]


@pytest.mark.parametrize("sy,sx", SHAPES)
@pytest.mark.parametrize("dtype", [ember.float32, ember.float64])
def test_forward_matches_numpy_with_broadcasting(sy, sx, dtype):
    check_forward(ember.atan2, np.arctan2, rand(*sy, seed=1), rand(*sx, seed=2), dtype=dtype,
                  rtol=1e-6 if dtype == ember.float32 else 1e-12, atol=1e-6)


def test_every_quadrant_signed_zeros_and_infinities():
    inf = np.inf
    y = np.array([1, 1, -1, -1, 0, -0.0, 0, -0.0, 2, inf, -inf, inf, 3, np.nan])
    x = np.array([1, -1, 1, -1, 0, 0, -0.0, -0.0, inf, 5, -inf, inf, -inf, 1])
    got = ember.atan2(ember.tensor(y), ember.tensor(x)).numpy()
    want = np.arctan2(y, x)
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(np.signbit(got), np.signbit(want))


@pytest.mark.parametrize("make_y,make_x,expected", [
    (lambda: ember.tensor([1, -2]), lambda: ember.tensor([3, 1]), "default"),
    (lambda: ember.tensor([True, False]), lambda: ember.tensor([True, True]), "default"),
    (lambda: ember.tensor([1, -2]), lambda: ember.ones(2, dtype=ember.float16), "float16"),
    (lambda: ember.ones(2, dtype=ember.float32), lambda: ember.ones(2, dtype=ember.float64),
     "float64"),
    (lambda: ember.ones(2, dtype=ember.float32), lambda: 2.5, "float32"),
    (lambda: ember.ones(2, dtype=ember.bfloat16), lambda: 2, "bfloat16"),
])
@pytest.mark.parametrize("default", [ember.float32, ember.float64])
def test_type_promotion_like_torch(make_y, make_x, expected, default):
    ember.set_default_dtype(default)
    try:
        out = ember.atan2(make_y(), make_x())
        assert out.dtype == (default if expected == "default" else getattr(ember, expected))
    finally:
        ember.set_default_dtype(ember.float32)


def test_int_inputs_compute_in_the_default_float():
    y, x = np.array([1, -2, 0, 7]), np.array([1, 1, -3, -2])
    assert_close(ember.atan2(ember.tensor(y), ember.tensor(x)), np.arctan2(y, x), rtol=1e-6)
    ember.set_default_dtype(ember.float64)
    try:
        out = ember.atan2(ember.tensor(y), ember.tensor(x))
    finally:
        ember.set_default_dtype(ember.float32)
    assert out.dtype == ember.float64
    np.testing.assert_allclose(out.numpy(), np.arctan2(y, x), rtol=1e-15)


@pytest.mark.parametrize("sy,sx", SHAPES)
def test_gradients_match_finite_differences(sy, sx):
    # Inputs away from the origin, where atan2 is smooth.
    y = rand(*sy, seed=3, low=0.3, high=2.0) * np.where(rand(*sy, seed=4) > 0, 1, -1)
    x = rand(*sx, seed=5, low=0.3, high=2.0) * np.where(rand(*sx, seed=6) > 0, 1, -1)
    gradcheck(ember.atan2, y, x)


def test_gradient_closed_form_and_second_derivative():
    y = ember.tensor([3.0, -0.8], dtype=ember.float64, requires_grad=True)
    x = ember.tensor([-4.0, 1.7], dtype=ember.float64, requires_grad=True)
    gy, gx = ember.autograd.grad(ember.atan2(y, x).sum(), [y, x], create_graph=True)
    yv, xv = y.detach().numpy(), x.detach().numpy()
    r2 = xv * xv + yv * yv
    np.testing.assert_allclose(gy.detach().numpy(), xv / r2, rtol=1e-14)
    np.testing.assert_allclose(gx.detach().numpy(), -yv / r2, rtol=1e-14)
    (gyy,) = ember.autograd.grad(gy.sum(), [y])
    np.testing.assert_allclose(gyy.numpy(), -2 * xv * yv / r2 ** 2, rtol=1e-13)


def test_names_methods_and_in_place():
    y = ember.tensor([1.0, -1.0, 2.0])
    x = ember.tensor([-1.0, -1.0, 0.0])
    want = np.arctan2(y.numpy(), x.numpy())
    assert ember.arctan2 is ember.atan2
    for out in (ember.atan2(y, x), ember.arctan2(y, x), y.atan2(x), y.arctan2(x),
                ember.atan2(input=y, other=x)):
        assert_close(out, want)
    assert_close(ember.atan2(1.0, x), np.arctan2(1.0, x.numpy()))
    assert_close(y.atan2(2), np.arctan2(y.numpy(), 2.0))
    z = y.clone()
    assert z.atan2_(x) is z
    assert_close(z, want)
    w = y.clone()
    w.arctan2_(x)
    assert_close(w, want)


def test_in_place_on_an_int_tensor_raises():
    t = ember.tensor([1, 2])
    with pytest.raises(Exception, match="atan2"):
        t.atan2_(ember.tensor([1, 1]))


def test_bad_shapes_name_the_op():
    with pytest.raises(ValueError, match=r"\[atan2\].*[\[(]2, 3[\])].*[\[(]4,?[\])]"):
        ember.atan2(ember.ones(2, 3), ember.ones(4))


def test_keras_and_tf_names():
    y, x = rand(3, seed=7), rand(3, seed=8)
    out = keras.ops.arctan2(y.astype(np.float32), x.astype(np.float32))
    assert_close(out, np.arctan2(y, x), rtol=1e-6)
    ints = keras.ops.arctan2([1, -2], [3, 3])  # Keras: integer inputs give floatx()
    assert ints.dtype == ember.float32
    assert_close(ints, np.arctan2([1, -2], [3, 3]), rtol=1e-6)
    assert_close(ember.math.atan2(ember.tensor(y), ember.tensor(x)), np.arctan2(y, x),
                 rtol=1e-6)


def test_traced_function_matches_eager():
    @ember.function
    def angle(y, x):
        return ember.atan2(y, x) * 2.0

    y, x = ember.tensor(rand(4, 3, seed=9)), ember.tensor(rand(3, seed=10))
    assert_close(angle(y, x), 2.0 * np.arctan2(y.numpy(), x.numpy()), rtol=1e-6)
    assert_close(angle(y, x), ember.atan2(y, x) * 2.0)


@requires_torch
def test_values_and_gradients_match_torch():
    y, x = rand(2, 1, 4, seed=11), rand(3, 1, seed=12)
    ey = ember.tensor(y, dtype=ember.float64, requires_grad=True)
    ex = ember.tensor(x, dtype=ember.float64, requires_grad=True)
    ty = torch.tensor(y, requires_grad=True)
    tx = torch.tensor(x, requires_grad=True)
    eo, to = ember.atan2(ey, ex), torch.atan2(ty, tx)
    np.testing.assert_allclose(eo.detach().numpy(), to.detach().numpy(), rtol=1e-14)
    w = rand(*to.shape, seed=13)
    eo.backward(ember.tensor(w))
    to.backward(torch.tensor(w))
    np.testing.assert_allclose(ey.grad.numpy(), ty.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(ex.grad.numpy(), tx.grad.numpy(), rtol=1e-12)
    # Integer inputs: the same result dtype and values as torch.
    iy, ix = [3, -1, 0], [-2, 4, 5]
    eo = ember.atan2(ember.tensor(iy), ember.tensor(ix))
    to = torch.atan2(torch.tensor(iy), torch.tensor(ix))
    assert str(eo.dtype).split(".")[-1] == str(to.dtype).split(".")[-1]
    np.testing.assert_allclose(eo.numpy(), to.numpy(), rtol=1e-6)


def test_cuda_kernel_is_registered_when_built():
    if not (ember.cuda.is_built() and not ember._C._cuda_backend_error()):
        pytest.skip("CUDA backend not built or not loadable")
    assert "atan2" in ember.cuda.kernel_names()


@requires_cuda
@pytest.mark.parametrize("dtype", [ember.float32, ember.float64, ember.float16, ember.bfloat16])
def test_cuda_matches_cpu(dtype):
    y = ember.tensor(rand(3, 1, 5, seed=14)).to(dtype)
    x = ember.tensor(rand(4, 1, seed=15)).to(dtype)
    got = ember.atan2(y.cuda(), x.cuda()).cpu()
    tol = 1e-6 if dtype in (ember.float32, ember.float64) else 1e-2
    assert got.dtype == dtype
    assert_close(got.float(), ember.atan2(y, x).float(), rtol=tol, atol=tol)
    ints = ember.atan2(ember.tensor([1, -2]).cuda(), ember.tensor([3, 3]).cuda()).cpu()
    assert_close(ints, np.arctan2([1, -2], [3, 3]), rtol=1e-6)
    assert math.isclose(ember.atan2(ember.tensor([1.0]).cuda(), -1.0).cpu().item(),
                        math.atan2(1.0, -1.0), rel_tol=1e-6)


def _atan2_chain(y, x):
    return ember.atan2(y * 2.0, x) + y


@pytest.mark.parametrize("n", [5, 64, 1000, 2048 * 3 + 17])
def test_traced_chain_with_atan2_fuses_and_equals_eager_bit_for_bit(n):
    # Quadrants, signed zeros, infinities and NaN in both operands, at sizes below, at and
    # past a tile; the fused kernel runs eager's float32 atan2 itself.
    specials = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, 1e-30], np.float32)
    rng = np.random.default_rng(n)
    y = (rng.standard_normal(n) * 3).astype(np.float32)
    x = (rng.standard_normal(n) * 3).astype(np.float32)
    y[::3] = np.resize(specials, y[::3].shape)
    x[::2] = np.resize(specials[::-1], x[::2].shape)
    ty, tx = ember.from_numpy(y), ember.from_numpy(x)
    f = ember.function(_atan2_chain)
    for _ in range(2):
        got = f(ty, tx).numpy()
    assert "fused_elementwise" in f.graph(ty, tx).op_names
    assert "atan2" in str(f.graph(ty, tx))
    want = _atan2_chain(ty, tx).numpy()
    nan = np.isnan(want)
    np.testing.assert_array_equal(np.isnan(got), nan)
    np.testing.assert_array_equal(got[~nan].view(np.uint32), want[~nan].view(np.uint32))
    ref = np.arctan2(y.astype(np.float64) * 2, x) + y
    np.testing.assert_allclose(got[~nan], ref[~nan], rtol=1e-6, atol=1e-6)


def test_traced_one_element_atan2_chain_equals_eager():
    # One-element chains run as a scalar program: atan2 there is eager's float32 kernel too.
    ty, tx = ember.tensor([0.7], dtype=ember.float32), ember.tensor([-1.3], dtype=ember.float32)
    f = ember.function(_atan2_chain)
    got = f(ty, tx).numpy()
    want = _atan2_chain(ty, tx).numpy()
    np.testing.assert_array_equal(got.view(np.uint32), want.view(np.uint32))
