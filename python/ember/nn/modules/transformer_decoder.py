"""TransformerDecoderLayer, TransformerDecoder and Transformer as in torch.nn, composed from
MultiheadAttention, Linear, LayerNorm and Dropout with PyTorch's attribute names (self_attn,
multihead_attn, linear1, linear2, norm1..3), so PyTorch state dicts load."""

import copy

from ... import _C
from .container import ModuleList
from .module import Module
from .transformer import TransformerEncoder

__all__ = ["TransformerDecoderLayer", "TransformerDecoder", "Transformer"]

_ACTIVATIONS = {"relu": _C.relu, "gelu": _C.gelu}


class TransformerDecoderLayer(Module):
    def __init__(self, d_model, nhead, dim_feedforward=2048, dropout=0.1, activation="relu",
                 layer_norm_eps=1e-5, batch_first=False, norm_first=False, bias=True,
                 device=None, dtype=None):
        super().__init__()
        nn = _nn()
        kw = dict(device=device, dtype=dtype)
        self.self_attn = nn.MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias,
                                               batch_first=batch_first, **kw)
        self.multihead_attn = nn.MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias,
                                                    batch_first=batch_first, **kw)
        self.linear1 = nn.Linear(d_model, dim_feedforward, bias=bias)
        self.dropout = nn.Dropout(dropout)
        self.linear2 = nn.Linear(dim_feedforward, d_model, bias=bias)
        self.norm_first = norm_first
        self.norm1 = nn.LayerNorm(d_model, eps=layer_norm_eps)
        self.norm2 = nn.LayerNorm(d_model, eps=layer_norm_eps)
        self.norm3 = nn.LayerNorm(d_model, eps=layer_norm_eps)
        self.dropout1, self.dropout2 = nn.Dropout(dropout), nn.Dropout(dropout)
        self.dropout3 = nn.Dropout(dropout)
        if isinstance(activation, str):
            if activation not in _ACTIVATIONS:
                raise RuntimeError(f"[TransformerDecoderLayer] activation should be relu/gelu, "
                                   f"not {activation}")
            self._activation_fn = _ACTIVATIONS[activation]
        else:
            self._activation_fn = activation
        if dtype is not None:
            self.to(dtype)

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=False, memory_is_causal=False):
        x = tgt
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), tgt_mask, tgt_key_padding_mask, tgt_is_causal)
            x = x + self._mha_block(self.norm2(x), memory, memory_mask,
                                    memory_key_padding_mask, memory_is_causal)
            return x + self._ff_block(self.norm3(x))
        x = self.norm1(x + self._sa_block(x, tgt_mask, tgt_key_padding_mask, tgt_is_causal))
        x = self.norm2(x + self._mha_block(x, memory, memory_mask, memory_key_padding_mask,
                                           memory_is_causal))
        return self.norm3(x + self._ff_block(x))

    def _sa_block(self, x, mask, kpm, is_causal):
        out = self.self_attn(x, x, x, attn_mask=mask, key_padding_mask=kpm, need_weights=False,
                             is_causal=bool(is_causal) and mask is None)[0]
        return self.dropout1(out)

    def _mha_block(self, x, mem, mask, kpm, is_causal):
        out = self.multihead_attn(x, mem, mem, attn_mask=mask, key_padding_mask=kpm,
                                  need_weights=False,
                                  is_causal=bool(is_causal) and mask is None)[0]
        return self.dropout2(out)

    def _ff_block(self, x):
        return self.dropout3(self.linear2(self.dropout(self._activation_fn(self.linear1(x)))))


class TransformerDecoder(Module):
    def __init__(self, decoder_layer, num_layers, norm=None):
        super().__init__()
        if num_layers < 1:
            raise ValueError(f"[TransformerDecoder] num_layers must be >= 1, got {num_layers}")
        self.layers = ModuleList([_copy(decoder_layer) for _ in range(num_layers)])
        self.num_layers = num_layers
        if norm is not None:
            self.norm = norm
        self._has_norm = norm is not None

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=None, memory_is_causal=False):
        out = tgt
        for layer in self.layers:
            out = layer(out, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                        tgt_key_padding_mask=tgt_key_padding_mask,
                        memory_key_padding_mask=memory_key_padding_mask,
                        tgt_is_causal=bool(tgt_is_causal), memory_is_causal=memory_is_causal)
        return self.norm(out) if self._has_norm else out


