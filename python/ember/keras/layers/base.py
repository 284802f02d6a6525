"""Keras layers (``keras.layers``). A Layer is an ``ember.nn.Module`` that creates its
weights lazily in ``build(input_shape)`` on its first call (or from ``input_shape=``), so
``state_dict()``, ``ember.save`` and optimizers work as for any nn module. Weight layouts
follow Keras: ``Dense.kernel`` is ``[in, out]``."""

import math
import re

import numpy as np

from .. import _C
from ..nn.modules.module import Module
from ..nn.parameter import Parameter
from . import activations as _activations
from . import initializers as _initializers

__all__ = ["Layer", "InputLayer", "Input", "Dense", "Activation", "Flatten", "Reshape",
           "ReLU", "Softmax", "format_shape"]

_name_counts = {}


def _unique_name(cls_name):
    base = re.sub(r"(?<!^)(?=[A-Z])", "_", cls_name).lower()
    n = _name_counts.get(base, 0)
    _name_counts[base] = n + 1
    return base if n == 0 else f"{base}_{n}"


def format_shape(shape):
    """A Keras-style shape string: (None, 64)."""
    if shape is None:
        return "?"
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + \
        ("," if len(shape) == 1 else "") + ")"


def _as_tensor(x):
    if isinstance(x, _C.Tensor):
        return x
    arr = np.asarray(x)
    if arr.dtype == np.float64:
        arr = arr.astype(np.float32)
    return _C.from_numpy(np.ascontiguousarray(arr))


