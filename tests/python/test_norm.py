"""Normalization, dropout and embedding: functional forms and nn modules (nn/norm.h,
nn/dropout.h, nn/embedding.h) against NumPy references and PyTorch, gradients, running
statistics, tracing, errors."""

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember import nn, optim
from helpers import assert_close, gradcheck, rand, requires_torch, torch


# ---- NumPy references ----

def np_batch_norm(x, w=None, b=None, eps=1e-5):
    dims = (0,) + tuple(range(2, x.ndim))
    m, v = x.mean(axis=dims, keepdims=True), x.var(axis=dims, keepdims=True)
    y = (x - m) / np.sqrt(v + eps)
    cs = (1, -1) + (1,) * (x.ndim - 2)
    if w is not None:
        y = y * w.reshape(cs)
    if b is not None:
        y = y + b.reshape(cs)
    return y


def np_layer_norm(x, k, w=None, b=None, eps=1e-5):
    dims = tuple(range(x.ndim - k, x.ndim))
    m, v = x.mean(axis=dims, keepdims=True), x.var(axis=dims, keepdims=True)
    y = (x - m) / np.sqrt(v + eps)
    return y * (1 if w is None else w) + (0 if b is None else b)


def np_group_norm(x, g, w, b, eps=1e-5):
    n, c = x.shape[:2]
    xg = x.reshape(n, g, -1)
    y = ((xg - xg.mean(2, keepdims=True)) / np.sqrt(xg.var(2, keepdims=True) + eps)).reshape(x.shape)
    cs = (1, -1) + (1,) * (x.ndim - 2)
    return y * w.reshape(cs) + b.reshape(cs)


def t(a, dtype=ember.float64, **kw):
    return ember.tensor(np.asarray(a), dtype=dtype, **kw)


# ---- functional forward ----

@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5), (2, 3, 4, 5)])
@pytest.mark.parametrize("dtype", [ember.float32, ember.float64])
def test_batch_norm_training_forward(shape, dtype):
    x, w, b = rand(*shape), rand(shape[1], seed=1), rand(shape[1], seed=2)
    y = F.batch_norm(t(x, dtype), None, None, t(w, dtype), t(b, dtype), training=True)
    assert y.dtype == dtype
    assert_close(y, np_batch_norm(x, w, b), rtol=1e-4, atol=1e-5)


def test_batch_norm_non_contiguous_input():
    x = rand(5, 4, 6)
    xt = t(x).transpose(0, 2)  # (6, 4, 5), a view
    assert not xt.is_contiguous()
    y = F.batch_norm(xt, None, None, training=True)
    assert_close(y, np_batch_norm(x.transpose(2, 1, 0)), rtol=1e-6, atol=1e-8)


def test_batch_norm_eval_uses_running_stats():
    x, rm, rv = rand(4, 3, 2), rand(3, seed=3), rand(3, seed=4, low=0.5, high=2.0)
    w, b = rand(3, seed=5), rand(3, seed=6)
    y = F.batch_norm(t(x), t(rm), t(rv), t(w), t(b), training=False, eps=1e-3)
    cs = (1, 3, 1)
    ref = (x - rm.reshape(cs)) / np.sqrt(rv.reshape(cs) + 1e-3) * w.reshape(cs) + b.reshape(cs)
    assert_close(y, ref, rtol=1e-10, atol=1e-12)


