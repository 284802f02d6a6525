"""Sequence-model scripts under `import ember as torch`: padding and packing
(nn.utils.rnn), LSTM/GRU over a PackedSequence, a Transformer encoder with causal and
padding masks, CrossEntropyLoss(ignore_index, label_smoothing), compared with PyTorch."""

import numpy as np
import pytest

import ember as torch
import ember.nn as nn
from ember.nn.utils.rnn import (PackedSequence, pack_padded_sequence, pack_sequence,
                                pad_packed_sequence, pad_sequence, unpack_sequence)
from helpers import requires_torch
from helpers import torch as real_torch

V, D, H, PAD = 20, 16, 12, 0


def _seqs(lib, lengths=(7, 5, 3, 6), seed=0):
    rng = np.random.default_rng(seed)
    return [lib.tensor(rng.integers(1, V, n)) for n in lengths]


def test_pad_pack_roundtrip():
    seqs = _seqs(torch)
    batch = pad_sequence(seqs, batch_first=True, padding_value=PAD)
    assert batch.shape == (4, 7) and batch[2, 3:].tolist() == [0] * 4
    assert pad_sequence(seqs).shape == (7, 4)
    lengths = torch.tensor([len(s) for s in seqs])
    packed = pack_padded_sequence(batch, lengths, batch_first=True, enforce_sorted=False)
    assert isinstance(packed, PackedSequence)
    assert packed.batch_sizes.tolist() == [4, 4, 4, 3, 3, 2, 1]
    assert packed.sorted_indices.tolist() == [0, 3, 1, 2]
    padded, lens = pad_packed_sequence(packed, batch_first=True, total_length=9)
    assert padded.shape == (4, 9) and lens.tolist() == [7, 5, 3, 6]
    assert torch.equal(padded[:, :7], batch)
    assert [s.tolist() for s in unpack_sequence(pack_sequence(seqs, enforce_sorted=False))] == \
        [s.tolist() for s in seqs]
    with pytest.raises(RuntimeError, match="must be sorted in decreasing order"):
        pack_padded_sequence(batch, lengths, batch_first=True)
    with pytest.raises(ValueError, match="total_length to be at least"):
        pad_packed_sequence(packed, total_length=3)


@requires_torch
def test_pack_layout_matches_pytorch():
    x = np.arange(4 * 7 * 2, dtype=np.float32).reshape(4, 7, 2)
    lengths = [7, 5, 3, 6]
    e = pack_padded_sequence(torch.tensor(x), lengths, batch_first=True, enforce_sorted=False)
    t = real_torch.nn.utils.rnn.pack_padded_sequence(real_torch.tensor(x), lengths,
                                                     batch_first=True, enforce_sorted=False)
    np.testing.assert_array_equal(e.data.numpy(), t.data.numpy())
    assert e.batch_sizes.tolist() == t.batch_sizes.tolist()
    assert e.unsorted_indices.tolist() == t.unsorted_indices.tolist()


def _copy_weights(src, dst):
    dst.load_state_dict({k: real_torch.tensor(v.detach().numpy())
                         for k, v in src.state_dict().items()})


