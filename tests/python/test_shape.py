"""Views (slice, narrow, select, unbind, diagonal, reshapes) and shape ops (cat, stack,
split, chunk, flip, roll, repeat, tile, pad, tril/triu): forward against NumPy, gradients
by finite differences, PyTorch parity, error messages."""

import numpy as np
import pytest

import ember
from helpers import assert_close, check_forward, gradcheck, rand, requires_torch, torch

ALL_DTYPES = [ember.float32, ember.float64, ember.float16, ember.bfloat16, ember.int32,
              ember.int64, ember.uint8, ember.bool]


def T(a, dtype=None):
    return ember.tensor(np.asarray(a), dtype=dtype)


def noncontig(a):
    """An ember view of `a` that is not contiguous (a transposed copy, transposed back)."""
    return ember.tensor(np.ascontiguousarray(np.swapaxes(a, 0, -1))).transpose(0, -1)


# ---------------------------------------------------------------- views
class TestViews:
    def test_slice_narrow_select_share_storage(self):
        x = T(np.zeros((4, 5), np.float32))
        x.narrow(1, 1, 2)[:] = 1.0
        x.select(0, 3)[...] = 2.0
        x[::2, 4] = 3.0
        expect = np.zeros((4, 5))
        expect[:, 1:3] = 1
        expect[3] = 2
        expect[::2, 4] = 3
        assert_close(x, expect)

    def test_slice_with_steps_and_clamping(self):
        a = rand(7, 6)
        x = T(a)
        assert_close(x[1:100:3, -4:], a[1:100:3, -4:])
        assert_close(x[-100:2], a[-100:2])
        assert_close(x[5:2], a[5:2])  # empty
        assert x[1:5:2].stride() == (12, 1)

    def test_negative_step_raises(self):
        with pytest.raises(ValueError, match=r"\[index\] slice step must be positive"):
            T(rand(3))[::-1]

    def test_unbind_and_diagonal(self):
        a = rand(3, 4, 5)
        parts = ember.unbind(T(a), 1)
        assert len(parts) == 4
        for i, p in enumerate(parts):
            assert_close(p, a[:, i])
        for off in (-2, 0, 1, 3):
            assert_close(T(a).diagonal(off, 1, 2), np.diagonal(a, off, 1, 2))
            assert_close(T(a).diagonal(off, 2, 0), np.diagonal(a, off, 2, 0))
        d = T(np.zeros((3, 3), np.float32))
        d.diagonal()[:] = 1.0  # a view: writes land in d
        assert_close(d, np.eye(3))

    def test_view_gradients(self):
        gradcheck(lambda x: x[1:, ::2], rand(4, 5))
        gradcheck(lambda x: x.narrow(0, 1, 2).select(1, -1), rand(4, 5))
        gradcheck(lambda x: x.diagonal(1), rand(4, 5))
        gradcheck(lambda x: x.diagonal(-1, 0, 2), rand(3, 4, 5))
        gradcheck(lambda x: ember.stack(ember.unbind(x, 1), 0), rand(3, 4))

    def test_view_double_backward(self):
        x = ember.tensor(rand(4, 4), dtype=ember.float64, requires_grad=True)
        y = x.diagonal() * x.diagonal()
        (g,) = ember.autograd.grad(y, x, ember.tensor(np.ones(4)), create_graph=True)
        (gg,) = ember.autograd.grad(g, x, ember.tensor(np.ones((4, 4))))
        assert_close(gg, 2 * np.eye(4))

    def test_reshape_family_methods(self):
        a = rand(2, 3, 4)
        x = T(a)
        assert x.view(6, 4).shape == (6, 4) and x.view((6, -1)).shape == (6, 4)
        assert x.reshape(4, -1).shape == (4, 6) and x.reshape([24]).shape == (24,)
        assert_close(x.permute(2, 0, 1), a.transpose(2, 0, 1))
        assert_close(x.permute((2, 0, 1)), a.transpose(2, 0, 1))
        assert_close(x.T, a.T)
        assert_close(x.mT, np.swapaxes(a, -1, -2))
        assert_close(x.transpose(0, 2), np.swapaxes(a, 0, 2))
        assert_close(ember.swapaxes(x, 0, 1), np.swapaxes(a, 0, 1))
        assert_close(x.swapdims(0, 1), np.swapaxes(a, 0, 1))
        assert_close(T(a[0]).t(), a[0].T)
        assert_close(ember.movedim(x, 0, -1), np.moveaxis(a, 0, -1))
        assert_close(x.movedim((0, 1), (2, 0)), np.moveaxis(a, (0, 1), (2, 0)))
        assert x.flatten().shape == (24,) and x.flatten(1).shape == (2, 12)
        assert ember.flatten(x, 0, 1).shape == (6, 4)
        assert x.unflatten(2, (2, -1)).shape == (2, 3, 2, 2)
        y = T(rand(1, 3, 1))
        assert y.squeeze().shape == (3,) and y.squeeze(0).shape == (3, 1)
        assert y.squeeze((0, 2)).shape == (3,) and y.squeeze(1).shape == (1, 3, 1)
        assert y.unsqueeze(-1).shape == (1, 3, 1, 1)
        assert y.expand(2, -1, 4).shape == (2, 3, 4) and y.expand((2, 3, 4)).shape == (2, 3, 4)
        assert y.expand_as(x[:, :, :1].expand(2, 3, 4)).shape == (2, 3, 4)
        assert x.view_as(T(rand(4, 6))).shape == (4, 6)
        assert x.reshape_as(T(rand(24))).shape == (24,)
        assert ember.broadcast_to(y, (5, 1, 3, 7)).shape == (5, 1, 3, 7)

    def test_movedim_errors(self):
        with pytest.raises(ValueError, match=r"\[movedim\] repeated dim"):
            T(rand(2, 3)).movedim((0, 0), (0, 1))
        with pytest.raises(ValueError, match=r"\[mT\] expects a tensor with at least 2 dims"):
            T(rand(3)).mT

    def test_select_and_narrow_errors(self):
        x = T(rand(3, 4))
        with pytest.raises(IndexError, match=r"\[select\] index 5 is out of range for dim 1 with size 4"):
            x.select(1, 5)
        with pytest.raises(IndexError, match=r"\[narrow\] start 2 and length 3 .* size 4"):
            x.narrow(1, 2, 3)
        with pytest.raises(ValueError, match=r"\[diagonal\] dim1 and dim2 cannot be the same"):
            x.diagonal(0, 1, 1)


