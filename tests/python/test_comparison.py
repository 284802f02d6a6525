"""Comparisons, logical and bitwise ops, where, isclose/allclose/equal."""

import numpy as np
import pytest

import ember
from helpers import assert_close, gradcheck, rand, requires_torch, torch

# Tensor.sum is bound by the reduce family; gradcheck needs it, so stand in until it exists.
if not hasattr(ember.Tensor, "sum"):
    class _Summed:
        def __init__(self, t):
            self.t = t

        def backward(self):
            self.t.backward(ember.tensor(np.ones(self.t.shape), dtype=self.t.dtype))
    ember.Tensor.sum = lambda self: _Summed(self)

CMP = {
    "eq": (ember.eq, np.equal, lambda a, b: a == b),
    "ne": (ember.ne, np.not_equal, lambda a, b: a != b),
    "lt": (ember.lt, np.less, lambda a, b: a < b),
    "le": (ember.le, np.less_equal, lambda a, b: a <= b),
    "gt": (ember.gt, np.greater, lambda a, b: a > b),
    "ge": (ember.ge, np.greater_equal, lambda a, b: a >= b),
}
LOGICAL = {
    "logical_and": (ember.logical_and, np.logical_and),
    "logical_or": (ember.logical_or, np.logical_or),
    "logical_xor": (ember.logical_xor, np.logical_xor),
}
BITWISE = {
    "bitwise_and": (ember.bitwise_and, np.bitwise_and, lambda a, b: a & b),
    "bitwise_or": (ember.bitwise_or, np.bitwise_or, lambda a, b: a | b),
    "bitwise_xor": (ember.bitwise_xor, np.bitwise_xor, lambda a, b: a ^ b),
}


def _ints(*shape, seed=0):
    return np.random.default_rng(seed).integers(-3, 4, size=shape)


@pytest.mark.parametrize("name", sorted(CMP))
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.int64, np.uint8])
def test_comparisons_match_numpy(name, dtype):
    fn, ref, op = CMP[name]
    a = np.abs(_ints(3, 1, 4)).astype(dtype)
    b = np.abs(_ints(5, 4, seed=1)).astype(dtype)
    for x, y in [(a, b), (a.transpose(1, 0, 2)[:, ::-1], b[::2]), (a, b[0])]:
        tx, ty = ember.from_numpy(np.ascontiguousarray(x) if x.ndim == 0 else x), ember.from_numpy(y)
        expected = ref(x, y)
        for out in (fn(tx, ty), op(tx, ty), getattr(tx, name)(ty)):
            assert out.dtype == ember.bool
            np.testing.assert_array_equal(out.numpy(), expected)


def test_comparison_promotes_and_handles_scalars_and_nan():
    i = ember.tensor([1, 2, 3])
    f = ember.tensor([1.5, 2.0, np.nan])
    assert (i < f).tolist() == [True, False, False]
    assert (f == f).tolist() == [True, True, False]
    assert (f != f).tolist() == [False, False, True]
    assert (i > 1.5).tolist() == [False, True, True]
    assert (2 < i).tolist() == [False, False, True]  # reflected: i.__gt__(2)
    assert (i == 2).tolist() == [False, True, False]
    b = ember.tensor([True, False])
    assert (b == ember.tensor([1, 0])).tolist() == [True, True]
    h = ember.tensor([0.5, 1.0], dtype=ember.bfloat16)
    assert (h >= 1).tolist() == [False, True]


def test_comparison_with_non_numbers():
    t = ember.tensor([1.0])
    assert (t == None) is False  # noqa: E711
    assert (t != "x") is True
    with pytest.raises(TypeError):
        t < "x"


def test_tensors_stay_hashable():
    a, b = ember.tensor([1.0]), ember.tensor([1.0])
    d = {a: 1, b: 2}
    assert len(d) == 2 and d[a] == 1
    assert hash(a) == hash(a) and a in {a}


def test_aliases():
    t = ember.tensor([1, 2])
    assert ember.greater(t, 1).tolist() == [False, True]
    assert ember.less_equal(t, 1).tolist() == [True, False]
    assert t.not_equal(1).tolist() == [False, True]
    assert t.greater_equal(2).tolist() == [False, True]


