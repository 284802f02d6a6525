"""Conv3d, ConvTranspose1d, ConvTranspose3d and EmbeddingBag against PyTorch (float64, same
weights: same outputs and gradients), their error messages, and finite-difference checks
that need no PyTorch."""

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember.autograd import gradcheck
from helpers import requires_torch, torch


def _e(t):
    return ember.tensor(t.detach().numpy())


def _n(t):
    return t.detach().numpy()


def _compare_fn(efn, tfn, shapes, seed=0, **kw):
    """efn / tfn applied to the same random float64 leaves: outputs and the gradients of
    sum(out * g) agree with PyTorch's."""
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(s) for s in shapes]
    th = [torch.tensor(a, requires_grad=True) for a in arrays]
    em = [ember.tensor(a, requires_grad=True) for a in arrays]
    ty, ey = tfn(*th, **kw), efn(*em, **kw)
    assert tuple(ey.shape) == tuple(ty.shape)
    np.testing.assert_allclose(_n(ey), _n(ty), rtol=1e-10, atol=1e-12)
    g = rng.standard_normal(tuple(ty.shape))
    (ty * torch.tensor(g)).sum().backward()
    (ey * ember.tensor(g)).sum().backward()
    for a, b in zip(em, th):
        np.testing.assert_allclose(_n(a.grad), _n(b.grad), rtol=1e-10, atol=1e-12)


CONV3D_CASES = [
    ((2, 4, 5, 6, 7), (6, 2, 3, 2, 3), (6,),
     dict(stride=(2, 1, 2), padding=(1, 0, 1), dilation=(1, 2, 1), groups=2)),
    ((4, 5, 6, 7), (3, 4, 2, 2, 2), (3,), dict(padding="same")),           # unbatched
    ((1, 2, 4, 4, 4), (2, 2, 1, 1, 1), (2,), dict(padding="valid")),
    ((2, 3, 6, 5, 4), (4, 3, 3, 3, 3), (4,), dict(stride=3, padding=2)),
]


@requires_torch
@pytest.mark.parametrize("x,w,b,kw", CONV3D_CASES)
def test_conv3d_matches_torch(x, w, b, kw):
    _compare_fn(F.conv3d, torch.nn.functional.conv3d, [x, w, b], **kw)


CONVT3D_CASES = [
    ((2, 4, 5, 6, 7), (4, 3, 3, 2, 3), (6,),
     dict(stride=(2, 1, 3), padding=(1, 0, 1), output_padding=(1, 0, 2), dilation=(1, 2, 1),
          groups=2)),
    ((4, 3, 3, 3), (4, 2, 2, 2, 2), (2,), dict(stride=3, padding=2, dilation=2,
                                               output_padding=1)),
    ((1, 2, 2, 3, 2), (2, 3, 1, 2, 2), (3,), {}),
]


@requires_torch
@pytest.mark.parametrize("x,w,b,kw", CONVT3D_CASES)
def test_conv_transpose3d_matches_torch(x, w, b, kw):
    _compare_fn(F.conv_transpose3d, torch.nn.functional.conv_transpose3d, [x, w, b], **kw)


@requires_torch
@pytest.mark.parametrize("x,w,kw", [
    ((2, 4, 9), (4, 3, 3), dict(stride=2, padding=1, output_padding=1, groups=2, dilation=2)),
    ((3, 7), (3, 2, 4), dict(stride=3)),
    ((1, 2, 5), (2, 5, 1), {}),
])
def test_conv_transpose1d_matches_torch(x, w, kw):
    _compare_fn(F.conv_transpose1d, torch.nn.functional.conv_transpose1d, [x, w], **kw)


