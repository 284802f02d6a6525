"""Regularization noise, active only in training (the identity in inference):
GaussianNoise, GaussianDropout, AlphaDropout and SpatialDropout1D/2D/3D. Each takes
``seed=`` (see random_layer.py)."""

import math

from .. import random as _krandom
from .base import Layer, format_shape
from .random_layer import generator, init_seed
from .conv import normalize_data_format

__all__ = ["GaussianNoise", "GaussianDropout", "AlphaDropout", "SpatialDropout1D",
           "SpatialDropout2D", "SpatialDropout3D"]


def _check_rate(layer, rate):
    if not 0.0 <= float(rate) < 1.0:
        raise ValueError(f"[{layer}] rate must be in [0, 1), got {rate}")
    return float(rate)


class GaussianNoise(Layer):
    """Adds N(0, stddev^2) noise in training."""

    supports_masking = True

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        if float(stddev) < 0:
            raise ValueError(f"[GaussianNoise] stddev must be >= 0, got {stddev}")
        self.stddev = float(stddev)
        init_seed(self, seed)

    def call(self, x, training=None):
        if not self._training(training) or self.stddev == 0.0:
            return x
        return x + _krandom.normal_like(x, seed=generator(self)) * self.stddev

    def get_config(self):
        return {**super().get_config(), "stddev": self.stddev, "seed": self.seed}


class GaussianDropout(Layer):
    """Multiplies by N(1, rate / (1 - rate)) noise in training."""

    supports_masking = True

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = _check_rate("GaussianDropout", rate)
        init_seed(self, seed)

    def call(self, x, training=None):
        if not self._training(training) or self.rate == 0.0:
            return x
        stddev = math.sqrt(self.rate / (1.0 - self.rate))
        return x * (_krandom.normal_like(x, seed=generator(self)) * stddev + 1.0)

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


class AlphaDropout(Layer):
    """Dropout that keeps SELU's self-normalization: dropped units take SELU's negative
    saturation value, then an affine map restores the mean and variance (Keras's formula)."""

    supports_masking = True

    _ALPHA = 1.6732632423543772848170429916717
    _SCALE = 1.0507009873554804934193349852946

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = _check_rate("AlphaDropout", rate)
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        init_seed(self, seed)

    def call(self, x, training=None):
        if not self._training(training) or self.rate == 0.0:
            return x
        alpha_p = -self._ALPHA * self._SCALE
        shape = _krandom._noise_shape(x, self.noise_shape, "AlphaDropout")
        keep = (_krandom.uniform_like(x, shape, generator(self)) >= self.rate).to(x.dtype)
        a = ((1.0 - self.rate) * (1.0 + self.rate * alpha_p ** 2)) ** -0.5
        b = -a * alpha_p * self.rate
        return (x * keep + (1.0 - keep) * alpha_p) * a + b

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed,
                "noise_shape": None if self.noise_shape is None else list(self.noise_shape)}


class _SpatialDropout(Layer):
    """Drops whole channels (each with probability `rate`, per sample) and scales the rest
    by 1 / (1 - rate)."""

    _rank = 4

    def __init__(self, rate, data_format=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = _check_rate(type(self).__name__, rate)
        self.data_format = normalize_data_format(type(self).__name__, data_format)
        init_seed(self, seed)

    def build(self, input_shape):
        if isinstance(input_shape, list) or len(input_shape) != self._rank:
            raise ValueError(f"[{type(self).__name__}] layer '{self.name}' expects inputs of "
                             f"rank {self._rank}, got input shape {format_shape(input_shape)}")

    def call(self, x, training=None):
        if not self._training(training) or self.rate == 0.0:
            return x
        channel = x.dim() - 1 if self.data_format == "channels_last" else 1
        shape = tuple(s if i in (0, channel) else 1 for i, s in enumerate(x.shape))
        return _krandom.dropout(x, self.rate, shape, generator(self))

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed,
                "data_format": self.data_format}


class SpatialDropout1D(_SpatialDropout):
    """(batch, steps, channels) inputs; drops whole channels."""

    _rank = 3

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(rate, "channels_last", seed, **kwargs)

    def get_config(self):
        config = super().get_config()
        del config["data_format"]
        return config


class SpatialDropout2D(_SpatialDropout):
    _rank = 4


class SpatialDropout3D(_SpatialDropout):
    _rank = 5
