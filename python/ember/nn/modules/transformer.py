"""TransformerEncoder: num_layers copies of an encoder layer, then an optional norm (as in
torch.nn; layers are named layers.0, layers.1, ... so PyTorch state dicts line up)."""

import copy

from ... import _C
from .container import ModuleList
from .module import Module

__all__ = ["TransformerEncoder"]


def _clone_layer(layer):
    """A fresh copy with the same weights. C++ layers do not pickle, so an ember
    TransformerEncoderLayer is rebuilt from its configuration."""
    if isinstance(layer, _C.nn.TransformerEncoderLayer):
        attn = layer.self_attn
        new = _C.nn.TransformerEncoderLayer(
            attn.embed_dim, attn.num_heads, layer.linear1.weight.shape[0], attn.dropout,
            layer.activation, layer.norm1.eps, attn.batch_first, layer.norm_first,
            layer.linear1.bias is not None)
        p = next(iter(layer.parameters()))
        new.to(p.device).to(p.dtype)
        new.load_state_dict(layer.state_dict())
        new.train(layer.training)
        return new
    try:
        return copy.deepcopy(layer)
    except Exception as e:  # noqa: BLE001  (report which layer type cannot be copied)
        raise TypeError(f"[TransformerEncoder] cannot copy encoder_layer of type "
                        f"{type(layer).__name__}: {e}") from None


class TransformerEncoder(Module):
    def __init__(self, encoder_layer, num_layers, norm=None, enable_nested_tensor=True,
                 mask_check=True):
        super().__init__()
        if num_layers < 1:
            raise ValueError(f"[TransformerEncoder] num_layers must be >= 1, got {num_layers}")
        self.layers = ModuleList([_clone_layer(encoder_layer) for _ in range(num_layers)])
        self.num_layers = num_layers
        if norm is not None:
            self.norm = norm
        self._has_norm = norm is not None

    def forward(self, src, mask=None, src_key_padding_mask=None, is_causal=None):
        out = src
        for layer in self.layers:
            out = layer(out, src_mask=mask, src_key_padding_mask=src_key_padding_mask,
                        is_causal=bool(is_causal))
        if self._has_norm:
            out = self.norm(out)
        return out
