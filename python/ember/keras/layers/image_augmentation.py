"""Random image augmentation layers, active only in training (the identity in inference,
except RandomCrop, which center-crops): RandomFlip, RandomRotation, RandomZoom,
RandomTranslation, RandomContrast, RandomBrightness, RandomCrop. Each image of a batch
gets its own random transform (RandomCrop: one window per batch, as Keras). ``seed=``
gives the layer a stream of its own (random_layer.py)."""

import math

from ... import _C
from .. import random as _krandom
from .image_warp import FILL_MODES, INTERPOLATIONS, pixel_grid, warp
from .preprocessing import CenterCrop
from .random_layer import generator, init_seed
from .reshaping import _Image2D

__all__ = ["RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation",
           "RandomContrast", "RandomBrightness", "RandomCrop"]


def _float(x, layer):
    return x if x.is_floating_point() else x.to(layer._dtype)


def _range(layer, what, factor, symmetric=True):
    """A factor as (lower, upper): one number f means (-f, f) (or (0, f) when not
    symmetric), a pair is taken as is."""
    if isinstance(factor, (int, float)):
        f = float(factor)
        if f < 0 and symmetric:
            raise ValueError(f"[{layer}] {what} must be >= 0 when a single number, got {f}")
        return (-f, f) if symmetric else (0.0, f)
    lo, hi = (float(v) for v in factor)
    if lo > hi:
        raise ValueError(f"[{layer}] {what} lower bound {lo} is above the upper bound {hi}")
    return lo, hi


class _RandomImage(_Image2D):
    def __init__(self, seed=None, data_format=None, **kwargs):
        super().__init__(data_format, **kwargs)
        init_seed(self, seed)

    def _per_image(self, x, lo, hi):
        """One uniform draw on [lo, hi) per image, shaped (N, 1, 1) for (N, H, W) maps."""
        u = _krandom.uniform_like(x, (x.shape[0], 1, 1, 1), generator(self))
        return (u * (hi - lo) + lo).reshape(-1, 1, 1)

    def _channels_last(self, x):
        return x if self.data_format == "channels_last" else x.permute(0, 2, 3, 1)

    def _back(self, x):
        return x if self.data_format == "channels_last" else x.permute(0, 3, 1, 2)

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}


class RandomFlip(_RandomImage):
    """Flips each image left-right and/or up-down with probability 1/2."""

    def __init__(self, mode="horizontal_and_vertical", seed=None, data_format=None, **kwargs):
        super().__init__(seed, data_format, **kwargs)
        if mode not in ("horizontal", "vertical", "horizontal_and_vertical"):
            raise ValueError(f"[RandomFlip] mode must be 'horizontal', 'vertical' or "
                             f"'horizontal_and_vertical', got {mode!r}")
        self.mode = mode

    def call(self, x, training=None):
        if not self._training(training):
            return x
        x = _float(x, self)
        h_ax, w_ax = self._hw_axes()
        shape = (x.shape[0], 1, 1, 1)
        for flag, axis in (("horizontal", w_ax), ("vertical", h_ax)):
            if flag in self.mode:
                m = (_krandom.uniform_like(x, shape, generator(self)) < 0.5).to(x.dtype)
                x = m * _C.flip(x, [axis]) + (1.0 - m) * x
        return x

    def get_config(self):
        return {**super().get_config(), "mode": self.mode}


class _RandomWarp(_RandomImage):
    """A random affine map of each image, sampled with `interpolation` and `fill_mode`."""

    def __init__(self, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, data_format=None, **kwargs):
        super().__init__(seed, data_format, **kwargs)
        name = type(self).__name__
        if fill_mode not in FILL_MODES:
            raise ValueError(f"[{name}] fill_mode must be one of {FILL_MODES}, got "
                             f"{fill_mode!r}")
        if interpolation not in INTERPOLATIONS:
            raise ValueError(f"[{name}] interpolation must be one of {INTERPOLATIONS}, got "
                             f"{interpolation!r}")
        self.fill_mode, self.interpolation = fill_mode, interpolation
        self.fill_value = float(fill_value)

    def call(self, x, training=None):
        if not self._training(training):
            return x
        img = self._channels_last(_float(x, self))
        src_y, src_x = self._source(img)
        out = warp(img, src_y, src_x, self.interpolation, self.fill_mode, self.fill_value)
        return self._back(out)

    def _centered(self, img):
        ys, xs = pixel_grid(img)
        cy, cx = (img.shape[1] - 1) / 2.0, (img.shape[2] - 1) / 2.0
        return ys - cy, xs - cx, cy, cx

    def get_config(self):
        return {**super().get_config(), "fill_mode": self.fill_mode,
                "interpolation": self.interpolation, "fill_value": self.fill_value}