@requires_torch
@pytest.mark.parametrize("make,shape", [
    (lambda nn: nn.Conv3d(4, 6, (2, 3, 1), stride=2, padding=1, groups=2, bias=False),
     (2, 4, 5, 5, 5)),
    (lambda nn: nn.Conv3d(2, 3, 3, padding="same", dilation=2), (1, 2, 6, 5, 4)),
    (lambda nn: nn.ConvTranspose1d(4, 6, 3, stride=2, padding=1), (2, 4, 7)),
    (lambda nn: nn.ConvTranspose3d(2, 4, 2, stride=2, groups=2), (1, 2, 3, 3, 3)),
])
def test_conv_modules_match_torch(make, shape):
    tm, em = make(torch.nn).double(), make(ember.nn).to(ember.float64)
    assert [(k, tuple(v.shape)) for k, v in em.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in tm.state_dict().items()]
    em.load_state_dict({k: _e(v) for k, v in tm.state_dict().items()})
    x = torch.randn(*shape, dtype=torch.float64)
    ty, ey = tm(x), em(_e(x))
    np.testing.assert_allclose(_n(ey), _n(ty), rtol=1e-10, atol=1e-12)
    ty.square().sum().backward()
    ey.square().sum().backward()
    for name, p in tm.named_parameters():
        np.testing.assert_allclose(_n(dict(em.named_parameters())[name].grad), _n(p.grad),
                                   rtol=1e-10, atol=1e-12)


@requires_torch
def test_conv_transpose_output_size_matches_torch():
    tm = torch.nn.ConvTranspose1d(3, 2, 3, stride=3).double()
    em = ember.nn.ConvTranspose1d(3, 2, 3, stride=3).to(ember.float64)
    em.load_state_dict({k: _e(v) for k, v in tm.state_dict().items()})
    x = torch.randn(1, 3, 4, dtype=torch.float64)
    ty, ey = tm(x, output_size=[13]), em(_e(x), output_size=[13])
    assert tuple(ey.shape) == (1, 2, 13)
    np.testing.assert_allclose(_n(ey), _n(ty), rtol=1e-12)


def test_conv_default_init_bounds():
    """PyTorch's default: U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in from weight dim 1."""
    m = ember.nn.ConvTranspose3d(8, 2, 3)
    bound = 1 / np.sqrt(2 * 27)
    w = m.weight.detach().numpy()
    assert w.shape == (8, 2, 3, 3, 3) and np.abs(w).max() <= bound and w.std() > bound / 4


def test_conv3d_gradcheck_without_torch():
    x = ember.randn(1, 2, 4, 3, 3, dtype=ember.float64, requires_grad=True)
    w = ember.randn(2, 1, 2, 2, 1, dtype=ember.float64, requires_grad=True)
    assert gradcheck(lambda a, b: F.conv3d(a, b, None, 1, (1, 0, 0), 1, 2), (x, w))
    wt = ember.randn(2, 1, 2, 1, 2, dtype=ember.float64, requires_grad=True)
    assert gradcheck(lambda a, b: F.conv_transpose3d(a, b, None, 2, 0, 1), (x, wt))


def test_conv3d_errors():
    with pytest.raises(ValueError, match=r"\[conv3d\].*3 channels.*groups=1 expects 2"):
        F.conv3d(ember.randn(1, 3, 4, 4, 4), ember.randn(2, 2, 1, 1, 1))
    with pytest.raises(ValueError, match=r"\[conv3d\] expects 4-D \(unbatched\) or 5-D"):
        F.conv3d(ember.randn(3, 4, 4), ember.randn(2, 3, 1, 1, 1))
    with pytest.raises(ValueError, match=r"\[conv3d\] padding='same'.*strided"):
        F.conv3d(ember.randn(1, 1, 4, 4, 4), ember.randn(1, 1, 3, 3, 3), stride=2,
                 padding="same")
    with pytest.raises(ValueError, match=r"\[conv3d\].*smaller than the dilated kernel"):
        F.conv3d(ember.randn(1, 1, 2, 4, 4), ember.randn(1, 1, 3, 1, 1))
    with pytest.raises(ValueError, match=r"\[Conv3d\] in_channels=3.*divisible by groups=2"):
        ember.nn.Conv3d(3, 4, 1, groups=2)
    with pytest.raises(NotImplementedError, match=r"padding_mode='reflect'"):
        ember.nn.Conv3d(2, 2, 1, padding_mode="reflect")
    with pytest.raises(ValueError, match=r"\[conv_transpose3d\] output_padding 2 must be"):
        F.conv_transpose3d(ember.randn(1, 2, 3, 3, 3), ember.randn(2, 1, 2, 2, 2), stride=2,
                           output_padding=2)
    with pytest.raises(ValueError, match=r"\[ConvTranspose1d\] requested output_size"):
        ember.nn.ConvTranspose1d(2, 2, 3, stride=2)(ember.randn(1, 2, 4), output_size=[20])


