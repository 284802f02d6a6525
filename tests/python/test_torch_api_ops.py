"""Top-level PyTorch names composed in Python (baddbmm, kron, meshgrid, cdist, ...) and the
new Tensor methods, against torch: values and gradients."""

import numpy as np
import pytest

import ember
from helpers import gradcheck, rand, requires_torch, torch
from torch_compare import compare

pytestmark = requires_torch


def test_baddbmm():
    compare(lambda i, a, b: ember.baddbmm(i, a, b, beta=0.5, alpha=2.0),
            lambda i, a, b: torch.baddbmm(i, a, b, beta=0.5, alpha=2.0),
            rand(2, 3, 5), rand(2, 3, 4, seed=1), rand(2, 4, 5, seed=2))
    compare(ember.baddbmm, torch.baddbmm, rand(5), rand(2, 3, 4, seed=1), rand(2, 4, 5, seed=2))
    with pytest.raises(ValueError, match=r"\[baddbmm\].*3-D.*\(3, 4\)"):
        ember.baddbmm(ember.ones(3, 5), ember.ones(3, 4), ember.ones(4, 5))


@pytest.mark.parametrize("rep,dim", [(2, None), (3, 0), (2, 1), (1, -1)])
def test_repeat_interleave_int(rep, dim):
    compare(lambda x: ember.repeat_interleave(x, rep, dim),
            lambda x: torch.repeat_interleave(x, rep, dim), rand(2, 3))
    compare(lambda x: x.repeat_interleave(rep, dim=dim),
            lambda x: x.repeat_interleave(rep, dim=dim), rand(2, 3))


def test_repeat_interleave_tensor_repeats():
    reps = np.array([1, 0, 3])
    compare(lambda x, r: ember.repeat_interleave(x, r, 1),
            lambda x, r: torch.repeat_interleave(x, r, 1), rand(2, 3), reps, grad=[True, False])
    assert ember.repeat_interleave(ember.tensor([2, 1])).tolist() == [0, 0, 1]
    with pytest.raises(ValueError, match=r"\[repeat_interleave\].*one entry per element"):
        ember.repeat_interleave(ember.ones(3), ember.tensor([1, 2]))


@pytest.mark.parametrize("indexing", ["ij", "xy"])
def test_meshgrid(indexing):
    compare(lambda a, b, c: ember.meshgrid(a, b, c, indexing=indexing),
            lambda a, b, c: torch.meshgrid(a, b, c, indexing=indexing),
            rand(2), rand(3, seed=1), rand(4, seed=2))
    compare(lambda a, b: ember.meshgrid([a, b], indexing=indexing),
            lambda a, b: torch.meshgrid([a, b], indexing=indexing), rand(2), rand(3, seed=1))


def test_kron_trace_block_diag():
    compare(ember.kron, torch.kron, rand(2, 3), rand(3, 2, seed=1))
    compare(ember.kron, torch.kron, rand(2, 2, 2), rand(3, seed=1))
    compare(ember.trace, torch.trace, rand(3, 4))
    compare(lambda a, b, c: ember.block_diag(a, b, c), lambda a, b, c: torch.block_diag(a, b, c),
            rand(2, 2), rand(3, seed=1), rand(1, 2, seed=2))
    with pytest.raises(ValueError, match=r"\[trace\] expects a 2-D tensor, got shape \(3,\)"):
        ember.trace(ember.ones(3))


def test_cross():
    compare(lambda a, b: ember.cross(a, b, dim=1), lambda a, b: torch.cross(a, b, dim=1),
            rand(4, 3), rand(4, 3, seed=1))
    compare(lambda a, b: ember.cross(a, b), lambda a, b: torch.linalg.cross(a, b, dim=0),
            rand(3, 5), rand(3, 5, seed=1))
    with pytest.raises(ValueError, match=r"\[cross\] dim 1 must have size 3.*\(4, 2\)"):
        ember.cross(ember.ones(4, 2), ember.ones(4, 2), dim=1)


@pytest.mark.parametrize("p", [2.0, 1.0, 3.0, float("inf")])
def test_cdist(p):
    compare(lambda a, b: ember.cdist(a, b, p), lambda a, b: torch.cdist(a, b, p),
            rand(2, 4, 3), rand(2, 5, 3, seed=1))