@pytest.mark.parametrize("name", sorted(LOGICAL))
def test_logical_ops(name):
    fn, ref = LOGICAL[name]
    a = _ints(4, 5)
    b = _ints(5, seed=2).astype(np.float64) * 0.5
    out = fn(ember.from_numpy(a.T.copy().T), ember.from_numpy(b))
    assert out.dtype == ember.bool
    np.testing.assert_array_equal(out.numpy(), ref(a, b))
    out = getattr(ember.from_numpy(a[:, ::2]), name)(ember.from_numpy(b[::2]))
    np.testing.assert_array_equal(out.numpy(), ref(a[:, ::2], b[::2]))


@pytest.mark.parametrize("name", sorted(BITWISE))
@pytest.mark.parametrize("dtype", [np.bool_, np.uint8, np.int32, np.int64])
def test_bitwise_ops(name, dtype):
    fn, ref, op = BITWISE[name]
    a = _ints(3, 4).astype(dtype) if dtype != np.uint8 else np.abs(_ints(3, 4)).astype(dtype)
    b = _ints(4, seed=3).astype(dtype) if dtype != np.uint8 else np.abs(_ints(4, seed=3)).astype(dtype)
    ta, tb = ember.from_numpy(a), ember.from_numpy(b)
    for out in (fn(ta, tb), op(ta, tb), getattr(ta, name)(tb)):
        assert out.numpy().dtype == dtype
        np.testing.assert_array_equal(out.numpy(), ref(a, b))
    np.testing.assert_array_equal((~ta).numpy(), np.invert(a))


def test_bitwise_with_python_scalars_and_inplace():
    t = ember.tensor([True, False, True])
    assert (t & True).tolist() == [True, False, True]
    assert (False | t).tolist() == [True, False, True]
    assert (t ^ True).tolist() == [False, True, False]
    i = ember.tensor([6, 5])
    assert (i & 3).tolist() == [2, 1]
    assert (3 ^ i).tolist() == [5, 6]
    i &= ember.tensor([2, 4])
    assert i.tolist() == [2, 4]
    i |= 1
    assert i.tolist() == [3, 5]
    i ^= 1
    assert i.tolist() == [2, 4]
    m = ember.tensor([1.0, -1.0]) > 0
    m.bitwise_and_(ember.tensor([False, True]))
    assert m.tolist() == [False, False]


def test_error_bitwise_on_float():
    with pytest.raises(TypeError, match=r"\[bitwise_and\] expected bool or integer.*float32.*int64"):
        ember.tensor([1.0]) & ember.tensor([1])


def test_error_bitwise_not_on_float():
    with pytest.raises(TypeError, match=r"\[bitwise_not\].*float32"):
        ~ember.tensor([1.0])


def test_error_comparison_shapes():
    with pytest.raises(ValueError, match=r"\[lt\].*\[2\].*\[3\]"):
        ember.tensor([1.0, 2.0]) < ember.tensor([1.0, 2.0, 3.0])


def test_comparisons_are_not_differentiable():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    out = x > 1
    assert out.requires_grad is False


# ---- where ----

def test_where_forward_broadcast_and_promotion():
    c = rand(3, 1, seed=1) > 0
    a = rand(4, seed=2)
    b = rand(3, 4, seed=3).astype(np.float32)
    out = ember.where(ember.from_numpy(c), ember.from_numpy(a), ember.from_numpy(b))
    assert out.dtype == ember.float64
    assert_close(out, np.where(c, a, b), rtol=1e-12, atol=1e-12)
    out = ember.where(ember.from_numpy(c.T[:, ::-1].T), ember.from_numpy(a[::-1]), 0.5)
    assert_close(out, np.where(c, a[::-1], 0.5), rtol=1e-12)
    i = ember.tensor([1, 2, 3])
    cond = ember.tensor([True, False, True])
    assert ember.where(cond, i, 0).dtype == ember.int64
    assert ember.where(cond, i, 0.5).dtype == ember.float32
    assert ember.where(cond, i, 0.5).tolist() == [1.0, 0.5, 3.0]
    assert ember.where(cond, 1, 0).tolist() == [1, 0, 1]
    assert i.where(cond, -1).tolist() == [1, -1, 3]
    h = ember.tensor([1.0, 2.0, 3.0], dtype=ember.float16)
    assert ember.where(cond, h, 0).dtype == ember.float16


def test_where_gradcheck():
    c = ember.from_numpy(rand(3, 1, seed=1) > 0)
    gradcheck(lambda a, b: ember.where(c, a, b), rand(3, 4, seed=2), rand(4, seed=3))


