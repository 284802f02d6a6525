"""torch.nn.utils.rnn: padding and packing variable-length sequences, and recurrent layers
that take a PackedSequence.

A PackedSequence has PyTorch's layout (`data` holds the valid steps time-major, sequences
sorted by length; `batch_sizes[t]` counts the sequences longer than t). An RNN given one
runs each group of equal-length sequences as a dense batch, so every sequence starts and
ends at its own length in both directions: the result equals running each sequence alone."""

from collections import namedtuple

import numpy as np

from ... import _C
from ..._tensor_api import tensor

__all__ = ["PackedSequence", "pad_sequence", "pack_padded_sequence", "pad_packed_sequence",
           "pack_sequence", "unpad_sequence", "unpack_sequence"]


class PackedSequence(namedtuple("PackedSequence",
                                ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])):
    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None and sorted_indices is not None:
            unsorted_indices = _C.argsort(sorted_indices)
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs):
        return self._replace(data=self.data.to(*args, **kwargs))

    @property
    def is_cuda(self):
        return self.data.device.type == "cuda"


def _lengths_list(lengths, op):
    vals = lengths.tolist() if isinstance(lengths, _C.Tensor) else list(lengths)
    vals = [int(v) for v in vals]
    if any(v <= 0 for v in vals):
        raise RuntimeError(f"[{op}] every sequence length must be positive, got {vals}")
    return vals


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stacks tensors of shape (L_i, *) into (B, T, *) (batch_first) or (T, B, *), padding
    with padding_value."""
    if padding_side not in ("right", "left"):
        raise ValueError(f"[pad_sequence] padding_side must be 'right' or 'left', got "
                         f"{padding_side!r}")
    sequences = list(sequences)
    if not sequences:
        raise RuntimeError("[pad_sequence] received an empty list of sequences")
    T = max(s.shape[0] for s in sequences)
    rows = []
    for s in sequences:
        n = T - s.shape[0]
        if n:
            pad = _C.full((n,) + tuple(s.shape[1:]), padding_value, dtype=s.dtype,
                          device=s.device)
            s = _C.cat([s, pad] if padding_side == "right" else [pad, s], 0)
        rows.append(s)
    return _C.stack(rows, 0 if batch_first else 1)


def _packed_order(lengths, batch_first, T):
    """Indices, into the padded tensor flattened over its (batch, time) dims, of the steps
    in packed order; and batch_sizes."""
    B = len(lengths)
    order = sorted(range(B), key=lambda b: -lengths[b])
    idx, batch_sizes = [], []
    for t in range(max(lengths)):
        live = [b for b in order if lengths[b] > t]
        batch_sizes.append(len(live))
        idx.extend(b * T + t if batch_first else t * B + b for b in live)
    return order, idx, batch_sizes


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Packs a padded batch (T, B, *) or (B, T, *) whose sequence b has lengths[b] steps."""
    lens = _lengths_list(lengths, "pack_padded_sequence")
    B, T = (input.shape[0], input.shape[1]) if batch_first else (input.shape[1], input.shape[0])
    if len(lens) != B:
        raise ValueError(f"[pack_padded_sequence] got {len(lens)} lengths for a batch of {B}")
    if max(lens) > T:
        raise RuntimeError(f"[pack_padded_sequence] a length ({max(lens)}) exceeds the padded "
                           f"length {T}")
    if enforce_sorted and any(a < b for a, b in zip(lens, lens[1:])):
        raise RuntimeError("[pack_padded_sequence] `lengths` array must be sorted in decreasing "
                           "order when `enforce_sorted` is True. You can pass "
                           "`enforce_sorted=False` to pack_padded_sequence and/or "
                           "pack_sequence to sidestep this requirement if you do not need "
                           "ONNX exportability.")
    order, idx, batch_sizes = _packed_order(lens, batch_first, T)
    flat = input.reshape((B * T,) + tuple(input.shape[2:]))
    data = flat.index_select(0, tensor(idx, dtype=_C.dtype.int64, device=input.device))
    sorted_idx = None if enforce_sorted else tensor(order, dtype=_C.dtype.int64)
    return PackedSequence(data, tensor(batch_sizes, dtype=_C.dtype.int64), sorted_idx)