def test_cdist_zero_distance_has_zero_gradient():
    x = rand(3, 2)
    compare(lambda a, b: ember.cdist(a, b), lambda a, b: torch.cdist(a, b), x, x.copy())
    with pytest.raises(ValueError, match=r"\[cdist\].*\(3, 2\) and \(4, 5\)"):
        ember.cdist(ember.ones(3, 2), ember.ones(4, 5))


def test_nan_to_num_lerp_frac():
    a = rand(6)
    a[0], a[1], a[2] = np.nan, np.inf, -np.inf
    compare(ember.nan_to_num, torch.nan_to_num, a)
    compare(lambda x: ember.nan_to_num(x, nan=1.0, posinf=5.0, neginf=-5.0),
            lambda x: torch.nan_to_num(x, nan=1.0, posinf=5.0, neginf=-5.0), a)
    f32 = ember.nan_to_num(ember.tensor([np.inf], dtype=ember.float32))
    assert f32.item() == np.finfo(np.float32).max
    compare(ember.lerp, torch.lerp, rand(3, 4), rand(3, 4, seed=1), rand(3, 4, seed=2))
    compare(lambda a, b: ember.lerp(a, b, 0.3), lambda a, b: torch.lerp(a, b, 0.3),
            rand(3, 4), rand(4, seed=1))
    compare(ember.frac, torch.frac, rand(5, low=-5, high=5))


@pytest.mark.parametrize("n,dim", [(1, -1), (2, 0), (3, 1)])
def test_diff(n, dim):
    compare(lambda x: ember.diff(x, n, dim), lambda x: torch.diff(x, n, dim), rand(4, 5))
    compare(lambda x, p, q: ember.diff(x, n, dim, p, q),
            lambda x, p, q: torch.diff(x, n, dim, p, q), rand(4, 5),
            rand(4, 5, seed=1), rand(4, 5, seed=2))


def test_diff_gradcheck_float64():
    gradcheck(lambda x: ember.diff(x, 2, 0), rand(5, 3))


@pytest.mark.parametrize("right", [False, True])
def test_bucketize_searchsorted(right):
    b = np.array([-1.0, 0.0, 0.5, 1.0])
    v = np.array([[-2.0, -1.0, 0.2], [0.5, 0.7, 3.0]])
    compare(lambda x, bb: ember.bucketize(x, bb, right=right),
            lambda x, bb: torch.bucketize(x, bb, right=right), v, b, grad=False)
    compare(lambda s, x: ember.searchsorted(s, x, right=right),
            lambda s, x: torch.searchsorted(s, x, right=right), b, v, grad=False)
    seq = np.sort(rand(2, 5), axis=1)
    compare(lambda s, x: ember.searchsorted(s, x, side="right" if right else "left"),
            lambda s, x: torch.searchsorted(s, x, side="right" if right else "left"),
            seq, rand(2, 3, seed=1), grad=False)
    assert ember.bucketize(ember.tensor([1.0]), ember.tensor([1.0]), out_int32=True
                           ).dtype == ember.int32


def test_bincount_count_nonzero_unique():
    x = np.array([0, 2, 2, 5, 1])
    w = rand(5)
    compare(ember.bincount, torch.bincount, x, grad=False)
    compare(lambda a: ember.bincount(a, minlength=9), lambda a: torch.bincount(a, minlength=9),
            x, grad=False)
    compare(lambda a, ww: ember.bincount(a, ww), lambda a, ww: torch.bincount(a, ww), x, w,
            grad=False)
    z = np.array([[0.0, 1.0, 0.0], [2.0, 0.0, 3.0]])
    compare(ember.count_nonzero, torch.count_nonzero, z, grad=False)
    compare(lambda a: ember.count_nonzero(a, dim=1), lambda a: torch.count_nonzero(a, dim=1), z,
            grad=False)
    u = np.array([3, 1, 2, 3, 1, 1])
    compare(lambda a: ember.unique(a, return_inverse=True, return_counts=True),
            lambda a: torch.unique(a, return_inverse=True, return_counts=True), u, grad=False)
    with pytest.raises(ValueError, match=r"\[bincount\] expects a 1-D integer tensor"):
        ember.bincount(ember.ones(3))


def test_unique_and_bincount_refuse_to_trace():
    f = ember.function(lambda x: ember.unique(x) + 0)
    x = ember.tensor([1, 1, 2])
    f(x)  # eager warm-up call works
    with pytest.raises(RuntimeError, match=r"\[unique\].*eagerly only.*NumPy"):
        f(x)