BAG_CASES = [
    ("sum", [1, 2, 4, 5, 4, 3, 2, 9], [0, 2, 2, 5], None, False, False),
    ("mean", [1, 2, 4, 5, 4, 3, 2, 9], [0, 2, 2, 5], 2, False, False),
    ("max", [1, 2, 4, 5, 4, 3, 2, 9], [0, 2, 2, 5], 2, False, False),
    ("sum", [1, 2, 4, 5, 4, 3, 2, 9], [0, 2, 2, 5], None, True, False),
    ("mean", [1, 2, 4, 5, 4, 3, 2, 9], [0, 3, 8], None, False, True),
    ("max", [[1, 2, 3], [4, 4, 0], [9, 8, 7]], None, None, False, False),
    ("mean", [[1, 2, 3], [4, 4, 0], [9, 8, 7]], None, 4, False, False),
]


@requires_torch
@pytest.mark.parametrize("mode,idx,offsets,padding_idx,weighted,last", BAG_CASES)
def test_embedding_bag_matches_torch(mode, idx, offsets, padding_idx, weighted, last):
    tm = torch.nn.EmbeddingBag(10, 3, mode=mode, padding_idx=padding_idx,
                               include_last_offset=last).double()
    em = ember.nn.EmbeddingBag(10, 3, mode=mode, padding_idx=padding_idx,
                               include_last_offset=last).to(ember.float64)
    em.load_state_dict({k: _e(v) for k, v in tm.state_dict().items()})
    ti = torch.tensor(idx)
    to = None if offsets is None else torch.tensor(offsets)
    tw = (torch.rand(ti.shape, dtype=torch.float64, requires_grad=True) if weighted
          else None)
    ew = None if tw is None else _e(tw).requires_grad_(True)
    ty = tm(ti, to, per_sample_weights=tw)
    ey = em(_e(ti), None if to is None else _e(to), per_sample_weights=ew)
    np.testing.assert_allclose(_n(ey), _n(ty), rtol=1e-12, atol=1e-14)
    g = torch.randn(ty.shape, dtype=torch.float64)
    (ty * g).sum().backward()
    (ey * _e(g)).sum().backward()
    np.testing.assert_allclose(_n(em.weight.grad), _n(tm.weight.grad), rtol=1e-12, atol=1e-14)
    if weighted:
        np.testing.assert_allclose(_n(ew.grad), _n(tw.grad), rtol=1e-12, atol=1e-14)


def test_embedding_bag_reference_and_errors():
    w = ember.randn(6, 2, dtype=ember.float64)
    out = F.embedding_bag(ember.tensor([0, 1, 5, 3]), w, ember.tensor([0, 1]), mode="sum")
    ref = w.numpy()
    np.testing.assert_allclose(out.numpy(), [ref[0], ref[1] + ref[5] + ref[3]], rtol=1e-12)
    with pytest.raises(ValueError, match=r"\[embedding_bag\] per_sample_weights are only "
                                         r"supported for mode='sum'"):
        F.embedding_bag(ember.tensor([0, 1]), w, ember.tensor([0]), mode="max",
                        per_sample_weights=ember.ones(2, dtype=ember.float64))
    with pytest.raises(ValueError, match=r"\[embedding_bag\] offsets are required"):
        F.embedding_bag(ember.tensor([0, 1]), w)
    with pytest.raises(ValueError, match=r"\[embedding_bag\] offsets must be None for 2-D"):
        F.embedding_bag(ember.tensor([[0, 1]]), w, ember.tensor([0]))
    with pytest.raises(ValueError, match=r"\[EmbeddingBag\] mode must be"):
        ember.nn.EmbeddingBag(4, 2, mode="median")
