"""keras.models: the model classes and whole-model saving."""

from .functional import Functional  # noqa: F401
from .model import Model  # noqa: F401
from .saving import load_model, model_from_json, save_model  # noqa: F401
from .sequential import Sequential  # noqa: F401

__all__ = ["Model", "Sequential", "Functional", "load_model", "save_model",
           "model_from_json"]
