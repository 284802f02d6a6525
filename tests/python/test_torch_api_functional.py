"""ember.nn.functional names composed in Python, against torch.nn.functional: values and
gradients; bad input; tracing."""

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from helpers import gradcheck, rand, requires_torch, torch
from torch_compare import compare

if torch is not None:
    import torch.nn.functional as TF

pytestmark = requires_torch

ACTIVATIONS = [
    ("mish", {}), ("hardswish", {}), ("hardsigmoid", {}), ("softsign", {}),
    ("tanhshrink", {}), ("logsigmoid", {}), ("selu", {}), ("celu", {"alpha": 0.7}),
    ("glu", {"dim": 1}), ("softmin", {"dim": 1}), ("threshold", {"threshold": 0.3, "value": -2.0}),
    ("softshrink", {"lambd": 0.7}), ("hardshrink", {}), ("rms_norm", {"normalized_shape": (4,)}),
]


@pytest.mark.parametrize("name,kw", ACTIVATIONS, ids=[a[0] for a in ACTIVATIONS])
def test_activation_matches_torch(name, kw):
    x = rand(3, 4, low=-4, high=4)
    compare(lambda t: getattr(F, name)(t, **kw), lambda t: getattr(TF, name)(t, **kw), x)


def test_activation_gradcheck_float64():
    for name in ("mish", "selu", "logsigmoid", "softsign"):
        gradcheck(getattr(F, name), rand(2, 3))


def test_prelu():
    compare(F.prelu, TF.prelu, rand(2, 3, 4), rand(3, seed=1))
    compare(F.prelu, TF.prelu, rand(2, 3), np.array([0.2]))


@pytest.mark.parametrize("p,dim", [(2.0, 1), (1.0, 0), (3.0, -1)])
def test_normalize(p, dim):
    compare(lambda x: F.normalize(x, p, dim), lambda x: TF.normalize(x, p, dim), rand(3, 4))


def test_normalize_zero_row_gradient_finite():
    x = rand(3, 4)
    x[1] = 0
    compare(F.normalize, TF.normalize, x)


def test_cosine_similarity_and_pairwise_distance():
    compare(F.cosine_similarity, TF.cosine_similarity, rand(4, 5), rand(4, 5, seed=1))
    compare(lambda a, b: F.cosine_similarity(a, b, dim=-1),
            lambda a, b: TF.cosine_similarity(a, b, dim=-1), rand(2, 3, 5), rand(5, seed=1))
    compare(F.pairwise_distance, TF.pairwise_distance, rand(4, 5), rand(4, 5, seed=1))
    compare(lambda a, b: F.pairwise_distance(a, b, 1.0, keepdim=True),
            lambda a, b: TF.pairwise_distance(a, b, 1.0, keepdim=True), rand(4, 5),
            rand(4, 5, seed=1))
    with pytest.raises(ValueError, match=r"\[cosine_similarity\].*\(2, 3\) and \(4,\)"):
        F.cosine_similarity(ember.ones(2, 3), ember.ones(4))


@pytest.mark.parametrize("causal", [False, True])
def test_scaled_dot_product_attention(causal):
    q, k, v = rand(2, 3, 4, 8), rand(2, 3, 4, 8, seed=1), rand(2, 3, 4, 6, seed=2)
    compare(lambda a, b, c: F.scaled_dot_product_attention(a, b, c, is_causal=causal),
            lambda a, b, c: TF.scaled_dot_product_attention(a, b, c, is_causal=causal), q, k, v)


