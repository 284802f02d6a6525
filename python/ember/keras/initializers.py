"""Keras initializers (``keras.initializers``): callables ``init(shape, dtype=None)``
returning a new tensor, looked up by name with ``get('glorot_uniform')``. Fans follow
Keras: for a kernel of shape ``[..., in, out]``, fan_in = in * receptive field and
fan_out = out * receptive field. Draws use Ember's generator (``ember.manual_seed``)."""

import math

from .. import _C
from . import backend as _backend
from .. import random as _random

__all__ = ["Initializer", "Zeros", "Ones", "Constant", "RandomNormal", "RandomUniform",
           "TruncatedNormal", "VarianceScaling", "GlorotUniform", "GlorotNormal", "HeUniform",
           "HeNormal", "LecunUniform", "LecunNormal", "Orthogonal", "get", "serialize"]


def _fans(shape):
    shape = tuple(shape)
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = math.prod(shape[:-2]) if len(shape) > 2 else 1
    return shape[-2] * receptive, shape[-1] * receptive


def _dtype(dtype):
    return _backend._floatx_dtype() if dtype is None else dtype


class Initializer:
    """Base class: subclasses implement ``__call__(shape, dtype=None)``."""

    def __call__(self, shape, dtype=None):
        raise NotImplementedError(f"[{type(self).__name__}] __call__ is not implemented")

    def get_config(self):
        return {}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class Zeros(Initializer):
    def __call__(self, shape, dtype=None):
        return _C.zeros(tuple(shape), dtype=_dtype(dtype))


class Ones(Initializer):
    def __call__(self, shape, dtype=None):
        return _C.ones(tuple(shape), dtype=_dtype(dtype))


class Constant(Initializer):
    def __init__(self, value=0.0):
        self.value = float(value)

    def __call__(self, shape, dtype=None):
        return _C.full(tuple(shape), self.value, dtype=_dtype(dtype))

    def get_config(self):
        return {"value": self.value}


class RandomNormal(Initializer):
    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean, self.stddev, self.seed = float(mean), float(stddev), seed

    def __call__(self, shape, dtype=None):
        return _random.normal(shape, self.mean, self.stddev, dtype=_dtype(dtype), seed=self.seed)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class RandomUniform(Initializer):
    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval, self.maxval, self.seed = float(minval), float(maxval), seed

    def __call__(self, shape, dtype=None):
        return _random.uniform(shape, self.minval, self.maxval, dtype=_dtype(dtype),
                               seed=self.seed)

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


def _truncated_normal(shape, mean, stddev, dtype, seed):
    """N(mean, stddev^2) restricted to two standard deviations (redrawing outliers)."""
    t = _random.normal(shape, 0.0, 1.0, dtype=dtype, seed=seed)
    for _ in range(16):
        bad = _C.abs(t) > 2.0
        if not bool(bad.any()):
            break
        t = _C.where(bad, _random.normal(shape, 0.0, 1.0, dtype=dtype), t)
    t = _C.clamp(t, min=-2.0, max=2.0)
    return t * stddev + mean


class TruncatedNormal(RandomNormal):
    def __call__(self, shape, dtype=None):
        return _truncated_normal(shape, self.mean, self.stddev, _dtype(dtype), self.seed)


class VarianceScaling(Initializer):
    """Keras's VarianceScaling: variance scale / n with n the fan_in, fan_out or their
    average, drawn from a truncated normal, an untruncated normal, or a uniform."""

    _MODES = ("fan_in", "fan_out", "fan_avg")
    _DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None):
        if scale <= 0.0:
            raise ValueError(f"[{type(self).__name__}] scale must be positive, got {scale}")
        if mode not in self._MODES:
            raise ValueError(f"[{type(self).__name__}] mode must be one of {self._MODES}, "
                             f"got '{mode}'")
        if distribution == "normal":
            distribution = "truncated_normal"
        if distribution not in self._DISTRIBUTIONS:
            raise ValueError(f"[{type(self).__name__}] distribution must be one of "
                             f"{self._DISTRIBUTIONS}, got '{distribution}'")
        self.scale, self.mode, self.distribution, self.seed = float(scale), mode, distribution, seed

    def __call__(self, shape, dtype=None):
        fan_in, fan_out = _fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        variance = self.scale / max(1.0, n)
        dtype = _dtype(dtype)
        if self.distribution == "uniform":
            limit = math.sqrt(3.0 * variance)
            return _random.uniform(shape, -limit, limit, dtype=dtype, seed=self.seed)
        if self.distribution == "untruncated_normal":
            return _random.normal(shape, 0.0, math.sqrt(variance), dtype=dtype, seed=self.seed)
        # The stddev of a unit normal truncated to [-2, 2] is 0.8796...; compensate.
        stddev = math.sqrt(variance) / 0.87962566103423978
        return _truncated_normal(shape, 0.0, stddev, dtype, self.seed)

    def get_config(self):
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution,
                "seed": self.seed}


