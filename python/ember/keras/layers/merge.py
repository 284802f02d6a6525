"""Merge layers for functional models: Add, Subtract, Multiply, Average, Maximum,
Minimum, Concatenate. Each takes a list of tensors of matching shapes."""

from ... import _C
from .base import Layer, format_shape

__all__ = ["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate"]


class _Merge(Layer):
    min_inputs = 2

    def build(self, input_shape):
        if not isinstance(input_shape, list) or len(input_shape) < self.min_inputs:
            raise ValueError(f"[{type(self).__name__}] layer '{self.name}' takes a list of at "
                             f"least {self.min_inputs} tensors, got input shape "
                             f"{format_shape(input_shape)}")
        self._check_shapes(input_shape)

    def _check_shapes(self, shapes):
        if any(tuple(s[1:]) != tuple(shapes[0][1:]) for s in shapes):
            raise ValueError(f"[{type(self).__name__}] layer '{self.name}' needs inputs of "
                             f"the same shape, got shapes {format_shape(shapes)}")

    def call(self, inputs):
        out = inputs[0]
        for t in inputs[1:]:
            out = self._merge(out, t)
        return out


class Add(_Merge):
    def _merge(self, a, b):
        return a + b


class Subtract(_Merge):
    def build(self, input_shape):
        super().build(input_shape)
        if len(input_shape) != 2:
            raise ValueError(f"[Subtract] layer '{self.name}' takes exactly 2 inputs, got "
                             f"{len(input_shape)}")

    def _merge(self, a, b):
        return a - b


class Multiply(_Merge):
    def _merge(self, a, b):
        return a * b


class Maximum(_Merge):
    def _merge(self, a, b):
        return _C.maximum(a, b)


class Minimum(_Merge):
    def _merge(self, a, b):
        return _C.minimum(a, b)


class Average(_Merge):
    def call(self, inputs):
        return super().call(inputs) * (1.0 / len(inputs))

    def _merge(self, a, b):
        return a + b


class Concatenate(_Merge):
    """Concatenates along `axis` (default the last); other dims must match."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def _check_shapes(self, shapes):
        rank = len(shapes[0])
        axis = self.axis % rank
        for s in shapes:
            if len(s) != rank or any(a != b for i, (a, b) in enumerate(zip(s, shapes[0]))
                                     if i not in (0, axis)):
                raise ValueError(f"[Concatenate] layer '{self.name}' needs inputs that match "
                                 f"except on axis {self.axis}, got shapes "
                                 f"{format_shape(shapes)}")

    def call(self, inputs):
        return _C.cat(list(inputs), self.axis)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}
