"""Reshaping layers: Permute, RepeatVector, UpSampling2D, ZeroPadding2D, Cropping2D
(channels_last images ``(N, H, W, C)`` unless ``data_format='channels_first'``)."""

import numpy as np

from ... import _C
from .base import Layer, _tuple, format_shape
from .conv import normalize_data_format

__all__ = ["Permute", "RepeatVector", "UpSampling2D", "ZeroPadding2D", "Cropping2D",
           "resize_matrix", "resize_images"]


class Permute(Layer):
    """Permutes the non-batch axes: ``dims`` numbers them from 1, as Keras does."""

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        self.dims = tuple(int(d) for d in dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError(f"[Permute] dims must be a permutation of 1..{len(self.dims)}, "
                             f"got {self.dims}")

    def build(self, input_shape):
        if len(input_shape) != len(self.dims) + 1:
            raise ValueError(f"[Permute] layer '{self.name}' with dims {self.dims} expects "
                             f"inputs of rank {len(self.dims) + 1}, got input shape "
                             f"{format_shape(input_shape)}")

    def call(self, x):
        return x.permute(0, *self.dims)

    def get_config(self):
        return {**super().get_config(), "dims": list(self.dims)}


class RepeatVector(Layer):
    """(N, features) -> (N, n, features)."""

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        self.n = int(n)

    def build(self, input_shape):
        if len(input_shape) != 2:
            raise ValueError(f"[RepeatVector] layer '{self.name}' expects inputs of rank 2 "
                             f"(batch, features), got input shape {format_shape(input_shape)}")

    def call(self, x):
        return x.unsqueeze(1).expand(x.shape[0], self.n, x.shape[1])

    def get_config(self):
        return {**super().get_config(), "n": self.n}


class _Image2D(Layer):
    """Common checks of the 2-D image layers: rank-4 inputs, the data format."""

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = normalize_data_format(type(self).__name__, data_format)

    def build(self, input_shape):
        if isinstance(input_shape, list) or len(input_shape) != 4:
            raise ValueError(f"[{type(self).__name__}] layer '{self.name}' expects inputs of "
                             f"rank 4 (batch, rows, cols, channels), got input shape "
                             f"{format_shape(input_shape)}")

    def _hw_axes(self):
        return (1, 2) if self.data_format == "channels_last" else (2, 3)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}


def resize_matrix(size_in, size_out, interpolation):
    """The [out, in] matrix of TensorFlow's resize along one axis (half-pixel centers,
    no antialiasing): 'nearest' picks ``floor((i + 0.5) * in / out)``, 'bilinear'
    interpolates at ``(i + 0.5) * in / out - 0.5`` clamped to the edges."""
    scale = size_in / size_out
    m = np.zeros((size_out, size_in), np.float64)
    for i in range(size_out):
        if interpolation == "nearest":
            m[i, min(int(np.floor((i + 0.5) * scale)), size_in - 1)] = 1.0
            continue
        src = max((i + 0.5) * scale - 0.5, 0.0)
        lo = min(int(np.floor(src)), size_in - 1)
        hi = min(lo + 1, size_in - 1)
        frac = src - lo
        m[i, lo] += 1.0 - frac
        m[i, hi] += frac
    return m


def resize_images(x, hw_axes, size, interpolation):
    """Resizes axes hw_axes of x to `size` with separable resize matrices (two matmuls)."""
    h_ax, w_ax = hw_axes
    for axis, out in ((h_ax, size[0]), (w_ax, size[1])):
        n = x.shape[axis]
        if n == out and interpolation != "nearest":
            continue
        m = _C.from_numpy(resize_matrix(n, out, interpolation).astype(np.float32)).to(x.dtype)
        moved = x.movedim(axis, -1)                 # (..., in)
        x = _C.matmul(moved, m.t()).movedim(-1, axis)
    return x


class UpSampling2D(_Image2D):
    """Repeats rows and columns `size` times ('nearest') or interpolates ('bilinear')."""

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(data_format, **kwargs)
        self.size = _tuple("UpSampling2D", "size", size, 2)
        if interpolation not in ("nearest", "bilinear"):
            raise ValueError(f"[UpSampling2D] interpolation must be 'nearest' or 'bilinear', "
                             f"got {interpolation!r}")
        self.interpolation = interpolation

    def call(self, x):
        h_ax, w_ax = self._hw_axes()
        if self.interpolation == "bilinear":
            return resize_images(x, (h_ax, w_ax), (x.shape[h_ax] * self.size[0],
                                                   x.shape[w_ax] * self.size[1]), "bilinear")
        for axis, s in ((h_ax, self.size[0]), (w_ax, self.size[1])):
            if s == 1:
                continue
            shape = list(x.shape)
            y = x.unsqueeze(axis + 1)
            expanded = shape[:axis + 1] + [s] + shape[axis + 1:]
            shape[axis] *= s
            x = y.expand(*expanded).reshape(*shape)
        return x

    def get_config(self):
        return {**super().get_config(), "size": list(self.size),
                "interpolation": self.interpolation}


def _pairs(layer, value):
    """Keras's padding / cropping argument: int, (rows, cols) or ((top, bottom), (l, r))."""
    if isinstance(value, int):
        return ((value, value), (value, value))
    value = tuple(value)
    if len(value) == 2 and all(isinstance(v, int) for v in value):
        return ((value[0], value[0]), (value[1], value[1]))
    if len(value) == 2 and all(len(tuple(v)) == 2 for v in value):
        out = tuple(tuple(int(a) for a in v) for v in value)
        if min(min(p) for p in out) < 0:
            raise ValueError(f"[{layer}] amounts must be >= 0, got {value}")
        return out
    raise ValueError(f"[{layer}] expects an int, (rows, cols) or ((top, bottom), "
                     f"(left, right)), got {value!r}")


class ZeroPadding2D(_Image2D):
    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(data_format, **kwargs)
        self.padding = _pairs("ZeroPadding2D", padding)

    def call(self, x):
        (t, b), (l, r) = self.padding
        flat = [0, 0, l, r, t, b] if self.data_format == "channels_last" else [l, r, t, b]
        return _C.pad(x, flat, "constant", 0.0)

    def get_config(self):
        return {**super().get_config(), "padding": [list(p) for p in self.padding]}


class Cropping2D(_Image2D):
    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(data_format, **kwargs)
        self.cropping = _pairs("Cropping2D", cropping)

    def build(self, input_shape):
        super().build(input_shape)
        for axis, (before, after) in zip(self._hw_axes(), self.cropping):
            if input_shape[axis] is not None and before + after >= input_shape[axis]:
                raise ValueError(f"[Cropping2D] layer '{self.name}': cropping "
                                 f"{self.cropping} leaves nothing of input shape "
                                 f"{format_shape(input_shape)}")

    def call(self, x):
        for axis, (before, after) in zip(self._hw_axes(), self.cropping):
            x = x.narrow(axis, before, x.shape[axis] - before - after)
        return x

    def get_config(self):
        return {**super().get_config(), "cropping": [list(p) for p in self.cropping]}