# ---------------------------------------------------------------- cat / stack / split
class TestCatStackSplit:
    @pytest.mark.parametrize("dim", [0, 1, -1])
    def test_cat_matches_numpy(self, dim):
        arrays = [rand(2, 3, 4, seed=1), rand(2, 3, 4, seed=2)]
        shape = list(arrays[1].shape)
        shape[dim] = 5
        arrays[1] = rand(*shape)
        check_forward(lambda a, b: ember.cat([a, b], dim), lambda a, b: np.concatenate([a, b], dim),
                      *arrays)
        gradcheck(lambda a, b: ember.cat((a, b), dim=dim), *arrays)

    def test_cat_noncontiguous_and_aliases(self):
        a, b = rand(3, 4), rand(3, 2)
        out = ember.concat([noncontig(a), noncontig(b)], dim=1)
        assert_close(out, np.concatenate([a, b], 1))
        assert_close(ember.concatenate([T(a), T(a)], axis=0), np.concatenate([a, a], 0))

    def test_cat_type_promotion_and_empty(self):
        i = T(np.arange(3, dtype=np.int64))
        f = T(np.ones(2, np.float32))
        out = ember.cat([i, f])
        assert out.dtype == ember.float32
        assert_close(out, [0, 1, 2, 1, 1])
        b = T(np.array([True]))
        assert ember.cat([b, i]).dtype == ember.int64
        empty = T(np.zeros(0, np.float32))
        x = T(rand(2, 3))
        assert_close(ember.cat([empty, x, empty]), rand(2, 3))  # 1-D empties are skipped
        assert ember.cat([empty, empty]).shape == (0,)

    @pytest.mark.parametrize("dtype", ALL_DTYPES)
    def test_cat_stack_flip_all_dtypes(self, dtype):
        a = (rand(2, 3) * 3).round()
        x = T(a, dtype=dtype)
        na = np.asarray(x.float().numpy(), np.float64)
        assert_close(ember.cat([x, x], 1).float(), np.concatenate([na, na], 1))
        assert_close(ember.stack([x, x], 1).float(), np.stack([na, na], 1))
        assert_close(ember.flip(x, [1]).float(), na[:, ::-1])
        assert_close(x.roll(1, 0).float(), np.roll(na, 1, 0))
        assert_close(x.repeat(2, 1).float(), np.tile(na, (2, 1)))
        assert_close(ember.tril(x).float(), np.tril(na))

    def test_cat_errors(self):
        with pytest.raises(ValueError, match=r"\[cat\] sizes of tensors must match except in dim 0"):
            ember.cat([T(rand(2, 3)), T(rand(2, 4))])
        with pytest.raises(ValueError, match=r"\[cat\] tensors must have the same number of dims"):
            ember.cat([T(rand(2, 3)), T(rand(2, 3, 1))])
        with pytest.raises(ValueError, match=r"\[cat\] expected a non-empty list"):
            ember.cat([])
        with pytest.raises(ValueError, match=r"\[cat\] zero-dimensional"):
            ember.cat([T(1.0), T(2.0)])
        with pytest.raises(IndexError, match=r"\[cat\]"):
            ember.cat([T(rand(2, 3))], 2)

    def test_stack(self):
        arrays = [rand(3, 4, seed=s) for s in range(3)]
        for dim in (0, 1, 2, -1):
            check_forward(lambda *xs: ember.stack(xs, dim), lambda *xs: np.stack(xs, dim), *arrays)
        gradcheck(lambda a, b: ember.stack([a, b], 1), arrays[0], arrays[1])
        with pytest.raises(ValueError, match=r"\[stack\] expects each tensor to be equal size"):
            ember.stack([T(rand(2)), T(rand(3))])

    def test_split_and_chunk(self):
        a = rand(7, 4)
        x = T(a)
        parts = x.split(3)
        assert [p.shape for p in parts] == [(3, 4), (3, 4), (1, 4)]
        assert_close(parts[2], a[6:])
        parts = ember.split(x, [1, 4, 2])
        assert [p.shape[0] for p in parts] == [1, 4, 2]
        assert_close(parts[1], a[1:5])
        parts = x.chunk(3)
        assert [p.shape[0] for p in parts] == [3, 3, 1]
        parts = ember.chunk(x, 2, dim=1)
        assert_close(parts[1], a[:, 2:])
        gradcheck(lambda t: ember.cat(t.split([2, 5])[::-1]), a)
        with pytest.raises(ValueError, match=r"\[split\] split sizes \[1, 2\] sum to 3 but dim 0 has size 7"):
            x.split([1, 2])
        with pytest.raises(ValueError, match=r"\[chunk\] chunks must be positive"):
            x.chunk(0)

    @requires_torch
    def test_parity_with_torch(self):
        a = rand(6, 5)
        for n in (1, 2, 4, 6, 7):
            ours = [p.shape for p in T(a).chunk(n)]
            theirs = [tuple(p.shape) for p in torch.tensor(a).chunk(n)]
            assert ours == theirs
        for s in (1, 4, 6):
            assert [p.shape for p in T(a).split(s)] == [tuple(p.shape) for p in torch.tensor(a).split(s)]


