"""PyTorch top-level names composed in Python from ember ops (einsum, compile, autocast,
kron, ...), gathered here so ember/__init__.py imports them in one line."""

from . import _C, _function
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
           "diff", "meshgrid", "repeat_interleave", "dropout", "set_default_dtype",
           "set_default_tensor_type"]


def dropout(input, p=0.5, train=True):
    """torch.dropout(input, p, train): nn.functional.dropout under its top-level name."""
    return _C.nn.functional.dropout(input, p, train)


def set_default_dtype(d):
    """torch.set_default_dtype: the floating dtype factories (zeros, randn, tensor of Python
    floats, ...), int * float promotion and nn layer parameters use when no dtype is given.
    float16, bfloat16, float32 or float64; anything else raises TypeError. The setting is
    process-wide, not per thread, as in PyTorch: set it once before building models."""
    _C._set_default_dtype(d)
    _function._note_default_dtype(_C.get_default_dtype())


def set_default_tensor_type(t):
    """torch.set_default_tensor_type (deprecated there): a dtype, or a CPU tensor type name
    such as 'torch.DoubleTensor', sets the default floating dtype."""
    name = t if isinstance(t, str) else getattr(t, "__name__", None)
    if name is None:
        return set_default_dtype(t)
    short = name.rsplit(".", 1)[-1]
    if short not in _TENSOR_TYPES:
        raise TypeError(f"[set_default_tensor_type] expected one of "
                        f"{sorted(_TENSOR_TYPES)} (or a floating dtype), got {t!r}")
    set_default_dtype(_TENSOR_TYPES[short])


_TENSOR_TYPES = {"FloatTensor": _C.dtype.float32, "DoubleTensor": _C.dtype.float64,
                 "HalfTensor": _C.dtype.float16, "BFloat16Tensor": _C.dtype.bfloat16}