def test_where_second_order():
    c = ember.tensor([True, False, True])

    def first(x):
        x = x if x.requires_grad else x.detach().requires_grad_(True)
        ones = ember.tensor(np.ones(3), dtype=x.dtype)
        return ember.autograd.grad(ember.where(c, x * x, x), x, grad_outputs=ones,
                                   create_graph=True)[0]
    gradcheck(first, rand(3, seed=5))


def test_error_where_condition_dtype():
    with pytest.raises(TypeError, match=r"\[where\] condition must be a bool tensor, got float32"):
        ember.where(ember.tensor([1.0]), ember.tensor([1.0]), ember.tensor([2.0]))


def test_error_where_shapes():
    with pytest.raises(ValueError, match=r"\[where\].*\[2\].*\[3\]"):
        ember.where(ember.tensor([True, False]), ember.tensor([1.0, 2.0, 3.0]), 0.0)


# ---- isclose / allclose / equal ----

def test_isclose_matches_numpy():
    a = np.array([1.0, 1.0 + 1e-6, 1.0 + 1e-3, np.inf, -np.inf, np.nan, 0.0, np.inf])
    b = np.array([1.0, 1.0, 1.0, np.inf, np.inf, np.nan, 1e-9, 1e300])
    ta, tb = ember.tensor(a, dtype=ember.float64), ember.tensor(b, dtype=ember.float64)
    np.testing.assert_array_equal(ember.isclose(ta, tb).numpy(), np.isclose(a, b))
    np.testing.assert_array_equal(ember.isclose(ta, tb, equal_nan=True).numpy(),
                                  np.isclose(a, b, equal_nan=True))
    np.testing.assert_array_equal(ta.isclose(tb, rtol=1e-2, atol=0).numpy(),
                                  np.isclose(a, b, rtol=1e-2, atol=0))
    assert ember.isclose(ember.tensor([1, 2]), ember.tensor([1, 3])).tolist() == [True, False]


def test_allclose_and_equal():
    a = ember.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert ember.allclose(a, a + 1e-7)
    assert not ember.allclose(a, a + 1e-3)
    assert ember.allclose(a, ember.tensor([1.0, 2.0]) * 0 + a)  # broadcasting
    assert a.allclose(a)
    assert ember.equal(a, a + 0) is True
    assert ember.equal(a, a + 1e-7) is False
    assert ember.equal(a, ember.tensor([1.0, 2.0])) is False  # shape differs
    assert a.equal(ember.tensor([[1, 2], [3, 4]]))


def test_error_isclose_negative_tolerance():
    with pytest.raises(ValueError, match=r"\[isclose\] rtol and atol must be non-negative"):
        ember.isclose(ember.tensor([1.0]), ember.tensor([1.0]), rtol=-1.0)


# ---- PyTorch parity ----

@requires_torch
@pytest.mark.parametrize("name", sorted(CMP) + sorted(LOGICAL))
def test_torch_parity(name):
    a = rand(3, 4, seed=1).round(1)
    b = rand(4, seed=2).round(1)
    b[0] = a[0, 0]
    fn = CMP[name][0] if name in CMP else LOGICAL[name][0]
    ours = fn(ember.from_numpy(a), ember.from_numpy(b))
    theirs = getattr(torch, name)(torch.from_numpy(a), torch.from_numpy(b))
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@requires_torch
def test_torch_where_gradient_parity():
    c = rand(3, 1, seed=1) > 0
    a, b, g = rand(3, 4, seed=2), rand(4, seed=3), rand(3, 4, seed=4)
    ta = ember.tensor(a, dtype=ember.float64, requires_grad=True)
    tb = ember.tensor(b, dtype=ember.float64, requires_grad=True)
    ember.where(ember.from_numpy(c), ta, tb).backward(ember.tensor(g, dtype=ember.float64))
    xa, xb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    torch.where(torch.from_numpy(c), xa, xb).backward(torch.tensor(g))
    assert_close(ta.grad, xa.grad.numpy(), rtol=1e-12, atol=1e-12)
    assert_close(tb.grad, xb.grad.numpy(), rtol=1e-12, atol=1e-12)


@requires_torch
def test_torch_isclose_parity():
    a = np.array([1.0, 1.0 + 1e-6, np.inf, np.nan, 0.0])
    b = np.array([1.0, 1.0, np.inf, np.nan, 1e-9])
    ours = ember.isclose(ember.from_numpy(a), ember.from_numpy(b), equal_nan=True)
    theirs = torch.isclose(torch.from_numpy(a), torch.from_numpy(b), equal_nan=True)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