class Transformer(Module):
    """Encoder-decoder Transformer (torch.nn.Transformer)."""

    def __init__(self, d_model=512, nhead=8, num_encoder_layers=6, num_decoder_layers=6,
                 dim_feedforward=2048, dropout=0.1, activation="relu", custom_encoder=None,
                 custom_decoder=None, layer_norm_eps=1e-5, batch_first=False, norm_first=False,
                 bias=True, device=None, dtype=None):
        super().__init__()
        nn = _nn()
        if custom_encoder is not None:
            self.encoder = custom_encoder
        else:
            layer = nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward, dropout,
                                               activation, layer_norm_eps, batch_first,
                                               norm_first, bias)
            self.encoder = TransformerEncoder(layer, num_encoder_layers,
                                              nn.LayerNorm(d_model, eps=layer_norm_eps))
        if custom_decoder is not None:
            self.decoder = custom_decoder
        else:
            layer = TransformerDecoderLayer(d_model, nhead, dim_feedforward, dropout,
                                            activation, layer_norm_eps, batch_first, norm_first,
                                            bias)
            self.decoder = TransformerDecoder(layer, num_decoder_layers,
                                              nn.LayerNorm(d_model, eps=layer_norm_eps))
        self.d_model, self.nhead, self.batch_first = d_model, nhead, batch_first
        if dtype is not None:
            self.to(dtype)

    def forward(self, src, tgt, src_mask=None, tgt_mask=None, memory_mask=None,
                src_key_padding_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, src_is_causal=None, tgt_is_causal=None,
                memory_is_causal=False):
        b_src = src.shape[0 if self.batch_first else 1]
        b_tgt = tgt.shape[0 if self.batch_first else 1]
        if src.ndim == 3 and b_src != b_tgt:
            raise RuntimeError(f"[Transformer] the batch number of src and tgt must be equal, "
                               f"got {b_src} and {b_tgt}")
        if src.shape[-1] != self.d_model or tgt.shape[-1] != self.d_model:
            raise RuntimeError(f"[Transformer] the feature number of src and tgt must be equal "
                               f"to d_model={self.d_model}, got {src.shape[-1]} and "
                               f"{tgt.shape[-1]}")
        memory = self.encoder(src, mask=src_mask, src_key_padding_mask=src_key_padding_mask,
                              is_causal=src_is_causal)
        return self.decoder(tgt, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                            tgt_key_padding_mask=tgt_key_padding_mask,
                            memory_key_padding_mask=memory_key_padding_mask,
                            tgt_is_causal=tgt_is_causal, memory_is_causal=memory_is_causal)

    @staticmethod
    def generate_square_subsequent_mask(sz, device=None, dtype=None):
        """A float mask with -inf above the diagonal (0 elsewhere)."""
        upper = _C.ones((sz, sz), dtype=_C.dtype.bool).triu(1)
        zeros = _C.zeros((sz, sz), dtype=dtype or _C.get_default_dtype())
        return zeros.masked_fill(upper, float("-inf"))


def _copy(layer):
    if isinstance(layer, TransformerDecoderLayer):
        new = TransformerDecoderLayer.__new__(TransformerDecoderLayer)
        # Rebuild from the configuration, then copy the weights (C++ sublayers do not pickle).
        attn = layer.self_attn
        TransformerDecoderLayer.__init__(
            new, attn.embed_dim, attn.num_heads, layer.linear1.weight.shape[0], attn.dropout,
            layer._activation_fn, layer.norm1.eps, attn.batch_first, layer.norm_first,
            layer.linear1.bias is not None)
        p = next(iter(layer.parameters()))
        new.to(p.dtype)
        new.load_state_dict(layer.state_dict())
        new.train(layer.training)
        return new
    try:
        return copy.deepcopy(layer)
    except Exception as e:  # noqa: BLE001
        raise TypeError(f"[TransformerDecoder] cannot copy decoder_layer of type "
                        f"{type(layer).__name__}: {e}") from None


def _nn():
    from ... import nn
    return nn
