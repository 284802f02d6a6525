"""Keras's functional forms of the merge layers: ``layers.concatenate([a, b])`` is
``layers.Concatenate()([a, b])`` (a new layer per call)."""

from .merge import Add, Average, Concatenate, Maximum, Minimum, Multiply, Subtract
from .merge_dot import Dot

__all__ = ["add", "subtract", "multiply", "average", "maximum", "minimum", "concatenate",
           "dot"]


def add(inputs, **kwargs):
    return Add(**kwargs)(inputs)


def subtract(inputs, **kwargs):
    return Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    return Multiply(**kwargs)(inputs)


def average(inputs, **kwargs):
    return Average(**kwargs)(inputs)


def maximum(inputs, **kwargs):
    return Maximum(**kwargs)(inputs)


def minimum(inputs, **kwargs):
    return Minimum(**kwargs)(inputs)


def concatenate(inputs, axis=-1, **kwargs):
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs, axes=-1, normalize=False, **kwargs):
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)
