"""Symbolic tensors for the functional API. ``keras.Input(shape)`` returns a KerasTensor;
calling a layer on KerasTensors records a Node (the layer, its inputs, its outputs) and
returns new KerasTensors, which ``keras.Model(inputs, outputs)`` walks back to order the
computation.

A KerasTensor carries a concrete example value (a batch of one zero sample) computed by
running the layer in inference mode, so shapes, dtypes and the layer's weights come from
the layer's own code, with no separate shape inference to keep in step. Inputs with
variable dims (``keras.Input((None,))``, ``(None, None, 3)``) carry a second example with
other sizes for those dims: a dim is None wherever the two examples differ."""

from ... import _C
from ..._grad_mode import no_grad
from .base import Layer, flatten_structure, format_shape, map_structure

__all__ = ["KerasTensor", "Node", "InputLayer", "Input", "call_symbolic"]


class KerasTensor:
    """The symbolic output of a layer in a functional model (shape with None batch)."""

    def __init__(self, value, node, index, alt=None):
        self._value = value
        self._alt = alt          # the example with other sizes for the variable dims
        self.node = node
        self.index = index

    @property
    def shape(self):
        dims = tuple(self._value.shape)[1:]
        if self._alt is not None:
            dims = tuple(None if a != b else a for a, b in zip(dims, tuple(self._alt.shape)[1:]))
        return (None,) + dims

    @property
    def dtype(self):
        return self._value.dtype

    @property
    def ndim(self):
        return self._value.dim()

    @property
    def name(self):
        layer = self.node.layer
        return layer.name if len(self.node.outputs) == 1 else f"{layer.name}_{self.index}"

    def __repr__(self):
        return (f"<KerasTensor shape={format_shape(self.shape)}, dtype={self.dtype}, "
                f"name={self.name}>")

    def __bool__(self):
        raise TypeError("[KerasTensor] a symbolic tensor has no truth value; it only says "
                        "where a layer's input comes from")

    def _refuse(self, *args):
        raise TypeError("[KerasTensor] arithmetic on symbolic tensors is not supported: use "
                        "layers such as keras.layers.Add, Multiply, Activation or Lambda-free "
                        "layers to combine them")

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = _refuse
    __matmul__ = __neg__ = __getitem__ = _refuse


class Node:
    """One call of `layer` in a functional graph: inputs (a structure of KerasTensors),
    extra call arguments, and its output KerasTensors."""

    def __init__(self, layer, inputs, args, kwargs):
        self.layer, self.inputs, self.args, self.kwargs = layer, inputs, tuple(args), kwargs
        self.outputs = []
        self.multi_output = False

    @property
    def parents(self):
        return [t for t in flatten_structure([self.inputs, list(self.kwargs.values())])
                if isinstance(t, KerasTensor)]

    @property
    def is_input(self):
        return isinstance(self.layer, InputLayer)


def call_symbolic(layer, inputs, args, kwargs):
    """Records `layer` called on KerasTensors; returns its output KerasTensor(s)."""
    for v in flatten_structure([list(args)]):
        if isinstance(v, KerasTensor):
            raise TypeError(f"[{type(layer).__name__}] pass symbolic tensors as the first "
                            f"argument or as keyword arguments")

    def value(v):
        return v._value if isinstance(v, KerasTensor) else v

    def alt(v):
        if isinstance(v, KerasTensor):
            return v._value if v._alt is None else v._alt
        return v

    out = _run_inference(layer, map_structure(value, inputs), args,
                         {k: map_structure(value, v) for k, v in kwargs.items()})
    variable = [t for t in flatten_structure([inputs, list(kwargs.values())])
                if isinstance(t, KerasTensor) and t._alt is not None]
    alt_out = None
    if variable:
        _relax_input_shape(layer, inputs)
        try:
            alt_out = _run_inference(layer, map_structure(alt, inputs), args,
                                     {k: map_structure(alt, v) for k, v in kwargs.items()})
        except (ValueError, RuntimeError, TypeError) as e:
            raise ValueError(f"[{type(layer).__name__}] layer '{layer.name}' cannot take "
                             f"inputs with variable dims {[t.shape for t in variable]} "
                             f"(it failed on another size of them): {e}") from e
    node = Node(layer, inputs, args, kwargs)
    layer.__dict__["_inbound_nodes"].append(node)
    if isinstance(out, _C.Tensor):
        node.outputs = [KerasTensor(out, node, 0, alt_out)]
        if alt_out is not None:
            layer.output_shape_ = node.outputs[0].shape
        return node.outputs[0]
    if isinstance(out, (list, tuple)) and all(isinstance(o, _C.Tensor) for o in out):
        node.multi_output = True
        alts = list(alt_out) if alt_out is not None else [None] * len(out)
        node.outputs = [KerasTensor(o, node, i, a) for i, (o, a) in enumerate(zip(out, alts))]
        return list(node.outputs)
    raise TypeError(f"[{type(layer).__name__}] layer '{layer.name}' returned "
                    f"{type(out).__name__}; functional models need a tensor or a list of "
                    f"tensors")


