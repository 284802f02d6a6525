"""float32 matrix products through Ember's own SGEMM (AVX-512 CPUs) or OpenBLAS, against
float64 NumPy: every size class of the blocked kernel (edges of the 8 x 32 block, several
256-deep slices, the threaded tile grid), transposed and strided operands, batches, conv."""

import numpy as np
import pytest

import ember

SIZES = [1, 7, 8, 9, 31, 33, 129, 300]
DEPTHS = [1, 7, 129, 300, 600]


def _close(got, a, b):
    ref = a.astype(np.float64) @ b.astype(np.float64)
    scale = np.abs(a).astype(np.float64) @ np.abs(b).astype(np.float64)
    # float32 accumulation over k terms: error relative to sum |a||b|, not to the result.
    err = np.abs(got.astype(np.float64) - ref) / np.maximum(scale, 1e-30)
    assert err.max() < 1e-5, err.max()


@pytest.mark.parametrize("m", SIZES)
@pytest.mark.parametrize("n", [1, 10, 16, 32, 33, 129, 300])
def test_matmul_sizes(m, n):
    rng = np.random.default_rng(m * 1000 + n)
    for k in DEPTHS:
        a = rng.standard_normal((m, k)).astype(np.float32)
        b = rng.standard_normal((k, n)).astype(np.float32)
        _close(ember.matmul(ember.from_numpy(a), ember.from_numpy(b)).numpy(), a, b)


@pytest.mark.parametrize("ta", [False, True])
@pytest.mark.parametrize("tb", [False, True])
@pytest.mark.parametrize("shape", [(7, 300, 129), (129, 33, 300), (300, 600, 64), (1, 257, 48)])
def test_matmul_transposed(ta, tb, shape):
    m, k, n = shape
    rng = np.random.default_rng(m + k + n)
    a = rng.standard_normal((k, m) if ta else (m, k)).astype(np.float32)
    b = rng.standard_normal((n, k) if tb else (k, n)).astype(np.float32)
    ea, eb = ember.from_numpy(a), ember.from_numpy(b)
    if ta:
        ea, a = ea.t(), a.T
    if tb:
        eb, b = eb.t(), b.T
    _close(ember.matmul(ea, eb).numpy(), a, b)


def test_matmul_strided_and_sliced():
    rng = np.random.default_rng(1)
    big_a = rng.standard_normal((70, 90)).astype(np.float32)
    big_b = rng.standard_normal((90, 110)).astype(np.float32)
    ea = ember.from_numpy(big_a)[5:60, 3:80]    # row stride 90, offset
    eb = ember.from_numpy(big_b)[3:80, 7:107]   # row stride 110
    _close(ember.matmul(ea, eb).numpy(), big_a[5:60, 3:80], big_b[3:80, 7:107])
    # every other column: not a BLAS layout, copied first
    _close(ember.matmul(ember.from_numpy(big_a)[:, ::2], eb[:45]).numpy(), big_a[:, ::2],
           big_b[3:48, 7:107])


def test_bmm_and_broadcast_batches():
    rng = np.random.default_rng(2)
    a = rng.standard_normal((3, 4, 37, 65)).astype(np.float32)
    b = rng.standard_normal((4, 65, 40)).astype(np.float32)
    got = ember.matmul(ember.from_numpy(a), ember.from_numpy(b)).numpy()
    for i in range(3):
        for j in range(4):
            _close(got[i, j], a[i, j], b[j])


def test_empty_and_zero_depth():
    a = ember.from_numpy(np.zeros((5, 0), np.float32))
    b = ember.from_numpy(np.zeros((0, 40), np.float32))
    np.testing.assert_array_equal(ember.matmul(a, b).numpy(), np.zeros((5, 40), np.float32))
    assert ember.matmul(ember.zeros(0, 3), ember.zeros(3, 40)).shape == (0, 40)


def test_linear_grads_match_float64():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((128, 300)).astype(np.float32)
    w = rng.standard_normal((129, 300)).astype(np.float32)
    g = rng.standard_normal((128, 129)).astype(np.float32)
    ex, ew = ember.from_numpy(x), ember.from_numpy(w)
    ex.requires_grad_(True)
    ew.requires_grad_(True)
    y = ember.nn.functional.linear(ex, ew)
    y.backward(ember.from_numpy(g))
    _close(y.detach().numpy(), x, w.T)
    _close(ew.grad.numpy(), g.T, x)
    _close(ex.grad.numpy(), g, w)
    assert ew.grad.is_contiguous()


def test_conv2d_matches_float64():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((5, 3, 12, 11)).astype(np.float32)
    w = rng.standard_normal((7, 3, 3, 3)).astype(np.float32)
    got = ember.nn.functional.conv2d(ember.from_numpy(x), ember.from_numpy(w)).numpy()
    ref = np.zeros((5, 7, 10, 9))
    for i in range(3):
        for j in range(3):
            patch = x[:, :, i:i + 10, j:j + 9].astype(np.float64)
            ref += np.einsum("nchw,oc->nohw", patch, w[:, :, i, j].astype(np.float64))
    np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-4)
