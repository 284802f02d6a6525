"""RNN / LSTM / GRU: parameter names and shapes, NumPy float64 references, PyTorch parity
(state dicts loaded from torch, outputs and gradients), gradcheck, and the error paths."""

import itertools

import numpy as np
import pytest

import ember
from ember import nn
from helpers import assert_close, gradcheck, requires_torch, torch

rng = np.random.default_rng(0)


def _sig(x):
    return 1 / (1 + np.exp(-x))


def _np_params(m):
    return {k: v.detach().numpy().astype(np.float64) for k, v in m.state_dict().items()}


def _np_cell(kind, p, sfx, x, h, c):
    """One step of a layer/direction in float64 NumPy (PyTorch's equations)."""
    gi = x @ p["weight_ih" + sfx].T + p.get("bias_ih" + sfx, 0)
    gh = h @ p["weight_hh" + sfx].T + p.get("bias_hh" + sfx, 0)
    if kind == "tanh":
        return np.tanh(gi + gh), c
    if kind == "relu":
        return np.maximum(gi + gh, 0), c
    if kind == "lstm":
        i, f, g, o = np.split(gi + gh, 4, axis=-1)
        c = _sig(f) * c + _sig(i) * np.tanh(g)
        return _sig(o) * np.tanh(c), c
    xr, xz, xn = np.split(gi, 3, axis=-1)
    hr, hz, hn = np.split(gh, 3, axis=-1)
    r, z = _sig(xr + hr), _sig(xz + hz)
    n = np.tanh(xn + r * hn)
    return (1 - z) * n + z * h, c


def _np_rnn(kind, p, x, layers, bidir, H):
    """x [T, B, I] -> (out [T, B, D*H], h_n, c_n)."""
    T, B, _ = x.shape
    D = 2 if bidir else 1
    hn, cn, inp = [], [], x
    for l in range(layers):
        outs = []
        for d in range(D):
            sfx = f"_l{l}" + ("_reverse" if d else "")
            h, c = np.zeros((B, H)), np.zeros((B, H))
            out = np.zeros((T, B, H))
            for t in (range(T) if d == 0 else reversed(range(T))):
                h, c = _np_cell(kind, p, sfx, inp[t], h, c)
                out[t] = h
            outs.append(out)
            hn.append(h)
            cn.append(c)
        inp = np.concatenate(outs, axis=-1)
    return inp, np.stack(hn), np.stack(cn)


def _make(kind, *args, **kw):
    if kind == "lstm":
        return nn.LSTM(*args, **kw)
    if kind == "gru":
        return nn.GRU(*args, **kw)
    return nn.RNN(*args, nonlinearity=kind, **kw)


KINDS = ["tanh", "relu", "lstm", "gru"]


@pytest.mark.parametrize("kind", KINDS)
def test_parameter_names_shapes_and_init(kind):
    m = _make(kind, 3, 5, num_layers=2, bidirectional=True)
    g = {"lstm": 4, "gru": 3}.get(kind, 1)
    shapes = {k: tuple(v.shape) for k, v in m.named_parameters()}
    expected = {}
    for l in range(2):
        for sfx in ("", "_reverse"):
            inp = 3 if l == 0 else 10
            expected[f"weight_ih_l{l}{sfx}"] = (g * 5, inp)
            expected[f"weight_hh_l{l}{sfx}"] = (g * 5, 5)
            expected[f"bias_ih_l{l}{sfx}"] = (g * 5,)
            expected[f"bias_hh_l{l}{sfx}"] = (g * 5,)
    assert shapes == expected
    assert list(shapes)[:4] == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]
    bound = 1 / np.sqrt(5)
    for _, v in m.named_parameters():
        a = v.detach().numpy()
        assert np.all(np.abs(a) <= bound) and a.std() > 0
    assert len(list(_make(kind, 3, 5, bias=False).parameters())) == 2


@pytest.mark.parametrize("kind,layers,bidir,batch_first",
                         list(itertools.product(KINDS, [1, 2], [False, True], [False, True])))
