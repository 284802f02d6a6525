"""Keras activations (``keras.activations``): functions of a tensor, looked up by name with
``get('relu')``. Each is written with Ember ops, so it is differentiable and traceable."""


from .. import _C

__all__ = ["get", "serialize", "linear", "relu", "relu6", "leaky_relu", "elu", "selu", "gelu",
           "sigmoid", "hard_sigmoid", "tanh", "softmax", "log_softmax", "softplus", "softsign",
           "silu", "swish", "mish", "exponential"]


def linear(x):
    return x


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    if negative_slope == 0.0 and max_value is None and threshold == 0.0:
        return _C.relu(x)
    out = _C.where(x > threshold, x, (x - threshold) * negative_slope)
    return out if max_value is None else _C.clamp(out, max=float(max_value))


def relu6(x):
    return _C.relu6(x)


def leaky_relu(x, negative_slope=0.2):
    return _C.leaky_relu(x, float(negative_slope))


def elu(x, alpha=1.0):
    return _C.elu(x, float(alpha))


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(x):
    return _C.elu(x, _SELU_ALPHA) * _SELU_SCALE


def gelu(x, approximate=False):
    return _C.gelu(x, approximate="tanh" if approximate else "none")


def sigmoid(x):
    return _C.sigmoid(x)


def hard_sigmoid(x):
    return _C.clamp(x * (1.0 / 6.0) + 0.5, min=0.0, max=1.0)


def tanh(x):
    return _C.tanh(x)


def softmax(x, axis=-1):
    return _C.softmax(x, axis)


def log_softmax(x, axis=-1):
    return _C.log_softmax(x, axis)


def softplus(x):
    return _C.softplus(x)


def softsign(x):
    return x / (_C.abs(x) + 1.0)


def silu(x):
    return _C.silu(x)


swish = silu


def mish(x):
    return x * _C.tanh(_C.softplus(x))


def exponential(x):
    return _C.exp(x)


_BY_NAME = {f.__name__: f for f in (linear, relu, relu6, leaky_relu, elu, selu, gelu, sigmoid,
                                    hard_sigmoid, tanh, softmax, log_softmax, softplus,
                                    softsign, silu, mish, exponential)}
_BY_NAME["swish"] = silu


def get(identifier):
    """An activation function from a name ('relu', 'softmax', ...), a callable, or None
    (linear)."""
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        fn = _BY_NAME.get(identifier.lower())
        if fn is None:
            raise ValueError(f"[activations] unknown activation '{identifier}'; known: "
                             f"{', '.join(sorted(_BY_NAME))}")
        return fn
    if callable(identifier):
        return identifier
    raise TypeError(f"[activations] expected an activation name or a callable, got "
                    f"{type(identifier).__name__}")


def serialize(fn):
    """The name of an activation function (its name in `get`), or its __name__."""
    for name, f in _BY_NAME.items():
        if f is fn:
            return name
    return getattr(fn, "__name__", repr(fn))
