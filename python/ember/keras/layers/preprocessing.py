"""Preprocessing layers: Rescaling, Normalization (with ``adapt``), Resizing, CenterCrop.
The random augmentation layers are in image_augmentation.py, the noise layers in
noise.py."""

import numpy as np

from ... import _C
from ..._grad_mode import no_grad
from .base import Layer, format_shape
from .reshaping import _Image2D, resize_images

__all__ = ["Rescaling", "Normalization", "Resizing", "CenterCrop"]


class Rescaling(Layer):
    """``x * scale + offset`` (e.g. ``Rescaling(1/255)``)."""

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale, self.offset = float(scale), float(offset)

    def call(self, x):
        if not x.is_floating_point():
            x = x.to(self._dtype)
        return x * self.scale + self.offset

    def get_config(self):
        return {**super().get_config(), "scale": self.scale, "offset": self.offset}


class Normalization(Layer):
    """``(x - mean) / max(sqrt(variance), 1e-7)`` per feature of `axis` (-1: the last). The
    statistics come from ``mean=`` / ``variance=`` or from ``adapt(data)`` (population
    variance over every other axis); they are non-trainable weights, so they are saved."""

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        if (mean is None) != (variance is None):
            raise ValueError("[Normalization] pass both mean and variance, or neither (and "
                             "call adapt)")
        self.axis = axis if axis is None or isinstance(axis, int) else tuple(axis)
        self.invert = bool(invert)
        self._init_mean = None if mean is None else np.asarray(mean, np.float64)
        self._init_variance = None if variance is None else np.asarray(variance, np.float64)
        self._adapted = mean is not None

    def _kept_axes(self, rank):
        if self.axis is None:
            return []
        axes = [self.axis] if isinstance(self.axis, int) else list(self.axis)
        for a in axes:
            if not -rank <= a < rank or a % rank == 0:
                raise ValueError(f"[Normalization] layer '{self.name}': axis {a} is not a "
                                 f"feature axis of inputs of rank {rank}")
        return sorted(a % rank for a in axes)

    def build(self, input_shape):
        self._rank = len(input_shape)
        self._axes = self._kept_axes(self._rank)
        shape = tuple(input_shape[a] for a in self._axes)
        if any(d is None for d in shape):
            raise ValueError(f"[Normalization] layer '{self.name}' needs a defined size on "
                             f"axis {self.axis}, got input shape {format_shape(input_shape)}")
        self.add_weight("mean", shape, "zeros", trainable=False)
        self.add_weight("variance", shape, "ones", trainable=False)
        if self._init_mean is not None:
            self._assign(np.broadcast_to(self._init_mean, shape),
                         np.broadcast_to(self._init_variance, shape))

    def _assign(self, mean, variance):
        with no_grad():
            self.mean[...] = _C.from_numpy(np.ascontiguousarray(mean, np.float32))
            self.variance[...] = _C.from_numpy(np.ascontiguousarray(variance, np.float32))

    def adapt(self, data, batch_size=None, steps=None):
        """Computes mean and variance of `data` (an array, a tensor, or an iterable of
        batches) per feature of `axis`."""
        if isinstance(data, _C.Tensor):
            data = data.detach().numpy()
        if isinstance(data, np.ndarray) or isinstance(data, (list, tuple)) and \
                not isinstance(data[0], (np.ndarray, _C.Tensor, tuple)):
            batches = [np.asarray(data, np.float64)]
        else:
            batches = [np.asarray(b[0] if isinstance(b, tuple) else
                                  (b.detach().numpy() if isinstance(b, _C.Tensor) else b),
                                  np.float64) for b in data]
        if batches[0].ndim < 2:
            batches = [b.reshape(-1, 1) if b.ndim == 1 else b for b in batches]
        if not self.built:
            self._maybe_build((None,) + batches[0].shape[1:])
        reduce = tuple(a for a in range(self._rank) if a not in self._axes)
        count, total, total_sq = 0, 0.0, 0.0
        for b in batches:
            if b.ndim != self._rank:
                raise ValueError(f"[Normalization.adapt] layer '{self.name}' was built for "
                                 f"inputs of rank {self._rank}, got data of shape {b.shape}")
            count += int(np.prod([b.shape[a] for a in reduce]))
            total = total + b.sum(axis=reduce)
            total_sq = total_sq + (b * b).sum(axis=reduce)
        mean = total / count
        self._assign(mean, np.maximum(total_sq / count - mean * mean, 0.0))
        self._adapted = True

    def _view(self, t):
        shape = [1] * self._rank
        for a, d in zip(self._axes, t.shape):
            shape[a] = d
        return t.reshape(*shape)

    def call(self, x):
        if not x.is_floating_point():
            x = x.to(self._dtype)
        mean, var = self._view(self.mean), self._view(self.variance)
        std = _C.clamp(_C.sqrt(var), min=1e-7)
        return x * std + mean if self.invert else (x - mean) / std

    def get_config(self):
        config = {**super().get_config(), "axis": self.axis, "invert": self.invert}
        return config


class Resizing(_Image2D):
    """Resizes images to (height, width): 'bilinear' (default) or 'nearest', TensorFlow's
    half-pixel sampling without antialiasing; ``crop_to_aspect_ratio`` center-crops first."""

    def __init__(self, height, width, interpolation="bilinear", crop_to_aspect_ratio=False,
                 data_format=None, **kwargs):
        super().__init__(data_format, **kwargs)
        if interpolation not in ("bilinear", "nearest"):
            raise NotImplementedError(f"[Resizing] interpolation {interpolation!r} is not "
                                      f"supported (use 'bilinear' or 'nearest')")
        self.height, self.width = int(height), int(width)
        self.interpolation = interpolation
        self.crop_to_aspect_ratio = bool(crop_to_aspect_ratio)

    def call(self, x):
        if not x.is_floating_point():
            x = x.to(self._dtype)
        axes = self._hw_axes()
        if self.crop_to_aspect_ratio:
            h, w = x.shape[axes[0]], x.shape[axes[1]]
            ch = min(h, int(round(w * self.height / self.width)))
            cw = min(w, int(round(h * self.width / self.height)))
            x = _center_crop(x, axes, ch, cw)
        return resize_images(x, axes, (self.height, self.width), self.interpolation)

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width,
                "interpolation": self.interpolation,
                "crop_to_aspect_ratio": self.crop_to_aspect_ratio}


def _center_crop(x, axes, height, width):
    for axis, size in zip(axes, (height, width)):
        x = x.narrow(axis, (x.shape[axis] - size) // 2, size)
    return x


class CenterCrop(_Image2D):
    """Crops the central (height, width) window; smaller images are resized up to it
    (as Keras does)."""

    def __init__(self, height, width, data_format=None, **kwargs):
        super().__init__(data_format, **kwargs)
        self.height, self.width = int(height), int(width)

    def call(self, x):
        if not x.is_floating_point():
            x = x.to(self._dtype)
        axes = self._hw_axes()
        h, w = x.shape[axes[0]], x.shape[axes[1]]
        if h < self.height or w < self.width:
            return Resizing(self.height, self.width, crop_to_aspect_ratio=True,
                            data_format=self.data_format).call(x)
        return _center_crop(x, axes, self.height, self.width)

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width}