# ---------------------------------------------------------------- flip / roll / repeat / tile
class TestReorder:
    def test_flip(self):
        a = rand(3, 4, 5)
        for dims in ([0], [1, 2], [-1, 0], [0, 1, 2]):
            check_forward(lambda x: ember.flip(x, dims), lambda x: np.flip(x, dims), a)
            assert_close(noncontig(a).flip(*dims), np.flip(a, dims))
        gradcheck(lambda x: x.flip(0, 2), a)
        with pytest.raises(ValueError, match=r"\[flip\] dim 0 appears more than once"):
            T(a).flip(0, -3)

    def test_roll(self):
        a = rand(4, 5)
        for shifts, dims in ((1, 0), (-2, 1), ((1, 7), (0, 1)), (3, None), (-13, None)):
            assert_close(T(a).roll(shifts, dims), np.roll(a, shifts, dims))
        assert_close(noncontig(a).roll(2, 1), np.roll(a, 2, 1))
        gradcheck(lambda x: x.roll((1, -2), (0, 1)), a)
        gradcheck(lambda x: ember.roll(x, 3), a)
        with pytest.raises(ValueError, match=r"\[roll\] shifts \[1\] and dims \[0, 1\]"):
            T(a).roll((1,), (0, 1))

    def test_repeat_tile(self):
        a = rand(2, 3)
        assert_close(T(a).repeat(2, 3), np.tile(a, (2, 3)))
        assert_close(T(a).repeat(2, 1, 2), np.tile(a, (2, 1, 2)))
        assert_close(noncontig(a).repeat((1, 2)), np.tile(a, (1, 2)))
        assert_close(ember.tile(T(a), (2,)), np.tile(a, (2,)))
        assert_close(T(a).tile(3, 1, 1), np.tile(a, (3, 1, 1)))
        assert T(a).repeat(0, 1).shape == (0, 3)
        gradcheck(lambda x: x.repeat(2, 1, 3), a)
        gradcheck(lambda x: x.tile((2,)), a)
        with pytest.raises(ValueError, match=r"\[repeat\] number of repeat dims 1 cannot be smaller"):
            T(a).repeat(2)


