"""keras.random: Keras 3's random functions over ``ember.random`` (a ``seed`` is an int or
a ``SeedGenerator``)."""

from .. import random as _random

__all__ = ["normal", "uniform", "truncated_normal", "randint", "SeedGenerator", "dropout"]

SeedGenerator = _random.SeedGenerator
truncated_normal = _random.truncated_normal
randint = _random.randint


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    return _random.normal(shape, mean=mean, stddev=stddev, dtype=dtype, seed=seed)


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    return _random.uniform(shape, minval=minval, maxval=maxval, dtype=dtype, seed=seed)


def dropout(inputs, rate, noise_shape=None, seed=None):
    """Zeroes each element with probability `rate` and scales the rest by 1 / (1 - rate)."""
    if noise_shape is not None:
        raise NotImplementedError("[keras.random.dropout] noise_shape is not supported")
    keep = uniform(tuple(inputs.shape), dtype=inputs.dtype, seed=seed) >= rate
    return inputs * keep.to(inputs.dtype) * (1.0 / (1.0 - rate))
