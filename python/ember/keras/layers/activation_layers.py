"""Activation layers with parameters (LeakyReLU, PReLU, ELU), Identity and Lambda."""

from ... import _C
from .. import initializers as _initializers
from .. import regularizers as _regularizers
from .base import Layer

__all__ = ["LeakyReLU", "PReLU", "ELU", "Identity", "Lambda", "custom_objects_scope"]


class LeakyReLU(Layer):
    """``x if x >= 0 else negative_slope * x``; Keras 3's default slope 0.3 (``alpha`` is
    tf.keras 2's name for it)."""

    def __init__(self, negative_slope=0.3, **kwargs):
        if "alpha" in kwargs:
            negative_slope = kwargs.pop("alpha")
        super().__init__(**kwargs)
        if float(negative_slope) < 0:
            raise ValueError(f"[LeakyReLU] negative_slope must be >= 0, got {negative_slope}")
        self.negative_slope = float(negative_slope)

    def call(self, x):
        return _C.leaky_relu(x, self.negative_slope)

    def get_config(self):
        return {**super().get_config(), "negative_slope": self.negative_slope}


class ELU(Layer):
    """``x if x > 0 else alpha * (exp(x) - 1)``."""

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = float(alpha)

    def call(self, x):
        return _C.elu(x, self.alpha)

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha}


class PReLU(Layer):
    """Leaky ReLU with a learned slope ``alpha`` per input element (shape
    ``input_shape[1:]``, size 1 along ``shared_axes``)."""

    def __init__(self, alpha_initializer="zeros", alpha_regularizer=None, shared_axes=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.alpha_initializer = _initializers.get(alpha_initializer)
        self.alpha_regularizer = _regularizers.get(alpha_regularizer)
        if shared_axes is not None and isinstance(shared_axes, int):
            shared_axes = [shared_axes]
        self.shared_axes = None if shared_axes is None else [int(a) for a in shared_axes]

    def build(self, input_shape):
        shape = list(input_shape[1:])
        for a in self.shared_axes or []:
            if not 1 <= a < len(input_shape):
                raise ValueError(f"[PReLU] layer '{self.name}': shared axis {a} is not a "
                                 f"non-batch axis of inputs of rank {len(input_shape)}")
            shape[a - 1] = 1
        if any(d is None for d in shape):
            raise ValueError(f"[PReLU] layer '{self.name}' needs defined non-batch dimensions "
                             f"(or shared_axes over the undefined ones), got {input_shape}")
        self.add_weight("alpha", tuple(shape), self.alpha_initializer,
                        regularizer=self.alpha_regularizer)

    def call(self, x):
        return _C.relu(x) - self.alpha * _C.relu(-x)

    def get_config(self):
        return {**super().get_config(),
                "alpha_initializer": _initializers.serialize(self.alpha_initializer),
                "alpha_regularizer": _regularizers.serialize(self.alpha_regularizer),
                "shared_axes": self.shared_axes}


class Identity(Layer):
    def call(self, x):
        return x


# custom_objects of the load_model in progress: Lambda looks its function up there.
_loading_custom_objects = [{}]


class custom_objects_scope:  # noqa: N801 - Keras's name
    """``with custom_objects_scope({'fn': fn}):`` makes `fn` known to load_model / from_config
    (Lambda layers save their function by name only)."""

    def __init__(self, objects):
        self.objects = dict(objects or {})

    def __enter__(self):
        _loading_custom_objects.append({**_loading_custom_objects[-1], **self.objects})
        return self

    def __exit__(self, *exc):
        _loading_custom_objects.pop()


class Lambda(Layer):
    """Wraps ``function(x, **arguments)`` as a layer (no weights). Saved models store the
    function's name only (never its code): load them with
    ``custom_objects={'name': function}``."""

    def __init__(self, function, output_shape=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(function, str):
            name = function
            function = _loading_custom_objects[-1].get(name)
            if function is None:
                raise ValueError(f"[Lambda] function '{name}' is unknown: pass it in "
                                 f"custom_objects={{'{name}': {name}}} to load_model")
        if not callable(function):
            raise TypeError(f"[Lambda] function must be callable, got "
                            f"{type(function).__name__}")
        self.function = function
        self.arguments = dict(arguments or {})
        self._output_shape = output_shape

    def call(self, x, **kwargs):
        return self.function(x, **self.arguments, **kwargs)

    def get_config(self):
        name = getattr(self.function, "__name__", "<lambda>")
        if name == "<lambda>":
            raise ValueError(f"[Lambda] layer '{self.name}' wraps an anonymous lambda, which "
                             f"cannot be saved as data; use a named function (def) and pass "
                             f"it in custom_objects when loading")
        return {**super().get_config(), "function": name, "arguments": self.arguments}
