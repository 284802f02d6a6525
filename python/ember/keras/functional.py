"""Functional models: ``keras.Model(inputs, outputs)`` over a graph of layers called on
the symbolic tensors of ``keras.Input``. Several inputs and outputs (lists or dicts keyed
by name), shared layers (one layer, several nodes) and nested models are supported.

The model orders the graph's nodes once (depth-first from the outputs) and replays them on
real tensors in ``call``; its layers are registered as children under their names, so the
state dict reads ``'dense_1.kernel'``."""

from .layers.base import flatten_structure, map_structure
from .layers.input_layer import InputLayer, KerasTensor
from .layers.masking import call_with_mask
from .model import Model

__all__ = ["Functional"]


def _tensors(structure, what):
    flat = flatten_structure(structure)
    for t in flat:
        if not isinstance(t, KerasTensor):
            raise TypeError(f"[Model] {what} must be keras.Input tensors / outputs of layers "
                            f"called on them, got {type(t).__name__}")
    return flat


class Functional(Model):
    def __init__(self, inputs, outputs, name=None, trainable=True, **kwargs):
        super().__init__(name=name, trainable=trainable, **kwargs)
        self._input_struct, self._output_struct = inputs, outputs
        self._inputs = _tensors(inputs, "inputs")
        self._outputs = _tensors(outputs, "outputs")
        for t in self._inputs:
            if not t.node.is_input:
                raise ValueError(f"[Model] inputs must come from keras.Input, got the output "
                                 f"of layer '{t.node.layer.name}'")
        self._nodes = self._order_nodes()
        self._layers = []
        for node in self._nodes:
            if node.layer not in self._layers:
                self._layers.append(node.layer)
        names = [layer.name for layer in self._layers]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"[Model] layer names must be unique in a model, got {dup} more "
                             f"than once")
        for layer in self._layers:
            self.add_module(layer.name, layer)
        shapes = [t.shape for t in self._inputs]
        self.input_shape_ = shapes[0] if len(shapes) == 1 else shapes
        out = [t.shape for t in self._outputs]
        self.output_shape_ = out[0] if len(out) == 1 else out
        self.built = True

    def _order_nodes(self):
        order, seen, active = [], set(), set()
        inputs = {id(t) for t in self._inputs}

        def visit(node):
            if id(node) in seen:
                return
            if id(node) in active:
                raise ValueError("[Model] the layer graph has a cycle")
            active.add(id(node))
            if node.is_input and id(node.outputs[0]) not in inputs:
                raise ValueError(f"[Model] the outputs depend on the input "
                                 f"'{node.layer.name}', which is not in the model's inputs")
            for parent in node.parents:
                visit(parent.node)
            active.discard(id(node))
            seen.add(id(node))
            order.append(node)

        for t in self._inputs:      # the inputs first, in order (as Keras lists them)
            visit(t.node)
        for t in self._outputs:
            visit(t.node)
        return order

    @property
    def layers(self):
        return list(self._layers)

    @property
    def inputs(self):
        return list(self._inputs)

    @property
    def outputs(self):
        return list(self._outputs)

    def _input_names(self):
        return [t.node.layer.name for t in self._inputs]

    def _output_names(self):
        if isinstance(self._output_struct, dict):
            return list(self._output_struct)
        return [t.node.layer.name if len(t.node.outputs) == 1 else t.name
                for t in self._outputs]

    def _input_dtypes(self):
        return [t.dtype for t in self._inputs]

    def _n_outputs(self):
        return len(self._outputs)

    def _pack_outputs(self, arrays):
        if isinstance(self._output_struct, dict):
            return dict(zip(self._output_struct, arrays))
        return super()._pack_outputs(arrays)

    def _flat_inputs(self, inputs):
        if isinstance(inputs, dict):
            names = self._input_names()
            missing = [n for n in names if n not in inputs]
            if missing:
                raise ValueError(f"[{self.name}] missing inputs {missing}; the model's inputs "
                                 f"are {names}")
            return [inputs[n] for n in names]
        flat = flatten_structure(inputs)
        if len(flat) != len(self._inputs):
            raise ValueError(f"[{self.name}] model '{self.name}' has {len(self._inputs)} "
                             f"inputs {self._input_names()}, got {len(flat)} tensors")
        return flat

    def _check_input(self, x):
        for t, v in zip(self._inputs, self._flat_inputs(x)):
            expected, got = t.shape, tuple(v.shape)
            if len(got) != len(expected) or any(e is not None and e != g
                                                for e, g in zip(expected[1:], got[1:])):
                from .layers.base import format_shape
                raise ValueError(f"[Functional] model '{self.name}' input '{t.node.layer.name}' "
                                 f"expects shape {format_shape(expected)}, got input of shape "
                                 f"{format_shape(got)}")

    def call(self, inputs, training=None):
        from .sequential import _accepts_training
        values, masks = {}, {}      # by KerasTensor id: the tensor, and its Keras mask
        for t, v in zip(self._inputs, self._flat_inputs(inputs)):
            values[id(t)] = v

        def look(v):
            return values[id(v)] if isinstance(v, KerasTensor) else v

        def mask_of(v):
            return masks.get(id(v)) if isinstance(v, KerasTensor) else None

        for node in self._nodes:
            if node.is_input:
                continue
            args = map_structure(look, node.inputs)
            kwargs = {k: map_structure(look, v) for k, v in node.kwargs.items()}
            if training is not None and "training" not in kwargs and \
                    _accepts_training(node.layer):
                kwargs["training"] = training
            in_mask = [mask_of(v) for v in node.inputs] \
                if isinstance(node.inputs, (list, tuple)) else mask_of(node.inputs)
            if isinstance(in_mask, list) and all(m is None for m in in_mask):
                in_mask = None
            out, out_mask = call_with_mask(node.layer, args, in_mask, *node.args, **kwargs)
            outs = list(out) if node.multi_output else [out]
            for kt, o in zip(node.outputs, outs):
                values[id(kt)] = o
            if out_mask is not None and not node.multi_output:
                masks[id(node.outputs[0])] = out_mask
        return map_structure(look, self._output_struct)

    # -- summary and config ----------------------------------------------------------
    def _summary_rows(self):
        rows = []
        for layer in self._layers:
            inbound = []
            for node in self._nodes:
                if node.layer is layer:
                    inbound += [p.name for p in node.parents]
            rows.append((layer, inbound))
        return rows

    def _ref(self, t):
        nodes = [n for n in self._nodes if n.layer is t.node.layer]
        return [t.node.layer.name, nodes.index(t.node), t.index]

    def get_config(self):
        from .sequential import _layer_config

        def ser(v):
            if isinstance(v, KerasTensor):
                return {"__keras_tensor__": self._ref(v)}
            if isinstance(v, (list, tuple)):
                return [ser(x) for x in v]
            if isinstance(v, dict):
                return {"__dict__": {k: ser(x) for k, x in v.items()}}
            return v

        return {
            "name": self.name,
            "layers": [{"name": la.name, **_layer_config(la)} for la in self._layers],
            "nodes": [{"layer": n.layer.name, "inputs": ser(n.inputs), "args": ser(list(n.args)),
                       "kwargs": ser(dict(n.kwargs))} for n in self._nodes if not n.is_input],
            "inputs": ser(self._input_struct),
            "outputs": ser(self._output_struct),
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from .layers import get_layer_class
        layers = {}
        tensors = {}   # (layer name, node index, tensor index) -> KerasTensor
        counts = {}
        for spec in config["layers"]:
            layer_cls = get_layer_class(spec["class_name"], custom_objects)
            layer = layer_cls.from_config(spec["config"])
            layers[spec["name"]] = layer
            if isinstance(layer, InputLayer):
                tensors[(layer.name, 0, 0)] = layer._inbound_nodes[0].outputs[0]
                counts[layer.name] = 1

        def de(v):
            if isinstance(v, dict) and "__keras_tensor__" in v:
                key = tuple(v["__keras_tensor__"])
                if key not in tensors:
                    raise ValueError(f"[load_model] the config refers to the unknown tensor "
                                     f"{list(key)}")
                return tensors[key]
            if isinstance(v, dict) and "__dict__" in v:
                return {k: de(x) for k, x in v["__dict__"].items()}
            if isinstance(v, list):
                return [de(x) for x in v]
            return v

        for node in config["nodes"]:
            if node["layer"] not in layers:
                raise ValueError(f"[load_model] node of unknown layer '{node['layer']}'")
            layer = layers[node["layer"]]
            out = layer(de(node["inputs"]), *de(node["args"]), **de(node["kwargs"]))
            index = counts.get(layer.name, 0)
            counts[layer.name] = index + 1
            for i, t in enumerate(out if isinstance(out, list) else [out]):
                tensors[(layer.name, index, i)] = t
        return cls(de(config["inputs"]), de(config["outputs"]), name=config.get("name"))
