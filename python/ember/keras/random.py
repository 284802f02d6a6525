"""keras.random: Keras 3's random functions over ``ember.random``.

A ``seed`` is None (draw from the global generator, so ``keras.utils.set_random_seed`` /
``ember.manual_seed`` reproduce it), an int (the call is reproducible on its own, as a
Keras integer seed) or a ``SeedGenerator`` (a stream of its own that advances per call)."""

from .. import _C
from .. import random as _random

__all__ = ["normal", "uniform", "truncated_normal", "randint", "SeedGenerator", "dropout",
           "shuffle", "categorical", "generator", "seed_from_global"]


def seed_from_global():
    """A seed drawn from the calling thread's global generator (Keras's default seed)."""
    return int(_C.randint(0, 2**62, (1,), dtype=_C.dtype.int64).item())


class SeedGenerator:
    """A random stream of its own (Keras's ``keras.random.SeedGenerator``): the same seed
    gives the same sequence of draws; ``seed=None`` takes a seed from the global generator."""

    def __init__(self, seed=None, name=None, **kwargs):
        if seed is None:
            seed = seed_from_global()
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise TypeError(f"[SeedGenerator] seed must be an int or None, got "
                            f"{type(seed).__name__}")
        self.seed = seed
        self.name = name
        self.generator = _C.Generator().manual_seed(seed)

    @property
    def state(self):
        """The stream's position (a uint8 tensor, as ``Generator.get_state``)."""
        return self.generator.get_state()

    def next(self, ordered=True):
        """A fresh int64 seed pair from the stream (Keras returns the seed state)."""
        return _C.randint(0, 2**62, (2,), dtype=_C.dtype.int64, generator=self.generator)

    def get_config(self):
        return {"seed": self.seed, "name": self.name}

    def __repr__(self):
        return f"<SeedGenerator seed={self.seed}>"


def generator(seed, op="random"):
    """The ember Generator a `seed` argument stands for (None: the global generator)."""
    if seed is None or isinstance(seed, _C.Generator):
        return seed
    if isinstance(seed, SeedGenerator):
        return seed.generator
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"[{op}] seed must be None, an int or a keras.random.SeedGenerator, "
                        f"got {type(seed).__name__}")
    return _C.Generator().manual_seed(seed)


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    return _random.normal(shape, mean=mean, stddev=stddev, dtype=dtype,
                          seed=generator(seed, "normal"))


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    return _random.uniform(shape, minval=minval, maxval=maxval, dtype=dtype,
                           seed=generator(seed, "uniform"))


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    return _random.truncated_normal(shape, mean=mean, stddev=stddev, dtype=dtype,
                                    seed=generator(seed, "truncated_normal"))


def randint(shape, minval, maxval, dtype="int32", seed=None):
    return _random.randint(shape, minval, maxval, dtype=dtype, seed=generator(seed, "randint"))


def _noise_shape(inputs, noise_shape, op):
    """`noise_shape` with None entries filled from the input's shape, checked to
    broadcast against it."""
    shape = tuple(inputs.shape)
    if noise_shape is None:
        return shape
    noise_shape = tuple(shape[i] if d is None else int(d) for i, d in enumerate(noise_shape))
    if len(noise_shape) != len(shape) or any(d not in (1, s) for d, s in zip(noise_shape, shape)):
        raise ValueError(f"[{op}] noise_shape {noise_shape} does not broadcast to the input "
                         f"shape {shape} (each entry must be 1 or the input's size)")
    return noise_shape


def _like(x, shape):
    """A view of x with `shape` (each entry 1 or x's size), so draws made like it follow x's
    device and, in a traced step, its dynamic batch size."""
    for axis, (d, s) in enumerate(zip(shape, x.shape)):
        if d != s:
            x = x.narrow(axis, 0, 1)
    return x


def uniform_like(x, shape=None, seed=None):
    """Uniform [0, 1) draws of `shape` (default: x's), on x's device and dtype."""
    base = x if shape is None else _like(x, shape)
    return _C.rand_like(base, generator=generator(seed))


def normal_like(x, shape=None, seed=None):
    base = x if shape is None else _like(x, shape)
    return _C.randn_like(base, generator=generator(seed))


def dropout(inputs, rate, noise_shape=None, seed=None):
    """Zeroes each element (or each slice of `noise_shape`, broadcast) with probability
    `rate` and scales the rest by 1 / (1 - rate)."""
    if not 0.0 <= float(rate) < 1.0:
        raise ValueError(f"[dropout] rate must be in [0, 1), got {rate}")
    if rate == 0.0:
        return inputs
    shape = _noise_shape(inputs, noise_shape, "dropout")
    keep = (uniform_like(inputs, shape, seed) >= rate).to(inputs.dtype)
    return inputs * keep * (1.0 / (1.0 - rate))


def shuffle(x, axis=0, seed=None):
    """x with its entries along `axis` in a random order."""
    n = x.shape[axis]
    order = _C.randperm(n, generator=generator(seed, "shuffle"))
    return x.index_select(axis, order)


def categorical(logits, num_samples, dtype="int32", seed=None):
    """`num_samples` class ids per row of (batch, classes) `logits`."""
    probs = _C.softmax(logits, -1)
    ids = _C.multinomial(probs, num_samples, replacement=True,
                         generator=generator(seed, "categorical"))
    return ids.to(_random._dtype(dtype))