def test_broadcast_tensors_and_shapes():
    compare(lambda a, b: ember.broadcast_tensors(a, b),
            lambda a, b: torch.broadcast_tensors(a, b), rand(3, 1), rand(4, seed=1))
    assert ember.broadcast_shapes((3, 1), (4,)) == (3, 4)
    with pytest.raises(ValueError, match=r"\[broadcast_tensors\].*\(2,\), \(3,\)"):
        ember.broadcast_tensors(ember.ones(2), ember.ones(3))


def test_default_dtype_and_dropout():
    assert ember.get_default_dtype() == ember.float32
    ember.set_default_dtype(ember.float32)
    assert ember.tensor([1.0]).dtype == ember.get_default_dtype() == ember.zeros(1).dtype
    with pytest.raises(TypeError, match=r"\[set_default_dtype\].*float32"):
        ember.set_default_dtype(ember.int64)  # (float64 and the rest: test_default_dtype.py)
    assert ember.get_default_dtype() == ember.float32
    x = ember.ones(1000)
    assert ember.dropout(x, 0.5, False) is x or ember.equal(ember.dropout(x, 0.5, False), x)
    kept = (ember.dropout(x, 0.5, True) != 0).float().mean().item()
    assert 0.4 < kept < 0.6


def test_tensor_methods():
    compare(lambda s, a, b: s.addcmul(a, b, value=0.5), lambda s, a, b: s.addcmul(a, b, value=0.5),
            rand(3), rand(3, seed=1), rand(3, seed=2))
    compare(lambda s, a, b: s.addcdiv(a, b, value=2), lambda s, a, b: s.addcdiv(a, b, value=2),
            rand(3), rand(3, seed=1), rand(3, seed=2, low=1, high=2))
    compare(lambda a, b: a.lerp(b, 0.25), lambda a, b: a.lerp(b, 0.25), rand(3), rand(3, seed=1))
    compare(lambda a: a.frac(), lambda a: a.frac(), rand(4, low=-3, high=3))
    compare(lambda a, b: a.kron(b), lambda a, b: a.kron(b), rand(2), rand(3, seed=1))
    compare(lambda a: a.unfold(1, 3, 2), lambda a: a.unfold(1, 3, 2), rand(2, 8))
    compare(lambda a, s: a.index_copy(0, ember.tensor([2, 0]), s),
            lambda a, s: a.index_copy(0, torch.tensor([2, 0]), s), rand(4, 2), rand(2, 2, seed=1))
    compare(lambda a: a.diff(), lambda a: a.diff(), rand(5))
    for name, args in [("addcmul_", (rand(3, seed=1), rand(3, seed=2))),
                       ("addcdiv_", (rand(3, seed=1), rand(3, seed=2, low=1, high=2))),
                       ("lerp_", (rand(3, seed=1), 0.3)), ("copy_", (rand(3, seed=1),))]:
        e, t = ember.tensor(rand(3), dtype=ember.float64), torch.tensor(rand(3))
        ea = [ember.tensor(a, dtype=ember.float64) if isinstance(a, np.ndarray) else a
              for a in args]
        ta = [torch.tensor(a) if isinstance(a, np.ndarray) else a for a in args]
        assert getattr(e, name)(*ea) is e
        getattr(t, name)(*ta)
        np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-12, err_msg=name)
    e = ember.zeros(4, 2)
    e.index_copy_(0, ember.tensor([3, 1]), ember.ones(2, 2))
    assert e.sum(1).tolist() == [0.0, 2.0, 0.0, 2.0]
    nt = ember.zeros(2, dtype=ember.float64).new_tensor([1, 2])
    assert nt.dtype == ember.float64 and nt.tolist() == [1.0, 2.0]
    n = ember.tensor([np.nan, 1.0])
    n.nan_to_num_()
    assert n.tolist() == [0.0, 1.0]
    with pytest.raises(ValueError, match=r"\[copy_\].*\(3,\).*\(2,\)"):
        ember.zeros(2).copy_(ember.ones(3))


def test_copy_keeps_autograd():
    a = ember.ones(3, requires_grad=True)
    buf = ember.zeros(3)
    buf.copy_(a * 2)
    buf.sum().backward()
    assert a.grad.tolist() == [2.0, 2.0, 2.0]
