"""Tensor indexing (t[...] and t[...] = v, NumPy/PyTorch semantics) and the index ops
(gather, scatter, scatter_add, index_select, index_add, masked_fill, masked_select,
nonzero, one_hot, take_along_dim): NumPy references, gradients, PyTorch parity, errors."""

import numpy as np
import pytest

import ember
from helpers import assert_close, gradcheck, rand, requires_torch, torch


def T(a, dtype=None):
    return ember.tensor(np.asarray(a), dtype=dtype)


def noncontig(a):
    return ember.tensor(np.ascontiguousarray(np.swapaxes(a, 0, -1))).transpose(0, -1)


A = rand(4, 5, 6)
I01 = np.array([0, 2, -1])
# (index expression, is it basic?) — each checked against NumPy on the same array.
KEYS = [
    (1, True), (-1, True), ((1, 2), True), ((slice(1, 3), 2), True),
    ((Ellipsis, 1), True), ((None, 1, None), True), ((slice(None, None, 2), Ellipsis, None), True),
    ((1, slice(None), slice(4, 1)), True), ((), True), (Ellipsis, True),
    ([0, 2], False), (np.array([[1, 0], [3, 2]]), False), ((slice(None), [1, 4], [0, 5]), False),
    (([0, 1], slice(None), [2, 3]), False), ((I01, None), False), ((None, I01), False),
    ((slice(1, None), I01, slice(None, None, 3)), False), ((Ellipsis, [1, 0]), False),
    (([[0], [3]], [1, 2, 4]), False), ((np.array([True, False, True, True]),), False),
    ((slice(None), [True, False, True, False, True]), False), ((A[..., 0] > 0,), False),
    ((A > 0.5,), False), ((1, A[0, :, 0] > 0, [2, 3, 1, 0, 5][:1]), False),
]


