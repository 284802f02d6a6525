"""Matrix products: PyTorch matmul semantics (dot, mm, vector mixes, broadcast batches),
BLAS on strided views, fallbacks for other dtypes, gradients, errors."""

import numpy as np
import pytest

import ember
from helpers import assert_close, gradcheck, rand, requires_torch, torch

SHAPES = [
    ((4,), (4,)),                 # dot
    ((3, 4), (4,)),               # matrix-vector
    ((4,), (4, 5)),               # vector-matrix
    ((3, 4), (4, 5)),             # mm
    ((2, 3, 4), (2, 4, 5)),       # bmm
    ((2, 3, 4), (4, 5)),          # batch x matrix
    ((4,), (2, 4, 5)),            # vector x batch
    ((2, 3, 4), (4,)),            # batch x vector
    ((2, 1, 3, 4), (5, 4, 2)),    # broadcast batch dims
    ((1, 3, 4), (6, 4, 2)),
    ((0, 4), (4, 3)),             # empty
    ((3, 0), (0, 2)),             # zero inner dim
]


def second_order(f, i):
    """Gradient of sum(f(a, b) * w) w.r.t. input i, built with create_graph."""
    def g(a, b):
        ins = [a, b]
        if not ins[i].requires_grad:
            ins[i] = ember.tensor(ins[i].numpy(), dtype=ember.float64, requires_grad=True)
        y = f(*ins)
        w = ember.tensor(np.linspace(0.5, 1.5, y.numel()).reshape(y.shape))
        (gx,) = ember.autograd.grad((y * w * y).sum(), [ins[i]], create_graph=True)
        return gx
    return g


