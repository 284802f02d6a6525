"""interpolate(mode='bicubic') and nn.Upsample(mode='bicubic'): values and gradients against
a float64 NumPy reference (Keys cubic convolution, A = -0.75, clamped borders), against
torch.nn.functional.interpolate where PyTorch is installed, finite-difference gradients,
tracing and errors."""

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember import nn
from helpers import assert_close, gradcheck, rand, requires_torch, torch

A = -0.75


def _keys(d):
    """The cubic convolution kernel at distance d (PyTorch's cubic_convolution1/2)."""
    d = abs(d)
    if d <= 1:
        return ((A + 2) * d - (A + 3)) * d * d + 1
    if d < 2:
        return ((A * d - 5 * A) * d + 8 * A) * d - 4 * A
    return 0.0


def _resize_matrix(n, out, align_corners, scale=None):
    """(out, n) matrix M with resized = M @ signal, built tap by tap (borders clamped)."""
    m = np.zeros((out, n))
    for j in range(out):
        if align_corners:
            src = j * (n - 1) / (out - 1) if out > 1 else 0.0
        else:
            s = n / out if scale is None else scale
            src = (j + 0.5) * s - 0.5
        base = int(np.floor(src))
        for k in range(-1, 3):
            m[j, min(max(base + k, 0), n - 1)] += _keys(src - (base + k))
    return m


def _reference(x, size, align_corners, scales=(None, None)):
    mh = _resize_matrix(x.shape[2], size[0], align_corners, scales[0])
    mw = _resize_matrix(x.shape[3], size[1], align_corners, scales[1])
    return np.einsum("ih,nchw,jw->ncij", mh, x, mw)


CASES = [((2, 3, 5, 7), (9, 4)), ((1, 2, 4, 4), (8, 8)), ((1, 1, 6, 5), (3, 2)),
         ((1, 1, 3, 3), (1, 1)), ((1, 2, 2, 3), (5, 1))]


@pytest.mark.parametrize("shape,size", CASES)
@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("dtype", [ember.float32, ember.float64])
def test_matches_numpy_reference(shape, size, align_corners, dtype):
    x = rand(*shape, seed=1)
    out = F.interpolate(ember.tensor(x, dtype=dtype), size=size, mode="bicubic",
                        align_corners=align_corners)
    assert out.dtype == dtype
    tol = 1e-5 if dtype == ember.float32 else 1e-12
    assert_close(out, _reference(x, size, align_corners), rtol=tol, atol=tol)


def test_scale_factor_uses_its_reciprocal_unless_recomputed():
    x = rand(1, 2, 3, 4, seed=2)
    out = F.interpolate(ember.tensor(x, dtype=ember.float64), scale_factor=1.7, mode="bicubic")
    assert tuple(out.shape) == (1, 2, 5, 6)
    assert_close(out, _reference(x, (5, 6), False, (1 / 1.7, 1 / 1.7)), rtol=1e-12, atol=1e-12)
    again = F.interpolate(ember.tensor(x, dtype=ember.float64), scale_factor=1.7,
                          mode="bicubic", recompute_scale_factor=True)
    assert_close(again, _reference(x, (5, 6), False), rtol=1e-12, atol=1e-12)


def test_constant_images_stay_constant_and_corners_are_kept():
    # The weights of every output sum to 1, and align_corners=True hits the corner pixels.
    x = np.full((1, 1, 4, 5), 3.25)
    out = F.interpolate(ember.tensor(x), size=(7, 9), mode="bicubic", align_corners=False)
    assert_close(out, np.full((1, 1, 7, 9), 3.25), rtol=1e-6)
    y = rand(1, 1, 4, 5, seed=3)
    out = F.interpolate(ember.tensor(y, dtype=ember.float64), size=(7, 9), mode="bicubic",
                        align_corners=True).numpy()
    for i, j in [(0, 0), (0, -1), (-1, 0), (-1, -1)]:
        assert out[0, 0, i, j] == pytest.approx(y[0, 0, i, j], abs=1e-12)


@pytest.mark.parametrize("align_corners", [False, True])
def test_gradients_match_finite_differences(align_corners):
    gradcheck(lambda t: F.interpolate(t, size=(5, 4), mode="bicubic",
                                      align_corners=align_corners), rand(1, 2, 3, 3, seed=4))


def test_upsample_module_and_tracing():
    up = nn.Upsample(scale_factor=2, mode="bicubic", align_corners=False)
    assert "bicubic" in repr(up)
    x = rand(2, 3, 4, 5, seed=5)
    want = _reference(x, (8, 10), False, (0.5, 0.5))
    assert_close(up(ember.tensor(x, dtype=ember.float64)), want, rtol=1e-12, atol=1e-12)
    traced = ember.function(up)
    assert_close(traced(ember.tensor(x, dtype=ember.float64)), want, rtol=1e-12, atol=1e-12)


def test_bicubic_errors_name_the_op():
    with pytest.raises(ValueError, match=r"\[interpolate\] mode 'bicubic'.*\(1, 2, 5\)"):
        F.interpolate(ember.ones(1, 2, 5), scale_factor=2, mode="bicubic")
    with pytest.raises(ValueError, match=r"\[interpolate\] antialias"):
        F.interpolate(ember.ones(1, 1, 4, 4), size=(2, 2), mode="bicubic", antialias=True)
    with pytest.raises(ValueError, match=r"\[interpolate\] output size"):
        F.interpolate(ember.ones(1, 1, 4, 4), scale_factor=0.1, mode="bicubic")


TORCH_CASES = [
    ({"size": (9, 4)}, False), ({"size": (9, 4)}, True), ({"scale_factor": 2.5}, False),
    ({"scale_factor": (0.5, 3)}, True), ({"size": (1, 3)}, False), ({"size": (1, 1)}, True),
    ({"scale_factor": 1.7, "recompute_scale_factor": True}, False),
]


@requires_torch
@pytest.mark.parametrize("kw,align_corners", TORCH_CASES)
def test_values_and_gradients_match_torch(kw, align_corners):
    x = rand(2, 3, 5, 6, seed=6)
    ex = ember.tensor(x, dtype=ember.float64, requires_grad=True)
    tx = torch.tensor(x, requires_grad=True)
    eo = F.interpolate(ex, mode="bicubic", align_corners=align_corners, **kw)
    to = torch.nn.functional.interpolate(tx, mode="bicubic", align_corners=align_corners, **kw)
    assert tuple(eo.shape) == tuple(to.shape)
    np.testing.assert_allclose(eo.detach().numpy(), to.detach().numpy(), rtol=1e-12,
                               atol=1e-12)
    w = rand(*to.shape, seed=7)
    eo.backward(ember.tensor(w, dtype=ember.float64))
    to.backward(torch.tensor(w))
    np.testing.assert_allclose(ex.grad.numpy(), tx.grad.numpy(), rtol=1e-11, atol=1e-11)


@requires_torch
def test_float32_upsample_module_matches_torch():
    x = rand(1, 3, 6, 6, seed=8).astype(np.float32)
    ours = nn.Upsample(size=(11, 7), mode="bicubic", align_corners=True)(ember.tensor(x))
    theirs = torch.nn.Upsample(size=(11, 7), mode="bicubic", align_corners=True)(
        torch.tensor(x))
    assert ours.dtype == ember.float32
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-5, atol=1e-5)