class TestGetItem:
    @pytest.mark.parametrize("key,basic", KEYS, ids=[str(i) for i in range(len(KEYS))])
    def test_matches_numpy(self, key, basic):
        x = T(A)
        out = x[key]
        expected = A[key]
        assert_close(out, expected)
        assert_close(noncontig(A)[key], expected)
        if basic:  # a view: writing through it changes x
            out[...] = 0.0
            assert np.all(x.numpy()[key] == 0)
        else:  # a copy
            out[...] = 0.0
            assert_close(x, A)

    @requires_torch
    @pytest.mark.parametrize("key", [
        (0, slice(None), [0, 1]), ([0, 1], None, [1, 2]), (None, [0, 1]), ([0, 1], None),
        (1, [0, 1], slice(None), ), ([[0, 1]], slice(None), [[1], [2]]), (True,), (False, 1),
        (slice(None), None, [2, 0], Ellipsis, [[1], [3]]),
    ], ids=str)
    def test_parity_with_torch(self, key):
        def conv(k, lib):
            if isinstance(k, tuple):
                return tuple(conv(i, lib) for i in k)
            if isinstance(k, list):
                return lib.tensor(k)
            return k
        x = T(A)
        ours = x[conv(key, ember)]
        theirs = torch.tensor(A)[conv(key, torch)]
        assert ours.shape == tuple(theirs.shape)
        assert_close(ours, theirs.numpy())

    def test_int_dtypes_and_tensors_as_indices(self):
        x = T(A)
        for dt in (ember.int32, ember.int64):
            assert_close(x[T([3, 0], dtype=dt)], A[[3, 0]])
        assert_close(x[T(2)], A[2])  # 0-dim integer tensor
        assert_close(x[np.int64(1), np.int32(2)], A[1, 2])
        assert_close(x[[True, False, True, False]], A[[True, False, True, False]])
        assert_close(x[[]], A[np.array([], np.int64)])
        for key in (np.True_, np.False_, np.array(1), np.array(True), (np.array(2), np.int32(1)),
                    range(1, 3), (range(2), 1)):
            assert_close(x[key], A[key])

    def test_iteration_and_len(self):
        x = T(rand(3, 2))
        rows = list(x)
        assert len(rows) == 3
        assert_close(rows[1], x.numpy()[1])

    def test_grad_through_basic_and_advanced(self):
        gradcheck(lambda x: x[1:, None, ::2], rand(4, 5))
        gradcheck(lambda x: x[[0, 2, 2, -1]], rand(4, 5))  # repeats accumulate
        gradcheck(lambda x: x[:, [1, 1, 3], [0, 0, 2]], rand(2, 4, 3))
        gradcheck(lambda x: x[[0, 1], :, [2, 0]], rand(2, 4, 3))
        gradcheck(lambda x: x[np.array([[True, False], [False, True]])], rand(2, 2, 3))

    def test_double_backward_through_advanced_index(self):
        x = ember.tensor(rand(5), dtype=ember.float64, requires_grad=True)
        y = x[[0, 0, 3]]
        y = y * y
        (g,) = ember.autograd.grad(y, x, ember.tensor(np.ones(3)), create_graph=True)
        assert_close(g, 2 * x.detach().numpy() * np.array([2, 0, 0, 1, 0]))
        (gg,) = ember.autograd.grad(g, x, ember.tensor(np.ones(5)))
        assert_close(gg, [4, 0, 0, 2, 0])

    def test_errors(self):
        x = T(rand(3, 4))
        with pytest.raises(IndexError, match=r"\[select\] index 3 is out of range for dim 0 with size 3"):
            x[3]
        with pytest.raises(IndexError, match=r"\[index\] index 4 is out of bounds for dim 1 with size 4"):
            x[0, 4]
        with pytest.raises(IndexError, match=r"\[index\] index -5 is out of bounds for dim 1 with size 4"):
            x[:, [0, -5]]
        with pytest.raises(IndexError, match=r"\[index\] too many indices for tensor of dimension 2"):
            x[0, 0, 0]
        with pytest.raises(IndexError, match=r"\[index\] an index can only have a single ellipsis"):
            x[..., ...]
        with pytest.raises(IndexError, match=r"\[index\] the shape of the mask \[2\] at index 0 does not match"):
            x[np.array([True, False])]
        with pytest.raises(IndexError, match=r"\[index\] tensors used as indices must be int64, int32 or bool"):
            x[T([0.5])]
        with pytest.raises(IndexError, match=r"\[index\] only integers, slices"):
            x["a"]
        with pytest.raises(IndexError, match=r"\[index\] shape mismatch: indexing tensors could not be "
                                             r"broadcast together with shapes \[2\] and \[3\]"):
            x[[0, 1], [0, 1, 2]]
        with pytest.raises(ValueError, match=r"slice step must be positive, got -1"):
            x[::-1]
        with pytest.raises(ValueError, match=r"slice step must be positive, got 0"):
            x[::0]


