"""Masking: marks the timesteps of (batch, timesteps, features) inputs whose features all
equal `mask_value` as padding (zeroing them), so the layers after it (RNNs,
GlobalAveragePooling1D) skip them. Models carry the mask from layer to layer
(``Layer.compute_mask``, ``call_with_mask``)."""

import inspect

from .base import Layer, _as_tensor

__all__ = ["Masking", "call_with_mask"]


class Masking(Layer):
    supports_masking = True

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = float(mask_value)

    def compute_mask(self, inputs, mask=None):
        return (_as_tensor(inputs) != self.mask_value).any(-1)

    def call(self, x):
        keep = (x != self.mask_value).any(-1, keepdim=True)
        return x * keep.to(x.dtype)

    def get_config(self):
        return {**super().get_config(), "mask_value": self.mask_value}


_TAKES_MASK = {}


def _takes_mask(layer):
    """Whether the layer's call has a `mask` parameter (cached per class)."""
    cls = type(layer)
    if cls not in _TAKES_MASK:
        try:
            _TAKES_MASK[cls] = "mask" in inspect.signature(cls.call).parameters
        except (TypeError, ValueError, AttributeError):
            _TAKES_MASK[cls] = False
    return _TAKES_MASK[cls]


def call_with_mask(layer, x, mask, *args, **kwargs):
    """Calls `layer` on x, giving it `mask` when it has one and the layer takes it; returns
    (output, the output's mask)."""
    if mask is not None and "mask" not in kwargs and _takes_mask(layer):
        kwargs["mask"] = mask
    out = layer(x, *args, **kwargs)
    if not isinstance(layer, Layer):
        return out, None
    has_mask = mask is not None and (not isinstance(mask, list) or
                                     any(m is not None for m in mask))
    if not has_mask and type(layer).compute_mask is Layer.compute_mask:
        return out, None
    return out, layer.compute_mask(x, mask if has_mask else None)