class RandomRotation(_RandomWarp):
    """Rotates each image by an angle drawn from `factor` (a fraction of a full turn:
    0.1 means up to +-36 degrees; positive: counter-clockwise) about its center."""

    def __init__(self, factor, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, data_format=None, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.factor = factor
        self._lo, self._hi = _range("RandomRotation", "factor", factor)

    def _source(self, img):
        dy, dx, cy, cx = self._centered(img)
        angle = self._per_image(img, self._lo * 2 * math.pi, self._hi * 2 * math.pi)
        cos, sin = _C.cos(angle), _C.sin(angle)
        # Positive angles turn the picture counter-clockwise (as Keras).
        return cos * dy + sin * dx + cy, cos * dx - sin * dy + cx

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


class RandomZoom(_RandomWarp):
    """Zooms each image by 1 + a factor drawn from `height_factor` (positive: zoom out)
    and `width_factor` (None: the same draw, keeping the aspect ratio)."""

    def __init__(self, height_factor, width_factor=None, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, data_format=None,
                 **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self._h = _range("RandomZoom", "height_factor", height_factor)
        self._w = None if width_factor is None else \
            _range("RandomZoom", "width_factor", width_factor)

    def _source(self, img):
        dy, dx, cy, cx = self._centered(img)
        zy = self._per_image(img, *self._h) + 1.0
        zx = zy if self._w is None else self._per_image(img, *self._w) + 1.0
        return dy * zy + cy, dx * zx + cx

    def get_config(self):
        return {**super().get_config(), "height_factor": self.height_factor,
                "width_factor": self.width_factor}


class RandomTranslation(_RandomWarp):
    """Shifts each image by fractions of its height and width drawn from the factors."""

    def __init__(self, height_factor, width_factor, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, data_format=None,
                 **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self._h = _range("RandomTranslation", "height_factor", height_factor)
        self._w = _range("RandomTranslation", "width_factor", width_factor)

    def _source(self, img):
        ys, xs = pixel_grid(img)
        shift_y = self._per_image(img, *self._h) * img.shape[1]
        shift_x = self._per_image(img, *self._w) * img.shape[2]
        return ys - shift_y, xs - shift_x

    def get_config(self):
        return {**super().get_config(), "height_factor": self.height_factor,
                "width_factor": self.width_factor}


class RandomContrast(_RandomImage):
    """Scales each image's deviation from its per-channel mean by a factor drawn from
    [1 - lower, 1 + upper], clipped to `value_range`."""

    def __init__(self, factor, value_range=(0, 255), seed=None, data_format=None,
                 **kwargs):
        super().__init__(seed, data_format, **kwargs)
        self.factor, self.value_range = factor, tuple(value_range)
        lo, hi = _range("RandomContrast", "factor", factor)
        self._lo, self._hi = 1.0 + lo, 1.0 + hi
        if self._lo < 0:
            raise ValueError(f"[RandomContrast] factor must keep 1 - lower >= 0, got {factor}")

    def call(self, x, training=None):
        if not self._training(training):
            return x
        x = _float(x, self)
        f = _krandom.uniform_like(x, (x.shape[0], 1, 1, 1), generator(self))
        f = f * (self._hi - self._lo) + self._lo
        mean = x.mean(list(self._hw_axes()), keepdim=True)
        return _C.clamp((x - mean) * f + mean, *map(float, self.value_range))

    def get_config(self):
        return {**super().get_config(), "factor": self.factor,
                "value_range": list(self.value_range)}


class RandomBrightness(_RandomImage):
    """Adds to each image a delta drawn from `factor` times the width of `value_range`,
    clipped to `value_range`."""

    def __init__(self, factor, value_range=(0, 255), seed=None, data_format=None,
                 **kwargs):
        super().__init__(seed, data_format, **kwargs)
        self.factor, self.value_range = factor, tuple(value_range)
        self._lo, self._hi = _range("RandomBrightness", "factor", factor)

    def call(self, x, training=None):
        if not self._training(training):
            return x
        x = _float(x, self)
        span = float(self.value_range[1] - self.value_range[0])
        u = _krandom.uniform_like(x, (x.shape[0], 1, 1, 1), generator(self))
        delta = (u * (self._hi - self._lo) + self._lo) * span
        return _C.clamp(x + delta, *map(float, self.value_range))

    def get_config(self):
        return {**super().get_config(), "factor": self.factor,
                "value_range": list(self.value_range)}


class RandomCrop(_RandomImage):
    """Crops a random (height, width) window in training (one window per batch); in
    inference center-crops (resizing up first when the image is smaller), as Keras."""

    def __init__(self, height, width, seed=None, data_format=None, **kwargs):
        super().__init__(seed, data_format, **kwargs)
        self.height, self.width = int(height), int(width)

    def call(self, x, training=None):
        x = _float(x, self)
        h_ax, w_ax = self._hw_axes()
        h, w = x.shape[h_ax], x.shape[w_ax]
        if not self._training(training) or h < self.height or w < self.width:
            return CenterCrop(self.height, self.width, data_format=self.data_format).call(x)
        for axis, size, out in ((h_ax, h, self.height), (w_ax, w, self.width)):
            if size == out:
                continue
            u = _krandom.uniform_like(x, (1,) * x.dim(), generator(self)).reshape(1)
            start = _C.floor(u * (size - out + 1)).to(_C.dtype.int64)
            index = _C.arange(out, dtype=_C.dtype.int64, device=x.device) + start
            x = x.index_select(axis, index)
        return x

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width}