class TestSetItem:
    @pytest.mark.parametrize("key,basic", KEYS, ids=[str(i) for i in range(len(KEYS))])
    def test_matches_numpy(self, key, basic):
        x = T(A)
        ref = A.copy()
        sel_shape = ref[key].shape
        v = rand(*sel_shape[1:], seed=3) if len(sel_shape) > 0 else 2.5
        x[key] = T(v) if isinstance(v, np.ndarray) else v
        ref[key] = v
        assert_close(x, ref)

    def test_scalar_broadcast_cast_and_version(self):
        x = T(np.zeros((3, 4), np.int64))
        v0 = x._version
        x[1] = 7
        x[:, [0, 3]] = T([1.9, -2.2])  # cast to int64 (truncation, as in PyTorch)
        x[np.array([[True, False, False, False]] * 3)] = 5
        assert x._version > v0
        assert_close(x, [[5, 0, 0, -2], [5, 7, 7, -2], [5, 0, 0, -2]])
        y = x[0]
        y[1] = 9  # a view of x
        assert x[0, 1].item() == 9

    def test_overlapping_source(self):
        x = T(np.arange(6.0))
        x[1:] = x[:-1]
        assert_close(x, [0, 0, 1, 2, 3, 4])

    def test_setitem_on_a_view_writes_base(self):
        x = T(np.zeros((2, 3)))
        v = x.T
        v[[0, 2], 1] = 1.0
        assert_close(x, [[0, 0, 0], [1, 0, 1]])

    def test_autograd_through_setitem(self):
        def f(x, v):
            y = x * 1.0
            y[1:, [0, 2]] = v
            return y * y
        gradcheck(f, rand(3, 4), rand(2, 2))
        gradcheck(f, rand(3, 4), rand(2))  # broadcast value

        def g(x, v):
            y = x * 1.0
            y[0] = v
            return y
        gradcheck(g, rand(3, 4), rand(4))

    def test_leaf_requiring_grad_raises(self):
        x = ember.tensor(rand(3), requires_grad=True)
        with pytest.raises(RuntimeError, match=r"\[index_put_\] a leaf tensor that requires grad"):
            x[0] = 1.0

    def test_index_put_accumulate(self):
        x = T(np.zeros(4))
        x.index_put_((T([0, 0, 2]),), T([1.0, 2.0, 3.0]), accumulate=True)
        assert_close(x, [3, 0, 3, 0])
        y = ember.index_put(T(np.zeros((2, 2))), (T([1]), T([0])), T(5.0))
        assert_close(y, [[0, 0], [5, 0]])
        gradcheck(lambda a, v: a.index_put((T([0, 0, 2]),), v, accumulate=True), rand(4), rand(3))

    def test_errors(self):
        x = T(np.zeros((3, 4)))
        with pytest.raises(ValueError, match=r"\[index_put\] shape mismatch: value of shape \[3\] cannot "
                                             r"be broadcast to the indexing result of shape \[2, 4\]"):
            x[:2] = T(np.ones(3))
        with pytest.raises(IndexError, match=r"\[index_put_\] index 3 is out of bounds for dim 0 with size 3"):
            x[3] = 1.0
        with pytest.raises(IndexError, match=r"\[index_put\] index 7 is out of bounds for dim 1 with size 4"):
            x[:, [7]] = 1.0
        with pytest.raises(TypeError, match=r"\[index_put_\] can only assign"):
            x[0] = "a"
        e = ember.broadcast_to(T(np.zeros(4)), (3, 4))
        with pytest.raises(ValueError, match=r"cannot write in place to an expanded tensor"):
            e[0] = 1.0


