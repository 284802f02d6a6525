"""Preprocessing layers: Rescaling, Normalization (with ``adapt``), Resizing, CenterCrop,
RandomFlip (random only in training), and the noise layers GaussianNoise and
SpatialDropout2D (active only in training)."""

import numpy as np

from ... import _C
from ..._grad_mode import no_grad
from .base import Layer, format_shape
from .reshaping import _Image2D, resize_images

__all__ = ["Rescaling", "Normalization", "Resizing", "CenterCrop", "RandomFlip",
           "GaussianNoise", "SpatialDropout2D"]


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


def _sample_mask(x, shape):
    """A float 0/1 tensor of `shape` with P(1) = 0.5."""
    return (_C.rand(*shape, dtype=x.dtype) < 0.5).to(x.dtype)


class RandomFlip(_Image2D):
    """Flips each image left-right and/or up-down with probability 1/2 in training; the
    identity in inference."""

    def __init__(self, mode="horizontal_and_vertical", seed=None, data_format=None, **kwargs):
        super().__init__(data_format, **kwargs)
        if mode not in ("horizontal", "vertical", "horizontal_and_vertical"):
            raise ValueError(f"[RandomFlip] mode must be 'horizontal', 'vertical' or "
                             f"'horizontal_and_vertical', got {mode!r}")
        self.mode, self.seed = mode, seed

    def call(self, x, training=None):
        if not self._training(training):
            return x
        h_ax, w_ax = self._hw_axes()
        shape = [x.shape[0], 1, 1, 1]
        if "horizontal" in self.mode:
            m = _sample_mask(x, shape)
            x = m * _C.flip(x, [w_ax]) + (1.0 - m) * x
        if "vertical" in self.mode:
            m = _sample_mask(x, shape)
            x = m * _C.flip(x, [h_ax]) + (1.0 - m) * x
        return x

    def get_config(self):
        return {**super().get_config(), "mode": self.mode, "seed": self.seed}


class GaussianNoise(Layer):
    """Adds N(0, stddev^2) noise in training; the identity in inference."""

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        if float(stddev) < 0:
            raise ValueError(f"[GaussianNoise] stddev must be >= 0, got {stddev}")
        self.stddev, self.seed = float(stddev), seed

    def call(self, x, training=None):
        if not self._training(training) or self.stddev == 0.0:
            return x
        return x + _C.randn(*x.shape, dtype=x.dtype) * self.stddev

    def get_config(self):
        return {**super().get_config(), "stddev": self.stddev, "seed": self.seed}


class SpatialDropout2D(_Image2D):
    """Drops whole channels (each with probability `rate`, per sample) in training and
    scales the rest by 1 / (1 - rate)."""

    def __init__(self, rate, data_format=None, seed=None, **kwargs):
        super().__init__(data_format, **kwargs)
        if not 0.0 <= float(rate) < 1.0:
            raise ValueError(f"[SpatialDropout2D] rate must be in [0, 1), got {rate}")
        self.rate, self.seed = float(rate), seed

    def call(self, x, training=None):
        if not self._training(training) or self.rate == 0.0:
            return x
        n = x.shape[0]
        shape = [n, 1, 1, x.shape[3]] if self.data_format == "channels_last" \
            else [n, x.shape[1], 1, 1]
        keep = (_C.rand(*shape, dtype=x.dtype) >= self.rate).to(x.dtype)
        return x * keep * (1.0 / (1.0 - self.rate))

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}