def test_batch_norm_updates_running_stats_in_place():
    x = rand(8, 3, 4)
    rm, rv = ember.zeros(3, dtype=ember.float64), ember.ones(3, dtype=ember.float64)
    F.batch_norm(t(x), rm, rv, training=True, momentum=0.2)
    m = x.mean(axis=(0, 2))
    v = x.var(axis=(0, 2), ddof=1)  # unbiased, as PyTorch
    assert_close(rm, 0.2 * m, rtol=1e-10, atol=1e-12)
    assert_close(rv, 0.8 + 0.2 * v, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("shape,k", [((4, 5), 1), ((2, 3, 4), 2), ((3, 2, 2, 6), 1)])
def test_layer_norm_forward(shape, k):
    x = rand(*shape)
    ns = shape[-k:]
    w, b = rand(*ns, seed=1), rand(*ns, seed=2)
    assert_close(F.layer_norm(t(x), ns, t(w), t(b)), np_layer_norm(x, k, w, b), 1e-9, 1e-11)
    assert_close(F.layer_norm(t(x, ember.float32), list(ns)), np_layer_norm(x, k), 1e-4, 1e-5)


def test_layer_norm_non_contiguous():
    x = rand(6, 5)
    y = F.layer_norm(t(x).t(), (6,))
    assert_close(y, np_layer_norm(x.T, 1), 1e-9, 1e-11)


@pytest.mark.parametrize("shape,g", [((2, 6, 5), 3), ((3, 4, 2, 3), 2), ((2, 4), 4)])
def test_group_norm_forward(shape, g):
    x, w, b = rand(*shape), rand(shape[1], seed=1), rand(shape[1], seed=2)
    assert_close(F.group_norm(t(x), g, t(w), t(b)), np_group_norm(x, g, w, b), 1e-9, 1e-11)


def test_norm_numerics_with_large_offset():
    # Two-pass moments in double: a large common offset does not cancel the variance.
    x = rand(4, 64) * 1e-2 + 1e4
    y = F.layer_norm(t(x, ember.float32), (64,))
    ref = np_layer_norm(x.astype(np.float32).astype(np.float64), 1)
    assert_close(y, ref, rtol=1e-3, atol=1e-3)
    yb = F.batch_norm(t(x.T.copy(), ember.float32), None, None, training=True)
    assert_close(yb, np_batch_norm(x.T.astype(np.float32).astype(np.float64)), 1e-3, 1e-3)


def test_affine_with_other_dtype_promotes():
    # weight in another dtype than the input: the affine runs as separate, promoting ops
    x, w, b = rand(4, 3), rand(3, seed=1), rand(3, seed=2)
    y = F.layer_norm(t(x, ember.float32), (3,), t(w), t(b))
    assert y.dtype == ember.float64
    assert_close(y, np_layer_norm(x, 1, w, b), 1e-5, 1e-6)
    yb = F.batch_norm(t(x, ember.float32), None, None, t(w), t(b), training=True)
    assert yb.dtype == ember.float64
    assert_close(yb, np_batch_norm(x, w, b), 1e-5, 1e-6)


def test_layer_norm_weight_only_and_bias_only_gradcheck():
    gradcheck(lambda x, w: F.layer_norm(x, (4,), w), rand(3, 4), rand(4, seed=1))
    gradcheck(lambda x, b: F.layer_norm(x, (4,), None, b), rand(3, 4), rand(4, seed=2))
    gradcheck(lambda x, w: F.batch_norm(x, None, None, w, None, training=True),
              rand(5, 2, 3), rand(2, seed=1))


def test_norm_float16_and_bfloat16():
    x = rand(3, 8)
    for dt in (ember.float16, ember.bfloat16):
        y = F.layer_norm(t(x, dt), (8,))
        assert y.dtype == dt
        assert_close(y.float(), np_layer_norm(x, 1), rtol=3e-2, atol=3e-2)


# ---- gradients (float64 finite differences) ----

def test_batch_norm_gradcheck_training():
    gradcheck(lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
              rand(4, 3, 2), rand(3, seed=1), rand(3, seed=2))


def test_batch_norm_gradcheck_eval():
    rm, rv = t(rand(3, seed=3)), t(rand(3, seed=4, low=0.5, high=2))
    gradcheck(lambda x, w, b: F.batch_norm(x, rm, rv, w, b, training=False),
              rand(5, 3), rand(3, seed=1), rand(3, seed=2))


def test_layer_norm_gradcheck():
    gradcheck(lambda x, w, b: F.layer_norm(x, (2, 3), w, b),
              rand(3, 2, 3), rand(2, 3, seed=1), rand(2, 3, seed=2))


def test_group_norm_gradcheck():
    gradcheck(lambda x, w, b: F.group_norm(x, 2, w, b),
              rand(2, 4, 3), rand(4, seed=1), rand(4, seed=2))


def test_layer_norm_double_backward_runs():
    x = t(rand(3, 4), requires_grad=True)
    (g,) = ember.autograd.grad(F.layer_norm(x, (4,)).pow(3).sum(), [x], create_graph=True)
    g.sum().backward()
    assert x.grad is not None and x.grad.shape == (3, 4)


def test_embedding_gradcheck_and_padding():
    idx = ember.tensor([[0, 2, 1], [2, 2, 3]])
    gradcheck(lambda w: F.embedding(idx, w), rand(4, 3))
    w = t(rand(4, 3), requires_grad=True)
    F.embedding(idx, w, padding_idx=2).sum().backward()
    g = w.grad.numpy()
    np.testing.assert_array_equal(g[:, 0], [1, 1, 0, 1])  # row 2 is padding: no gradient
    w2 = t(rand(4, 3), requires_grad=True)
    F.embedding(idx, w2, padding_idx=-2).sum().backward()  # -2 is row 2 too
    np.testing.assert_array_equal(w2.grad.numpy()[:, 0], [1, 1, 0, 1])


def test_embedding_forward_values():
    w = rand(5, 2)
    idx = np.array([[4, 0], [1, 1], [3, 2]])
    y = F.embedding(ember.tensor(idx), t(w))
    assert y.shape == (3, 2, 2)
    assert_close(y, w[idx], 0, 0)


# ---- dropout ----

def test_dropout_statistics_and_scale():
    ember.manual_seed(0)
    x = ember.ones(200000)
    y = F.dropout(x, 0.3, training=True).numpy()
    kept = y != 0
    assert abs(kept.mean() - 0.7) < 0.01
    np.testing.assert_allclose(y[kept], 1 / 0.7, rtol=1e-6)


def test_dropout_eval_identity_and_edge_probabilities():
    x = ember.randn(10, 10)
    assert F.dropout(x, 0.5, training=False).tolist() == x.tolist()
    assert F.dropout(x, 0.0).tolist() == x.tolist()
    assert (F.dropout(x, 1.0).numpy() == 0).all()
    d = nn.Dropout(0.5)
    d.eval()
    assert d(x).tolist() == x.tolist()
    d.train()
    assert (d(x).numpy() == 0).any()


def test_dropout_fresh_masks_and_gradient():
    ember.manual_seed(1)
    x = ember.ones(1000, requires_grad=True)
    y1, y2 = F.dropout(x, 0.5), F.dropout(x, 0.5)
    assert (y1.detach().numpy() != y2.detach().numpy()).any()
    y1.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), y1.detach().numpy())  # grad = mask / (1-p)