class TestGatherScatter:
    def test_gather(self):
        a = rand(3, 4)
        idx = np.array([[0, 2, 1, 0], [2, 2, 0, 1]])
        assert_close(T(a).gather(0, T(idx)), np.take_along_axis(a, idx, 0))
        idx1 = np.array([[3, -1], [0, 0], [1, 2]])
        assert_close(ember.gather(noncontig(a), 1, T(idx1)), np.take_along_axis(a, idx1 % 4, 1))
        gradcheck(lambda x: x.gather(0, T(idx)), a)
        with pytest.raises(IndexError, match=r"\[gather\] index 4 is out of bounds for dim 1 with size 4"):
            T(a).gather(1, T([[4]]))
        with pytest.raises(ValueError, match=r"\[gather\] index \[2\] must have as many dims as the input \[3, 4\]"):
            T(a).gather(1, T([1, 2]))
        with pytest.raises(IndexError, match=r"\[gather\] tensors used as indices must be int64, int32"):
            T(a).gather(1, T([[1.0]]))

    def test_scatter_and_scatter_add(self):
        base = rand(3, 5)
        idx = np.array([[0, 1, 2, 0], [2, 0, 0, 1]])
        src = rand(2, 4, seed=7)
        ref = base.copy()
        for i in range(2):
            for j in range(4):
                ref[idx[i, j], j] = src[i, j]
        assert_close(T(base).scatter(0, T(idx), T(src)), ref)
        ref_add = base.copy()
        for i in range(2):
            for j in range(4):
                ref_add[idx[i, j], j] += src[i, j]
        assert_close(ember.scatter_add(T(base), 0, T(idx), T(src)), ref_add)
        filled = T(base).scatter(1, T([[0], [4], [2]]), value=-1.0)
        ref_v = base.copy()
        ref_v[0, 0] = ref_v[1, 4] = ref_v[2, 2] = -1.0
        assert_close(filled, ref_v)
        gradcheck(lambda b, s: b.scatter_add(0, T(idx), s), base, src)
        uniq = np.array([[0, 1, 2, 0], [2, 0, 1, 1]])
        gradcheck(lambda b, s: b.scatter(0, T(uniq), s), base, src)
        gradcheck(lambda b, s: b.scatter(0, T(uniq[:1, :2]), s), base, src)  # src larger than index

    def test_inplace_forms(self):
        x = T(np.zeros((2, 3)))
        x.scatter_(1, T([[2], [0]]), T([[1.0], [2.0]]))
        x.scatter_add_(0, T([[1, 1, 1]]), T([[1.0, 1.0, 1.0]]))
        x.index_add_(1, T([0]), T([[10.0], [10.0]]), alpha=2)
        x.masked_fill_(T([True, False, False]), -1)
        assert_close(x, [[-1, 0, 1], [-1, 1, 1]])

    def test_scatter_errors(self):
        x = T(np.zeros((2, 3)))
        with pytest.raises(ValueError, match=r"\[scatter_add\] index of shape \[3, 1\] is larger than the input"):
            x.scatter_add(1, T(np.zeros((3, 1), np.int64)), T(np.zeros((3, 1))))
        with pytest.raises(ValueError, match=r"\[scatter\] index of shape \[1, 2\] is larger than src"):
            x.scatter(1, T([[0, 1]]), T([[1.0]]))
        with pytest.raises(IndexError, match=r"\[scatter\] index -4 is out of bounds for dim 1 with size 3"):
            x.scatter(1, T([[-4]]), 1.0)

    def test_take_along_dim(self):
        a = rand(3, 4)
        idx = np.argsort(a, axis=1)
        assert_close(ember.take_along_dim(T(a), T(idx), 1), np.take_along_axis(a, idx, 1))
        assert_close(T(a).take_along_dim(T([[0], [3], [1]]), dim=1), a[[0, 1, 2], [0, 3, 1]][:, None])
        assert_close(ember.take_along_dim(T(a), T([5, 0])), a.reshape(-1)[[5, 0]])
        b = rand(1, 4)
        assert_close(ember.take_along_dim(T(b), T(idx[:, :2]), 1),
                     np.take_along_axis(np.broadcast_to(b, (3, 4)), idx[:, :2], 1))

    @requires_torch
    def test_parity(self):
        a = rand(4, 5)
        idx = np.random.default_rng(0).integers(0, 4, size=(3, 5))
        t = torch.tensor(a)
        ti = torch.tensor(idx)
        assert_close(T(a).gather(0, T(idx)), t.gather(0, ti).numpy())
        assert_close(T(a).scatter_add(0, T(idx), T(a[:3])), t.scatter_add(0, ti, t[:3]).numpy())
        assert_close(T(a).index_select(1, T([4, 0, 0])), t.index_select(1, torch.tensor([4, 0, 0])).numpy())


class TestIndexSelectAdd:
    def test_index_select(self):
        a = rand(3, 4, 5)
        for dim in (0, 1, -1):
            idx = np.array([2, 0, 2])
            assert_close(T(a).index_select(dim, T(idx)), np.take(a, idx, axis=dim))
            gradcheck(lambda x: ember.index_select(x, dim, T(idx)), a)
        assert_close(noncontig(a).index_select(1, T(1)), a[:, [1]])
        with pytest.raises(IndexError, match=r"\[index_select\] index must be 0-D or 1-D, got shape \[1, 1\]"):
            T(a).index_select(0, T([[1]]))
        with pytest.raises(IndexError, match=r"\[index\] index 3 is out of bounds for dim 0 with size 3"):
            T(a).index_select(0, T([3]))

    def test_index_add(self):
        a = rand(4, 3)
        src = rand(3, 3, seed=5)
        idx = np.array([0, 3, 0])
        ref = a.copy()
        np.add.at(ref, idx, 2.0 * src)
        assert_close(T(a).index_add(0, T(idx), T(src), alpha=2.0), ref)
        gradcheck(lambda x, s: ember.index_add(x, 0, T(idx), s), a, src)
        with pytest.raises(ValueError, match=r"\[index_add\] source of shape \[2, 3\] must have shape \[3, 3\]"):
            T(a).index_add(0, T(idx), T(src[:2]))