class Layer(Module):
    """Base class of Keras layers. Subclasses implement ``build(input_shape)`` (create
    weights with ``add_weight``) and ``call(x)``; ``input_shape`` excludes the batch dim."""

    def __init__(self, *, input_shape=None, batch_input_shape=None, input_dim=None, name=None,
                 dtype=None, trainable=True, **kwargs):
        super().__init__()
        if kwargs:
            raise TypeError(f"[{type(self).__name__}] unexpected keyword arguments: "
                            f"{', '.join(sorted(kwargs))}")
        self.name = name if name is not None else _unique_name(type(self).__name__)
        self.built = False
        self._trainable = bool(trainable)
        self._dtype = _C.dtype.float32 if dtype is None else dtype
        self.input_shape_ = None    # full input shape, batch dim None
        self.output_shape_ = None
        if input_dim is not None and input_shape is None:
            input_shape = (input_dim,)
        if batch_input_shape is not None:
            self._declared_input_shape = (None,) + tuple(batch_input_shape)[1:]
        elif input_shape is not None:
            if isinstance(input_shape, int):
                input_shape = (input_shape,)
            self._declared_input_shape = (None,) + tuple(input_shape)
        else:
            self._declared_input_shape = None

    # -- weights ---------------------------------------------------------------------
    def add_weight(self, name, shape, initializer="glorot_uniform", trainable=True):
        init = _initializers.get(initializer)
        value = init(tuple(shape), dtype=self._dtype)
        if not isinstance(value, _C.Tensor):
            value = _as_tensor(value)
        p = Parameter(value, requires_grad=trainable and self._trainable)
        setattr(self, name, p)
        self.__dict__.setdefault("_weight_trainable", {})[name] = trainable
        return p

    @property
    def weights(self):
        return list(self.parameters())

    @property
    def trainable_weights(self):
        return [p for p in self.parameters() if p.requires_grad]

    @property
    def non_trainable_weights(self):
        return [p for p in self.parameters() if not p.requires_grad]

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        self._trainable = bool(value)
        for p in self.parameters():
            p.requires_grad_(self._trainable)

    @property
    def dtype(self):
        return self._dtype

    @property
    def input_shape(self):
        """The input shape the layer was built for, batch dim None."""
        return self.input_shape_

    @property
    def output_shape(self):
        return self.output_shape_

    def count_params(self):
        if not self.built:
            raise ValueError(f"[{type(self).__name__}] layer '{self.name}' is not built yet, "
                             f"so its weights do not exist: call it on data or build() it first")
        return sum(p.numel() for p in self.parameters())

    def get_weights(self):
        return [p.detach().numpy().copy() for p in self.weights]

    def set_weights(self, weights):
        own = self.weights
        weights = list(weights)
        if len(weights) != len(own):
            raise ValueError(f"[{type(self).__name__}.set_weights] layer '{self.name}' has "
                             f"{len(own)} weights, got a list of {len(weights)}")
        for i, (p, w) in enumerate(zip(own, weights)):
            w = np.asarray(w.numpy() if isinstance(w, _C.Tensor) else w)
            if tuple(w.shape) != tuple(p.shape):
                raise ValueError(f"[{type(self).__name__}.set_weights] layer '{self.name}' "
                                 f"weight {i} has shape {tuple(p.shape)}, got an array of "
                                 f"shape {tuple(w.shape)}")
        from .._grad_mode import no_grad
        with no_grad():
            for p, w in zip(own, weights):
                w = np.asarray(w.numpy() if isinstance(w, _C.Tensor) else w)
                p[...] = _C.from_numpy(np.ascontiguousarray(w, dtype=p.detach().numpy().dtype))

    # -- building and calling ---------------------------------------------------------
    def build(self, input_shape):
        """Creates the weights for inputs of `input_shape` (batch dim None). Default: none."""

    def call(self, x):
        raise NotImplementedError(f"[{type(self).__name__}] call() is not implemented")

    def forward(self, x):
        return self.call(x)

    def _maybe_build(self, input_shape):
        if self.built:
            return
        shape = (None,) + tuple(input_shape)[1:]
        self.build(shape)
        self.input_shape_ = shape
        self.built = True

    _kind = "layer"

    def _check_input(self, x):
        expected = self.input_shape_
        got = tuple(x.shape)
        if expected is None:
            return
        ok = len(got) == len(expected) and all(e is None or e == g
                                                for e, g in zip(expected[1:], got[1:]))
        if not ok:
            raise ValueError(f"[{type(self).__name__}] {self._kind} '{self.name}' expects input "
                             f"of shape {format_shape(expected)}, got input of shape "
                             f"{format_shape(got)}")

    def __call__(self, x):
        x = _as_tensor(x)
        if not self.built:
            if self._declared_input_shape is not None:
                self._check_declared(x)
            self._maybe_build(tuple(x.shape))
        else:
            self._check_input(x)
        out = Module.__call__(self, x)
        self.output_shape_ = (None,) + tuple(out.shape)[1:]
        return out

    def _check_declared(self, x):
        expected = self._declared_input_shape
        got = tuple(x.shape)
        if len(got) != len(expected) or any(e is not None and e != g
                                            for e, g in zip(expected[1:], got[1:])):
            raise ValueError(f"[{type(self).__name__}] {self._kind} '{self.name}' was declared "
                             f"with input_shape {format_shape(expected)}, got input of shape "
                             f"{format_shape(got)}")

    def get_config(self):
        return {"name": self.name, "trainable": self._trainable}

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


class InputLayer(Layer):
    """Declares the input shape of a Sequential model (``keras.Input(shape=(10,))``)."""

    def __init__(self, shape=None, batch_size=None, dtype=None, name=None, **kwargs):
        if shape is None:
            shape = kwargs.pop("input_shape", None)
        if shape is None:
            raise ValueError("[InputLayer] needs a shape (the per-sample shape, without the "
                             "batch dimension)")
        if isinstance(shape, int):
            shape = (shape,)
        super().__init__(input_shape=tuple(shape), name=name, dtype=dtype, **kwargs)
        self.batch_size = batch_size
        self.shape = (batch_size,) + tuple(shape)

    def call(self, x):
        return x


def Input(shape=None, batch_size=None, name=None, dtype=None):  # noqa: N802 - Keras name
    """The input of a model: ``keras.Input(shape=(10,))`` (the batch dim is implicit).
    Sequential models take it as their first entry."""
    return InputLayer(shape=shape, batch_size=batch_size, name=name, dtype=dtype)