@pytest.mark.parametrize("p", [-0.1, 1.5])
def test_dropout_bad_probability(p):
    with pytest.raises(ValueError, match=r"\[dropout\].*between 0 and 1.*" + str(p)):
        F.dropout(ember.ones(3), p)
    with pytest.raises(ValueError, match=r"\[Dropout\].*between 0 and 1"):
        nn.Dropout(p)


def test_dropout_integer_input_error():
    with pytest.raises(TypeError, match=r"\[dropout\].*int64"):
        F.dropout(ember.tensor([1, 2, 3]), 0.5)


# ---- modules ----

def test_module_defaults_and_repr():
    bn = nn.BatchNorm1d(4)
    assert repr(bn) == "BatchNorm1d(4, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)"
    assert [n for n, _ in bn.named_parameters()] == ["weight", "bias"]
    assert [n for n, _ in bn.named_buffers()] == ["running_mean", "running_var", "num_batches_tracked"]
    assert bn.weight.tolist() == [1.0] * 4 and bn.bias.tolist() == [0.0] * 4
    assert bn.running_var.tolist() == [1.0] * 4 and bn.num_batches_tracked.item() == 0
    assert repr(nn.BatchNorm2d(3, momentum=None, affine=False)) == (
        "BatchNorm2d(3, eps=1e-05, momentum=None, affine=False, track_running_stats=True)")
    assert nn.BatchNorm2d(3, affine=False).weight is None
    assert repr(nn.LayerNorm(10)) == "LayerNorm((10,), eps=1e-05, elementwise_affine=True)"
    assert repr(nn.LayerNorm([2, 3])) == "LayerNorm((2, 3), eps=1e-05, elementwise_affine=True)"
    assert nn.LayerNorm((2, 3)).weight.shape == (2, 3)
    assert repr(nn.GroupNorm(2, 6)) == "GroupNorm(2, 6, eps=1e-05, affine=True)"
    assert repr(nn.Dropout()) == "Dropout(p=0.5, inplace=False)"
    assert repr(nn.Embedding(10, 3, padding_idx=0)) == "Embedding(10, 3, padding_idx=0)"
    e = nn.Embedding(10, 3, padding_idx=-1)
    assert e.padding_idx == 9 and e.weight.tolist()[9] == [0, 0, 0]
    assert e.weight.requires_grad


