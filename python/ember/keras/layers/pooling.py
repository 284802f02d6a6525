"""Pooling layers: MaxPooling1D/2D, AveragePooling1D/2D (channels_last by default,
'valid' or TensorFlow's 'same' padding; 'same' averages count only the real inputs, as in
Keras) and the global poolings."""

from ... import _C
from ...nn import functional as _F
from .base import Layer, _as_tensor, _tuple, format_shape
from .conv import normalize_data_format, pad_spatial, same_padding

__all__ = ["MaxPooling1D", "MaxPooling2D", "AveragePooling1D", "AveragePooling2D",
           "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalMaxPooling1D",
           "GlobalMaxPooling2D"]


class _Pooling(Layer):
    rank = 2
    mode = "max"

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(**kwargs)
        cls = type(self).__name__
        self.pool_size = _tuple(cls, "pool_size", pool_size, self.rank)
        self.strides = self.pool_size if strides is None else _tuple(cls, "strides", strides,
                                                                     self.rank)
        self.padding = str(padding).lower()
        if self.padding not in ("valid", "same"):
            raise ValueError(f"[{cls}] padding must be 'valid' or 'same', got {padding!r}")
        self.data_format = normalize_data_format(cls, data_format)

    def build(self, input_shape):
        if isinstance(input_shape, list) or len(input_shape) != self.rank + 2:
            raise ValueError(f"[{type(self).__name__}] layer '{self.name}' expects inputs of "
                             f"rank {self.rank + 2}, got input shape "
                             f"{format_shape(input_shape)}")
        spatial = input_shape[1:-1] if self.data_format == "channels_last" else input_shape[2:]
        if self.padding == "valid" and any(s < k for s, k in zip(spatial, self.pool_size)):
            raise ValueError(f"[{type(self).__name__}] layer '{self.name}': input of shape "
                             f"{format_shape(input_shape)} is smaller than pool_size "
                             f"{self.pool_size} with padding='valid'")

    def call(self, x):
        if self.data_format == "channels_last":
            x = x.movedim(-1, 1)
        if self.rank == 1:
            x = x.unsqueeze(2)   # (N, C, 1, L): pool as 2-D with a unit height
        kernel = (1,) * (2 - self.rank) + self.pool_size
        strides = (1,) * (2 - self.rank) + self.strides
        spatial = tuple(x.shape[2:])
        pads = [(0, 0)] * 2
        if self.padding == "same":
            pads = [same_padding(s, k, st, 1) for s, k, st in zip(spatial, kernel, strides)]
        if self.mode == "max":
            x = pad_spatial(x, pads, float("-inf"))
            y = _F.max_pool2d(x, list(kernel), list(strides))
        else:
            y = _F.avg_pool2d(pad_spatial(x, pads), list(kernel), list(strides))
            if any(p != (0, 0) for p in pads):
                # The fraction of each window that covers real inputs, from a ones image.
                ones = pad_spatial(_C.ones((1, 1) + spatial, dtype=x.dtype), pads)
                y = y / _F.avg_pool2d(ones, list(kernel), list(strides))
        if self.rank == 1:
            y = y.squeeze(2)
        if self.data_format == "channels_last":
            y = y.movedim(1, -1)
        return y

    def get_config(self):
        return {**super().get_config(), "pool_size": list(self.pool_size),
                "strides": list(self.strides), "padding": self.padding,
                "data_format": self.data_format}


class MaxPooling2D(_Pooling):
    rank, mode = 2, "max"


class AveragePooling2D(_Pooling):
    rank, mode = 2, "avg"


class MaxPooling1D(_Pooling):
    rank, mode = 1, "max"


class AveragePooling1D(_Pooling):
    rank, mode = 1, "avg"


class _GlobalPooling(Layer):
    rank = 2
    mode = "avg"

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = normalize_data_format(type(self).__name__, data_format)
        self.keepdims = bool(keepdims)

    def build(self, input_shape):
        if isinstance(input_shape, list) or len(input_shape) != self.rank + 2:
            raise ValueError(f"[{type(self).__name__}] layer '{self.name}' expects inputs of "
                             f"rank {self.rank + 2}, got input shape "
                             f"{format_shape(input_shape)}")

    def call(self, x, mask=None):
        axes = list(range(1, self.rank + 1)) if self.data_format == "channels_last" \
            else list(range(2, self.rank + 2))
        if mask is not None and self.rank == 1:
            return self._masked(x, _as_tensor(mask).to(x.dtype), axes[0])
        if self.mode == "avg":
            return x.mean(axes, keepdim=self.keepdims)
        return _C.amax(x, axes, self.keepdims)

    def _masked(self, x, keep, axis):
        """Pools the unmasked timesteps only (keep: (batch, steps) of 0/1)."""
        keep = keep.unsqueeze(-1 if axis == 1 else 1)
        if self.mode == "avg":
            total = (x * keep).sum([axis], keepdim=self.keepdims)
            count = _C.clamp(keep.sum([axis], keepdim=self.keepdims), min=1.0)
            return total / count
        return _C.amax(x + (keep - 1.0) * 1e30, [axis], self.keepdims)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format,
                "keepdims": self.keepdims}


class GlobalAveragePooling2D(_GlobalPooling):
    rank, mode = 2, "avg"


class GlobalMaxPooling2D(_GlobalPooling):
    rank, mode = 2, "max"


class GlobalAveragePooling1D(_GlobalPooling):
    rank, mode = 1, "avg"


class GlobalMaxPooling1D(_GlobalPooling):
    rank, mode = 1, "max"
