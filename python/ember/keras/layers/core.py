"""Core Keras layers: Dense, Activation, ReLU, Softmax, Flatten, Reshape, Dropout,
Embedding. Weight layouts follow Keras: ``Dense.kernel`` is ``[in, out]``,
``Embedding.embeddings`` is ``[input_dim, output_dim]``."""

import math

from ... import _C
from ...nn import functional as _F
from .. import activations as _activations
from .. import initializers as _initializers
from .. import random as _krandom
from .. import regularizers as _regularizers
from .base import Layer, _as_tensor, _check_positive_int, format_shape
from .random_layer import generator as random_generator
from .random_layer import init_seed

__all__ = ["Dense", "Activation", "ReLU", "Softmax", "Flatten", "Reshape", "Dropout",
           "Embedding"]


def _init_config(init):
    return _initializers.serialize(init)


class Dense(Layer):
    """``output = activation(x @ kernel + bias)`` with ``kernel`` of shape ``[in, units]``;
    applies to the last axis of inputs of any rank >= 2."""

    supports_masking = True

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 **kwargs):
        super().__init__(**kwargs)
        if isinstance(units, bool) or not isinstance(units, int) or units <= 0:
            raise ValueError(f"[Dense] units must be a positive integer, got {units!r}")
        self.units = units
        self._set_kernel_options(activation, use_bias, kernel_initializer, bias_initializer,
                                  kernel_regularizer, bias_regularizer)

    def build(self, input_shape):
        if isinstance(input_shape, list) or len(input_shape) < 2 or input_shape[-1] is None:
            raise ValueError(f"[Dense] layer '{self.name}' needs inputs with a defined last "
                             f"dimension and a batch dimension, got input shape "
                             f"{format_shape(input_shape)}")
        # Kernel first, then bias: the C++ port draws in the same order.
        self.add_weight("kernel", (input_shape[-1], self.units), self.kernel_initializer,
                        regularizer=self.kernel_regularizer)
        if self.use_bias:
            self.add_weight("bias", (self.units,), self.bias_initializer,
                            regularizer=self.bias_regularizer)

    def _check_input(self, x):
        # Any rank >= 2 with the built last dimension (Keras's input_spec for Dense).
        got = tuple(x.shape)
        if len(got) < 2 or got[-1] != self.input_shape_[-1]:
            raise ValueError(f"[Dense] layer '{self.name}' expects inputs with last dimension "
                             f"{self.input_shape_[-1]} (built for input shape "
                             f"{format_shape(self.input_shape_)}), got input of shape "
                             f"{format_shape(got)}")

    def call(self, x):
        if x.dtype != self.kernel.dtype:
            x = x.to(self.kernel.dtype)
        y = _C.matmul(x, self.kernel)
        if self.use_bias:
            y = y + self.bias
        return self.activation(y)

    def get_config(self):
        return {**super().get_config(), "units": self.units,
                "activation": _activations.serialize(self.activation), "use_bias": self.use_bias,
                "kernel_initializer": _init_config(self.kernel_initializer),
                "bias_initializer": _init_config(self.bias_initializer),
                "kernel_regularizer": _regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": _regularizers.serialize(self.bias_regularizer)}


class Activation(Layer):
    """Applies an activation function: ``Activation('relu')``."""

    supports_masking = True

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = _activations.get(activation)

    def call(self, x):
        return self.activation(x)

    def get_config(self):
        return {**super().get_config(), "activation": _activations.serialize(self.activation)}


class ReLU(Layer):
    supports_masking = True

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        self.max_value, self.negative_slope, self.threshold = max_value, negative_slope, threshold

    def call(self, x):
        return _activations.relu(x, self.negative_slope, self.max_value, self.threshold)

    def get_config(self):
        return {**super().get_config(), "max_value": self.max_value,
                "negative_slope": self.negative_slope, "threshold": self.threshold}


class Softmax(Layer):
    supports_masking = True

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def call(self, x):
        return _C.softmax(x, self.axis)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


class Flatten(Layer):
    """Flattens each sample to one dimension: (N, a, b) -> (N, a*b)."""

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = data_format

    def build(self, input_shape):
        if any(d is None for d in input_shape[1:]):
            raise ValueError(f"[Flatten] layer '{self.name}' needs defined non-batch "
                             f"dimensions, got input shape {format_shape(input_shape)}")
        self._features = math.prod(input_shape[1:])

    def call(self, x):
        if self.data_format == "channels_first" and x.dim() > 2:
            x = x.movedim(1, -1)  # Keras flattens channels_first inputs channels-last
        # -1 for the batch dim keeps the layer valid for any batch size when traced.
        return x.reshape(-1, self._features)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}


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
        return {**super().get_config(), "target_shape": list(self.target_shape)}


class Dropout(Layer):
    """Zeroes a fraction `rate` of the inputs in training and scales the rest by
    1 / (1 - rate); the identity in inference (``model.predict``, ``evaluate``).
    ``noise_shape`` (None entries: the input's size) drops whole slices; ``seed`` gives the
    layer a stream of its own (see random_layer.py)."""

    supports_masking = True

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0.0 <= float(rate) < 1.0:
            raise ValueError(f"[Dropout] rate must be in [0, 1), got {rate}")
        self.rate = float(rate)
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        init_seed(self, seed)

    def call(self, x, training=None):
        if not self._training(training) or self.rate == 0.0:
            return x
        gen = random_generator(self)
        if gen is None and self.noise_shape is None:
            return _F.dropout(x, self.rate, True)     # one op, from the global generator
        return _krandom.dropout(x, self.rate, self.noise_shape, gen)

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed,
                "noise_shape": None if self.noise_shape is None else list(self.noise_shape)}


class Embedding(Layer):
    """Maps integer ids in ``[0, input_dim)`` to rows of ``embeddings`` (``[input_dim,
    output_dim]``); (N, ...) ids give (N, ..., output_dim)."""

    _input_dtype = _C.dtype.int64

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform",
                 embeddings_regularizer=None, mask_zero=False, input_length=None, **kwargs):
        if input_length is not None and "input_shape" not in kwargs:
            kwargs["input_shape"] = (input_length,)
        super().__init__(**kwargs)
        self.input_dim = _check_positive_int("Embedding", "input_dim", input_dim)
        self.output_dim = _check_positive_int("Embedding", "output_dim", output_dim)
        self.mask_zero = bool(mask_zero)
        init = _initializers.RandomUniform() if embeddings_initializer == "uniform" \
            else _initializers.get(embeddings_initializer)
        self.embeddings_initializer = init
        self.embeddings_regularizer = _regularizers.get(embeddings_regularizer)

    def build(self, input_shape):
        self.add_weight("embeddings", (self.input_dim, self.output_dim),
                        self.embeddings_initializer, regularizer=self.embeddings_regularizer)

    def call(self, x):
        if x.dtype != _C.dtype.int64:
            x = x.to(_C.dtype.int64)
        return _F.embedding(x, self.embeddings)

    def compute_mask(self, inputs, mask=None):
        """mask_zero: id 0 is padding, masked out downstream."""
        return _as_tensor(inputs) != 0 if self.mask_zero else None

    def get_config(self):
        return {**super().get_config(), "input_dim": self.input_dim,
                "output_dim": self.output_dim, "mask_zero": self.mask_zero,
                "embeddings_initializer": _init_config(self.embeddings_initializer),
                "embeddings_regularizer": _regularizers.serialize(self.embeddings_regularizer)}