class Dense(Layer):
    """``output = activation(x @ kernel + bias)`` with ``kernel`` of shape ``[in, units]``;
    applies to the last axis of inputs of any rank >= 2."""

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", **kwargs):
        super().__init__(**kwargs)
        if isinstance(units, bool) or not isinstance(units, int) or units <= 0:
            raise ValueError(f"[Dense] units must be a positive integer, got {units!r}")
        self.units = units
        self.activation = _activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = _initializers.get(kernel_initializer)
        self.bias_initializer = _initializers.get(bias_initializer)

    def build(self, input_shape):
        if len(input_shape) < 2 or input_shape[-1] is None:
            raise ValueError(f"[Dense] layer '{self.name}' needs inputs with a defined last "
                             f"dimension and a batch dimension, got input shape "
                             f"{format_shape(input_shape)}")
        self.add_weight("kernel", (input_shape[-1], self.units), self.kernel_initializer)
        if self.use_bias:
            self.add_weight("bias", (self.units,), self.bias_initializer)

    def _check_input(self, x):
        # Any rank >= 2 with the built last dimension (Keras's input_spec for Dense).
        got = tuple(x.shape)
        if len(got) < 2 or got[-1] != self.input_shape_[-1]:
            raise ValueError(f"[Dense] layer '{self.name}' expects inputs with last dimension "
                             f"{self.input_shape_[-1]} (built for input shape "
                             f"{format_shape(self.input_shape_)}), got input of shape "
                             f"{format_shape(got)}")

    def call(self, x):
        y = _C.matmul(x, self.kernel)
        if self.use_bias:
            y = y + self.bias
        return self.activation(y)

    def get_config(self):
        return {**super().get_config(), "units": self.units,
                "activation": _activations.serialize(self.activation), "use_bias": self.use_bias}


class Activation(Layer):
    """Applies an activation function: ``Activation('relu')``."""

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = _activations.get(activation)

    def call(self, x):
        return self.activation(x)

    def get_config(self):
        return {**super().get_config(), "activation": _activations.serialize(self.activation)}


class ReLU(Layer):
    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        self.max_value, self.negative_slope, self.threshold = max_value, negative_slope, threshold

    def call(self, x):
        return _activations.relu(x, self.negative_slope, self.max_value, self.threshold)


class Softmax(Layer):
    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def call(self, x):
        return _C.softmax(x, self.axis)


class Flatten(Layer):
    """Flattens each sample to one dimension: (N, a, b) -> (N, a*b)."""

    def build(self, input_shape):
        if any(d is None for d in input_shape[1:]):
            raise ValueError(f"[Flatten] layer '{self.name}' needs defined non-batch "
                             f"dimensions, got input shape {format_shape(input_shape)}")
        self._features = math.prod(input_shape[1:])

    def call(self, x):
        # -1 for the batch dim keeps the layer valid for any batch size when traced.
        return x.reshape(-1, self._features)


class Reshape(Layer):
    """Reshapes each sample to ``target_shape`` (one entry may be -1)."""

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        self.target_shape = tuple(int(d) for d in target_shape)
        if sum(d == -1 for d in self.target_shape) > 1:
            raise ValueError(f"[Reshape] at most one dimension of target_shape may be -1, got "
                             f"{self.target_shape}")

    def build(self, input_shape):
        n = math.prod(input_shape[1:])
        known = math.prod(d for d in self.target_shape if d != -1)
        if -1 in self.target_shape:
            if known == 0 or n % known:
                raise ValueError(f"[Reshape] layer '{self.name}' cannot reshape input of "
                                 f"shape {format_shape(input_shape)} to "
                                 f"{format_shape((None,) + self.target_shape)}")
            self._shape = tuple(n // known if d == -1 else d for d in self.target_shape)
        else:
            if known != n:
                raise ValueError(f"[Reshape] layer '{self.name}' cannot reshape input of "
                                 f"shape {format_shape(input_shape)} ({n} values per sample) "
                                 f"to {format_shape((None,) + self.target_shape)} ({known})")
            self._shape = self.target_shape

    def call(self, x):
        return x.reshape(-1, *self._shape)

    def get_config(self):
        return {**super().get_config(), "target_shape": self.target_shape}