def _lengths_of(packed):
    bs = packed.batch_sizes.tolist()
    by_rank = [sum(1 for n in bs if n > r) for r in range(bs[0])]  # length of k-th longest
    order = (packed.sorted_indices.tolist() if packed.sorted_indices is not None
             else list(range(len(by_rank))))
    lengths = [0] * len(by_rank)
    for rank, b in enumerate(order):
        lengths[b] = by_rank[rank]
    return lengths


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """Inverse of pack_padded_sequence: (padded, lengths), in the original batch order."""
    lengths = _lengths_of(sequence)
    T = max(lengths)
    if total_length is not None:
        if total_length < T:
            raise ValueError(f"[pad_packed_sequence] expected total_length to be at least the "
                             f"longest sequence ({T}), got {total_length}")
        T = total_length
    B = len(lengths)
    _, idx, _ = _packed_order(lengths, batch_first, T)
    data = sequence.data
    feat = tuple(data.shape[1:])
    # Each padded slot reads its packed row, or the one padding row appended at the end.
    src = np.full(B * T, data.shape[0], dtype=np.int64)
    src[np.asarray(idx, dtype=np.int64)] = np.arange(len(idx))
    pad = _C.full((1,) + feat, padding_value, dtype=data.dtype, device=data.device)
    flat = _C.cat([data, pad], 0).index_select(0, _C.from_numpy(src).to(data.device))
    shape = (B, T) if batch_first else (T, B)
    return flat.reshape(shape + feat), tensor(lengths, dtype=_C.dtype.int64)


def pack_sequence(sequences, enforce_sorted=True):
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    x = padded_sequences if batch_first else padded_sequences.transpose(0, 1)
    return [x[b, :n] for b, n in enumerate(_lengths_list(lengths, "unpad_sequence"))]


def unpack_sequence(packed_sequences):
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)


def rnn_forward_packed(module, dense_forward, packed, hx):
    """Runs `module` (an RNN, LSTM or GRU) over a PackedSequence: one dense call per group
    of equal lengths, results put back in batch order. Returns (PackedSequence, h_n) where
    h_n is a tensor or an (h, c) tuple, as the dense forward returns."""
    padded, lengths = pad_packed_sequence(packed, batch_first=True)
    lengths = lengths.tolist()
    B, T = padded.shape[0], padded.shape[1]
    outs, states, order = [], [], []
    for L in sorted(set(lengths), reverse=True):
        members = [b for b in range(B) if lengths[b] == L]
        sel = tensor(members, dtype=_C.dtype.int64, device=padded.device)
        x = padded.index_select(0, sel)[:, :L]
        if not module.batch_first:
            x = x.transpose(0, 1)
        h0 = None if hx is None else _map_state(hx, lambda h: h.index_select(1, sel))
        out, state = dense_forward(module, x, h0)
        if not module.batch_first:
            out = out.transpose(0, 1)
        if L < T:
            out = _C.cat([out, _C.zeros((out.shape[0], T - L) + tuple(out.shape[2:]),
                                        dtype=out.dtype, device=out.device)], 1)
        outs.append(out)
        states.append(state)
        order.extend(members)
    back = _C.argsort(tensor(order, dtype=_C.dtype.int64)).to(padded.device)
    out = _C.cat(outs, 0).index_select(0, back)
    if isinstance(states[0], tuple):
        state = tuple(_C.cat([s[k] for s in states], 1).index_select(1, back)
                      for k in range(len(states[0])))
    else:
        state = _C.cat(states, 1).index_select(1, back)
    enforce = packed.sorted_indices is None
    return pack_padded_sequence(out, lengths, batch_first=True, enforce_sorted=enforce), state


def _map_state(hx, fn):
    return tuple(fn(h) for h in hx) if isinstance(hx, tuple) else fn(hx)
