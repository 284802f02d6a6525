"""PyTorch top-level names composed in Python from ember ops (einsum, compile, autocast,
kron, ...), gathered here so ember/__init__.py imports them in one line."""

from . import _C
from .compile import autocast, compile  # noqa: F401
from .counting_ops import bincount, bucketize, count_nonzero, searchsorted, unique  # noqa: F401
from .einsum import einsum, tensordot  # noqa: F401
from .linalg_ops import baddbmm, block_diag, cdist, cross, kron, trace  # noqa: F401
from .pointwise_ops import frac, lerp, nan_to_num  # noqa: F401
from .shape_ops import (broadcast_shapes, broadcast_tensors, diff, meshgrid,  # noqa: F401
                        repeat_interleave)

__all__ = ["autocast", "compile", "bincount", "bucketize", "count_nonzero", "searchsorted",
           "unique", "einsum", "tensordot", "baddbmm", "block_diag", "cdist", "cross", "kron",
           "trace", "frac", "lerp", "nan_to_num", "broadcast_shapes", "broadcast_tensors",
           "diff", "meshgrid", "repeat_interleave", "dropout", "set_default_dtype"]


def dropout(input, p=0.5, train=True):
    """torch.dropout(input, p, train): nn.functional.dropout under its top-level name."""
    return _C.nn.functional.dropout(input, p, train)


def set_default_dtype(d):
    """Ember's factories (zeros, randn, tensor of Python floats, ...) always create float32,
    so float32 is the only default dtype; anything else raises rather than being ignored."""
    if d != _C.dtype.float32:
        raise ValueError(f"[set_default_dtype] ember's default floating dtype is fixed at "
                         f"float32 (get_default_dtype() returns it); got {d}. Pass dtype= "
                         f"to factories or call .double() / model.double() instead")