def test_matches_numpy_reference(kind, layers, bidir, batch_first):
    m = _make(kind, 3, 4, num_layers=layers, bidirectional=bidir, batch_first=batch_first,
              dtype=ember.float64)
    x = rng.standard_normal((5, 2, 3))
    xin = x.transpose(1, 0, 2) if batch_first else x
    out, hid = m(ember.tensor(xin))
    ref_out, ref_h, ref_c = _np_rnn(kind, _np_params(m), x, layers, bidir, 4)
    if batch_first:
        ref_out = ref_out.transpose(1, 0, 2)
    if kind == "lstm":
        h, c = hid
        assert_close(c, ref_c, rtol=1e-10, atol=1e-12)
    else:
        h = hid
    assert_close(out, ref_out, rtol=1e-10, atol=1e-12)
    assert_close(h, ref_h, rtol=1e-10, atol=1e-12)
    assert out.shape == ref_out.shape


@pytest.mark.parametrize("kind", KINDS)
def test_unbatched_and_initial_state(kind):
    m = _make(kind, 3, 4, num_layers=2, dtype=ember.float64)
    x = rng.standard_normal((6, 3))
    h0 = rng.standard_normal((2, 4))
    c0 = rng.standard_normal((2, 4))
    hx = (ember.tensor(h0), ember.tensor(c0)) if kind == "lstm" else ember.tensor(h0)
    out, hid = m(ember.tensor(x), hx)
    # Same as the batched call with B = 1.
    hxb = (ember.tensor(h0[:, None]), ember.tensor(c0[:, None])) if kind == "lstm" else \
        ember.tensor(h0[:, None])
    outb, hidb = m(ember.tensor(x[:, None]), hxb)
    assert out.shape == (6, 4)
    assert_close(out, outb.detach().numpy()[:, 0], rtol=1e-12)
    if kind == "lstm":
        assert hid[0].shape == (2, 4) and hid[1].shape == (2, 4)
        assert_close(hid[1], hidb[1].detach().numpy()[:, 0], rtol=1e-12)
    else:
        assert hid.shape == (2, 4)


@pytest.mark.parametrize("kind", KINDS)
def test_gradcheck_float64(kind):
    m = _make(kind, 2, 3, num_layers=2, bidirectional=True, dtype=ember.float64)
    w = m.weight_hh_l1_reverse
    x = rng.standard_normal((3, 2, 2))
    h0 = rng.standard_normal((4, 2, 3))

    def run(x, h):
        hx = (h, h * 0.5) if kind == "lstm" else h
        out, _ = m(x, hx)
        return out

    gradcheck(run, x, h0, rtol=1e-5, atol=1e-7)
    # Gradients reach the parameters.
    out, _ = m(ember.tensor(x))
    out.sum().backward()
    grads = [p.grad for p in m.parameters()]
    assert w.grad is not None and all(g is not None for g in grads)
    assert sum(np.abs(g.numpy()).sum() for g in grads) > 0


def test_dropout_between_layers():
    m = nn.GRU(3, 4, num_layers=2, dropout=0.5, dtype=ember.float64)
    x = ember.tensor(rng.standard_normal((4, 2, 3)))
    m.eval()
    a, _ = m(x)
    b, _ = m(x)
    assert_close(a, b.detach().numpy(), rtol=0)
    m.train()
    ember.manual_seed(0)
    c, _ = m(x)
    assert not np.allclose(c.detach().numpy(), a.detach().numpy())
    assert "dropout=0.5" in repr(m)


def test_repr_and_attributes():
    m = nn.RNN(3, 4, 2, nonlinearity="relu", batch_first=True)
    assert repr(m) == "RNN(3, 4, num_layers=2, batch_first=True)"
    assert (m.input_size, m.hidden_size, m.num_layers, m.nonlinearity) == (3, 4, 2, "relu")
    assert repr(nn.LSTM(2, 3, bidirectional=True)) == "LSTM(2, 3, bidirectional=True)"


