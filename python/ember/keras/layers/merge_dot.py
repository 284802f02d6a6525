"""Dot: the dot product of two (N, ...) tensors along given axes (batch-wise), optionally
of their L2-normalized forms (cosine similarity)."""

from ... import _C
from .base import Layer, format_shape

__all__ = ["Dot"]


def _l2_normalize(x, axis):
    return x * _C.rsqrt(_C.clamp((x * x).sum(axis, keepdim=True), min=1e-12))


class Dot(Layer):
    """``Dot(axes=1)([a, b])`` for a (N, d), b (N, d) gives (N, 1); for 3-D inputs it is
    the batched matrix product contracting ``axes`` (an int or a pair)."""

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        self.axes = axes if isinstance(axes, int) else [int(a) for a in axes]
        self.normalize = bool(normalize)

    def _pair(self, rank_a, rank_b):
        axes = [self.axes, self.axes] if isinstance(self.axes, int) else self.axes
        return axes[0] % rank_a, axes[1] % rank_b

    def build(self, input_shape):
        if not isinstance(input_shape, list) or len(input_shape) != 2:
            raise ValueError(f"[Dot] layer '{self.name}' expects a list of two inputs, got "
                             f"{format_shape(input_shape)}")
        a, b = input_shape
        if len(a) not in (2, 3) or len(b) not in (2, 3):
            raise ValueError(f"[Dot] layer '{self.name}' supports inputs of rank 2 or 3, got "
                             f"{format_shape(input_shape)}")
        ax, bx = self._pair(len(a), len(b))
        if ax == 0 or bx == 0 or a[ax] != b[bx]:
            raise ValueError(f"[Dot] layer '{self.name}': axes {self.axes} of input shapes "
                             f"{format_shape(input_shape)} do not have the same size")

    def call(self, inputs):
        a, b = inputs
        ax, bx = self._pair(a.dim(), b.dim())
        if self.normalize:
            a, b = _l2_normalize(a, ax), _l2_normalize(b, bx)
        # Batched matmul: (N, i, k) @ (N, k, j) after moving the contracted axes.
        a3 = a.movedim(ax, -1) if a.dim() == 3 else a.unsqueeze(1)
        b3 = b.movedim(bx, 1) if b.dim() == 3 else b.unsqueeze(-1)
        y = _C.matmul(a3, b3)
        if a.dim() == 2:
            y = y.squeeze(1)
        if b.dim() == 2:
            y = y.squeeze(-1)
        return y.unsqueeze(-1) if y.dim() == 1 else y

    def get_config(self):
        return {**super().get_config(), "axes": self.axes, "normalize": self.normalize}