class TestMasked:
    @pytest.mark.parametrize("dtype", [ember.float32, ember.float64, ember.float16, ember.bfloat16,
                                       ember.int32, ember.int64, ember.uint8, ember.bool])
    def test_masked_fill_dtypes(self, dtype):
        a = np.arange(6).reshape(2, 3) % 3
        mask = np.array([True, False, True])
        out = T(a, dtype=dtype).masked_fill(T(mask), 1)
        ref = np.where(mask, 1, a).astype(np.float64)
        if dtype == ember.bool:
            ref = (ref != 0).astype(np.float64)
        assert_close(out.double() if dtype != ember.bfloat16 else out.float(), ref)

    def test_masked_fill_broadcast_grad_and_tensor_value(self):
        a = rand(3, 4)
        m = np.array([[True], [False], [True]])
        assert_close(ember.masked_fill(noncontig(a), T(m), -2.0), np.where(m, -2.0, a))
        gradcheck(lambda x: x.masked_fill(T(m), 0.5), a)
        gradcheck(lambda x, v: x.masked_fill(T(m), v), a, np.array(0.3))
        with pytest.raises(ValueError, match=r"\[masked_fill\] value must be a 0-dim tensor"):
            T(a).masked_fill(T(m), T([1.0, 2.0]))
        with pytest.raises(TypeError, match=r"\[masked_fill\] mask must be a bool tensor, got int64"):
            T(a).masked_fill(T([1]), 1.0)
        with pytest.raises(ValueError, match=r"\[masked_fill\] mask of shape \[2\] cannot be broadcast"):
            T(a).masked_fill(T([True, False]), 1.0)

    def test_masked_select(self):
        a = rand(3, 4)
        m = a > 0
        assert_close(T(a).masked_select(T(m)), a[m])
        row = np.array([True, False, False, True])
        assert_close(ember.masked_select(T(a), T(row)), a[:, row].reshape(-1))
        gradcheck(lambda x: x.masked_select(T(m)), a)

    def test_nonzero(self):
        a = np.array([[0, 1.5, 0], [2, 0, -1]])
        assert_close(T(a).nonzero(), np.argwhere(a))
        rows, cols = ember.nonzero(T(a), as_tuple=True)
        assert_close(rows, np.nonzero(a)[0])
        assert_close(cols, np.nonzero(a)[1])
        assert ember.nonzero(T(np.zeros((2, 2)))).shape == (0, 2)
        assert T(a).nonzero().dtype == ember.int64
        assert_close(noncontig(a).nonzero(), np.argwhere(a))

    def test_one_hot(self):
        labels = np.array([[0, 2], [1, 3]])
        out = ember.one_hot(T(labels))
        assert out.dtype == ember.int64
        assert_close(out, np.eye(4, dtype=np.int64)[labels])
        assert ember.one_hot(T(labels), num_classes=6).shape == (2, 2, 6)
        with pytest.raises(IndexError, match=r"\[one_hot\] class value 3 is out of range for num_classes 3"):
            ember.one_hot(T(labels), 3)
        with pytest.raises(TypeError, match=r"\[one_hot\] expects an int64 tensor"):
            ember.one_hot(T([0.0]))

    @requires_torch
    def test_parity(self):
        import torch.nn.functional as F
        a = rand(3, 4)
        m = a > 0.3
        assert_close(T(a).masked_select(T(m)), torch.tensor(a).masked_select(torch.tensor(m)).numpy())
        assert_close(ember.one_hot(T([2, 0])), F.one_hot(torch.tensor([2, 0])).numpy())
        assert_close(T(a).nonzero(), torch.tensor(a).nonzero().numpy())


