"""MultiheadAttention and TransformerEncoderLayer: NumPy float64 references, PyTorch parity
(state dicts loaded from torch; outputs, weights and gradients) for the option combinations,
gradcheck, and the error paths."""

import numpy as np
import pytest

import ember
from ember import nn
from helpers import assert_close, gradcheck, requires_torch, torch

rng = np.random.default_rng(1)


def _softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def _np_mha(p, q, k, v, heads, mask=None):
    """q/k/v [B, L, E] float64; mask additive [.., Lq, Lk]; returns (out, weights [B,H,Lq,Lk])."""
    E = q.shape[-1]
    hd = E // heads
    wq, wk, wv = np.split(p["in_proj_weight"], 3)
    bq, bk, bv = np.split(p["in_proj_bias"], 3)

    def split(x, w, b):
        y = x @ w.T + b
        return y.reshape(y.shape[0], y.shape[1], heads, hd).transpose(0, 2, 1, 3)

    Q, K, V = split(q, wq, bq), split(k, wk, bk), split(v, wv, bv)
    s = Q @ K.transpose(0, 1, 3, 2) / np.sqrt(hd)
    if mask is not None:
        s = s + mask
    a = _softmax(s)
    o = (a @ V).transpose(0, 2, 1, 3).reshape(q.shape[0], q.shape[1], E)
    return o @ p["out_proj.weight"].T + p["out_proj.bias"], a


def _params(m):
    return {k: v.detach().numpy() for k, v in m.state_dict().items()}


def test_parameter_names_and_init():
    m = nn.MultiheadAttention(8, 2)
    assert [(k, tuple(v.shape)) for k, v in m.named_parameters()] == [
        ("in_proj_weight", (24, 8)), ("in_proj_bias", (24,)),
        ("out_proj.weight", (8, 8)), ("out_proj.bias", (8,))]
    assert np.all(m.in_proj_bias.detach().numpy() == 0)
    assert np.all(m.out_proj.bias.detach().numpy() == 0)
    bound = np.sqrt(6 / (8 + 24))  # xavier_uniform on [3E, E]
    w = m.in_proj_weight.detach().numpy()
    assert np.all(np.abs(w) <= bound) and w.std() > 0
    assert (m.embed_dim, m.num_heads, m.head_dim) == (8, 2, 4)
    assert [k for k, _ in nn.MultiheadAttention(8, 2, bias=False).named_parameters()] == [
        "in_proj_weight", "out_proj.weight"]


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("self_attn", [False, True])
def test_matches_numpy_reference(batch_first, self_attn):
    m = nn.MultiheadAttention(6, 3, batch_first=batch_first, dtype=ember.float64)
    q = rng.standard_normal((2, 4, 6))
    k = q if self_attn else rng.standard_normal((2, 5, 6))
    v = q if self_attn else rng.standard_normal((2, 5, 6))
    ref, ref_w = _np_mha(_params(m), q, k, v, 3)
    conv = (lambda a: a) if batch_first else (lambda a: a.transpose(1, 0, 2))
    tq = ember.tensor(conv(q))
    tk, tv = (tq, tq) if self_attn else (ember.tensor(conv(k)), ember.tensor(conv(v)))
    out, w = m(tq, tk, tv)
    assert_close(out, conv(ref), rtol=1e-10, atol=1e-12)
    assert_close(w, ref_w.mean(1), rtol=1e-10, atol=1e-12)
    out, w = m(tq, tk, tv, need_weights=True, average_attn_weights=False)
    assert_close(w, ref_w, rtol=1e-10, atol=1e-12)
    out, w = m(tq, tk, tv, need_weights=False)
    assert w is None


