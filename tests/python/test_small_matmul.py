"""float32 matrix products small enough for cpu::small_sgemm (every dim <= 64): against a
float64 NumPy reference for many sizes (odd ones, the 64/65 boundary), every operand
layout (transposed views, padded rows), batches; and traced replays whose captured weights
are swapped between calls (`weight.data = ...`), which must read the new weights."""

import itertools

import numpy as np
import pytest

import ember
from ember import nn

SIZES = [1, 3, 8, 10, 16, 17, 33, 64, 65]


def _operand(rows, cols, trans, padded, rng):
    """A float32 [rows, cols] array and the Ember tensor viewing the same values in the
    requested layout (transposed storage, padded leading dimension)."""
    shape = (cols, rows) if trans else (rows, cols)
    base = rng.standard_normal((shape[0], shape[1] + (3 if padded else 0))).astype(np.float32)
    stored = base[:, :shape[1]]
    t = ember.from_numpy(base)[:, :shape[1]]
    if trans:
        return stored.T, t.t()
    return stored, t


def _check(a_np, b_np, out):
    ref = a_np.astype(np.float64) @ b_np.astype(np.float64)
    scale = np.abs(a_np).astype(np.float64) @ np.abs(b_np).astype(np.float64)
    got = out.numpy()
    assert got.shape == ref.shape and got.dtype == np.float32
    np.testing.assert_array_less(np.abs(got - ref), 1e-6 * (1 + scale))


@pytest.mark.parametrize("ta,tb", list(itertools.product([False, True], repeat=2)))
@pytest.mark.parametrize("padded", [False, True])
def test_small_products_match_float64(ta, tb, padded):
    rng = np.random.default_rng(int(ta) * 4 + int(tb) * 2 + int(padded))
    for m, n, k in itertools.product(SIZES, SIZES, [1, 7, 32, 64, 65]):
        a_np, a = _operand(m, k, ta, padded, rng)
        b_np, b = _operand(k, n, tb, padded, rng)
        _check(a_np, b_np, ember.matmul(a, b))


def test_small_batched_and_broadcast_products():
    rng = np.random.default_rng(5)
    a_np = rng.standard_normal((3, 17, 10)).astype(np.float32)
    b_np = rng.standard_normal((10, 33)).astype(np.float32)
    out = ember.matmul(ember.from_numpy(a_np), ember.from_numpy(b_np))
    ref = a_np.astype(np.float64) @ b_np.astype(np.float64)
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-5, atol=1e-5)
    bt = ember.from_numpy(np.ascontiguousarray(b_np.T)).t()  # transposed B, batched A
    np.testing.assert_allclose(ember.matmul(ember.from_numpy(a_np), bt).numpy(), ref,
                               rtol=1e-5, atol=1e-5)


def test_transposed_product_is_bit_identical():
    # C and (B^T A^T)^T sum the same terms in the same order.
    rng = np.random.default_rng(9)
    a = ember.from_numpy(rng.standard_normal((16, 32)).astype(np.float32))
    b = ember.from_numpy(rng.standard_normal((32, 10)).astype(np.float32))
    c = ember.matmul(a, b).numpy()
    ct = ember.matmul(b.t(), a.t()).numpy()
    assert np.array_equal(c, ct.T)


def test_replay_reads_swapped_captured_weights():
    # The replay keeps the transposed weight view it made; after `weight.data = ...` (new
    # memory, even a transposed layout) it must view the new weights, as eager does.
    ember.manual_seed(0)
    layer = nn.Linear(8, 5)
    f = ember.function(lambda x: layer(x))
    x = ember.randn(4, 8)
    rng = np.random.default_rng(1)
    with ember.no_grad():  # the plain replay (no autograd history)
        for _ in range(3):
            f(x)
        for transposed in (False, True, False):
            new = rng.standard_normal((5, 8)).astype(np.float32)
            if transposed:
                layer.weight.data = ember.from_numpy(np.ascontiguousarray(new.T)).t()
            else:
                layer.weight.data = ember.from_numpy(new)
            traced = f(x).numpy()
            assert np.array_equal(traced, layer(x).numpy())
            ref = x.numpy().astype(np.float64) @ new.T.astype(np.float64) + layer.bias.numpy()
            np.testing.assert_allclose(traced, ref, rtol=1e-5, atol=1e-5)
    assert f.num_traces == 1