def test_embedding_from_pretrained():
    w = ember.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    e = nn.Embedding.from_pretrained(w)
    assert not e.weight.requires_grad
    assert e(ember.tensor([2, 0])).tolist() == [[5.0, 6.0], [1.0, 2.0]]
    e2 = nn.Embedding.from_pretrained(w, freeze=False, padding_idx=1)
    assert e2.weight.requires_grad and e2.padding_idx == 1
    e2(ember.tensor([1, 2])).sum().backward()
    assert e2.weight.grad.tolist() == [[0, 0], [0, 0], [1, 1]]


def test_embedding_max_norm_not_implemented():
    with pytest.raises(NotImplementedError, match=r"\[Embedding\] max_norm"):
        nn.Embedding(4, 2, max_norm=1.0)
    with pytest.raises(NotImplementedError, match=r"\[embedding\] max_norm"):
        F.embedding(ember.tensor([0]), ember.ones(4, 2), max_norm=1.0)
    with pytest.raises(NotImplementedError, match=r"\[embedding\] scale_grad_by_freq"):
        F.embedding(ember.tensor([0]), ember.ones(4, 2), scale_grad_by_freq=True)
    with pytest.raises(NotImplementedError, match=r"\[Embedding.from_pretrained\] sparse"):
        nn.Embedding.from_pretrained(ember.ones(4, 2), sparse=True)


def test_batch_norm_module_running_stats_and_eval():
    bn = nn.BatchNorm1d(3, momentum=None)  # cumulative average
    xs = [rand(6, 3, seed=s) for s in range(3)]
    for x in xs:
        bn(t(x, ember.float32))
    assert bn.num_batches_tracked.item() == 3
    assert_close(bn.running_mean, np.mean([x.mean(0) for x in xs], axis=0), 1e-5, 1e-6)
    bn.eval()
    y = bn(t(xs[0], ember.float32))
    rm, rv = bn.running_mean.numpy(), bn.running_var.numpy()
    assert_close(y, (xs[0] - rm) / np.sqrt(rv + 1e-5), 1e-4, 1e-5)
    nt = nn.BatchNorm1d(3, track_running_stats=False)
    assert nt.running_mean is None
    nt.eval()  # no running stats: batch statistics even in eval
    assert_close(nt(t(xs[0], ember.float32)), np_batch_norm(xs[0]), 1e-4, 1e-5)


# ---- PyTorch parity ----

@requires_torch
@pytest.mark.parametrize("cls,shape", [("BatchNorm1d", (8, 4)), ("BatchNorm1d", (8, 4, 5)),
                                       ("BatchNorm2d", (4, 4, 3, 3))])