def test_masks_match_reference():
    m = nn.MultiheadAttention(4, 2, batch_first=True, dtype=ember.float64)
    q = rng.standard_normal((2, 3, 4))
    kv = rng.standard_normal((2, 5, 4))
    pad = np.array([[False, False, False, True, True], [False] * 5])
    causal = np.triu(np.ones((3, 5), dtype=bool), 1)
    add = np.where(pad[:, None, None, :], -np.inf, 0) + np.where(causal, -np.inf, 0)
    ref, ref_w = _np_mha(_params(m), q, kv, kv, 2, add)
    out, w = m(ember.tensor(q), ember.tensor(kv), ember.tensor(kv),
               key_padding_mask=ember.tensor(pad), attn_mask=ember.tensor(causal))
    assert_close(out, ref, rtol=1e-10, atol=1e-12)
    assert_close(w, ref_w.mean(1), rtol=1e-10, atol=1e-12)
    # Float masks are added; a 3-D mask is per (batch, head).
    fm = rng.standard_normal((4, 3, 5))
    ref, _ = _np_mha(_params(m), q, kv, kv, 2, fm.reshape(2, 2, 3, 5))
    out, _ = m(ember.tensor(q), ember.tensor(kv), ember.tensor(kv), attn_mask=ember.tensor(fm))
    assert_close(out, ref, rtol=1e-10, atol=1e-12)
    # is_causal without a mask builds the causal mask.
    sq = ember.tensor(q)
    a, _ = m(sq, sq, sq, is_causal=True)
    b, _ = m(sq, sq, sq, attn_mask=ember.tensor(np.triu(np.ones((3, 3), dtype=bool), 1)))
    assert_close(a, b.detach().numpy(), rtol=1e-12)


def test_unbatched():
    m = nn.MultiheadAttention(4, 2, dtype=ember.float64)
    q = rng.standard_normal((3, 4))
    out, w = m(ember.tensor(q), ember.tensor(q), ember.tensor(q))
    outb, wb = m(ember.tensor(q[:, None]), ember.tensor(q[:, None]), ember.tensor(q[:, None]))
    assert out.shape == (3, 4) and w.shape == (3, 3)
    assert_close(out, outb.detach().numpy()[:, 0], rtol=1e-12)
    assert_close(w, wb.detach().numpy()[0], rtol=1e-12)


def test_gradcheck_float64():
    m = nn.MultiheadAttention(4, 2, dtype=ember.float64)
    q = rng.standard_normal((3, 2, 4))
    kv = rng.standard_normal((5, 2, 4))
    mask = ember.tensor(np.array([[False, True, False, False, True], [False] * 5]))

    def run(q, k, v):
        return m(q, k, v, key_padding_mask=mask)[0]

    gradcheck(run, q, kv, kv, rtol=1e-5, atol=1e-7)
    out, w = m(ember.tensor(q), ember.tensor(kv), ember.tensor(kv))
    (out.sum() + w.sum()).backward()
    assert m.in_proj_weight.grad is not None and m.out_proj.weight.grad is not None


def test_encoder_layer_gradcheck_and_structure():
    layer = nn.TransformerEncoderLayer(4, 2, dim_feedforward=6, dropout=0.0,
                                       dtype=ember.float64)
    names = [k for k, _ in layer.named_parameters()]
    assert names == ["self_attn.in_proj_weight", "self_attn.in_proj_bias",
                     "self_attn.out_proj.weight", "self_attn.out_proj.bias", "linear1.weight",
                     "linear1.bias", "linear2.weight", "linear2.bias", "norm1.weight",
                     "norm1.bias", "norm2.weight", "norm2.bias"]
    x = rng.standard_normal((3, 2, 4))
    gradcheck(lambda t: layer(t), x, rtol=1e-5, atol=1e-7)


def test_encoder_layer_dropout_train_vs_eval():
    layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16)  # default dropout 0.1
    x = ember.randn(5, 3, 8)
    layer.eval()
    a, b = layer(x), layer(x)
    assert_close(a, b.detach().numpy(), rtol=0)
    layer.train()
    assert not np.allclose(layer(x).detach().numpy(), a.detach().numpy())