def test_scaled_dot_product_attention_masks_and_scale():
    q, k, v = rand(2, 5, 8), rand(2, 7, 8, seed=1), rand(2, 7, 3, seed=2)
    bool_mask = np.random.default_rng(0).uniform(size=(5, 7)) > 0.3
    bool_mask[:, 0] = True
    compare(lambda a, b, c, m: F.scaled_dot_product_attention(a, b, c, attn_mask=m),
            lambda a, b, c, m: TF.scaled_dot_product_attention(a, b, c, attn_mask=m),
            q, k, v, bool_mask, grad=[True, True, True, False])
    fmask = rand(5, 7, seed=3)
    compare(lambda a, b, c, m: F.scaled_dot_product_attention(a, b, c, attn_mask=m, scale=0.3),
            lambda a, b, c, m: TF.scaled_dot_product_attention(a, b, c, attn_mask=m, scale=0.3),
            q, k, v, fmask)
    x = ember.ones(2, 5, 8)
    out = F.scaled_dot_product_attention(x, x, x, dropout_p=0.5)
    assert tuple(out.shape) == (2, 5, 8)
    with pytest.raises(ValueError, match=r"\[scaled_dot_product_attention\].*\(2, 5, 8\), "
                                         r"\(2, 5, 4\)"):
        F.scaled_dot_product_attention(x, ember.ones(2, 5, 4), x)


INTERP = [
    ({"scale_factor": 2}, "nearest", None),
    ({"size": (5, 7)}, "nearest", None),
    ({"scale_factor": 1.7}, "nearest", None),
    ({"size": (3, 2)}, "nearest", None),
    ({"scale_factor": 2}, "bilinear", False),
    ({"scale_factor": 2}, "bilinear", True),
    ({"size": (5, 7)}, "bilinear", False),
    ({"size": (5, 7)}, "bilinear", True),
    ({"size": (2, 3)}, "bilinear", False),
    ({"scale_factor": (1.5, 0.5)}, "bilinear", False),
    ({"size": (2, 3)}, "area", None),
    ({"size": (3, 4)}, "area", None),
]


@pytest.mark.parametrize("kw,mode,ac", INTERP)
def test_interpolate_2d(kw, mode, ac):
    x = rand(2, 3, 4, 6)
    compare(lambda t: F.interpolate(t, mode=mode, align_corners=ac, **kw),
            lambda t: TF.interpolate(t, mode=mode, align_corners=ac, **kw), x)


def test_interpolate_1d_and_errors():
    compare(lambda t: F.interpolate(t, size=9, mode="linear", align_corners=False),
            lambda t: TF.interpolate(t, size=9, mode="linear", align_corners=False), rand(2, 3, 5))
    compare(lambda t: F.interpolate(t, scale_factor=3), lambda t: TF.interpolate(t, scale_factor=3),
            rand(2, 3, 5))
    with pytest.raises(ValueError, match=r"\[interpolate\] mode 'trilinear'.*\(1, 1, 2, 2\)"):
        F.interpolate(ember.ones(1, 1, 2, 2), scale_factor=2, mode="trilinear")
    with pytest.raises(ValueError, match=r"\[interpolate\] give exactly one"):
        F.interpolate(ember.ones(1, 1, 2, 2))


def test_pixel_shuffle_unfold():
    compare(lambda t: F.pixel_shuffle(t, 2), lambda t: TF.pixel_shuffle(t, 2), rand(2, 8, 3, 3))
    compare(lambda t: F.pixel_unshuffle(t, 2), lambda t: TF.pixel_unshuffle(t, 2),
            rand(2, 2, 4, 6))
    compare(lambda t: F.unfold(t, (2, 3), dilation=1, padding=1, stride=2),
            lambda t: TF.unfold(t, (2, 3), dilation=1, padding=1, stride=2), rand(2, 3, 5, 6))
    compare(lambda t: F.unfold(t, 2, dilation=2), lambda t: TF.unfold(t, 2, dilation=2),
            rand(3, 5, 5))
    compare(lambda t: F.fold(t, (5, 6), (2, 3), dilation=1, padding=1, stride=2),
            lambda t: TF.fold(t, (5, 6), (2, 3), dilation=1, padding=1, stride=2),
            rand(2, 18, 9))
    compare(lambda t: F.fold(t, 5, 2, dilation=2), lambda t: TF.fold(t, 5, 2, dilation=2),
            rand(12, 9))
    with pytest.raises(ValueError, match=r"\[fold\] input of shape \(2, 18, 7\)"):
        F.fold(ember.ones(2, 18, 7), (5, 6), (2, 3), padding=1, stride=2)
    with pytest.raises(ValueError, match=r"\[pixel_shuffle\].*\(1, 3, 2, 2\)"):
        F.pixel_shuffle(ember.ones(1, 3, 2, 2), 2)


