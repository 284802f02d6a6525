"""TensorFlow / Keras-style random functions: ``ember.random.normal([5, 10])``,
``ember.random.uniform(shape, minval=0, maxval=1)``, ``ember.random.set_seed(s)``.

They draw from the same Philox generator as ``ember.rand`` & co. (thread-local state). A
``seed=`` argument may be an int (the call is then reproducible on its own, as a Keras
integer seed) or a generator from ``SeedGenerator`` (a stateful stream, advancing per call).
"""

import contextlib

from . import _C

__all__ = ["set_seed", "get_seed", "normal", "truncated_normal", "uniform", "randint", "bernoulli",
           "SeedGenerator", "Generator", "fork_rng", "manual_seed", "seed", "initial_seed",
           "get_rng_state", "set_rng_state"]

Generator = _C.Generator
# torch.random names, so `ember.random.manual_seed(0)` works as `torch.random.manual_seed(0)`.
manual_seed = _C.manual_seed
seed = _C.seed
initial_seed = _C.initial_seed
get_rng_state = _C.get_rng_state
set_rng_state = _C.set_rng_state


def SeedGenerator(seed=None):  # noqa: N802 - Keras's class name
    """A stateful random stream (Keras ``keras.random.SeedGenerator``)."""
    g = _C.Generator()
    if seed is None:
        g.seed()
    else:
        g.manual_seed(seed)
    return g


def set_seed(seed):
    """Seeds the calling thread's generator (``tf.random.set_seed`` /
    ``keras.utils.set_random_seed``)."""
    _C.manual_seed(seed)


@contextlib.contextmanager
def fork_rng():
    """Restores the calling thread's generator state on exit (``torch.random.fork_rng``)."""
    state = _C.get_rng_state()
    try:
        yield
    finally:
        _C.set_rng_state(state)


def get_seed():
    return _C.initial_seed()


def _generator(seed):
    if seed is None or isinstance(seed, _C.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"[random] seed must be an int or a SeedGenerator, got {type(seed).__name__}")
    return _C.Generator().manual_seed(seed)


def _shape(shape, op):
    if isinstance(shape, int):
        return (shape,)
    try:
        return tuple(int(s) for s in shape)
    except TypeError:
        raise TypeError(f"[{op}] shape must be a sequence of ints, got {shape!r}") from None


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None, name=None):
    """Samples of N(mean, stddev^2)."""
    return _C.normal(float(mean), float(stddev), size=_shape(shape, "normal"), dtype=dtype,
                     generator=_generator(seed))


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None, name=None):
    """N(mean, stddev^2) restricted to two standard deviations around the mean (TF/Keras)."""
    t = _C.empty(_shape(shape, "truncated_normal"), dtype=dtype)
    mean, stddev = float(mean), float(stddev)
    return _C._trunc_normal_(t, mean, stddev, mean - 2 * stddev, mean + 2 * stddev,
                             generator=_generator(seed))


def uniform(shape, minval=0, maxval=None, dtype=None, seed=None, name=None):
    """Uniform samples on [minval, maxval); integer dtypes draw integers (maxval required)."""
    shape = _shape(shape, "uniform")
    gen = _generator(seed)
    if dtype is not None and not _dtype(dtype).is_floating_point:
        if maxval is None:
            raise ValueError("[uniform] maxval is required for an integer dtype")
        return _C.randint(int(minval), int(maxval), shape, dtype=dtype, generator=gen)
    maxval = 1.0 if maxval is None else maxval
    return _C._uniform(shape, float(minval), float(maxval), dtype=dtype, generator=gen)


def randint(shape, minval, maxval, dtype="int32", seed=None):
    """Integers uniform on [minval, maxval) (``keras.random.randint``)."""
    return _C.randint(int(minval), int(maxval), _shape(shape, "randint"), dtype=dtype,
                      generator=_generator(seed))


def bernoulli(shape, p=0.5, dtype=None, seed=None):
    """1 with probability p, else 0."""
    t = _C.empty(_shape(shape, "bernoulli"), dtype=dtype)
    return t.bernoulli_(float(p), generator=_generator(seed))


def _dtype(dtype):
    # The binding's dtype parser (ember dtype, name or NumPy dtype) through a cheap op.
    return _C.empty(0, dtype=dtype).dtype