def test_batch_norm_matches_torch_over_steps(cls, shape):
    tm = getattr(torch.nn, cls)(4, momentum=0.3).double()
    with torch.no_grad():
        tm.weight.uniform_(0.5, 1.5)
        tm.bias.uniform_(-1, 1)
    em = getattr(nn, cls)(4, momentum=0.3, dtype=ember.float64)
    em.load_state_dict({k: ember.tensor(v.numpy()) for k, v in tm.state_dict().items()})
    for step in range(4):
        x = rand(*shape, seed=step)
        xt, xe = torch.tensor(x, requires_grad=True), t(x, requires_grad=True)
        g = rand(*shape, seed=10 + step)
        yt, ye = tm(xt), em(xe)
        assert_close(ye, yt.detach().numpy(), 1e-9, 1e-10)
        yt.backward(torch.tensor(g))
        ye.backward(t(g))
        assert_close(xe.grad, xt.grad.numpy(), 1e-8, 1e-10)
        assert_close(em.weight.grad, tm.weight.grad.numpy(), 1e-8, 1e-10)
        assert_close(em.bias.grad, tm.bias.grad.numpy(), 1e-8, 1e-10)
    for name in ("running_mean", "running_var"):
        assert_close(getattr(em, name), getattr(tm, name).numpy(), 1e-10, 1e-12)
    assert em.num_batches_tracked.item() == tm.num_batches_tracked.item() == 4
    tm.eval()
    em.eval()
    x = rand(*shape, seed=99)
    assert_close(em(t(x)), tm(torch.tensor(x)).detach().numpy(), 1e-9, 1e-10)


@requires_torch
def test_layer_and_group_norm_match_torch():
    x = rand(3, 6, 4)
    for tm, em in [(torch.nn.LayerNorm((6, 4)).double(), nn.LayerNorm((6, 4), dtype=ember.float64)),
                   (torch.nn.GroupNorm(3, 6).double(), nn.GroupNorm(3, 6, dtype=ember.float64))]:
        with torch.no_grad():
            tm.weight.uniform_(0.5, 1.5)
            tm.bias.uniform_(-1, 1)
        em.load_state_dict({k: ember.tensor(v.numpy()) for k, v in tm.state_dict().items()})
        xt, xe = torch.tensor(x, requires_grad=True), t(x, requires_grad=True)
        yt, ye = tm(xt), em(xe)
        assert_close(ye, yt.detach().numpy(), 1e-9, 1e-10)
        (yt ** 2).sum().backward()
        (ye ** 2).sum().backward()
        assert_close(xe.grad, xt.grad.numpy(), 1e-8, 1e-10)
        assert_close(em.weight.grad, tm.weight.grad.numpy(), 1e-8, 1e-10)
        assert_close(em.bias.grad, tm.bias.grad.numpy(), 1e-8, 1e-10)


@requires_torch
def test_embedding_matches_torch():
    w = rand(6, 3)
    idx = np.array([[1, 5, 0], [0, 0, 3]])
    tw, ew = torch.tensor(w, requires_grad=True), t(w, requires_grad=True)
    yt = torch.nn.functional.embedding(torch.tensor(idx), tw, padding_idx=0)
    ye = F.embedding(ember.tensor(idx), ew, padding_idx=0)
    assert_close(ye, yt.detach().numpy(), 0, 0)
    g = rand(2, 3, 3, seed=4)
    yt.backward(torch.tensor(g))
    ye.backward(t(g))
    assert_close(ew.grad, tw.grad.numpy(), 1e-12, 1e-12)


# ---- tracing ----

def _bn_model(seed):
    ember.manual_seed(seed)
    return nn.Sequential(nn.Linear(5, 4), nn.BatchNorm1d(4), nn.Dropout(0.0), nn.Linear(4, 2))


