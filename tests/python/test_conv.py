"""Convolution and pooling: conv1d/conv2d/conv_transpose2d, max/avg/adaptive pooling, their
modules, gradients (finite differences in float64, PyTorch parity) and errors."""

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember import nn
from helpers import assert_close, gradcheck, rand, requires_torch, torch, to_np


def np_conv2d(x, w, b=None, stride=(1, 1), padding=(0, 0), dilation=(1, 1), groups=1):
    """Direct float64 convolution (the definition)."""
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding[0],) * 2, (padding[1],) * 2))
    ho = (h + 2 * padding[0] - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    wo = (wd + 2 * padding[1] - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    y = np.zeros((n, o, ho, wo))
    og = o // groups
    for oc in range(o):
        g = oc // og
        for i in range(kh):
            for j in range(kw):
                patch = xp[:, g * cg:(g + 1) * cg,
                           i * dilation[0]: i * dilation[0] + stride[0] * (ho - 1) + 1: stride[0],
                           j * dilation[1]: j * dilation[1] + stride[1] * (wo - 1) + 1: stride[1]]
                y[:, oc] += np.einsum("nchw,c->nhw", patch, w[oc, :, i, j])
        if b is not None:
            y[:, oc] += b[oc]
    return y


# ---- forward against NumPy ----

@pytest.mark.parametrize("dtype,tol", [(ember.float32, 1e-4), (ember.float64, 1e-10)])
def test_conv2d_matches_numpy(dtype, tol):
    x, w, b = rand(2, 3, 7, 6), rand(4, 3, 3, 2, seed=1), rand(4, seed=2)
    out = F.conv2d(ember.tensor(x, dtype=dtype), ember.tensor(w, dtype=dtype),
                   ember.tensor(b, dtype=dtype), stride=(2, 1), padding=1)
    assert out.dtype == dtype
    assert_close(out, np_conv2d(x, w, b, (2, 1), (1, 1)), rtol=tol, atol=tol)


@pytest.mark.parametrize("dtype", [ember.float16, ember.bfloat16])
def test_conv2d_half_precision(dtype):
    x, w = rand(1, 2, 5, 5, low=-1, high=1), rand(3, 2, 3, 3, low=-1, high=1, seed=3)
    out = F.conv2d(ember.tensor(x, dtype=dtype), ember.tensor(w, dtype=dtype))
    assert out.dtype == dtype
    assert_close(out.float(), np_conv2d(x, w), rtol=5e-2, atol=5e-2)


def test_conv2d_noncontiguous_input():
    base = rand(3, 2, 9, 10)
    xt = ember.tensor(base)[:, :, ::2, 1::2]          # strided view
    xp = ember.tensor(base.transpose(1, 0, 2, 3)).permute(1, 0, 2, 3)  # permuted storage
    w = rand(2, 2, 3, 3, seed=5)
    assert_close(F.conv2d(xt, ember.tensor(w)), np_conv2d(base[:, :, ::2, 1::2], w))
    assert_close(F.conv2d(xp, ember.tensor(w)), np_conv2d(base, w))
    wt = ember.tensor(w.transpose(1, 0, 2, 3)).permute(1, 0, 2, 3)   # non-contiguous weight
    assert_close(F.conv2d(xp, wt), np_conv2d(base, w))


def test_conv2d_unbatched_and_groups_and_dilation():
    x, w = rand(4, 8, 8), rand(6, 2, 3, 3, seed=7)
    out = F.conv2d(ember.tensor(x), ember.tensor(w), groups=2, dilation=2, padding=(2, 1))
    assert out.shape == (6, 8, 6)
    assert_close(out, np_conv2d(x[None], w, None, (1, 1), (2, 1), (2, 2), 2)[0])


def test_conv2d_padding_strings():
    x, w = rand(1, 2, 6, 7), rand(3, 2, 4, 3, seed=9)   # even kernel: asymmetric 'same'
    same = F.conv2d(ember.tensor(x), ember.tensor(w), padding="same")
    assert same.shape == (1, 3, 6, 7)
    xp = np.pad(x, ((0, 0), (0, 0), (1, 2), (1, 1)))
    assert_close(same, np_conv2d(xp, w))
    valid = F.conv2d(ember.tensor(x), ember.tensor(w), padding="valid")
    assert_close(valid, np_conv2d(x, w))


def test_conv1d_matches_numpy():
    x, w, b = rand(2, 3, 11), rand(5, 3, 3, seed=1), rand(5, seed=2)
    out = F.conv1d(ember.tensor(x), ember.tensor(w), ember.tensor(b), stride=2, padding=1,
                   dilation=2)
    ref = np_conv2d(x[:, :, None], w[:, :, None], b, (1, 2), (0, 1), (1, 2))[:, :, 0]
    assert_close(out, ref)
    assert F.conv1d(ember.tensor(x[0]), ember.tensor(w)).shape == (5, 9)


def test_conv_large_batch_chunks():
    # Enough columns that the kernel processes the batch in several chunks.
    x, w = rand(48, 16, 32, 32, dtype=np.float32), rand(8, 16, 5, 5, dtype=np.float32, seed=4)
    out = F.conv2d(ember.tensor(x), ember.tensor(w), padding=2)
    ref = np_conv2d(x[:3].astype(np.float64), w.astype(np.float64), padding=(2, 2))
    assert_close(out[:3], ref, rtol=1e-4, atol=1e-4)
    ref_last = np_conv2d(x[-2:].astype(np.float64), w.astype(np.float64), padding=(2, 2))
    assert_close(out[-2:], ref_last, rtol=1e-4, atol=1e-4)


# ---- gradients by finite differences (float64, tiny sizes) ----

@pytest.mark.parametrize("stride,padding,dilation,groups", [
    (1, 0, 1, 1), (2, 1, 1, 1), ((1, 2), (0, 1), (2, 1), 1), (1, 1, 1, 2)])
def test_conv2d_gradcheck(stride, padding, dilation, groups):
    x, w, b = rand(2, 2, 5, 5), rand(2, 2 // groups, 2, 3, seed=1), rand(2, seed=2)
    gradcheck(lambda x, w, b: F.conv2d(x, w, b, stride=stride, padding=padding,
                                       dilation=dilation, groups=groups), x, w, b)


@pytest.mark.parametrize("stride,padding,output_padding,dilation,groups", [
    (1, 0, 0, 1, 1), (2, 1, 1, 1, 1), (2, 0, 0, 2, 2)])
def test_conv_transpose2d_gradcheck(stride, padding, output_padding, dilation, groups):
    x, w, b = rand(1, 2, 3, 4), rand(2, 2, 2, 3, seed=1), rand(2 * groups, seed=2)
    gradcheck(lambda x, w, b: F.conv_transpose2d(x, w, b, stride=stride, padding=padding,
                                                 output_padding=output_padding, groups=groups,
                                                 dilation=dilation), x, w, b)


def test_conv1d_gradcheck():
    gradcheck(lambda x, w: F.conv1d(x, w, stride=2, padding=1), rand(1, 2, 7), rand(3, 2, 3))


def _leaf(t):
    # gradcheck's finite-difference pass feeds plain tensors; autograd.grad needs a graph.
    return t if t.requires_grad else t.requires_grad_(True)


def test_conv2d_double_backward():
    # The backward ops are differentiable too: grad of (d loss / d x) wrt w and x.
    def fn(x, w):
        x = _leaf(x)
        y = F.conv2d(x, w, stride=2, padding=1)
        (gx,) = ember.autograd.grad((y * y).sum(), [x], create_graph=True)
        return gx
    gradcheck(fn, rand(1, 2, 5, 5), rand(2, 2, 3, 3, seed=3))

    def fn_w(x, w):
        w = _leaf(w)
        y = F.conv2d(x, w, padding=1)
        (gw,) = ember.autograd.grad((y * y).sum(), [w], create_graph=True)
        return gw
    gradcheck(fn_w, rand(1, 2, 4, 4), rand(2, 2, 3, 3, seed=3))


@pytest.mark.parametrize("kw", [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
                                dict(kernel_size=(2, 3), stride=1, dilation=(2, 1)),
                                dict(kernel_size=3, stride=2, ceil_mode=True)])
def test_max_pool2d_gradcheck(kw):
    x = np.random.default_rng(0).permutation(2 * 2 * 7 * 6).reshape(2, 2, 7, 6) / 10.0
    gradcheck(lambda x: F.max_pool2d(x, **kw), x)


@pytest.mark.parametrize("kw", [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
                                dict(kernel_size=3, stride=2, padding=1, count_include_pad=False),
                                dict(kernel_size=3, stride=2, ceil_mode=True),
                                dict(kernel_size=2, divisor_override=3)])
def test_avg_pool2d_gradcheck(kw):
    gradcheck(lambda x: F.avg_pool2d(x, **kw), rand(2, 2, 7, 6))


@pytest.mark.parametrize("size", [1, (3, 2), (4, 5)])
def test_adaptive_avg_pool2d_gradcheck(size):
    gradcheck(lambda x: F.adaptive_avg_pool2d(x, size), rand(1, 2, 7, 5))


def test_pool_double_backward():
    def fn(x):
        x = _leaf(x)
        y = F.max_pool2d(x, 2) + F.avg_pool2d(x, 2) + F.adaptive_avg_pool2d(x, 2)
        (gx,) = ember.autograd.grad((y * y * x.sum()).sum(), [x], create_graph=True)
        return gx
    x = np.random.default_rng(3).permutation(32).reshape(1, 2, 4, 4) / 7.0
    gradcheck(fn, x)


def test_pool_numpy_reference():
    x = rand(2, 3, 6, 8)
    m = x.reshape(2, 3, 3, 2, 4, 2)
    assert_close(F.max_pool2d(ember.tensor(x), 2), m.max(axis=(3, 5)))
    assert_close(F.avg_pool2d(ember.tensor(x), 2), m.mean(axis=(3, 5)))
    assert_close(F.adaptive_avg_pool2d(ember.tensor(x), 1), x.mean(axis=(2, 3), keepdims=True))
    assert_close(F.max_pool2d(ember.tensor(x)[:, :, :, ::2], 2),
                 x[:, :, :, ::2].reshape(2, 3, 3, 2, 2, 2).max(axis=(3, 5)))


def test_max_pool2d_nan_propagates():
    x = np.zeros((1, 1, 2, 2))
    x[0, 0, 1, 0] = np.nan
    out, idx = F.max_pool2d(ember.tensor(x), 2, return_indices=True)
    assert np.isnan(to_np(out)).all()
    assert to_np(idx).tolist() == [[[[2]]]]


# ---- PyTorch parity ----

CONV_CASES = [
    # (N, C, H, W, O, kernel, stride, padding, dilation, groups)
    (2, 3, 8, 8, 4, 3, 1, 0, 1, 1),
    (3, 4, 9, 7, 6, (3, 2), (2, 1), (1, 0), 1, 2),
    (1, 6, 10, 11, 6, 3, 2, 2, (2, 3), 3),
    (4, 1, 28, 28, 6, 5, 1, 0, 1, 1),
    (2, 8, 6, 6, 8, 1, 1, 0, 1, 8),
    (2, 3, 7, 7, 5, 3, 3, 1, 1, 1),
]


@requires_torch
@pytest.mark.parametrize("case", CONV_CASES)
def test_conv2d_matches_torch(case):
    n, c, h, w_, o, k, s, p, d, g = case
    kh, kw = (k, k) if isinstance(k, int) else k
    x, w, b = rand(n, c, h, w_, seed=1), rand(o, c // g, kh, kw, seed=2), rand(o, seed=3)
    gy = rand(*torch.nn.functional.conv2d(torch.tensor(x), torch.tensor(w), None, s, p, d,
                                          g).shape, seed=4)
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    ty = torch.nn.functional.conv2d(tx, tw, tb, s, p, d, g)
    ty.backward(torch.tensor(gy))
    ex, ew, eb = (ember.tensor(a, dtype=ember.float64, requires_grad=True) for a in (x, w, b))
    ey = F.conv2d(ex, ew, eb, stride=s, padding=p, dilation=d, groups=g)
    ey.backward(ember.tensor(gy))
    assert_close(ey, ty.detach().numpy(), rtol=1e-9, atol=1e-9)
    for e, t in ((ex, tx), (ew, tw), (eb, tb)):
        assert_close(e.grad, t.grad.numpy(), rtol=1e-9, atol=1e-9)


@requires_torch
@pytest.mark.parametrize("case", [
    # (N, Ci, H, W, Co, kernel, stride, padding, output_padding, groups, dilation)
    (2, 3, 4, 5, 2, 3, 1, 0, 0, 1, 1),
    (2, 4, 5, 4, 6, (3, 2), (2, 3), (1, 0), (1, 2), 2, 1),
    (1, 2, 3, 3, 4, 2, 2, 1, 1, 2, (2, 1)),
])
def test_conv_transpose2d_matches_torch(case):
    n, ci, h, w_, co, k, s, p, op, g, d = case
    kh, kw = (k, k) if isinstance(k, int) else k
    x, w, b = rand(n, ci, h, w_, seed=1), rand(ci, co // g, kh, kw, seed=2), rand(co, seed=3)
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    ty = torch.nn.functional.conv_transpose2d(tx, tw, tb, s, p, op, g, d)
    gy = rand(*ty.shape, seed=4)
    ty.backward(torch.tensor(gy))
    ex, ew, eb = (ember.tensor(a, dtype=ember.float64, requires_grad=True) for a in (x, w, b))
    ey = F.conv_transpose2d(ex, ew, eb, stride=s, padding=p, output_padding=op, groups=g,
                            dilation=d)
    ey.backward(ember.tensor(gy))
    assert_close(ey, ty.detach().numpy(), rtol=1e-9, atol=1e-9)
    for e, t in ((ex, tx), (ew, tw), (eb, tb)):
        assert_close(e.grad, t.grad.numpy(), rtol=1e-9, atol=1e-9)


@requires_torch
@pytest.mark.parametrize("kw", [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
                                dict(kernel_size=(3, 2), stride=(2, 1), dilation=(1, 2)),
                                dict(kernel_size=3, stride=2, ceil_mode=True),
                                dict(kernel_size=2, stride=3, padding=1, ceil_mode=True)])
def test_max_pool2d_matches_torch(kw):
    x = rand(2, 3, 9, 8, seed=5)
    tx = torch.tensor(x, requires_grad=True)
    ty, ti = torch.nn.functional.max_pool2d(tx, return_indices=True, **kw)
    gy = rand(*ty.shape, seed=6)
    ty.backward(torch.tensor(gy))
    ex = ember.tensor(x, requires_grad=True)
    ey, ei = F.max_pool2d(ex, return_indices=True, **kw)
    ey.backward(ember.tensor(gy))
    assert_close(ey, ty.detach().numpy(), rtol=0, atol=0)
    assert (to_np(ei) == ti.numpy()).all()
    assert_close(ex.grad, tx.grad.numpy())


@requires_torch
@pytest.mark.parametrize("kw", [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
                                dict(kernel_size=3, stride=2, padding=1, count_include_pad=False),
                                dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
                                dict(kernel_size=3, stride=2, padding=1, ceil_mode=True,
                                     count_include_pad=False),
                                dict(kernel_size=(2, 3), divisor_override=4)])
def test_avg_pool2d_matches_torch(kw):
    x = rand(2, 3, 9, 8, seed=5)
    tx = torch.tensor(x, requires_grad=True)
    ty = torch.nn.functional.avg_pool2d(tx, **kw)
    gy = rand(*ty.shape, seed=6)
    ty.backward(torch.tensor(gy))
    ex = ember.tensor(x, requires_grad=True)
    ey = F.avg_pool2d(ex, **kw)
    ey.backward(ember.tensor(gy))
    assert_close(ey, ty.detach().numpy(), rtol=1e-12, atol=1e-12)
    assert_close(ex.grad, tx.grad.numpy(), rtol=1e-12, atol=1e-12)


@requires_torch
@pytest.mark.parametrize("size", [1, 3, (2, 5), (5, 3), (None, 2), (9, 8)])
def test_adaptive_avg_pool2d_matches_torch(size):
    x = rand(2, 3, 9, 8, seed=5)
    tx = torch.tensor(x, requires_grad=True)
    ty = torch.nn.functional.adaptive_avg_pool2d(tx, size)
    gy = rand(*ty.shape, seed=6)
    ty.backward(torch.tensor(gy))
    ex = ember.tensor(x, requires_grad=True)
    ey = F.adaptive_avg_pool2d(ex, size)
    ey.backward(ember.tensor(gy))
    assert_close(ey, ty.detach().numpy(), rtol=1e-12, atol=1e-12)
    assert_close(ex.grad, tx.grad.numpy(), rtol=1e-12, atol=1e-12)


@requires_torch
def test_modules_match_torch_with_same_weights():
    pairs = [
        (nn.Conv2d(3, 4, 3, stride=2, padding=1), torch.nn.Conv2d(3, 4, 3, stride=2, padding=1)),
        (nn.Conv2d(4, 4, 3, padding="same", groups=2, bias=False),
         torch.nn.Conv2d(4, 4, 3, padding="same", groups=2, bias=False)),
        (nn.Conv1d(3, 5, 3, padding=1), torch.nn.Conv1d(3, 5, 3, padding=1)),
        (nn.ConvTranspose2d(3, 2, 3, stride=2, output_padding=1),
         torch.nn.ConvTranspose2d(3, 2, 3, stride=2, output_padding=1)),
    ]
    for em, tm in pairs:
        assert em.weight.shape == tuple(tm.weight.shape)
        em.weight = nn.Parameter(ember.tensor(tm.weight.detach().numpy()))
        if tm.bias is not None:
            em.bias = nn.Parameter(ember.tensor(tm.bias.detach().numpy()))
        shape = (2, em.in_channels) + ((9,) if isinstance(em, nn.Conv1d) else (7, 6))
        x = rand(*shape, dtype=np.float32, seed=11)
        ey = em(ember.tensor(x))
        ty = tm(torch.tensor(x))
        assert_close(ey, ty.detach().numpy(), rtol=1e-4, atol=1e-5)
        ey.sum().backward()
        ty.sum().backward()
        assert_close(em.weight.grad, tm.weight.grad.numpy(), rtol=1e-4, atol=1e-4)


# ---- modules ----

def test_module_reprs():
    assert repr(nn.Conv2d(1, 6, 5)) == "Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1))"
    assert repr(nn.Conv2d(4, 8, (3, 1), stride=2, padding=1, dilation=2, groups=2, bias=False)) == (
        "Conv2d(4, 8, kernel_size=(3, 1), stride=(2, 2), padding=(1, 1), dilation=(2, 2), "
        "groups=2, bias=False)")
    assert repr(nn.Conv2d(2, 2, 3, padding="same")) == (
        "Conv2d(2, 2, kernel_size=(3, 3), stride=(1, 1), padding=same)")
    assert repr(nn.Conv1d(3, 5, 3)) == "Conv1d(3, 5, kernel_size=(3,), stride=(1,))"
    assert repr(nn.ConvTranspose2d(3, 2, 3, stride=2, output_padding=1)) == (
        "ConvTranspose2d(3, 2, kernel_size=(3, 3), stride=(2, 2), output_padding=(1, 1))")
    assert repr(nn.MaxPool2d(2)) == (
        "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)")
    assert repr(nn.AvgPool2d((2, 3), stride=1)) == (
        "AvgPool2d(kernel_size=(2, 3), stride=1, padding=0)")
    assert repr(nn.AdaptiveAvgPool2d((5, 7))) == "AdaptiveAvgPool2d(output_size=(5, 7))"
    assert repr(nn.AdaptiveAvgPool2d((None, 7))) == "AdaptiveAvgPool2d(output_size=(None, 7))"


def test_conv_init_bounds_and_parameters():
    ember.manual_seed(0)
    m = nn.Conv2d(3, 8, 3)
    bound = 1 / np.sqrt(3 * 9)
    w, b = to_np(m.weight), to_np(m.bias)
    assert w.shape == (8, 3, 3, 3) and b.shape == (8,)
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    assert np.abs(w).max() > 0.8 * bound            # uniform over the whole range
    assert [n for n, _ in m.named_parameters()] == ["weight", "bias"]
    assert nn.Conv2d(3, 8, 3, bias=False).bias is None
    t = nn.ConvTranspose2d(4, 6, 3, groups=2)
    assert t.weight.shape == (4, 3, 3, 3)
    assert np.abs(to_np(t.bias)).max() <= 1 / np.sqrt(3 * 9)
    assert m.kernel_size == (3, 3) and m.stride == (1, 1) and m.padding == (0, 0)
    assert nn.Conv2d(3, 3, 3, padding="same").padding == "same"


def test_maxpool_module_return_indices_and_shapes():
    x = ember.tensor(rand(2, 3, 8, 8))
    out, idx = nn.MaxPool2d(2, return_indices=True)(x)
    assert out.shape == (2, 3, 4, 4) and idx.dtype == ember.int64
    assert nn.AvgPool2d(3, stride=2, padding=1)(x).shape == (2, 3, 4, 4)
    assert nn.AdaptiveAvgPool2d((None, 2))(x).shape == (2, 3, 8, 2)
    assert nn.MaxPool2d(2)(ember.tensor(rand(3, 8, 8))).shape == (3, 4, 4)


def test_sequential_cnn_trains_a_step():
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(4 * 4 * 4, 3))
    x = ember.tensor(rand(5, 1, 8, 8, dtype=np.float32))
    y = ember.tensor(np.array([0, 1, 2, 1, 0]))
    opt = ember.optim.SGD(model.parameters(), lr=0.1)
    losses = []
    for _ in range(5):
        opt.zero_grad()
        loss = nn.CrossEntropyLoss()(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0]


# ---- errors ----

def test_error_wrong_channel_count_names_module_and_shapes():
    with pytest.raises(ValueError, match=r"\[Conv2d\].*3 channels.*\[2, 4, 8, 8\]"):
        nn.Conv2d(3, 6, 3)(ember.zeros(2, 4, 8, 8))
    with pytest.raises(ValueError, match=r"\[conv2d\].*\[2, 4, 8, 8\].*4 channels.*\[6, 3, 3, 3\]"):
        F.conv2d(ember.zeros(2, 4, 8, 8), ember.zeros(6, 3, 3, 3))


def test_error_input_rank():
    with pytest.raises(ValueError, match=r"\[Conv2d\].*4-D.*\[8, 8\]"):
        nn.Conv2d(3, 6, 3)(ember.zeros(8, 8))
    with pytest.raises(ValueError, match=r"\[conv2d\].*4-D.*\[1, 2, 3, 8, 8\]"):
        F.conv2d(ember.zeros(1, 2, 3, 8, 8), ember.zeros(6, 3, 3, 3))
    with pytest.raises(ValueError, match=r"\[conv1d\].*3-D.*\[8\]"):
        F.conv1d(ember.zeros(8), ember.zeros(2, 1, 3))
    with pytest.raises(ValueError, match=r"\[MaxPool2d\].*\[8, 8\]"):
        nn.MaxPool2d(2)(ember.zeros(8, 8))
    with pytest.raises(ValueError, match=r"\[avg_pool2d\].*\[8\]"):
        F.avg_pool2d(ember.zeros(8), 2)


def test_error_kernel_larger_than_padded_input():
    with pytest.raises(ValueError, match=r"\[conv2d\] kernel size \(5, 5\).*larger.*\(4, 4\).*"
                                         r"\[1, 1, 4, 4\].*\[2, 1, 5, 5\]"):
        F.conv2d(ember.zeros(1, 1, 4, 4), ember.zeros(2, 1, 5, 5))
    with pytest.raises(ValueError, match=r"\[max_pool2d\].*larger.*\[1, 1, 2, 2\]"):
        F.max_pool2d(ember.zeros(1, 1, 2, 2), 3)


def test_error_misc():
    with pytest.raises(TypeError, match=r"\[conv2d\].*int64"):
        F.conv2d(ember.zeros(1, 1, 4, 4, dtype=ember.int64),
                 ember.zeros(1, 1, 3, 3, dtype=ember.int64))
    with pytest.raises(TypeError, match=r"\[conv2d\].*float32.*float64"):
        F.conv2d(ember.zeros(1, 1, 4, 4), ember.zeros(1, 1, 3, 3, dtype=ember.float64))
    with pytest.raises(ValueError, match=r"\[conv2d\].*'same'.*strided"):
        F.conv2d(ember.zeros(1, 1, 4, 4), ember.zeros(1, 1, 3, 3), stride=2, padding="same")
    with pytest.raises(ValueError, match=r"\[conv2d\] bias must have shape \[2\], got \[3\]"):
        F.conv2d(ember.zeros(1, 1, 4, 4), ember.zeros(2, 1, 3, 3), ember.zeros(3))
    with pytest.raises(ValueError, match=r"\[Conv2d\] in_channels \(3\) must be divisible"):
        nn.Conv2d(3, 4, 3, groups=2)
    with pytest.raises(ValueError, match=r"\[max_pool2d\] padding \(2, 2\).*half.*\(2, 2\)"):
        F.max_pool2d(ember.zeros(1, 1, 8, 8), 2, padding=2)
    with pytest.raises(ValueError, match=r"\[conv_transpose2d\] output_padding"):
        F.conv_transpose2d(ember.zeros(1, 1, 4, 4), ember.zeros(1, 1, 3, 3), output_padding=1)
    with pytest.raises(ValueError, match=r"\[Conv2d\] padding_mode 'reflect'"):
        nn.Conv2d(1, 1, 3, padding_mode="reflect")
    with pytest.raises(ValueError, match=r"\[conv2d\] stride must be an int or a tuple of 2"):
        F.conv2d(ember.zeros(1, 1, 4, 4), ember.zeros(1, 1, 3, 3), stride=(1, 2, 3))


def test_traced_cnn_matches_eager():
    model = nn.Sequential(nn.Conv2d(1, 3, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.AvgPool2d(2), nn.AdaptiveAvgPool2d(1), nn.Flatten())
    x = ember.tensor(rand(2, 1, 8, 8, dtype=np.float32))
    f = ember.function(lambda t: model(t))
    assert_close(f(x), to_np(model(x)), rtol=1e-6, atol=1e-6)
