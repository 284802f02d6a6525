"""Merge layers for functional models: Add, Subtract, Multiply, Average, Maximum,
Minimum, Concatenate. Each takes a list of tensors of matching shapes.

Masks (Keras 3's rules): the output of an element-wise merge is masked where every input
is (the timestep mask is the OR of the input masks; None when any input has none);
Multiply, Maximum and Minimum also leave masked inputs out of the value where another
input is kept. Concatenate concatenates the masks (an unmasked input counts as kept)."""

from ... import _C
from .base import Layer, format_shape

__all__ = ["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate"]


def _mask_like(mask, x):
    """The (batch, timesteps) mask broadcast to x's shape (True where kept)."""
    if mask is None:
        return None
    while mask.dim() < x.dim():
        mask = mask.unsqueeze(-1)
    return mask.to(_C.dtype.bool).expand(*x.shape)


class _Merge(Layer):
    min_inputs = 2
    supports_masking = True

    def compute_mask(self, inputs, mask=None):
        if not isinstance(mask, (list, tuple)) or any(m is None for m in mask):
            return None
        out = mask[0].to(_C.dtype.bool)
        for m in mask[1:]:
            out = out | m.to(_C.dtype.bool)
        return out

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


class _MaskedSelect(_Merge):
    """Maximum / Minimum: a masked input takes the running result's value (and the
    running result the input's where only it is masked), as Keras 3 does."""

    def call(self, inputs, mask=None):
        masks = [None] * len(inputs) if mask is None else list(mask)
        out, out_mask = inputs[0], _mask_like(masks[0], inputs[0])
        for x, m in zip(inputs[1:], masks[1:]):
            m = _mask_like(m, x)
            if m is not None:
                x = _C.where(m, x, out)
            if out_mask is not None:
                out = _C.where(out_mask, out, x)
            out_mask = out_mask | m if m is not None and out_mask is not None else None
            out = self._merge(out, x)
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
    def call(self, inputs, mask=None):
        masks = [None] * len(inputs) if mask is None else list(mask)
        if all(m is None for m in masks):
            return super().call(inputs)
        # Keras 3: masked entries count as 1; with every input masked, the output is 0
        # where all of them are.
        out, kept = None, None
        for x, m in zip(inputs, masks):
            m = _mask_like(m, x)
            if m is not None:
                x = _C.where(m, x, _C.ones_like(x))
                kept = m if kept is None else kept | m
            out = x if out is None else out * x
        if all(m is not None for m in masks):
            out = _C.where(kept, out, _C.zeros_like(out))
        return out

    def _merge(self, a, b):
        return a * b


class Maximum(_MaskedSelect):
    def _merge(self, a, b):
        return _C.maximum(a, b)


class Minimum(_MaskedSelect):
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

    def compute_mask(self, inputs, mask=None):
        if not isinstance(mask, (list, tuple)) or all(m is None for m in mask):
            return None
        full = [_C.ones_like(x).to(_C.dtype.bool) if m is None else _mask_like(m, x)
                for x, m in zip(inputs, mask)]
        return _C.cat(full, self.axis).any(-1)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}