# ---------------------------------------------------------------- pad / tril / triu
class TestPadTri:
    @pytest.mark.parametrize("pads", [(1, 2), (0, 1, 2, 0), (2, 2, 1, 1, 1, 0)])
    def test_pad_modes(self, pads):
        a = rand(3, 4, 5)
        np_pads = [(0, 0)] * (3 - len(pads) // 2) + [
            (pads[2 * i], pads[2 * i + 1]) for i in reversed(range(len(pads) // 2))]
        assert_close(ember.pad(T(a), pads, value=1.5),
                     np.pad(a, np_pads, mode="constant", constant_values=1.5))
        assert_close(ember.pad(T(a), pads, mode="reflect"), np.pad(a, np_pads, mode="reflect"))
        assert_close(ember.pad(noncontig(a), pads, mode="replicate"), np.pad(a, np_pads, mode="edge"))
        for mode in ("constant", "reflect", "replicate"):
            gradcheck(lambda x: ember.pad(x, pads, mode=mode), a)

    def test_pad_negative_crops(self):
        a = rand(4, 5)
        assert_close(ember.pad(T(a), (-1, 2, 1, -2)), np.pad(a[:2, 1:], ((1, 0), (0, 2))))
        gradcheck(lambda x: ember.pad(x, (-1, 2)), a)

    def test_pad_errors(self):
        x = T(rand(2, 3))
        with pytest.raises(ValueError, match=r"\[pad\] padding length must be even"):
            ember.pad(x, (1,))
        with pytest.raises(ValueError, match=r"\[pad\] reflect padding \(3, 0\) must be smaller than the size 3"):
            ember.pad(x, (3, 0), mode="reflect")
        with pytest.raises(ValueError, match=r"\[pad\] unknown mode 'wrap'"):
            ember.pad(x, (1, 1), mode="wrap")
        with pytest.raises(ValueError, match=r"\[pad\] padding \[1, 1, 1, 1, 1, 1\] covers 3 dims"):
            ember.pad(x, (1,) * 6)

    @requires_torch
    def test_pad_parity(self):
        import torch.nn.functional as F
        for mode in ("reflect", "replicate"):
            for a, pads in ((rand(2, 3, 4), (1, 2)), (rand(2, 3, 4, 5), (1, 2, 2, 1))):
                assert_close(ember.pad(T(a), pads, mode=mode),
                             F.pad(torch.tensor(a), pads, mode=mode).numpy())

    def test_tril_triu(self):
        a = rand(2, 4, 5)
        for k in (-2, 0, 1, 7):
            check_forward(lambda x: ember.tril(x, k), lambda x: np.tril(x, k), a)
            check_forward(lambda x: x.triu(k), lambda x: np.triu(x, k), a)
        assert_close(noncontig(a).tril(), np.tril(a))
        gradcheck(lambda x: x.tril(-1), a)
        gradcheck(lambda x: ember.triu(x, 1), a)
        with pytest.raises(ValueError, match=r"\[tril\] expects a tensor with at least 2 dims, got shape \[3\]"):
            ember.tril(T(rand(3)))

    @requires_torch
    def test_shape_ops_parity(self):
        a = rand(3, 4, 5)
        t = torch.tensor(a)
        x = T(a)
        assert_close(x.roll((2, -1), (0, 2)), t.roll((2, -1), (0, 2)).numpy())
        assert_close(x.repeat(2, 1, 1, 2), t.repeat(2, 1, 1, 2).numpy())
        assert_close(x.tile((2, 1)), t.tile((2, 1)).numpy())
        assert_close(x.triu(-1), t.triu(-1).numpy())
        assert_close(x.diagonal(1, 0, 2), t.diagonal(1, 0, 2).numpy())
        assert_close(x.movedim((0, 2), (1, 0)), t.movedim((0, 2), (1, 0)).numpy())
        assert_close(x.unflatten(1, (2, 2)), t.unflatten(1, (2, 2)).numpy())


# ---------------------------------------------------------------- random shapes (hypothesis)
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

shapes = st.lists(st.integers(1, 4), min_size=1, max_size=4)


@settings(max_examples=60, deadline=None)
@given(shapes, st.data())
def test_random_shape_ops_match_numpy(shape, data):
    a = rand(*shape)
    x = noncontig(a) if len(shape) > 1 else T(a)
    nd = len(shape)
    dim = data.draw(st.integers(-nd, nd - 1))
    extra = data.draw(st.integers(0, 3))
    b_shape = list(shape)
    b_shape[dim] = extra
    b = rand(*b_shape, seed=1)
    assert_close(ember.cat([x, T(b)], dim), np.concatenate([a, b], dim))
    shift = data.draw(st.integers(-5, 5))
    assert_close(x.roll(shift, dim), np.roll(a, shift, dim))
    assert_close(x.flip(dim), np.flip(a, dim))
    reps = data.draw(st.lists(st.integers(0, 3), min_size=nd, max_size=nd + 1))
    assert_close(x.repeat(*reps), np.tile(a, reps))
    npad = data.draw(st.integers(1, nd))
    pads = data.draw(st.lists(st.integers(0, 3), min_size=2 * npad, max_size=2 * npad))
    np_pads = [(0, 0)] * (nd - npad) + [(pads[2 * i], pads[2 * i + 1]) for i in reversed(range(npad))]
    assert_close(ember.pad(x, pads, value=0.5), np.pad(a, np_pads, constant_values=0.5))
    assert_close(ember.pad(x, pads, mode="replicate"), np.pad(a, np_pads, mode="edge"))
    sizes = data.draw(st.integers(1, 4))
    for got, want in zip(x.split(sizes, dim), np.array_split(a, range(sizes, a.shape[dim], sizes), dim)):
        assert_close(got, want)


@pytest.mark.parametrize("fn,exc,pattern", [
    (lambda x: x.unflatten(1, (2, 2)), ValueError, r"\[unflatten\] shape \[2, 2\] is invalid for input of size 3"),
    (lambda x: x.split(0), ValueError, r"\[split\] split_size must be positive, got 0"),
    (lambda x: ember.roll(x, (1, 2)), ValueError, r"\[roll\] without dims, shifts must be a single value"),
    (lambda x: ember.stack([x, x], 3), IndexError, r"\[stack\]"),
    (lambda x: ember.pad(x, (-2, -2)), ValueError, r"\[pad\] cropping \(-2, -2\) is more than the size 3 of dim 1"),
    (lambda x: ember.pad(x[:, :0], (1, 0), mode="replicate"), ValueError, r"\[pad\] replicate padding needs a non-empty dim 1"),
    (lambda x: ember.pad(x, (-1, 0), mode="reflect"), ValueError, r"\[pad\] negative padding is only supported in constant mode"),
    (lambda x: x.repeat(-1, 1), ValueError, r"\[repeat\] repeats must be non-negative"),
    (lambda x: x.movedim((0,), (0, 1)), ValueError, r"\[movedim\] source \[0\] and destination \[0, 1\]"),
    (lambda x: x.unbind(2), IndexError, r"\[unbind\]"),
    (lambda x: x.diagonal().diagonal(), ValueError, r"\[diagonal\] expects a tensor with at least 2 dims, got shape \[2\]"),
    (lambda x: x.flip(2), IndexError, r"\[flip\]"),
], ids=lambda v: v if isinstance(v, str) else "")
def test_more_error_paths(fn, exc, pattern):
    with pytest.raises(exc, match=pattern):
        fn(T(rand(2, 3)))


def test_hstack_vstack_dstack_diag():
    a, b = rand(2, 3), rand(2, 3, seed=4)
    v1, v2 = rand(3), rand(2, seed=5)
    assert_close(ember.hstack([T(a), T(b)]), np.hstack([a, b]))
    assert_close(ember.hstack([T(v1), T(v2)]), np.hstack([v1, v2]))
    assert_close(ember.vstack([T(a), T(v1)]), np.vstack([a, v1]))
    assert_close(ember.dstack([T(a), T(b)]), np.dstack([a, b]))
    assert_close(ember.dstack([T(v1), T(v1)]), np.dstack([v1, v1]))
    for k in (-1, 0, 2):
        assert_close(ember.diag(T(v1), k), np.diag(v1, k))
        assert_close(T(rand(3, 4)).diag(k), np.diag(rand(3, 4), k))
    gradcheck(lambda x: ember.diag(x, 1), v1)
    gradcheck(lambda x, y: ember.vstack([x, y]), a, v1)
    with pytest.raises(ValueError, match=r"\[diag\] expects a 1-D or 2-D tensor, got shape \[2, 3, 1\]"):
        ember.diag(T(rand(2, 3, 1)))
    with pytest.raises(ValueError, match=r"\[hstack\] expected a non-empty list"):
        ember.hstack([])