def _run_inference(layer, inputs, args, kwargs):
    was_training = layer.training
    layer.eval()
    try:
        with no_grad():
            return layer(inputs, *args, **kwargs)
    finally:
        layer.train(was_training)


def _relax_input_shape(layer, inputs):
    """Marks the variable dims of the layer's recorded input shape None, so calls with
    other sizes pass its input check."""
    shape = layer.input_shape_
    tensors = flatten_structure(inputs)
    if isinstance(shape, tuple) and len(tensors) == 1 and isinstance(tensors[0], KerasTensor):
        layer.input_shape_ = _merge(shape, tensors[0].shape)
    elif isinstance(shape, list) and len(shape) == len(tensors):
        layer.input_shape_ = [_merge(s, t.shape) if isinstance(t, KerasTensor) else s
                              for s, t in zip(shape, tensors)]


def _merge(shape, symbolic):
    if len(shape) != len(symbolic):
        return shape
    return tuple(None if b is None else a for a, b in zip(shape, symbolic))


# The sizes the examples of an Input give its variable dims.
_EXAMPLE_SIZES = (32, 48)


class InputLayer(Layer):
    """The entry point of a model: its ``output`` is the KerasTensor that ``keras.Input``
    returns. A Sequential model takes either as its first entry."""

    def __init__(self, shape=None, batch_size=None, dtype=None, name=None, **kwargs):
        if shape is None:
            shape = kwargs.pop("input_shape", None)
        if shape is None and "batch_input_shape" in kwargs:
            shape = tuple(kwargs.pop("batch_input_shape"))[1:]
        if shape is None:
            raise ValueError("[InputLayer] needs a shape (the per-sample shape, without the "
                             "batch dimension)")
        if isinstance(shape, int):
            shape = (shape,)
        shape = tuple(shape)
        if any(d is not None and int(d) < 0 for d in shape):
            raise ValueError(f"[Input] shape entries must be sizes >= 0 or None (a variable "
                             f"size), got {shape}")
        super().__init__(input_shape=shape, name=name, dtype=dtype, **kwargs)
        self.batch_size = batch_size
        self.shape = (batch_size,) + shape
        self.input_shape_ = self.output_shape_ = (None,) + shape
        self.built = True
        node = Node(self, None, (), {})
        example, alt = (_C.zeros((1,) + tuple(size if d is None else d for d in shape),
                                 dtype=self._dtype) for size in _EXAMPLE_SIZES)
        node.outputs = [KerasTensor(example, node, 0, alt if None in shape else None)]
        self.__dict__["_inbound_nodes"].append(node)

    def call(self, x):
        return x

    def get_config(self):
        config = {"shape": list(self.shape[1:]), "name": self.name}
        if self._dtype != _C.dtype.float32:
            config["dtype"] = _dtype_name(self._dtype)
        return config


def _dtype_name(dtype):
    return str(dtype).split(".")[-1]


def Input(shape=None, batch_size=None, name=None, dtype=None):  # noqa: N802 - Keras name
    """A symbolic input: ``keras.Input(shape=(10,))`` (the batch dim is implicit). Call
    layers on it and pass it to ``keras.Model(inputs, outputs)``, or put it first in a
    Sequential model."""
    return InputLayer(shape=shape, batch_size=batch_size, name=name, dtype=dtype) \
        ._inbound_nodes[0].outputs[0]
