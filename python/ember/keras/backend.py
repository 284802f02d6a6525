"""keras.backend: the few global settings Keras scripts read. Ember's Keras layers compute
in float32; other float types are refused with a clear error rather than ignored."""



__all__ = ["clear_session", "floatx", "set_floatx", "epsilon", "set_epsilon",
           "image_data_format", "backend"]

_EPSILON = [1e-7]


def clear_session(free_memory=True):
    """Resets the automatic layer names (dense, dense_1, ...), as Keras does."""
    from .layers import base
    base._name_counts.clear()


def floatx():
    return "float32"


def set_floatx(value):
    if value != "float32":
        raise ValueError(f"[keras.backend.set_floatx] only 'float32' is supported by Ember's "
                         f"Keras layers, got {value!r} (pass dtype= to a layer instead)")


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