def _scaling(name, scale, mode, distribution):
    def __init__(self, seed=None):
        VarianceScaling.__init__(self, scale, mode, distribution, seed)

    def get_config(self):
        return {"seed": self.seed}

    return type(name, (VarianceScaling,), {"__init__": __init__, "get_config": get_config,
                                           "__doc__": f"VarianceScaling(scale={scale}, "
                                                      f"mode='{mode}', distribution="
                                                      f"'{distribution}')."})


GlorotUniform = _scaling("GlorotUniform", 1.0, "fan_avg", "uniform")
GlorotNormal = _scaling("GlorotNormal", 1.0, "fan_avg", "truncated_normal")
HeUniform = _scaling("HeUniform", 2.0, "fan_in", "uniform")
HeNormal = _scaling("HeNormal", 2.0, "fan_in", "truncated_normal")
LecunUniform = _scaling("LecunUniform", 1.0, "fan_in", "uniform")
LecunNormal = _scaling("LecunNormal", 1.0, "fan_in", "truncated_normal")


class Orthogonal(Initializer):
    def __init__(self, gain=1.0, seed=None):
        self.gain, self.seed = float(gain), seed

    def __call__(self, shape, dtype=None):
        if len(shape) < 2:
            raise ValueError(f"[Orthogonal] needs a shape of rank >= 2, got {tuple(shape)}")
        t = _C.empty(tuple(shape), dtype=_dtype(dtype))
        from ..nn import init
        init.orthogonal_(t, self.gain)
        return t

    def get_config(self):
        return {"gain": self.gain, "seed": self.seed}


_BY_NAME = {
    "zeros": Zeros, "ones": Ones, "constant": Constant, "random_normal": RandomNormal,
    "random_uniform": RandomUniform, "truncated_normal": TruncatedNormal,
    "variance_scaling": VarianceScaling, "glorot_uniform": GlorotUniform,
    "glorot_normal": GlorotNormal, "he_uniform": HeUniform, "he_normal": HeNormal,
    "lecun_uniform": LecunUniform, "lecun_normal": LecunNormal, "orthogonal": Orthogonal,
}


def get(identifier):
    """An initializer from a name ('glorot_uniform', 'zeros', ...), a class, an instance or
    a callable ``f(shape, dtype=None)``."""
    if isinstance(identifier, str):
        key = identifier.lower()
        cls = _BY_NAME.get(key)
        if cls is None:
            # Keras also accepts the class names ('GlorotUniform').
            cls = next((c for c in _BY_NAME.values() if c.__name__.lower() == key), None)
        if cls is None:
            raise ValueError(f"[initializers] unknown initializer '{identifier}'; known: "
                             f"{', '.join(sorted(_BY_NAME))}")
        return cls()
    if isinstance(identifier, dict):
        name = identifier.get("class_name", "")
        cls = next((c for c in _BY_NAME.values() if c.__name__ == name), None)
        if cls is None:
            raise ValueError(f"[initializers] unknown initializer class '{name}'")
        return cls(**identifier.get("config", {}))
    if isinstance(identifier, type) and issubclass(identifier, Initializer):
        return identifier()
    if callable(identifier):
        return identifier
    raise TypeError(f"[initializers] expected an initializer name or a callable, got "
                    f"{type(identifier).__name__}")


def serialize(init):
    """``{'class_name': ..., 'config': ...}`` for a built-in initializer (for model.save)."""
    if type(init) not in _BY_NAME.values():
        raise ValueError(f"[initializers] cannot serialize {init!r}: only the built-in "
                         f"initializers can be saved in a model config")
    return {"class_name": type(init).__name__, "config": init.get_config()}