# ---------------------------------------------------------------- random shapes (hypothesis)
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@st.composite
def index_case(draw):
    """A random shape and a random index tuple mixing ints, slices, None, ... and arrays."""
    shape = draw(st.lists(st.integers(1, 4), min_size=1, max_size=4))
    key, dim, used_ellipsis = [], 0, False
    while dim < len(shape) and draw(st.booleans()):
        kind = draw(st.sampled_from(["int", "slice", "none", "array", "ellipsis", "mask"]))
        n = shape[dim]
        if kind == "int":
            key.append(draw(st.integers(-n, n - 1)))
        elif kind == "slice":
            key.append(slice(draw(st.none() | st.integers(-n - 1, n + 1)),
                             draw(st.none() | st.integers(-n - 1, n + 1)), draw(st.integers(1, 3))))
        elif kind == "none":
            key.append(None)
            continue
        elif kind == "array":
            key.append(np.array(draw(st.lists(st.integers(-n, n - 1), min_size=1, max_size=3))))
        elif kind == "mask":
            key.append(np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n))))
        elif not used_ellipsis:
            key.append(Ellipsis)
            used_ellipsis = True
            dim = len(shape) - sum(1 for k in key if k is not None and k is not Ellipsis)
            continue
        dim += 1
    arrays = [k for k in key if isinstance(k, np.ndarray) and k.dtype != bool]
    if len({a.shape for a in arrays}) > 1:  # keep the index arrays broadcastable
        key = [k[:1] if isinstance(k, np.ndarray) and k.dtype != bool else k for k in key]
    return shape, tuple(key)


@settings(max_examples=150, deadline=None)
@given(index_case(), st.booleans())
def test_random_getitem_setitem_match_numpy(case, transposed):
    shape, key = case
    a = rand(*shape)
    x = noncontig(a) if transposed and len(shape) > 1 else T(a)
    try:
        expected = a[key]
    except IndexError:
        with pytest.raises(IndexError):
            x[key]
        return
    if sum(isinstance(k, np.ndarray) for k in key) > 1 and any(
            isinstance(k, np.ndarray) and k.dtype == bool for k in key):
        return  # NumPy and PyTorch differ on masks mixed with other arrays; skip
    if any(isinstance(k, int) for k in key) and any(isinstance(k, np.ndarray) for k in key):
        # Ints count as advanced indices in NumPy but as select in PyTorch: follow PyTorch.
        if torch is None:
            return
        tkey = tuple(torch.tensor(k) if isinstance(k, np.ndarray) else k for k in key)
        ta = torch.tensor(a)
        assert_close(x[key], ta[tkey].numpy())
        ta[tkey] = -1.0
        x[key] = -1.0
        assert_close(x, ta.numpy())
        return
    assert_close(x[key], expected)
    ref = a.copy()
    ref[key] = -1.0
    x[key] = -1.0
    assert_close(x, ref)


