"""Elementwise helpers under their PyTorch names (nan_to_num, lerp, frac)."""

import numpy as _np

from . import _C

__all__ = ["nan_to_num", "lerp", "frac"]

_FINFO = {"float32": _np.float32, "float64": _np.float64, "float16": _np.float16}
_BF16_MAX = 3.3895313892515355e38


def _finite_range(dtype):
    name = str(dtype).replace("ember.", "")
    if name == "bfloat16":
        return -_BF16_MAX, _BF16_MAX
    fi = _np.finfo(_FINFO[name])
    return float(fi.min), float(fi.max)


def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    """NaN -> nan, +inf -> posinf, -inf -> neginf (default: the dtype's finite extremes)."""
    if not input.is_floating_point():
        return input.clone()
    lo, hi = _finite_range(input.dtype)
    posinf = hi if posinf is None else posinf
    neginf = lo if neginf is None else neginf
    out = _C.where(_C.isnan(input), _C.full_like(input, nan), input)
    out = _C.where(input == float("inf"), _C.full_like(input, posinf), out)
    return _C.where(input == float("-inf"), _C.full_like(input, neginf), out)


def lerp(input, end, weight):
    """input + weight * (end - input)."""
    return input + weight * (end - input)


def frac(input):
    """The fractional part, input - trunc(input), with the sign of input."""
    return input - _C.trunc(input)
