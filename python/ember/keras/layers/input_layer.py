"""Symbolic tensors for the functional API. ``keras.Input(shape)`` returns a KerasTensor;
calling a layer on KerasTensors records a Node (the layer, its inputs, its outputs) and
returns new KerasTensors, which ``keras.Model(inputs, outputs)`` walks back to order the
computation.

A KerasTensor carries a concrete example value (a batch of one zero sample) computed by
running the layer in inference mode, so shapes, dtypes and the layer's weights come from
the layer's own code, with no separate shape inference to keep in step."""

from ... import _C
from ..._grad_mode import no_grad
from .base import Layer, flatten_structure, format_shape, map_structure

__all__ = ["KerasTensor", "Node", "InputLayer", "Input", "call_symbolic"]


class KerasTensor:
    """The symbolic output of a layer in a functional model (shape with None batch)."""

    def __init__(self, value, node, index):
        self._value = value
        self.node = node
        self.index = index

    @property
    def shape(self):
        return (None,) + tuple(self._value.shape)[1:]

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

    concrete = map_structure(value, inputs)
    concrete_kwargs = {k: map_structure(value, v) for k, v in kwargs.items()}
    was_training = layer.training
    layer.eval()
    try:
        with no_grad():
            out = layer(concrete, *args, **concrete_kwargs)
    finally:
        layer.train(was_training)
    node = Node(layer, inputs, args, kwargs)
    layer.__dict__["_inbound_nodes"].append(node)
    if isinstance(out, _C.Tensor):
        node.outputs = [KerasTensor(out, node, 0)]
        return node.outputs[0]
    if isinstance(out, (list, tuple)) and all(isinstance(o, _C.Tensor) for o in out):
        node.multi_output = True
        node.outputs = [KerasTensor(o, node, i) for i, o in enumerate(out)]
        return list(node.outputs)
    raise TypeError(f"[{type(layer).__name__}] layer '{layer.name}' returned "
                    f"{type(out).__name__}; functional models need a tensor or a list of "
                    f"tensors")


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
        if any(d is None or int(d) < 0 for d in shape):
            raise ValueError(f"[Input] shape must be fully defined (apart from the implicit "
                             f"batch dimension), got {shape}")
        super().__init__(input_shape=shape, name=name, dtype=dtype, **kwargs)
        self.batch_size = batch_size
        self.shape = (batch_size,) + shape
        self.input_shape_ = self.output_shape_ = (None,) + shape
        self.built = True
        node = Node(self, None, (), {})
        example = _C.zeros((1,) + shape, dtype=self._dtype)
        node.outputs = [KerasTensor(example, node, 0)]
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