def test_errors():
    m = nn.LSTM(3, 4)
    with pytest.raises(ValueError, match=r"\[LSTM\].*input_size.*3.*\[5, 2, 7\]"):
        m(ember.zeros(5, 2, 7))
    with pytest.raises(ValueError, match=r"\[LSTM\].*2-D.*3-D.*\[5\]"):
        m(ember.zeros(5))
    with pytest.raises(ValueError, match=r"\[LSTM\].*h0.*\[1, 2, 4\].*\[1, 3, 4\]"):
        m(ember.zeros(5, 2, 3), (ember.zeros(1, 3, 4), ember.zeros(1, 2, 4)))
    with pytest.raises(TypeError, match=r"\[LSTM\] hx"):
        m(ember.zeros(5, 2, 3), ember.zeros(1, 2, 4))
    with pytest.raises(TypeError, match=r"\[GRU\].*float64.*float32"):
        nn.GRU(3, 4)(ember.zeros(5, 2, 3, dtype=ember.float64))
    with pytest.raises(ValueError, match=r"\[GRU\].*hx.*\[2, 2, 4\]"):
        nn.GRU(3, 4, num_layers=2)(ember.zeros(5, 2, 3), ember.zeros(1, 2, 4))
    with pytest.raises(ValueError, match=r"\[RNN\] unknown nonlinearity 'sigmoid'"):
        nn.RNN(3, 4, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match=r"\[RNN\] dropout.*1.5"):
        nn.RNN(3, 4, dropout=1.5)
    with pytest.raises(ValueError, match=r"\[GRU\] num_layers.*0"):
        nn.GRU(3, 4, num_layers=0)
    with pytest.raises(ValueError, match=r"\[RNN\].*empty sequence.*\[0, 2, 3\]"):
        nn.RNN(3, 4)(ember.zeros(0, 2, 3))


def _load_from_torch(ours, theirs):
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})


@requires_torch
@pytest.mark.parametrize("kind,layers,bidir,batch_first,bias",
                         [(k, l, b, bf, bias) for k in KINDS for l, b, bf, bias in
                          [(1, False, False, True), (2, True, True, True),
                           (2, False, True, False), (1, True, False, True)]])
def test_torch_parity(kind, layers, bidir, batch_first, bias):
    kw = dict(num_layers=layers, bidirectional=bidir, batch_first=batch_first, bias=bias)
    if kind == "lstm":
        tm = torch.nn.LSTM(3, 5, **kw).double()
    elif kind == "gru":
        tm = torch.nn.GRU(3, 5, **kw).double()
    else:
        tm = torch.nn.RNN(3, 5, nonlinearity=kind, **kw).double()
    m = _make(kind, 3, 5, dtype=ember.float64, **kw)
    assert [k for k, _ in m.named_parameters()] == [k for k, _ in tm.named_parameters()]
    _load_from_torch(m, tm)
    D = 2 if bidir else 1
    x = rng.standard_normal((2, 4, 3) if batch_first else (4, 2, 3))
    h0 = rng.standard_normal((layers * D, 2, 5))
    c0 = rng.standard_normal((layers * D, 2, 5))
    tx = torch.tensor(x, requires_grad=True)
    th = torch.tensor(h0, requires_grad=True)
    tc = torch.tensor(c0, requires_grad=True)
    ex = ember.tensor(x, requires_grad=True)
    eh = ember.tensor(h0, requires_grad=True)
    ec = ember.tensor(c0, requires_grad=True)
    if kind == "lstm":
        tout, (thn, tcn) = tm(tx, (th, tc))
        eout, (ehn, ecn) = m(ex, (eh, ec))
        assert_close(ecn, tcn.detach().numpy(), rtol=1e-10, atol=1e-12)
        tloss = tout.sum() + (thn * 2).sum() + (tcn * 3).sum()
        eloss = eout.sum() + (ehn * 2).sum() + (ecn * 3).sum()
    else:
        tout, thn = tm(tx, th)
        eout, ehn = m(ex, eh)
        tloss = tout.sum() + (thn * 2).sum()
        eloss = eout.sum() + (ehn * 2).sum()
    assert_close(eout, tout.detach().numpy(), rtol=1e-10, atol=1e-12)
    assert_close(ehn, thn.detach().numpy(), rtol=1e-10, atol=1e-12)
    tloss.backward()
    eloss.backward()
    assert_close(ex.grad, tx.grad.numpy(), rtol=1e-9, atol=1e-11)
    assert_close(eh.grad, th.grad.numpy(), rtol=1e-9, atol=1e-11)
    if kind == "lstm":
        assert_close(ec.grad, tc.grad.numpy(), rtol=1e-9, atol=1e-11)
    ours = dict(m.named_parameters())
    for name, p in tm.named_parameters():
        assert_close(ours[name].grad, p.grad.numpy(), rtol=1e-9, atol=1e-11)