@pytest.mark.parametrize("fn,exc,pattern", [
    (lambda x: x.take_along_dim(T([1, 0]), 1), ValueError, r"\[take_along_dim\] input \[2, 3\] and indices \[2\]"),
    (lambda x: x.scatter(1, T([[0]]), T([1.0])), ValueError, r"\[scatter\] index \[1, 1\] and src \[1\] must have as many dims"),
    (lambda x: ember.one_hot(T([1]), -3), ValueError, r"\[one_hot\] num_classes must be -1 or non-negative, got -3"),
    (lambda x: ember.one_hot(T(np.zeros(0, np.int64))), ValueError, r"\[one_hot\] cannot infer num_classes"),
    (lambda x: x.index_add(0, T([[0]]), x), IndexError, r"\[index_add\] index must be 0-D or 1-D, got shape \[1, 1\]"),
    (lambda x: x.index_select(0, T([0.0])), IndexError, r"\[index_select\] tensors used as indices must be int64, int32 or bool, got float64"),
    (lambda x: x.masked_select(T([1, 0, 1])), TypeError, r"\[masked_select\] mask must be a bool tensor, got int64"),
    (lambda x: x.masked_select(T([True, False])), ValueError, r"\[masked_select\] shapes \[2, 3\] and \[2\] cannot be broadcast"),
    (lambda x: x.index_put_((T([0, 1]), T([0, 1, 2])), T(1.0)), IndexError, r"\[index_put\] shape mismatch: indexing tensors could not be broadcast"),
    (lambda x: T(1.0)[0], IndexError, r"\[select\] cannot select from a 0-dim tensor"),
], ids=lambda v: v if isinstance(v, str) else "")
def test_more_error_paths(fn, exc, pattern):
    with pytest.raises(exc, match=pattern):
        fn(T(rand(2, 3).astype(np.float32)))


def test_masked_fill_int_with_float_truncates_like_torch():
    out = T([1, 2]).masked_fill(T([True, False]), 1.5)
    assert out.dtype == ember.int64
    assert out.tolist() == [1, 2]


def test_augmented_assignment_through_index():
    x = T(np.zeros(5))
    x[[0, 0, 2]] += 1.0  # like NumPy/PyTorch: no accumulation over repeats
    x[1:3] += 2.0
    assert_close(x, [1, 2, 3, 0, 0])


@pytest.mark.parametrize("dtype", [ember.float32, ember.float64, ember.float16, ember.bfloat16,
                                   ember.int32, ember.int64, ember.uint8, ember.bool])
def test_index_ops_all_dtypes(dtype):
    a = np.arange(12).reshape(3, 4) % 5
    x = T(a, dtype=dtype)
    ref = a.astype(np.float64) if dtype != ember.bool else (a != 0).astype(np.float64)

    def f(t):
        return t.float()

    assert_close(f(x[[2, 0], 1:]), ref[[2, 0], 1:])
    assert_close(f(x.T[1]), ref.T[1])
    idx = np.array([[0, 2, 1, 0]])
    assert_close(f(x.gather(0, T(idx))), np.take_along_axis(ref, idx, 0))
    assert_close(f(x.index_select(1, T([3, 3]))), ref[:, [3, 3]])
    assert_close(f(x.masked_select(T(a > 2))), ref[a > 2])
    y = x.clone()
    y[:, [0, 2]] = x[:, [1, 3]]
    r = ref.copy()
    r[:, [0, 2]] = ref[:, [1, 3]]
    assert_close(f(y), r)
    s = x.scatter(1, T([[3], [0], [1]]), x[:, :1])
    r = ref.copy()
    r[0, 3], r[1, 0], r[2, 1] = ref[0, 0], ref[1, 0], ref[2, 0]
    assert_close(f(s), r)


def test_saved_index_modified_in_place_is_an_error():
    x = ember.tensor(rand(4), dtype=ember.float64, requires_grad=True)
    idx = T([0, 1])
    y = x.gather(0, idx)
    idx[0] = 3
    with pytest.raises(RuntimeError, match=r"\[gather\] a tensor needed for backward .* was modified"):
        y.backward(ember.tensor(np.ones(2)))


def test_in_place_write_to_gather_input_keeps_backward_valid():
    # gather saves only its index, so overwriting its input afterwards is fine.
    x = ember.tensor(rand(4), dtype=ember.float64, requires_grad=True)
    h = x * 1.0
    y = h.gather(0, T([1, 1, 2]))
    h[0] = 5.0
    (y * 1.0).backward(ember.tensor(np.ones(3)))
    assert_close(x.grad, [0, 2, 1, 0])


