"""UnitNormalization (L2 normalization along an axis) and GroupNormalization (Keras
defaults: 32 groups, epsilon 1e-3, channels-last ``axis=-1``, ``gamma``/``beta`` per
channel)."""

from ... import _C
from .base import Layer, format_shape
from .normalization import _Norm

__all__ = ["UnitNormalization", "GroupNormalization"]


class UnitNormalization(Layer):
    """``x / sqrt(max(sum(x^2 over axis), 1e-12))``."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis if isinstance(axis, int) else list(axis)

    def call(self, x):
        sq = (x * x).sum(self.axis, keepdim=True)
        return x * _C.rsqrt(_C.clamp(sq, min=1e-12))

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


class GroupNormalization(_Norm):
    """Normalizes each sample over groups of channels (and the other non-batch axes);
    ``groups`` must divide the channels."""

    def __init__(self, groups=32, axis=-1, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, **kwargs):
        super().__init__(axis, epsilon, center, scale, beta_initializer, gamma_initializer,
                         beta_regularizer, gamma_regularizer, **kwargs)
        if not isinstance(axis, int):
            raise ValueError(f"[GroupNormalization] axis must be one int, got {axis!r}")
        self.groups = int(groups)

    def build(self, input_shape):
        shape = self._param_shape(input_shape)
        channels = shape[0]
        if self.groups <= 0 or channels % self.groups:
            raise ValueError(f"[GroupNormalization] layer '{self.name}': groups "
                             f"({self.groups}) must divide the {channels} channels of input "
                             f"shape {format_shape(input_shape)}")
        self._build_affine(shape)

    def call(self, x):
        axis = self._feature_axes[0]
        c = x.shape[axis]
        shape = list(x.shape)
        grouped = x.reshape(*shape[:axis], self.groups, c // self.groups, *shape[axis + 1:])
        reduce = [a for a in range(1, grouped.dim()) if a != axis]
        mean = grouped.mean(reduce, keepdim=True)
        centered = grouped - mean
        var = (centered * centered).mean(reduce, keepdim=True)
        y = (centered * _C.rsqrt(var + self.epsilon)).reshape(*shape)
        return self._affine(y)

    def get_config(self):
        return {**super().get_config(), "groups": self.groups}
