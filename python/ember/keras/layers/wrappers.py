"""Layer wrappers: TimeDistributed (a layer applied to every timestep) and Bidirectional
(a recurrent layer run forwards and backwards, outputs merged). Weights: the wrapped
layer's; Bidirectional lists the forward layer's, then the backward layer's."""

from ... import _C
from .base import Layer, format_shape

__all__ = ["TimeDistributed", "Bidirectional"]


def _layer_config(layer):
    from . import class_name
    return {"class_name": class_name(type(layer)), "config": layer.get_config()}


def _layer_from_config(spec):
    from . import get_layer_class
    from .activation_layers import _loading_custom_objects
    cls = get_layer_class(spec["class_name"], _loading_custom_objects[-1])
    return cls.from_config(dict(spec["config"]))


def _check_layer(wrapper, layer):
    if not isinstance(layer, Layer):
        raise TypeError(f"[{wrapper}] expects a keras Layer, got {type(layer).__name__}")


class TimeDistributed(Layer):
    """Applies `layer` to each slice ``x[:, t]`` of (N, T, ...) inputs (as one batch of
    N * T samples). A (N, T) mask passes through to the output (and, flattened to the
    N * T samples, to a wrapped layer whose call takes `mask`), as in Keras."""

    supports_masking = True

    def __init__(self, layer, **kwargs):
        super().__init__(**kwargs)
        if isinstance(layer, dict):
            layer = _layer_from_config(layer)
        _check_layer("TimeDistributed", layer)
        self.layer = layer

    def build(self, input_shape):
        if isinstance(input_shape, list) or len(input_shape) < 3:
            raise ValueError(f"[TimeDistributed] layer '{self.name}' expects inputs of rank "
                             f">= 3 (batch, time, ...), got input shape "
                             f"{format_shape(input_shape)}")
        self.layer._maybe_build((None,) + tuple(input_shape[2:]))

    def call(self, x, training=None, mask=None):
        n, t = x.shape[0], x.shape[1]
        flat = x.reshape(n * t, *x.shape[2:])
        kwargs = {} if training is None or not _takes_training(self.layer) \
            else {"training": training}
        if mask is not None and _takes_mask(self.layer):
            if tuple(mask.shape[:2]) != (n, t):
                raise ValueError(f"[TimeDistributed] layer '{self.name}': the mask of shape "
                                 f"{tuple(mask.shape)} does not start with the inputs' "
                                 f"(batch, timesteps) = ({n}, {t})")
            kwargs["mask"] = mask.reshape(n * t, *mask.shape[2:])
        y = self.layer(flat, **kwargs)
        return y.reshape(n, t, *y.shape[1:])

    def get_config(self):
        return {**super().get_config(), "layer": _layer_config(self.layer)}


def _takes_mask(layer):
    from .masking import _takes_mask as takes
    return takes(layer)


def _takes_training(layer):
    import inspect
    return "training" in inspect.signature(layer.call).parameters


class Bidirectional(Layer):
    """Runs the recurrent `layer` forwards and a copy backwards (``go_backwards``) over the
    sequence and merges the outputs: merge_mode 'concat' (default), 'sum', 'mul', 'ave' or
    None (a list [forward, backward]). With ``return_sequences`` the backward outputs are
    put back in time order, as Keras does."""

    _MODES = ("concat", "sum", "mul", "ave", None)

    def __init__(self, layer, merge_mode="concat", backward_layer=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(layer, dict):
            layer = _layer_from_config(layer)
        if isinstance(backward_layer, dict):
            backward_layer = _layer_from_config(backward_layer)
        _check_layer("Bidirectional", layer)
        if not hasattr(layer, "go_backwards") or not hasattr(layer, "return_sequences"):
            raise ValueError(f"[Bidirectional] expects a recurrent layer (SimpleRNN, LSTM, "
                             f"GRU), got {type(layer).__name__}")
        if merge_mode not in self._MODES:
            raise ValueError(f"[Bidirectional] merge_mode must be one of {self._MODES}, got "
                             f"{merge_mode!r}")
        self.merge_mode = merge_mode
        if backward_layer is None:
            config = layer.get_config()
            config["name"] = "backward_" + layer.name
            config["go_backwards"] = not layer.go_backwards
            backward_layer = type(layer).from_config(config)
            layer.name = "forward_" + layer.name
        self.forward_layer = layer
        self.backward_layer = backward_layer
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state

    def build(self, input_shape):
        self.forward_layer._maybe_build(input_shape)
        self.backward_layer._maybe_build(input_shape)

    def _merge(self, f, b):
        if self.merge_mode == "concat":
            return _C.cat([f, b], -1)
        if self.merge_mode == "sum":
            return f + b
        if self.merge_mode == "mul":
            return f * b
        if self.merge_mode == "ave":
            return (f + b) * 0.5
        return [f, b]

    def call(self, x, initial_state=None, mask=None):
        fs = bs = None
        if initial_state is not None:
            half = len(initial_state) // 2
            fs, bs = initial_state[:half], initial_state[half:]
        extra = {} if mask is None else {"mask": mask}
        f = self.forward_layer(x, initial_state=fs, **extra) if fs else \
            self.forward_layer(x, **extra)
        b = self.backward_layer(x, initial_state=bs, **extra) if bs else \
            self.backward_layer(x, **extra)
        f_states = b_states = []
        if self.return_state:
            f, f_states = f[0], f[1:]
            b, b_states = b[0], b[1:]
        if self.return_sequences:
            b = _C.flip(b, [1])
        out = self._merge(f, b)
        if self.return_state:
            return (out if isinstance(out, list) else [out]) + f_states + b_states
        return out

    def compute_mask(self, inputs, mask=None):
        return mask if self.return_sequences and not self.return_state else None

    def get_config(self):
        config = {**super().get_config(), "layer": _layer_config(self.forward_layer),
                  "merge_mode": self.merge_mode,
                  "backward_layer": _layer_config(self.backward_layer)}
        return config
