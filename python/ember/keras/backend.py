"""keras.backend: the few global settings Keras scripts read. floatx() is the dtype Keras
layers give their weights (and fit/predict their float inputs) when they get no dtype=;
it is Keras's own setting, separate from ember.set_default_dtype, as in Keras 3."""

__all__ = ["clear_session", "floatx", "set_floatx", "epsilon", "set_epsilon",
           "image_data_format", "backend"]

_EPSILON = [1e-7]
_FLOATX = ["float32"]
_FLOAT_NAMES = ("float16", "bfloat16", "float32", "float64")


def clear_session(free_memory=True):
    """Resets the automatic layer names (dense, dense_1, ...), as Keras does."""
    from .layers import base
    base._name_counts.clear()


def floatx():
    """The default float type of Keras layers, as a string ('float32' at start)."""
    return _FLOATX[0]


def set_floatx(value):
    """Sets floatx() for layers created afterwards (process-wide, not per thread)."""
    if value not in _FLOAT_NAMES:
        raise ValueError(f"[keras.backend.set_floatx] expected one of "
                         f"{', '.join(repr(n) for n in _FLOAT_NAMES)}, got {value!r}")
    _FLOATX[0] = value


def _floatx_dtype():
    """floatx() as an ember dtype (what layers, initializers and fit use)."""
    from .. import _C
    return _C.dtype_from_name(_FLOATX[0])


def _numpy_floatx():
    """floatx() as a NumPy dtype for input arrays; bfloat16 (which NumPy lacks) as float32,
    converted when the tensor is made."""
    import numpy as np
    return np.float32 if _FLOATX[0] == "bfloat16" else np.dtype(_FLOATX[0]).type


def epsilon():
    return _EPSILON[0]


def set_epsilon(value):
    _EPSILON[0] = float(value)


def image_data_format():
    return "channels_last"


def backend():
    return "ember"


def is_keras_tensor(x):
    from .layers.input_layer import KerasTensor
    return isinstance(x, KerasTensor)


