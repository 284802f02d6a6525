"""keras.Sequential: a linear stack of layers, each fed the previous one's output."""

import inspect

from .. import _C
from .._grad_mode import no_grad
from ..nn.modules.module import Module
from .layers.base import Layer, format_shape
from .layers.input_layer import _EXAMPLE_SIZES, InputLayer, KerasTensor
from .layers.masking import call_with_mask
from .model import Model, _out_shape

__all__ = ["Sequential"]


class Sequential(Model):
    """A linear stack of layers: ``Sequential([Dense(64, activation='relu',
    input_shape=(20,)), Dense(1)])``. Layers are registered as children '0', '1', ...
    (their state-dict prefixes), so weights load into a fresh model of the same layout."""

    def __init__(self, layers=None, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self._layer_list = []
        for layer in layers or []:
            self._add(layer)
        if self._declared_input_shape is not None and self._layer_list:
            self.build(self._declared_input_shape)

    @property
    def layers(self):
        return list(self._layer_list)

    def add(self, layer):
        """Appends a layer; a model with a known input shape builds it at once."""
        self._add(layer)
        if self._layer_list and (self._declared_input_shape is not None or self.built):
            self.built = False
            self.build(self.input_shape_ or self._declared_input_shape)

    def _add(self, layer):
        if isinstance(layer, KerasTensor):
            if not layer.node.is_input:
                raise TypeError(f"[Sequential.add] only a keras.Input can be added as a "
                                f"tensor, got the output of layer '{layer.node.layer.name}'")
            layer = layer.node.layer
        if isinstance(layer, InputLayer):
            if self._layer_list:
                raise ValueError(f"[Sequential.add] an Input must come first in model "
                                 f"'{self.name}', which already has {len(self._layer_list)} "
                                 f"layers")
            self._declared_input_shape = layer._declared_input_shape
            self.__dict__["_input_layer_dtype"] = layer.dtype
            return
        if not isinstance(layer, Module):
            raise TypeError(f"[Sequential.add] expected a layer (an ember.nn.Module), got "
                            f"{type(layer).__name__}")
        if not self._layer_list and getattr(layer, "_declared_input_shape", None) is not None \
                and self._declared_input_shape is None:
            self._declared_input_shape = layer._declared_input_shape
        self.add_module(str(len(self._layer_list)), layer)
        self._layer_list.append(layer)
        self._steps = {}

    def pop(self):
        if not self._layer_list:
            raise IndexError(f"[Sequential.pop] model '{self.name}' has no layers")
        layer = self._layer_list.pop()
        delattr(self, str(len(self._layer_list)))
        self._steps = {}
        return layer

    def build(self, input_shape=None):
        """Builds every layer by running a batch of one sample through the model."""
        if input_shape is None:
            input_shape = self._declared_input_shape
        if input_shape is None:
            raise ValueError(f"[build] model '{self.name}' has no input shape: pass "
                             f"build(input_shape) or give the first layer input_shape=")
        shape = (None,) + tuple(input_shape)[1:]
        if self._declared_input_shape is not None and \
                tuple(self._declared_input_shape[1:]) != shape[1:]:
            raise ValueError(f"[Sequential] model '{self.name}' expects input of shape "
                             f"{format_shape(self._declared_input_shape)}, got input of shape "
                             f"{format_shape(tuple(input_shape))}")
        if not self._layer_list:
            raise ValueError(f"[build] model '{self.name}' has no layers")
        was_training = self.training
        self.eval()
        try:
            with no_grad():
                x, seen = self._run_example(shape, _EXAMPLE_SIZES[0])
                out_shape = _out_shape(x)
                if None in shape[1:]:
                    out_shape = self._mark_variable_dims(shape, seen, out_shape)
        finally:
            self.train(was_training)
        self.input_shape_ = shape
        self.output_shape_ = out_shape
        self.built = True
        if self._declared_input_shape is not None and \
                all(isinstance(la, Layer) for la in self._layer_list):
            self._symbolic()    # Keras 3: a Sequential with an Input is a functional graph

    def _example(self, shape, size):
        """A batch of one zero sample; variable (None) dims take `size`."""
        dtypes = self._input_dtypes()
        dims = tuple(size if d is None else d for d in shape[1:])
        return _C.zeros((1,) + dims, dtype=dtypes[0] if dtypes else self._dtype)

    def _run_example(self, shape, size):
        """Runs the example through the layers; returns the output and each layer's input
        shape."""
        x, seen = self._example(shape, size), []
        for layer in self._layer_list:
            seen.append(tuple(x.shape))
            x = layer(x)
            if not isinstance(layer, Layer):
                layer.__dict__["output_shape_"] = (None,) + tuple(x.shape)[1:]
        return x, seen

    def _mark_variable_dims(self, shape, seen, out_shape):
        """Runs a second example with other sizes for the variable dims: each dim that
        differs between the two runs becomes None in the layers' recorded shapes, so
        inputs of any size there pass their checks. Returns the output shape."""
        x = self._example(shape, _EXAMPLE_SIZES[1])
        for layer, first in zip(self._layer_list, seen):
            recorded = layer.__dict__.get("input_shape_")
            if isinstance(recorded, tuple) and len(recorded) == len(first) == x.dim():
                layer.__dict__["input_shape_"] = tuple(
                    None if a != b else r for a, b, r in zip(first, tuple(x.shape), recorded))
            try:
                x = layer(x)
            except (ValueError, RuntimeError, TypeError) as e:
                raise ValueError(f"[Sequential] layer '{getattr(layer, 'name', layer)}' of "
                                 f"model '{self.name}' cannot take inputs with variable dims "
                                 f"{format_shape(shape)} (it failed on another size of "
                                 f"them): {e}") from e
        if isinstance(out_shape, tuple) and len(out_shape) == x.dim():
            out_shape = tuple(None if a != b else a
                              for a, b in zip(out_shape, (None,) + tuple(x.shape)[1:]))
        return out_shape

    # -- the symbolic graph: Keras 3's Sequential.inputs / outputs and layer.output -------
    def _symbolic(self):
        """(input, output) KerasTensors of the layers called on a keras.Input, made on
        first use, so ``keras.Model(seq.inputs, seq.get_layer('h').output)`` works."""
        graph = self.__dict__.get("_symbolic_graph")
        if graph is not None and graph[2] == tuple(self._layer_list):
            return graph
        if not self.built:
            self.build()
        if not all(isinstance(la, Layer) for la in self._layer_list):
            raise ValueError(f"[Sequential] model '{self.name}' holds layers that are not "
                             f"keras Layers, so it has no symbolic inputs / outputs")
        if graph is not None:      # layers were added or removed: drop the old graph's nodes
            for layer, node in graph[3]:
                if node in layer.__dict__["_inbound_nodes"]:
                    layer.__dict__["_inbound_nodes"].remove(node)
        from .layers.input_layer import Input
        dtypes = self._input_dtypes()
        x = inp = Input(shape=self.input_shape_[1:], dtype=dtypes[0] if dtypes else None)
        nodes = []
        for layer in self._layer_list:
            x = layer(x)
            nodes.append((layer, layer.__dict__["_inbound_nodes"][-1]))
        graph = (inp, x, tuple(self._layer_list), nodes)
        self.__dict__["_symbolic_graph"] = graph
        return graph

    @property
    def inputs(self):
        return [self._symbolic()[0]]

    @property
    def outputs(self):
        return [self._symbolic()[1]]

    def get_layer(self, name=None, index=None):
        layer = super().get_layer(name, index)
        if self.built or self._declared_input_shape is not None:
            self._symbolic()    # so the layer's .output is defined, as in Keras
        return layer

    def call(self, x, training=None):
        mask = None
        for layer in self._layer_list:
            kwargs = {"training": training} if training is not None and \
                _accepts_training(layer) else {}
            x, mask = call_with_mask(layer, x, mask, **kwargs)
        return x

    def _input_dtypes(self):
        first = self._layer_list[0] if self._layer_list else None
        dtype = getattr(first, "_input_dtype", None)
        if self.__dict__.get("_input_layer_dtype") is not None:
            dtype = self._input_layer_dtype
        return None if dtype is None else [dtype]

    def get_config(self):
        config = {"name": self.name, "layers": [_layer_config(la) for la in self._layer_list]}
        if self.input_shape_ is not None:
            config["build_input_shape"] = list(self.input_shape_)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from .layers import get_layer_class
        layers = []
        for spec in config.get("layers", []):
            layer_cls = get_layer_class(spec["class_name"], custom_objects)
            layers.append(layer_cls.from_config(spec["config"]))
        model = cls(layers, name=config.get("name"))
        if not model.built and config.get("build_input_shape"):
            model.build(tuple(config["build_input_shape"]))
        return model


def _layer_config(layer):
    if not isinstance(layer, Layer):
        raise ValueError(f"[save] layer {layer!r} is not a keras Layer, so its config cannot "
                         f"be saved (use save_weights)")
    from .layers import class_name
    return {"class_name": class_name(type(layer)), "config": layer.get_config()}


def _accepts_training(layer):
    try:
        return "training" in inspect.signature(layer.call).parameters
    except (TypeError, ValueError, AttributeError):
        return False