@requires_torch
@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN"])
@pytest.mark.parametrize("batch_first", [True, False])
def test_packed_rnn_matches_pytorch(kind, batch_first):
    torch.manual_seed(0)
    kw = dict(num_layers=2, bidirectional=True, batch_first=batch_first)
    em = getattr(nn, kind)(D, H, **kw)
    th = getattr(real_torch.nn, kind)(D, H, **kw)
    _copy_weights(em, th)
    lengths = [7, 5, 3, 6]
    xn = np.random.default_rng(1).standard_normal((4, 7, D)).astype(np.float32)
    if not batch_first:
        xn = xn.transpose(1, 0, 2).copy()
    xe = torch.tensor(xn, requires_grad=True)
    xt = real_torch.tensor(xn, requires_grad=True)
    outs = []
    for lib, mod, x in ((torch, em, xe), (real_torch, th, xt)):
        rnn = lib.nn.utils.rnn
        packed = rnn.pack_padded_sequence(x, lengths, batch_first=batch_first,
                                          enforce_sorted=False)
        o, h = mod(packed)
        o, lens = rnn.pad_packed_sequence(o, batch_first=batch_first)
        h = h[0] if kind == "LSTM" else h
        (o.sum() + (h * h).sum()).backward()
        outs.append((o.detach().numpy(), h.detach().numpy(), x.grad.numpy(), lens.tolist()))
    (oe, he, ge, le), (ot, ht, gt, lt) = outs
    assert le == lt
    np.testing.assert_allclose(oe, ot, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(he, ht, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(ge, gt, rtol=1e-4, atol=1e-5)


@requires_torch
def test_cross_entropy_ignore_index_and_label_smoothing_match_pytorch():
    rng = np.random.default_rng(2)
    logits = rng.standard_normal((10, V)).astype(np.float32)
    target = rng.integers(0, V, 10)
    target[[1, 4]] = PAD
    res = []
    for lib in (torch, real_torch):
        lg = lib.tensor(logits, requires_grad=True)
        loss = lib.nn.CrossEntropyLoss(ignore_index=PAD, label_smoothing=0.1)(
            lg, lib.tensor(target))
        loss.backward()
        res.append((loss.item(), lg.grad.numpy()))
    assert res[0][0] == pytest.approx(res[1][0], rel=1e-5)
    np.testing.assert_allclose(res[0][1], res[1][1], rtol=1e-4, atol=1e-6)


class LSTMTagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(V, D, padding_idx=PAD)
        self.lstm = nn.LSTM(D, H, num_layers=2, batch_first=True, bidirectional=True,
                            dropout=0.1)
        self.out = nn.Linear(2 * H, V)

    def forward(self, x, lengths):
        packed = pack_padded_sequence(self.emb(x), lengths, batch_first=True,
                                      enforce_sorted=False)
        o, (h, c) = self.lstm(packed)
        o, _ = pad_packed_sequence(o, batch_first=True, total_length=x.size(1))
        return self.out(o)


class TinyTransformer(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(V, D)
        self.pos = nn.Parameter(torch.zeros(1, 16, D))
        layer = nn.TransformerEncoderLayer(d_model=D, nhead=4, dim_feedforward=32, dropout=0.0,
                                           batch_first=True)
        self.enc = nn.TransformerEncoder(layer, num_layers=2)
        self.out = nn.Linear(D, V)

    def forward(self, x, lengths=None):
        T = x.size(1)
        causal = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)
        h = self.emb(x) + self.pos[:, :T]
        return self.out(self.enc(h, mask=causal, src_key_padding_mask=x == PAD))


@pytest.mark.parametrize("Model", [LSTMTagger, TinyTransformer])
def test_next_token_models_train(Model):
    torch.manual_seed(0)
    seqs = _seqs(torch)
    batch = pad_sequence(seqs, batch_first=True, padding_value=PAD)
    lengths = torch.tensor([len(s) for s in seqs]) - 1
    inp, tgt = batch[:, :-1], batch[:, 1:]
    model = Model()
    crit = nn.CrossEntropyLoss(ignore_index=PAD, label_smoothing=0.1)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    losses = []
    for _ in range(60):
        logits = model(inp, lengths)
        loss = crit(logits.reshape(-1, V), tgt.reshape(-1))
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.6 * losses[0]  # label smoothing keeps the loss off 0
    model.eval()
    with torch.no_grad():
        pred = model(inp, lengths).argmax(-1)
    mask = tgt != PAD
    acc = (pred[mask] == tgt[mask]).float().mean().item()
    assert acc > 0.8


@requires_torch
@pytest.mark.filterwarnings("ignore:enable_nested_tensor is True")
@pytest.mark.parametrize("batch_first", [True, False])
@pytest.mark.parametrize("norm_first", [False, True])
def test_encoder_decoder_transformer_matches_pytorch(batch_first, norm_first):
    torch.manual_seed(0)
    kw = dict(d_model=16, nhead=4, num_encoder_layers=2, num_decoder_layers=2,
              dim_feedforward=32, dropout=0.0, batch_first=batch_first, norm_first=norm_first)
    em, th = nn.Transformer(**kw), real_torch.nn.Transformer(**kw)
    assert sorted(em.state_dict()) == sorted(th.state_dict())
    _copy_weights(em, th)
    rng = np.random.default_rng(0)
    src = rng.standard_normal((2, 5, 16) if batch_first else (5, 2, 16)).astype(np.float32)
    tgt = rng.standard_normal((2, 4, 16) if batch_first else (4, 2, 16)).astype(np.float32)
    pad = np.zeros((2, 5), bool)
    pad[1, 3:] = True
    outs = []
    for lib, model in ((torch, em), (real_torch, th)):
        s, t = lib.tensor(src, requires_grad=True), lib.tensor(tgt, requires_grad=True)
        out = model(s, t, tgt_mask=model.generate_square_subsequent_mask(4),
                    src_key_padding_mask=lib.tensor(pad), memory_key_padding_mask=lib.tensor(pad))
        (out * out).sum().backward()
        outs.append([out.detach().numpy(), s.grad.numpy(), t.grad.numpy()])
    for e, t in zip(*outs):
        np.testing.assert_allclose(e, t, rtol=1e-4, atol=1e-5)


def test_seq2seq_copy_task_trains():
    """A script-style encoder-decoder: learn to copy a sequence (teacher forcing)."""
    torch.manual_seed(0)
    BOS = 1

    class Seq2Seq(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(V, D)
            self.tf = nn.Transformer(d_model=D, nhead=4, num_encoder_layers=1,
                                     num_decoder_layers=1, dim_feedforward=32, dropout=0.0,
                                     batch_first=True)
            self.out = nn.Linear(D, V)

        def forward(self, src, tgt_in):
            mask = nn.Transformer.generate_square_subsequent_mask(tgt_in.size(1))
            return self.out(self.tf(self.emb(src), self.emb(tgt_in), tgt_mask=mask))

    src = torch.randint(2, V, (32, 6))
    tgt_in = torch.cat([torch.full((32, 1), BOS, dtype=torch.int64), src[:, :-1]], dim=1)
    model = Seq2Seq()
    opt = torch.optim.Adam(model.parameters(), lr=5e-3)
    crit = nn.CrossEntropyLoss()
    losses = []
    for _ in range(80):
        loss = crit(model(src, tgt_in).reshape(-1, V), src.reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.3 * losses[0]