def test_1d_and_adaptive_pooling():
    x = rand(2, 3, 9)
    compare(lambda t: F.max_pool1d(t, 3, 2, 1), lambda t: TF.max_pool1d(t, 3, 2, 1), x)
    compare(lambda t: F.avg_pool1d(t, 3, 2, 1), lambda t: TF.avg_pool1d(t, 3, 2, 1), x)
    compare(lambda t: F.adaptive_avg_pool1d(t, 3), lambda t: TF.adaptive_avg_pool1d(t, 3), x)
    compare(lambda t: F.max_pool1d(t, 2), lambda t: TF.max_pool1d(t, 2), rand(3, 8))
    y = rand(2, 3, 6, 4)
    compare(lambda t: F.adaptive_max_pool2d(t, (3, 2)),
            lambda t: TF.adaptive_max_pool2d(t, (3, 2)), y)
    compare(lambda t: F.adaptive_max_pool2d(t, (None, 1)),
            lambda t: TF.adaptive_max_pool2d(t, (None, 1)), y)
    with pytest.raises(ValueError, match=r"\[adaptive_max_pool2d\].*divide.*6x4.*4x3"):
        F.adaptive_max_pool2d(ember.ones(1, 1, 6, 4), (4, 3))


def test_instance_norm():
    x = rand(2, 3, 4, 5)
    compare(F.instance_norm, TF.instance_norm, x)
    compare(lambda t, w, b: F.instance_norm(t, weight=w, bias=b),
            lambda t, w, b: TF.instance_norm(t, weight=w, bias=b), x, rand(3, seed=1),
            rand(3, seed=2))
    rm_e, rv_e = ember.zeros(3, dtype=ember.float64), ember.ones(3, dtype=ember.float64)
    rm_t, rv_t = torch.zeros(3, dtype=torch.float64), torch.ones(3, dtype=torch.float64)
    F.instance_norm(ember.tensor(x, dtype=ember.float64), rm_e, rv_e, momentum=0.2)
    TF.instance_norm(torch.tensor(x), rm_t, rv_t, momentum=0.2)
    np.testing.assert_allclose(rm_e.numpy(), rm_t.numpy(), rtol=1e-10)
    np.testing.assert_allclose(rv_e.numpy(), rv_t.numpy(), rtol=1e-10)


def test_dropout2d():
    ember.manual_seed(0)
    x = ember.ones(8, 16, 3, 3)
    out = F.dropout2d(x, 0.5)
    per_channel = out.reshape(8, 16, 9)
    # whole channels are dropped or scaled by 1/(1-p)
    assert ember.equal(per_channel.amax(2), per_channel.amin(2))
    vals = set(per_channel.amax(2).reshape(-1).tolist())
    assert vals <= {0.0, 2.0} and len(vals) == 2
    assert ember.equal(F.dropout2d(x, 0.5, training=False), x)
    with pytest.raises(ValueError, match=r"\[dropout2d\] p must be in \[0, 1\]"):
        F.dropout2d(x, 1.5)
    seq = F.dropout1d(ember.ones(8, 16, 5), 0.25)
    assert ember.equal(seq.amax(2), seq.amin(2))
    assert set(seq.amax(2).reshape(-1).tolist()) == {0.0, float(np.float32(1.0 / 0.75))}


