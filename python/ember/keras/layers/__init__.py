"""Keras layers (``keras.layers``). A Layer is an ``ember.nn.Module`` that creates its
weights lazily in ``build(input_shape)`` on its first call (or from ``input_shape=``), so
``state_dict()``, ``ember.save`` and optimizers work as for any nn module. Weight layouts
follow Keras (``Dense.kernel`` is ``[in, out]``, ``Conv2D.kernel`` ``[kh, kw, in, out]``)."""

from .base import Layer, format_shape  # noqa: F401
from .conv import Conv1D, Conv2D  # noqa: F401
from .core import (Activation, Dense, Dropout, Embedding, Flatten, ReLU,  # noqa: F401
                   Reshape, Softmax)
from .input_layer import Input, InputLayer, KerasTensor  # noqa: F401
from .merge import (Add, Average, Concatenate, Maximum, Minimum, Multiply,  # noqa: F401
                    Subtract)
from .normalization import BatchNormalization, LayerNormalization  # noqa: F401
from .pooling import (AveragePooling1D, AveragePooling2D, GlobalAveragePooling1D,  # noqa: F401
                      GlobalAveragePooling2D, GlobalMaxPooling1D, GlobalMaxPooling2D,
                      MaxPooling1D, MaxPooling2D)
from .recurrent import GRU, LSTM, SimpleRNN  # noqa: F401
from .activation_layers import ELU, Identity, Lambda, LeakyReLU, PReLU  # noqa: F401
from .attention import Attention, MultiHeadAttention  # noqa: F401
from .conv_variants import Conv2DTranspose, DepthwiseConv2D, SeparableConv2D  # noqa: F401
from .merge_dot import Dot  # noqa: F401
from .merge_functions import (add, average, concatenate, dot, maximum,  # noqa: F401
                              minimum, multiply, subtract)
from .normalization_extra import GroupNormalization, UnitNormalization  # noqa: F401
from .preprocessing import CenterCrop, Normalization, Rescaling, Resizing  # noqa: F401
from .noise import (AlphaDropout, GaussianDropout, GaussianNoise,  # noqa: F401
                    SpatialDropout1D, SpatialDropout2D, SpatialDropout3D)
from .text_vectorization import TextVectorization  # noqa: F401
from .lookup import IntegerLookup, StringLookup  # noqa: F401
from .category_encoding import CategoryEncoding, Discretization  # noqa: F401
from .hashing import Hashing  # noqa: F401
from .masking import Masking  # noqa: F401
from .image_augmentation import (RandomBrightness, RandomContrast, RandomCrop,  # noqa: F401
                                 RandomFlip, RandomRotation, RandomTranslation, RandomZoom)
from .reshaping import (Cropping2D, Permute, RepeatVector, UpSampling2D,  # noqa: F401
                        ZeroPadding2D)
from .wrappers import Bidirectional, TimeDistributed  # noqa: F401

# Keras's aliases.
Convolution1D, Convolution2D = Conv1D, Conv2D
MaxPool1D, MaxPool2D, AvgPool1D, AvgPool2D = MaxPooling1D, MaxPooling2D, AveragePooling1D, \
    AveragePooling2D
GlobalAvgPool1D, GlobalAvgPool2D = GlobalAveragePooling1D, GlobalAveragePooling2D
GlobalMaxPool1D, GlobalMaxPool2D = GlobalMaxPooling1D, GlobalMaxPooling2D
Convolution2DTranspose = Conv2DTranspose

__all__ = ["Layer", "InputLayer", "Input", "KerasTensor", "Dense", "Activation", "Flatten",
           "Reshape", "ReLU", "Softmax", "Dropout", "Embedding", "Conv1D", "Conv2D",
           "MaxPooling1D", "MaxPooling2D", "AveragePooling1D", "AveragePooling2D",
           "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalMaxPooling1D",
           "GlobalMaxPooling2D", "BatchNormalization", "LayerNormalization", "SimpleRNN",
           "LSTM", "GRU", "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum",
           "Concatenate", "format_shape", "ELU", "Identity", "Lambda", "LeakyReLU", "PReLU",
           "Attention", "MultiHeadAttention", "Conv2DTranspose", "DepthwiseConv2D",
           "SeparableConv2D", "Dot", "GroupNormalization", "UnitNormalization", "CenterCrop",
           "GaussianNoise", "Normalization", "RandomFlip", "Rescaling", "Resizing",
           "SpatialDropout2D", "Cropping2D", "Permute", "RepeatVector", "UpSampling2D",
           "ZeroPadding2D", "Bidirectional", "TimeDistributed", "AlphaDropout",
           "GaussianDropout", "SpatialDropout1D", "SpatialDropout3D", "RandomBrightness",
           "RandomContrast", "RandomCrop", "RandomRotation", "RandomTranslation", "RandomZoom",
           "TextVectorization", "Masking", "add", "average", "concatenate", "dot", "maximum", "minimum", "multiply",
           "subtract", "StringLookup", "IntegerLookup", "CategoryEncoding", "Discretization",
           "Hashing"]


def class_name(cls):
    """The class name a config records: 'package>Name' for a class registered with
    keras.saving.register_keras_serializable, else its name."""
    return cls.__dict__.get("_registered_name", cls.__name__)


def get_layer_class(name, custom_objects=None):
    """The layer class for a saved config's class_name (built-ins, custom_objects, classes
    registered with keras.saving.register_keras_serializable)."""
    from .activation_layers import _loading_custom_objects
    known = _loading_custom_objects[-1]   # registered classes and custom_object_scope's
    plain = name.split(">")[-1]
    for scope, key in ((custom_objects or {}, name), (custom_objects or {}, plain),
                       (known, name), (known, plain)):
        if key in scope and isinstance(scope[key], type):
            return scope[key]
    name = plain
    if name in ("Sequential", "Functional", "Model"):
        from .. import models
        return models.Functional if name == "Model" else getattr(models, name)
    cls = globals().get(name)
    if isinstance(cls, type) and issubclass(cls, Layer):
        return cls
    raise ValueError(f"[load_model] unknown layer class '{name}': pass it in "
                     f"custom_objects={{'{name}': {name}}}")