@requires_torch
def test_torch_parity_float32_default_state():
    tm = torch.nn.LSTM(4, 6, batch_first=True)
    m = nn.LSTM(4, 6, batch_first=True)
    _load_from_torch(m, tm)
    x = rng.standard_normal((3, 7, 4)).astype(np.float32)
    tout, (th, tc) = tm(torch.tensor(x))
    out, (h, c) = m(ember.tensor(x))
    assert out.dtype == ember.float32
    assert_close(out, tout.detach().numpy(), rtol=1e-5, atol=1e-6)
    assert_close(c, tc.detach().numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kind", KINDS)
def test_non_contiguous_inputs_and_states(kind):
    m = _make(kind, 3, 4, num_layers=2, bidirectional=True, dtype=ember.float64)
    x = rng.standard_normal((2, 5, 3))           # [B, T, I] viewed as [T, B, I]
    h0 = rng.standard_normal((2, 4, 4))          # [B, L*D, H] viewed as [L*D, B, H]
    xv = ember.tensor(x).transpose(0, 1)
    hv = ember.tensor(h0).transpose(0, 1)
    assert not xv.is_contiguous()
    hx = (hv, hv) if kind == "lstm" else hv
    out, _ = m(xv, hx)
    xc = ember.tensor(np.ascontiguousarray(x.transpose(1, 0, 2)))
    hc = ember.tensor(np.ascontiguousarray(h0.transpose(1, 0, 2)))
    ref, _ = m(xc, (hc, hc) if kind == "lstm" else hc)
    assert_close(out, ref.detach().numpy(), rtol=1e-12)


def test_long_sequence_runs_and_backprops():
    m = nn.LSTM(16, 32, num_layers=2)
    x = ember.randn(200, 8, 16, requires_grad=True)
    out, (h, c) = m(x)
    out.sum().backward()
    assert out.shape == (200, 8, 32) and x.grad.shape == (200, 8, 16)
    assert np.isfinite(x.grad.numpy()).all()


@requires_torch
def test_gru_float32_parity_unbatched_with_state():
    tm = torch.nn.GRU(4, 5, num_layers=2, bidirectional=True)
    m = nn.GRU(4, 5, num_layers=2, bidirectional=True)
    _load_from_torch(m, tm)
    x = rng.standard_normal((6, 4)).astype(np.float32)
    h0 = rng.standard_normal((4, 5)).astype(np.float32)
    tout, th = tm(torch.tensor(x), torch.tensor(h0))
    out, h = m(ember.tensor(x), ember.tensor(h0))
    assert_close(out, tout.detach().numpy(), rtol=1e-5, atol=1e-6)
    assert_close(h, th.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_lstm_proj_size_not_supported_and_flatten_parameters():
    with pytest.raises(NotImplementedError, match=r"\[LSTM\] proj_size.*3"):
        nn.LSTM(4, 5, proj_size=3)
    m = nn.LSTM(4, 5)
    m.flatten_parameters()  # accepted for PyTorch compatibility
    assert m(ember.randn(2, 1, 4))[0].shape == (2, 1, 5)


@requires_torch
@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_double_backward_matches_torch(kind):
    tcls = torch.nn.LSTM if kind == "lstm" else torch.nn.GRU
    tm = tcls(3, 4, bidirectional=True).double()
    m = _make(kind, 3, 4, bidirectional=True, dtype=ember.float64)
    _load_from_torch(m, tm)
    x = rng.standard_normal((5, 2, 3))
    tx = torch.tensor(x, requires_grad=True)
    ex = ember.tensor(x, requires_grad=True)
    (tg,) = torch.autograd.grad((tm(tx)[0] ** 2).sum(), tx, create_graph=True)
    (eg,) = ember.autograd.grad((m(ex)[0] ** 2).sum(), ex, create_graph=True)
    assert_close(eg, tg.detach().numpy(), rtol=1e-9, atol=1e-11)
    (tg ** 2).sum().backward()
    (eg ** 2).sum().backward()
    assert_close(ex.grad, tx.grad.numpy(), rtol=1e-8, atol=1e-10)


def test_traced_function_matches_eager():
    lstm = nn.LSTM(3, 4, batch_first=True, dtype=ember.float64)
    mha = nn.MultiheadAttention(4, 2, batch_first=True, dtype=ember.float64)

    def step(x):
        out, (h, c) = lstm(x)
        return mha(out, out, out)[0].sum() + h.sum() + c.sum()

    traced = ember.function(step)
    x = ember.tensor(rng.standard_normal((2, 5, 3)))
    assert_close(traced(x), float(step(x)), rtol=1e-12)