def _signed(n, seed=0):
    return np.where(np.random.default_rng(seed).uniform(size=n) > 0.5, 1.0, -1.0)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_losses(reduction):
    r = {"reduction": reduction}
    compare(lambda a, b, y: F.margin_ranking_loss(a, b, y, 0.3, **r),
            lambda a, b, y: TF.margin_ranking_loss(a, b, y, 0.3, **r),
            rand(6), rand(6, seed=1), _signed(6), grad=[True, True, False])
    compare(lambda a, p, n: F.triplet_margin_loss(a, p, n, margin=0.5, **r),
            lambda a, p, n: TF.triplet_margin_loss(a, p, n, margin=0.5, **r),
            rand(4, 5), rand(4, 5, seed=1), rand(4, 5, seed=2))
    compare(lambda a, p, n: F.triplet_margin_loss(a, p, n, p=1, swap=True, **r),
            lambda a, p, n: TF.triplet_margin_loss(a, p, n, p=1, swap=True, **r),
            rand(4, 5), rand(4, 5, seed=1), rand(4, 5, seed=2))
    compare(lambda a, b, y: F.cosine_embedding_loss(a, b, y, 0.1, **r),
            lambda a, b, y: TF.cosine_embedding_loss(a, b, y, 0.1, **r),
            rand(6, 4), rand(6, 4, seed=1), _signed(6, 1), grad=[True, True, False])
    compare(lambda a, y: F.poisson_nll_loss(a, y, **r), lambda a, y: TF.poisson_nll_loss(a, y, **r),
            rand(5), rand(5, seed=1, low=0, high=4), grad=[True, False])
    compare(lambda a, y: F.poisson_nll_loss(a, y, log_input=False, full=True, **r),
            lambda a, y: TF.poisson_nll_loss(a, y, log_input=False, full=True, **r),
            rand(5, low=0.1, high=3), rand(5, seed=1, low=0, high=4), grad=[True, False])
    compare(lambda a, y, v: F.gaussian_nll_loss(a, y, v, full=True, **r),
            lambda a, y, v: TF.gaussian_nll_loss(a, y, v, full=True, **r),
            rand(4, 3), rand(4, 3, seed=1), rand(4, 3, seed=2, low=0.0, high=2))
    compare(lambda a, y, v: F.gaussian_nll_loss(a, y, v, **r),
            lambda a, y, v: TF.gaussian_nll_loss(a, y, v, **r),
            rand(4, 3), rand(4, 3, seed=1), rand(4, seed=2, low=0.1, high=2))
    tgt = np.array([0, 3, 1, 2])
    compare(lambda a, t: F.multi_margin_loss(a, t, **r),
            lambda a, t: TF.multi_margin_loss(a, t, **r), rand(4, 5), tgt)
    compare(lambda a, t, w: F.multi_margin_loss(a, t, p=2, margin=0.5, weight=w, **r),
            lambda a, t, w: TF.multi_margin_loss(a, t, p=2, margin=0.5, weight=w, **r),
            rand(4, 5), tgt, rand(5, seed=3, low=0.5, high=1), grad=[True, False, False])


def test_loss_errors():
    with pytest.raises(ValueError, match=r"\[margin_ranking_loss\].*input1 \(3,\).*input2 \(4,\)"):
        F.margin_ranking_loss(ember.ones(3), ember.ones(4), ember.ones(3))
    with pytest.raises(ValueError, match=r"\[multi_margin_loss\] reduction must be"):
        F.multi_margin_loss(ember.ones(2, 3), ember.tensor([0, 1]), reduction="avg")
    with pytest.raises(ValueError, match=r"\[gaussian_nll_loss\].*\(2,\).*\(4, 3\)"):
        F.gaussian_nll_loss(ember.ones(4, 3), ember.ones(4, 3), ember.ones(2))


def test_functional_composites_trace_equal_to_eager():
    x = ember.randn(2, 3, 4, 4)

    def f(t):
        up = F.interpolate(t, scale_factor=2, mode="bilinear", align_corners=False)
        a = F.normalize(F.mish(up), dim=1)
        q = a.flatten(2).transpose(1, 2)
        return F.scaled_dot_product_attention(q, q, q, is_causal=True)
    traced = ember.function(f)
    eager = f(x)
    for _ in range(3):
        np.testing.assert_allclose(traced(x).numpy(), eager.numpy(), rtol=1e-5, atol=1e-6)
    assert traced.num_traces == 1
