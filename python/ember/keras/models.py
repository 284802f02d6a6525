"""keras.models: the model classes, whole-model saving and clone_model."""

from .functional import Functional  # noqa: F401
from .model import Model  # noqa: F401
from .saving import load_model, model_from_json, save_model  # noqa: F401
from .sequential import Sequential  # noqa: F401

__all__ = ["Model", "Sequential", "Functional", "load_model", "save_model",
           "model_from_json", "clone_model"]


def clone_model(model, input_tensors=None, clone_function=None, **kwargs):
    """A new model with `model`'s architecture (from its config) and freshly initialized
    weights (Keras's ``clone_model``); not compiled."""
    from .saving import _from_config
    if input_tensors is not None or clone_function is not None or kwargs:
        raise NotImplementedError("[clone_model] input_tensors, clone_function and the other "
                                  "options are not supported: clone_model(model) only")
    name = type(model).__name__
    if name not in ("Sequential", "Functional") and "get_config" not in type(model).__dict__:
        raise ValueError(f"[clone_model] model '{model.name}' is a subclassed Model without "
                         f"get_config, so it cannot be rebuilt from a config")
    clone = _from_config({"class_name": name, "config": model.get_config()},
                         {name: type(model)})
    if not clone.built and model.built and model.input_shape_ is not None:
        clone.build(model.input_shape_)
    return clone