@pytest.mark.parametrize("sa,sb", SHAPES)
def test_matmul_matches_numpy(sa, sb):
    a, b = rand(*sa), rand(*sb, seed=1)
    out = ember.matmul(ember.tensor(a), ember.tensor(b))
    assert_close(out, np.matmul(a, b), rtol=1e-12, atol=1e-12)
    assert_close(ember.tensor(a) @ ember.tensor(b), np.matmul(a, b), rtol=1e-12, atol=1e-12)
    assert_close(ember.tensor(a).matmul(ember.tensor(b)), np.matmul(a, b), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("ta", [False, True])
@pytest.mark.parametrize("tb", [False, True])
@pytest.mark.parametrize("dt", [ember.float32, ember.float64])
def test_transposed_views_go_to_blas(ta, tb, dt):
    np_dt = np.float32 if dt == ember.float32 else np.float64
    a, b = rand(5, 7).astype(np_dt), rand(7, 3, seed=2).astype(np_dt)
    # a transposed contiguous buffer: strides (1, n), read by BLAS with CblasTrans
    ea = ember.from_numpy(np.ascontiguousarray(a.T).T) if ta else ember.tensor(a)
    eb = ember.from_numpy(np.ascontiguousarray(b.T).T) if tb else ember.tensor(b)
    assert ea.is_contiguous() != ta and eb.is_contiguous() != tb
    tol = 1e-5 if dt == ember.float32 else 1e-12
    assert_close(ember.mm(ea, eb), a @ b, rtol=tol, atol=tol)


def test_strided_views_that_blas_cannot_read():
    big = rand(6, 10)
    a = big[::2, ::3]  # neither dim has unit stride: copied once, then BLAS
    ea = ember.from_numpy(np.lib.stride_tricks.as_strided(big, a.shape, a.strides))
    b = rand(4, 5, seed=4)
    assert_close(ember.matmul(ea, ember.tensor(b)), a @ b, rtol=1e-12)
    batched = rand(3, 4, 5)
    bt = ember.from_numpy(np.asfortranarray(batched))  # batch dim innermost in memory
    assert_close(ember.matmul(bt, ember.tensor(rand(5, 2))), batched @ rand(5, 2), rtol=1e-12)


@pytest.mark.parametrize("dt,np_dt", [(ember.int32, np.int32), (ember.int64, np.int64),
                                      (ember.uint8, np.uint8)])
def test_integer_matmul(dt, np_dt):
    a = np.random.default_rng(0).integers(0, 5, (2, 3, 4)).astype(np_dt)
    b = np.random.default_rng(1).integers(0, 5, (4, 6)).astype(np_dt)
    out = ember.matmul(ember.tensor(a), ember.tensor(b))
    assert out.dtype == dt
    np.testing.assert_array_equal(out.numpy(), (a.astype(np.int64) @ b).astype(np_dt))


@pytest.mark.parametrize("dt", [ember.float16, ember.bfloat16])
def test_half_matmul(dt):
    a, b = rand(3, 8, low=-1, high=1), rand(8, 5, seed=1, low=-1, high=1)
    out = ember.mm(ember.tensor(a, dtype=dt), ember.tensor(b, dtype=dt))
    assert out.dtype == dt
    assert_close(out.to(ember.float64), a @ b, rtol=3e-2, atol=3e-2)


def test_batched_small_and_large():
    a, b = rand(64, 8, 8), rand(64, 8, 8, seed=1)  # many small GEMMs: parallel over batches
    assert_close(ember.bmm(ember.tensor(a), ember.tensor(b)), a @ b, rtol=1e-12)
    a, b = rand(2, 130, 120), rand(120, 110, seed=2)  # large ones: OpenBLAS threads
    assert_close(ember.matmul(ember.tensor(a), ember.tensor(b)), a @ b, rtol=1e-12)


def test_named_products():
    a, b, v, w = rand(3, 4), rand(4, 5, seed=1), rand(4, seed=2), rand(4, seed=3)
    A, B, V, W = map(ember.tensor, (a, b, v, w))
    assert_close(ember.mm(A, B), a @ b)
    assert_close(A.mm(B), a @ b)
    assert_close(ember.mv(A, V), a @ v)
    assert_close(ember.dot(V, W), v @ w)
    assert ember.dot(V, W).shape == ()
    assert_close(ember.outer(V, W), np.outer(v, w))
    assert_close(ember.bmm(ember.tensor(rand(2, 3, 4)), ember.tensor(rand(2, 4, 5, seed=1))),
                 rand(2, 3, 4) @ rand(2, 4, 5, seed=1))
    bias = rand(5, seed=5)
    assert_close(ember.addmm(ember.tensor(bias), A, B), bias + a @ b)
    assert_close(ember.addmm(ember.tensor(bias), A, B, beta=0.5, alpha=2.0), 0.5 * bias + 2 * a @ b)
    nan_bias = ember.tensor(np.full((3, 5), np.nan))
    assert_close(ember.addmm(nan_bias, A, B, beta=0), a @ b)  # beta=0 ignores the bias


def test_rmatmul():
    a = ember.tensor(rand(3, 4))

    class Left:  # a non-Tensor left operand whose __matmul__ defers to the tensor
        def __matmul__(self, other):
            return NotImplemented

    with pytest.raises(TypeError):
        Left() @ a
    # __rmatmul__ is what Python calls for other @ tensor when other gives up
    assert_close(a.__rmatmul__(ember.tensor(rand(2, 3))), rand(2, 3) @ rand(3, 4))


@pytest.mark.parametrize("sa,sb", [s for s in SHAPES if 0 not in s[0] + s[1]])
def test_gradients(sa, sb):
    a, b = rand(*sa), rand(*sb, seed=1)
    gradcheck(ember.matmul, a, b)


def test_gradients_named_and_double_backward():
    a, b, v = rand(3, 4), rand(4, 2, seed=1), rand(4, seed=2)
    gradcheck(ember.mm, a, b)
    gradcheck(ember.mv, a, v)
    gradcheck(ember.dot, v, rand(4, seed=3))
    gradcheck(ember.outer, v, rand(3, seed=3))
    gradcheck(ember.bmm, rand(2, 3, 4), rand(2, 4, 2, seed=1))
    gradcheck(lambda bias, x: ember.addmm(bias, x, ember.tensor(b), beta=0.5, alpha=2), rand(2), a)
    for i in (0, 1):
        gradcheck(second_order(ember.matmul, i), rand(2, 1, 3, 4), rand(5, 4, 2, seed=1))


def test_broadcast_batch_gradient_sums_over_batches():
    a = ember.tensor(rand(3, 4), requires_grad=True)
    b = ember.tensor(rand(5, 4, 2, seed=1), requires_grad=True)
    ember.matmul(a, b).sum().backward()
    assert a.grad.shape == (3, 4) and b.grad.shape == (5, 4, 2)
    expected = np.ones((5, 3, 2)) @ np.swapaxes(rand(5, 4, 2, seed=1), -1, -2)
    assert_close(a.grad, expected.sum(0))


@requires_torch
@pytest.mark.parametrize("sa,sb", SHAPES[:10])
def test_torch_parity(sa, sb):
    a, b = rand(*sa), rand(*sb, seed=1)
    x, y = ember.tensor(a, requires_grad=True), ember.tensor(b, requires_grad=True)
    tx, ty = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    out, tout = ember.matmul(x, y), torch.matmul(tx, ty)
    assert_close(out, tout.detach().numpy(), rtol=1e-12)
    out.sum().backward()
    tout.sum().backward()
    assert_close(x.grad, tx.grad.numpy(), rtol=1e-12)
    assert_close(y.grad, ty.grad.numpy(), rtol=1e-12)


# ---------------------------------------------------------------- errors
def test_errors_name_op_and_shapes():
    t = lambda *s: ember.tensor(rand(*s))  # noqa: E731
    with pytest.raises(ValueError, match=r"\[matmul\] shapes \[2, 3\] and \[4, 5\]"):
        ember.matmul(t(2, 3), t(4, 5))
    with pytest.raises(ValueError, match=r"\[matmul\] shapes \[3\] and \[4\]"):
        t(3) @ t(4)
    with pytest.raises(ValueError, match=r"\[matmul\] shapes \[2, 3, 4\] and \[3, 4, 5\]"):
        ember.matmul(t(2, 3, 4), t(3, 4, 5))
    with pytest.raises(ValueError, match=r"\[matmul\].*at least 1-D"):
        ember.matmul(ember.from_numpy(np.array(2.0)), t(3))
    with pytest.raises(ValueError, match=r"\[mm\] shapes \[3\] and \[3, 2\]"):
        ember.mm(t(3), t(3, 2))
    with pytest.raises(ValueError, match=r"\[mm\] shapes \[2, 3\] and \[2, 3\]"):
        ember.mm(t(2, 3), t(2, 3))
    with pytest.raises(ValueError, match=r"\[bmm\] shapes \[2, 3, 4\] and \[3, 4, 5\]"):
        ember.bmm(t(2, 3, 4), t(3, 4, 5))
    with pytest.raises(ValueError, match=r"\[mv\] shapes \[2, 3\] and \[4\]"):
        ember.mv(t(2, 3), t(4))
    with pytest.raises(ValueError, match=r"\[dot\] shapes \[3\] and \[4\]"):
        ember.dot(t(3), t(4))
    with pytest.raises(ValueError, match=r"\[outer\] shapes \[2, 3\] and \[3\]"):
        ember.outer(t(2, 3), t(3))
    with pytest.raises(ValueError, match=r"\[addmm\].*\[4, 4\]"):
        ember.addmm(t(4, 4), t(2, 3), t(3, 5))
    with pytest.raises(TypeError, match=r"\[matmul\].*float32 and float64"):
        ember.matmul(ember.tensor(rand(2, 2), dtype=ember.float32), t(2, 2))
    with pytest.raises(TypeError, match=r"\[matmul\].*bool"):
        b = ember.tensor(np.ones((2, 2), dtype=bool))
        ember.matmul(b, b)
    with pytest.raises(TypeError, match=r"\[matmul\]"):
        t(2, 2) @ 3


@pytest.mark.parametrize("seed", range(30))
def test_random_broadcast_shapes(seed):
    rng = np.random.default_rng(seed)
    m, k, n = (int(v) for v in rng.integers(1, 6, 3))
    batch = [int(v) for v in rng.integers(1, 4, int(rng.integers(0, 3)))]
    ba = [b if rng.random() < 0.6 else 1 for b in batch][int(rng.integers(0, len(batch) + 1)):]
    bb = [b if rng.random() < 0.6 else 1 for b in batch]
    a = rng.standard_normal(tuple(ba) + (m, k))
    b = rng.standard_normal(tuple(bb) + (k, n))
    if rng.random() < 0.3:
        a = a[..., 0, :]  # a vector operand
    if rng.random() < 0.3:
        b = b[..., 0] if b.ndim == 2 else b
    ea = ember.from_numpy(np.asfortranarray(a)) if seed % 2 else ember.tensor(a)
    assert_close(ember.matmul(ea, ember.tensor(b)), np.matmul(a, b), rtol=1e-12, atol=1e-12)