@pytest.mark.parametrize("op", ["gather", "scatter_add", "index_put", "masked_fill", "cat", "pad"])
def test_double_backward(op):
    """d/dx of (d/dx sum(w * f(x*x))) is 2 * (backward of f applied to w): exercises each vjp's
    own vjp (create_graph=True)."""
    n = 5
    x = ember.tensor(rand(n), dtype=ember.float64, requires_grad=True)
    idx = T([0, 3, 3, 1])
    fns = {
        "gather": lambda t: t.gather(0, idx),
        "scatter_add": lambda t: ember.scatter_add(t, 0, idx, t[:4]),
        "index_put": lambda t: t.index_put((idx,), t[1:], accumulate=True),
        "masked_fill": lambda t: t.masked_fill(T([True, False, True, False, False]), 0.0),
        "cat": lambda t: ember.cat([t, t[1:3]]),
        "pad": lambda t: ember.pad(t, (2, 1), mode="reflect"),
    }
    f = fns[op]
    y = f(x * x)
    w = ember.tensor(np.random.default_rng(2).uniform(0.5, 1.5, size=y.shape))
    (g,) = ember.autograd.grad(y, x, w, create_graph=True)
    (gg,) = ember.autograd.grad(g, x, ember.tensor(np.ones(n)))
    # g = 2x * J^T w, so d(sum g)/dx = 2 * J^T w (f is linear in its input).
    xx = ember.tensor(rand(n), dtype=ember.float64, requires_grad=True)
    f(xx).backward(w)
    assert_close(gg, 2 * xx.grad.numpy())


def test_index_fill():
    a = rand(3, 4)
    ref = a.copy()
    ref[:, [0, 2]] = -1.0
    assert_close(T(a).index_fill(1, T([0, 2]), -1.0), ref)
    x = T(a)
    x.index_fill_(1, T([2, 0]), -1.0)
    assert_close(x, ref)
    gradcheck(lambda t: ember.index_fill(t, 0, T([1]), 0.0), a)
    with pytest.raises(IndexError, match=r"\[index_fill\] index must be 0-D or 1-D"):
        T(a).index_fill(0, T([[1]]), 0.0)


def test_large_inputs_take_the_threaded_paths():
    """Sizes above the parallel grain (32768 elements) run the multi-threaded loops."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((400, 300)).astype(np.float32)
    x = noncontig(a)
    rows = rng.integers(-400, 400, size=500)
    cols = rng.integers(0, 300, size=(500, 1))
    assert_close(x[rows], a[rows])
    assert_close(x[rows[:, None], cols.T[:, :7]], a[rows[:, None], cols.T[:, :7]])
    idx = rng.integers(0, 400, size=(400, 300))
    assert_close(x.gather(0, T(idx)), np.take_along_axis(a, idx, 0))
    assert_close(ember.cat([x, T(a)], 1), np.concatenate([a, a], 1))
    assert_close(x.flip(0, 1), a[::-1, ::-1])
    assert_close(x.tril(3), np.tril(a, 3))
    m = a > 0
    assert_close(x.masked_fill(T(m), 0.0), np.where(m, 0, a))
    y = T(a)
    y[rows % 400] = T(np.ones(300, np.float32))
    ref = a.copy()
    ref[rows % 400] = 1
    assert_close(y, ref)


def test_augmented_assignment_on_non_leaf_is_differentiable():
    def f(x, v):
        y = x * 1.0
        y[0] += v  # getitem view, in-place add on it, then setitem back into y
        y[:, 1:] += 1.0
        return y * y
    gradcheck(f, rand(3, 4), rand(4))


def test_setitem_number_keeps_destination_precision():
    # A Python number is converted to the destination's dtype (as torch does), not
    # rounded through float32 on the way.
    t = ember.zeros(2, 3, dtype=ember.float64)
    t[0, 1] = 0.1234567890123
    t[1] = 0.9876543210987
    assert t[0, 1].item() == 0.1234567890123
    assert t[1, 2].item() == 0.9876543210987
    i = ember.zeros(3, dtype=ember.int64)
    i[0] = 1.7
    assert i.tolist() == [1, 0, 0]