def test_traced_training_step_updates_running_stats_like_eager():
    eager_model, traced_model = _bn_model(0), _bn_model(0)
    xs = [ember.randn(8, 5) for _ in range(4)]
    ys = [ember.randn(8, 2) for _ in range(4)]

    def make_step(model):
        opt = optim.SGD(model.parameters(), lr=0.1)

        def step(x, y):
            opt.zero_grad()
            loss = ((model(x) - y) ** 2).mean()
            loss.backward()
            opt.step()
            return loss
        return step

    eager_step, traced_step = make_step(eager_model), ember.function(make_step(traced_model))
    for x, y in zip(xs, ys):
        le, lt = eager_step(x, y), traced_step(x, y)
        assert_close(lt, le.detach().numpy(), 1e-5, 1e-6)
    assert traced_step.num_traces == 1
    bn_e, bn_t = eager_model[1], traced_model[1]
    assert_close(bn_t.running_mean, bn_e.running_mean.numpy(), 1e-5, 1e-6)
    assert_close(bn_t.running_var, bn_e.running_var.numpy(), 1e-5, 1e-6)
    assert bn_t.num_batches_tracked.item() == bn_e.num_batches_tracked.item() == 4
    assert_close(traced_model[0].weight, eager_model[0].weight.detach().numpy(), 1e-5, 1e-6)


def test_traced_dropout_draws_fresh_masks():
    drop = nn.Dropout(0.5)
    f = ember.function(lambda x: drop(x))
    x = ember.ones(1000)
    outs = [f(x).numpy() for _ in range(4)]  # eager, trace, then replays
    assert f.num_traces == 1
    assert (outs[2] != outs[3]).any()
    for o in outs:
        assert set(np.unique(o)) <= {0.0, 2.0}


# ---- errors ----

def test_batch_norm_channel_mismatch_errors():
    with pytest.raises(ValueError, match=r"\[BatchNorm1d\] expected input with 4 channels.*\[2, 3\]"):
        nn.BatchNorm1d(4)(ember.ones(2, 3))
    with pytest.raises(ValueError, match=r"\[BatchNorm1d\] expected 2D or 3D input.*\[2, 4, 1, 1\]"):
        nn.BatchNorm1d(4)(ember.ones(2, 4, 1, 1))
    with pytest.raises(ValueError, match=r"\[BatchNorm2d\] expected 4D input.*\[2, 4\]"):
        nn.BatchNorm2d(4)(ember.ones(2, 4))
    with pytest.raises(ValueError, match=r"\[batch_norm\] weight must have shape \[3\].*\[5\]"):
        F.batch_norm(ember.ones(2, 3), None, None, ember.ones(5), training=True)
    with pytest.raises(ValueError, match=r"\[batch_norm\] expected more than 1 value per channel"):
        F.batch_norm(ember.ones(1, 3), None, None, training=True)


def test_norm_shape_errors():
    with pytest.raises(ValueError, match=r"\[LayerNorm\] input of shape \[2, 5\].*\[4\]"):
        nn.LayerNorm(4)(ember.ones(2, 5))
    with pytest.raises(ValueError, match=r"\[layer_norm\] input of shape \[2, 5\].*\[3, 5\]"):
        F.layer_norm(ember.ones(2, 5), (3, 5))
    with pytest.raises(ValueError, match=r"\[GroupNorm\] num_channels \(5\).*num_groups \(2\)"):
        nn.GroupNorm(2, 5)
    with pytest.raises(ValueError, match=r"\[GroupNorm\] expected input \(N, 4, \*\).*\[2, 3, 5\]"):
        nn.GroupNorm(2, 4)(ember.ones(2, 3, 5))
    with pytest.raises(ValueError, match=r"\[group_norm\] num_groups 4.*6 channels"):
        F.group_norm(ember.ones(2, 6), 4)
    with pytest.raises(TypeError, match=r"\[layer_norm\].*int64"):
        F.layer_norm(ember.tensor([[1, 2]]), (2,))


def test_embedding_errors():
    with pytest.raises(TypeError, match=r"\[embedding\] indices must be an integer.*float32"):
        F.embedding(ember.ones(2), ember.ones(4, 2))
    with pytest.raises(ValueError, match=r"\[embedding\] weight must be 2-D.*\[4\]"):
        F.embedding(ember.tensor([0]), ember.ones(4))
    with pytest.raises(ValueError, match=r"\[Embedding\] padding_idx 7.*\(4\)"):
        nn.Embedding(4, 2, padding_idx=7)
    with pytest.raises(IndexError):
        nn.Embedding(4, 2)(ember.tensor([4]))