def test_errors():
    with pytest.raises(ValueError, match=r"\[MultiheadAttention\].*divisible.*embed_dim=10.*num_heads=3"):
        nn.MultiheadAttention(10, 3)
    with pytest.raises(NotImplementedError, match=r"\[MultiheadAttention\].*kdim"):
        nn.MultiheadAttention(8, 2, kdim=4)
    with pytest.raises(NotImplementedError, match=r"\[MultiheadAttention\].*add_bias_kv"):
        nn.MultiheadAttention(8, 2, add_bias_kv=True)
    m = nn.MultiheadAttention(8, 2)
    x = ember.zeros(3, 2, 8)
    with pytest.raises(ValueError, match=r"\[MultiheadAttention\].*2-D.*3-D.*\[8\]"):
        m(ember.zeros(8), ember.zeros(8), ember.zeros(8))
    with pytest.raises(ValueError, match=r"\[MultiheadAttention\].*embed_dim=8.*\[3, 2, 5\]"):
        m(ember.zeros(3, 2, 5), x, x)
    with pytest.raises(ValueError, match=r"\[MultiheadAttention\].*same rank"):
        m(x, ember.zeros(3, 8), x)
    with pytest.raises(ValueError, match=r"\[MultiheadAttention\].*batch size.*\[3, 4, 8\]"):
        m(x, ember.zeros(3, 4, 8), ember.zeros(3, 4, 8))
    with pytest.raises(ValueError, match=r"\[MultiheadAttention\] attn_mask.*\[3, 3\].*\[4, 3\]"):
        m(x, x, x, attn_mask=ember.zeros(4, 3))
    with pytest.raises(ValueError, match=r"\[MultiheadAttention\] key_padding_mask.*\[2, 3\].*\[3, 2\]"):
        m(x, x, x, key_padding_mask=ember.zeros(3, 2, dtype=ember.bool))
    with pytest.raises(TypeError, match=r"\[MultiheadAttention\].*attn_mask.*int64"):
        m(x, x, x, attn_mask=ember.zeros(3, 3, dtype=ember.int64))
    with pytest.raises(TypeError, match=r"\[MultiheadAttention\].*float64.*float32"):
        m(x.double(), x.double(), x.double())
    with pytest.raises(ValueError, match=r"\[TransformerEncoderLayer\] activation.*tanh"):
        nn.TransformerEncoderLayer(8, 2, activation="tanh")
    with pytest.raises(ValueError, match=r"\[TransformerEncoderLayer\].*\[8\]"):
        nn.TransformerEncoderLayer(8, 2)(ember.zeros(8))
    with pytest.raises(ValueError, match=r"\[MultiheadAttention\].*divisible"):
        nn.TransformerEncoderLayer(8, 3)


def _load_from_torch(ours, theirs):
    r = ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    assert not r.missing_keys and not r.unexpected_keys


@requires_torch
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("masks", ["none", "bool", "float", "causal3d"])
@pytest.mark.parametrize("average", [True, False])
def test_mha_torch_parity(batch_first, masks, average):
    tm = torch.nn.MultiheadAttention(8, 2, batch_first=batch_first).double()
    m = nn.MultiheadAttention(8, 2, batch_first=batch_first, dtype=ember.float64)
    _load_from_torch(m, tm)
    B, Lq, Lk = 3, 4, 5
    shp = (lambda L: (B, L, 8)) if batch_first else (lambda L: (L, B, 8))
    q, k, v = rng.standard_normal(shp(Lq)), rng.standard_normal(shp(Lk)), rng.standard_normal(shp(Lk))
    kpm = am = None
    if masks == "bool":
        kpm = np.zeros((B, Lk), dtype=bool)
        kpm[0, 3:] = True
        am = np.triu(np.ones((Lq, Lk), dtype=bool), 2)
    elif masks == "float":
        kpm = rng.standard_normal((B, Lk))
        am = rng.standard_normal((Lq, Lk))
    elif masks == "causal3d":
        am = rng.standard_normal((B * 2, Lq, Lk))
    targs = [torch.tensor(a, requires_grad=True) for a in (q, k, v)]
    eargs = [ember.tensor(a, requires_grad=True) for a in (q, k, v)]
    tkw = dict(key_padding_mask=None if kpm is None else torch.tensor(kpm),
               attn_mask=None if am is None else torch.tensor(am), average_attn_weights=average)
    ekw = dict(key_padding_mask=None if kpm is None else ember.tensor(kpm),
               attn_mask=None if am is None else ember.tensor(am), average_attn_weights=average)
    tout, tw = tm(*targs, **tkw)
    eout, ew = m(*eargs, **ekw)
    assert_close(eout, tout.detach().numpy(), rtol=1e-10, atol=1e-12)
    assert_close(ew, tw.detach().numpy(), rtol=1e-10, atol=1e-12)
    (tout.sum() + (tw * 2).sum()).backward()
    (eout.sum() + (ew * 2).sum()).backward()
    for e, t in zip(eargs, targs):
        assert_close(e.grad, t.grad.numpy(), rtol=1e-9, atol=1e-11)
    ours = dict(m.named_parameters())
    for name, p in tm.named_parameters():
        assert_close(ours[name].grad, p.grad.numpy(), rtol=1e-9, atol=1e-11)


