"""The Keras layer base class. A Layer is an ``ember.nn.Module`` that creates its weights
lazily in ``build(input_shape)`` on its first call (or from ``input_shape=``), so
``state_dict()``, ``ember.save`` and optimizers work as for any nn module. Called on the
symbolic tensors of ``keras.Input`` it records a node of a functional model instead
(see ``keras/functional.py``)."""

import math
import re

import numpy as np

from ... import _C
from ..._grad_mode import no_grad
from ...nn.modules.module import Module
from ...nn.parameter import Parameter
from .. import activations as _activations
from .. import backend as _backend
from .. import initializers as _initializers
from .. import regularizers as _regularizers

__all__ = ["Layer", "format_shape", "map_structure", "flatten_structure"]

_name_counts = {}


def _snake_case(name):
    """Keras's to_snake_case: Dense -> dense, Conv2D -> conv2d, LSTM -> lstm,
    BatchNormalization -> batch_normalization."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def _unique_name(cls_name):
    base = _snake_case(cls_name)
    n = _name_counts.get(base, 0)
    _name_counts[base] = n + 1
    return base if n == 0 else f"{base}_{n}"


def format_shape(shape):
    """A Keras-style shape string: (None, 64); a list of shapes for several tensors."""
    if shape is None:
        return "?"
    if isinstance(shape, list):
        return "[" + ", ".join(format_shape(s) for s in shape) + "]"
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + \
        ("," if len(shape) == 1 else "") + ")"


def map_structure(fn, x):
    """Applies fn to each leaf of nested lists / tuples / dicts."""
    if isinstance(x, (list, tuple)):
        return type(x)(map_structure(fn, v) for v in x)
    if isinstance(x, dict):
        return {k: map_structure(fn, v) for k, v in x.items()}
    return fn(x)


def flatten_structure(x):
    if isinstance(x, (list, tuple)):
        return [leaf for v in x for leaf in flatten_structure(v)]
    if isinstance(x, dict):
        return [leaf for k in x for leaf in flatten_structure(x[k])]
    return [x]


def _as_tensor(x):
    if isinstance(x, _C.Tensor):
        return x
    arr = np.asarray(x)
    if arr.dtype == np.float64:
        arr = arr.astype(_backend._numpy_floatx())
    return _C.from_numpy(np.ascontiguousarray(arr))


def _shape_of(x):
    """(None, ...) for a tensor; a list of those for a list of tensors."""
    if isinstance(x, (list, tuple)):
        return [_shape_of(v) for v in x]
    return (None,) + tuple(x.shape)[1:]


def _is_symbolic(x):
    from .input_layer import KerasTensor
    return any(isinstance(v, KerasTensor) for v in flatten_structure(x))


class Layer(Module):
    """Base class of Keras layers. Subclasses implement ``build(input_shape)`` (create
    weights with ``add_weight``) and ``call(x)``; shapes carry ``None`` for the batch."""

    def __init__(self, *, input_shape=None, batch_input_shape=None, input_dim=None, name=None,
                 dtype=None, trainable=True, **kwargs):
        super().__init__()
        # Keras semantics: a layer called directly runs in inference mode (Dropout off,
        # BatchNormalization on its moving statistics); fit switches to training per step.
        self.eval()
        if "batch_shape" in kwargs:  # Keras 3's name
            batch_input_shape = kwargs.pop("batch_shape")
        if kwargs:
            raise TypeError(f"[{type(self).__name__}] unexpected keyword arguments: "
                            f"{', '.join(sorted(kwargs))}")
        self.name = name if name is not None else _unique_name(type(self).__name__)
        self.built = False
        self._trainable = bool(trainable)
        if isinstance(dtype, str):
            dtype = _C.dtype_from_name(dtype)
        self._dtype = _backend._floatx_dtype() if dtype is None else dtype
        self.input_shape_ = None    # full input shape, batch dim None
        self.output_shape_ = None
        self.__dict__["_inbound_nodes"] = []
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
    def add_weight(self, name, shape, initializer="glorot_uniform", trainable=True,
                   regularizer=None):
        """Creates the weight `name` (an nn Parameter, also an attribute). Non-trainable
        weights (BatchNormalization's moving statistics) never get gradients."""
        init = _initializers.get(initializer)
        value = init(tuple(shape), dtype=self._dtype)
        if not isinstance(value, _C.Tensor):
            value = _as_tensor(value)
        p = Parameter(value, requires_grad=trainable and self._trainable)
        setattr(self, name, p)
        self.__dict__.setdefault("_weight_trainable", {})[name] = trainable
        reg = _regularizers.get(regularizer)
        if reg is not None:
            self.__dict__.setdefault("_regularizers", []).append((name, reg))
        return p

    @property
    def losses(self):
        """The regularization penalties of this layer and the layers inside it (tensors of
        the current weights; fit adds their sum to the loss)."""
        out = []
        for m in self.modules():
            for name, reg in m.__dict__.get("_regularizers", []):
                out.append(reg(getattr(m, name)))
        return out

    @property
    def weights(self):
        return list(self.parameters())

    @property
    def trainable_weights(self):
        return [p for p in self.parameters() if p.requires_grad]

    @property
    def non_trainable_weights(self):
        return [p for p in self.parameters() if not p.requires_grad]

    # Keras 3's names for the same lists.
    variables = weights
    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        self._trainable = bool(value)
        for m in self.modules():
            flags = m.__dict__.get("_weight_trainable", {})
            if isinstance(m, Layer) and m is not self:
                m.__dict__["_trainable"] = self._trainable
            for name, p in m.named_parameters(recurse=False):
                p.requires_grad_(self._trainable and flags.get(name, True))

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

    @property
    def input(self):
        return self._node_tensor("input", lambda n: n.inputs)

    @property
    def output(self):
        return self._node_tensor("output", lambda n: n.outputs[0] if len(n.outputs) == 1
                                 else n.outputs)

    def _node_tensor(self, what, pick):
        nodes = self.__dict__.get("_inbound_nodes", [])
        if len(nodes) != 1:
            # Not AttributeError: Module.__getattr__ would replace this message.
            raise ValueError(f"[{type(self).__name__}] layer '{self.name}' has "
                                 f"{len(nodes)} call sites in functional models, so its "
                                 f"{what} is not defined")
        return pick(nodes[0])

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
        label = getattr(self, "_kind", "layer")
        if len(weights) != len(own):
            raise ValueError(f"[{type(self).__name__}.set_weights] {label} '{self.name}' has "
                             f"{len(own)} weights, got a list of {len(weights)}")
        arrays = []
        for i, (p, w) in enumerate(zip(own, weights)):
            w = np.asarray(w.numpy() if isinstance(w, _C.Tensor) else w)
            if tuple(w.shape) != tuple(p.shape):
                raise ValueError(f"[{type(self).__name__}.set_weights] {label} '{self.name}' "
                                 f"weight {i} has shape {tuple(p.shape)}, got an array of "
                                 f"shape {tuple(w.shape)}")
            arrays.append(w)
        with no_grad():
            for p, w in zip(own, arrays):
                # ascontiguousarray makes 0-d arrays 1-d: reshape back (scalar weights).
                p[...] = _C.from_numpy(np.ascontiguousarray(
                    w, dtype=p.detach().numpy().dtype).reshape(w.shape))

    # -- building and calling ---------------------------------------------------------
    def build(self, input_shape):
        """Creates the weights for inputs of `input_shape` (batch dim None). Default: none."""

    def call(self, x):
        raise NotImplementedError(f"[{type(self).__name__}] call() is not implemented")

    def forward(self, *args, **kwargs):
        return self.call(*args, **kwargs)

    def compute_output_shape(self, input_shape):
        """The output shape for `input_shape`, found by running one zero sample."""
        x = _C.zeros((1,) + tuple(input_shape)[1:], dtype=self._dtype)
        with no_grad():
            return _shape_of(self(x))

    def _maybe_build(self, input_shape):
        if self.built:
            return
        if isinstance(input_shape, list):
            shape = [(None,) + tuple(s)[1:] for s in input_shape]
        else:
            shape = (None,) + tuple(input_shape)[1:]
        self.build(shape)
        self.input_shape_ = shape
        self.built = True

    _kind = "layer"

    def _check_input(self, x):
        expected = self.input_shape_
        if expected is None or isinstance(x, (list, tuple)) or isinstance(expected, list):
            return
        got = tuple(x.shape)
        ok = len(got) == len(expected) and all(e is None or e == g
                                                for e, g in zip(expected[1:], got[1:]))
        if not ok:
            raise ValueError(f"[{type(self).__name__}] {self._kind} '{self.name}' expects input "
                             f"of shape {format_shape(expected)}, got input of shape "
                             f"{format_shape(got)}")

    def __call__(self, inputs, *args, **kwargs):
        if _is_symbolic(inputs):
            from .input_layer import call_symbolic
            return call_symbolic(self, inputs, args, kwargs)
        x = map_structure(_as_tensor, inputs)
        if not self.built:
            if self._declared_input_shape is not None and isinstance(x, _C.Tensor):
                self._check_declared(x)
            self._maybe_build(_shape_of(x) if not isinstance(x, dict) else None)
        else:
            self._check_input(x)
        out = Module.__call__(self, x, *args, **kwargs)
        if isinstance(out, _C.Tensor):
            self.output_shape_ = _shape_of(out)
        elif isinstance(out, (list, tuple)) and all(isinstance(o, _C.Tensor) for o in out):
            self.output_shape_ = [_shape_of(o) for o in out]
        return out

    def _check_declared(self, x):
        expected = self._declared_input_shape
        got = tuple(x.shape)
        if len(got) != len(expected) or any(e is not None and e != g
                                            for e, g in zip(expected[1:], got[1:])):
            raise ValueError(f"[{type(self).__name__}] {self._kind} '{self.name}' was declared "
                             f"with input_shape {format_shape(expected)}, got input of shape "
                             f"{format_shape(got)}")

    def _set_kernel_options(self, activation, use_bias, kernel_initializer, bias_initializer,
                            kernel_regularizer, bias_regularizer):
        """The constructor options shared by layers with a kernel and a bias (Dense, Conv)."""
        self.activation = _activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = _initializers.get(kernel_initializer)
        self.bias_initializer = _initializers.get(bias_initializer)
        self.kernel_regularizer = _regularizers.get(kernel_regularizer)
        self.bias_regularizer = _regularizers.get(bias_regularizer)

    def _kernel_options_config(self):
        """get_config's entries for the options _set_kernel_options sets."""
        return {"activation": _activations.serialize(self.activation), "use_bias": self.use_bias,
                "kernel_initializer": _initializers.serialize(self.kernel_initializer),
                "bias_initializer": _initializers.serialize(self.bias_initializer),
                "kernel_regularizer": _regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": _regularizers.serialize(self.bias_regularizer)}

    def _training(self, training):
        return self.training if training is None else bool(training)

    # Keras masking: a (batch, timesteps) boolean mask made by Embedding(mask_zero=True) or
    # Masking flows through Sequential and functional models to the layers whose call
    # takes `mask` (RNNs, GlobalAveragePooling1D, Attention). Layers that keep the
    # timesteps pass it on when they set supports_masking; others end it.
    supports_masking = False

    def compute_mask(self, inputs, mask=None):
        """The mask of this layer's output, given its input's."""
        return mask if self.supports_masking else None

    def get_config(self):
        """The constructor arguments that recreate this layer (JSON-serializable)."""
        config = {"name": self.name, "trainable": self._trainable}
        if self._dtype != _C.dtype.float32:
            config["dtype"] = str(self._dtype).replace("ember.", "")
        if self._declared_input_shape is not None:
            config["batch_input_shape"] = list(self._declared_input_shape)
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


def _check_positive_int(layer, what, value):
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"[{layer}] {what} must be a positive integer, got {value!r}")
    return value


def _tuple(layer, what, value, n):
    """An int or an n-tuple of positive ints (kernel sizes, strides)."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = (value,) * n
    value = tuple(value)
    if len(value) != n or any(isinstance(v, bool) or not isinstance(v, int) or v <= 0
                              for v in value):
        raise ValueError(f"[{layer}] {what} must be a positive int or a tuple of {n} positive "
                         f"ints, got {value!r}")
    return value


def _prod(shape):
    return math.prod(shape)