@requires_torch
def test_mha_torch_parity_self_attention_float32():
    tm = torch.nn.MultiheadAttention(16, 4, batch_first=True)
    m = nn.MultiheadAttention(16, 4, batch_first=True)
    _load_from_torch(m, tm)
    x = rng.standard_normal((2, 6, 16)).astype(np.float32)
    tx = torch.tensor(x)
    ex = ember.tensor(x)
    tout, tw = tm(tx, tx, tx)
    eout, ew = m(ex, ex, ex)
    assert_close(eout, tout.detach().numpy(), rtol=1e-4, atol=1e-5)
    assert_close(ew, tw.detach().numpy(), rtol=1e-4, atol=1e-5)


@requires_torch
@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
@pytest.mark.parametrize("batch_first", [False, True])
def test_encoder_layer_torch_parity(norm_first, activation, batch_first):
    kw = dict(dim_feedforward=12, dropout=0.0, activation=activation, batch_first=batch_first,
              norm_first=norm_first, layer_norm_eps=1e-6)
    tl = torch.nn.TransformerEncoderLayer(8, 2, **kw).double()
    el = nn.TransformerEncoderLayer(8, 2, dtype=ember.float64, **kw)
    _load_from_torch(el, tl)
    x = rng.standard_normal((3, 4, 8))
    B, L = (3, 4) if batch_first else (4, 3)
    kpm = np.zeros((B, L), dtype=bool)  # always [batch, seq]
    kpm[0, -1] = True
    mask = np.triu(np.ones((L, L), dtype=bool), 1)
    tx = torch.tensor(x, requires_grad=True)
    ex = ember.tensor(x, requires_grad=True)
    tout = tl(tx, src_mask=torch.tensor(mask), src_key_padding_mask=torch.tensor(kpm))
    eout = el(ex, src_mask=ember.tensor(mask), src_key_padding_mask=ember.tensor(kpm))
    assert_close(eout, tout.detach().numpy(), rtol=1e-9, atol=1e-11)
    tout.square().sum().backward()
    eout.square().sum().backward()
    assert_close(ex.grad, tx.grad.numpy(), rtol=1e-8, atol=1e-10)
    ours = dict(el.named_parameters())
    for name, p in tl.named_parameters():
        assert_close(ours[name].grad, p.grad.numpy(), rtol=1e-8, atol=1e-10)


def test_non_contiguous_query_key_value():
    m = nn.MultiheadAttention(4, 2, dtype=ember.float64)
    q = rng.standard_normal((2, 3, 4))
    kv = rng.standard_normal((2, 5, 4))
    qv, kvv = ember.tensor(q).transpose(0, 1), ember.tensor(kv).transpose(0, 1)
    assert not qv.is_contiguous()
    out, w = m(qv, kvv, kvv)
    qc = ember.tensor(np.ascontiguousarray(q.transpose(1, 0, 2)))
    kc = ember.tensor(np.ascontiguousarray(kv.transpose(1, 0, 2)))
    ref, ref_w = m(qc, kc, kc)
    assert_close(out, ref.detach().numpy(), rtol=1e-12)
    assert_close(w, ref_w.detach().numpy(), rtol=1e-12)


def test_encoder_layer_in_sequential_and_state_dict_round_trip():
    a = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0, batch_first=True)
    b = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0, batch_first=True)
    b.load_state_dict(a.state_dict())
    x = ember.randn(2, 5, 8)
    assert_close(nn.Sequential(b)(x), a(x).detach().numpy(), rtol=1e-6)


@requires_torch
def test_mha_double_backward_matches_torch():
    tm = torch.nn.MultiheadAttention(4, 2).double()
    m = nn.MultiheadAttention(4, 2, dtype=ember.float64)
    _load_from_torch(m, tm)
    x = rng.standard_normal((3, 2, 4))
    tx = torch.tensor(x, requires_grad=True)
    ex = ember.tensor(x, requires_grad=True)
    (tg,) = torch.autograd.grad((tm(tx, tx, tx)[0] ** 2).sum(), tx, create_graph=True)
    (eg,) = ember.autograd.grad((m(ex, ex, ex)[0] ** 2).sum(), ex, create_graph=True)
    assert_close(eg, tg.detach().numpy(), rtol=1e-9, atol=1e-11)
    (tg ** 2).sum().backward()
    (eg ** 2).sum().backward()
    assert_close(ex.grad, tx.grad.numpy(), rtol=1e-8, atol=1e-10)
