"""Torch names that everyday scripts reach for, composed from ember ops: where(cond),
median, nansum/nanmean, atan/asin/acos, hypot/logaddexp, argwhere, fliplr/flipud, tensor_split,
isin, aminmax, histc, dtype queries (finfo, iinfo, is_floating_point) and reproducibility
switches (use_deterministic_algorithms, set_float32_matmul_precision)."""

from collections import namedtuple

import numpy as _np

from . import _C

# torch_max / torch_min are exported as ember.max / ember.min by __init__ (named otherwise
# here so that this module keeps the builtins).
__all__ = ["where", "Size", "FloatTensor", "DoubleTensor", "HalfTensor",
           "BFloat16Tensor", "LongTensor", "IntTensor", "ByteTensor", "BoolTensor", "cosine_similarity", "median", "nansum", "nanmean", "atan", "asin", "acos", "arctan", "arcsin",
           "arccos", "atan2", "arctan2", "hypot", "logaddexp",
           "argwhere", "fliplr", "flipud", "tensor_split", "isin", "aminmax", "histc",
           "is_floating_point", "is_complex", "finfo", "iinfo",
           "use_deterministic_algorithms", "are_deterministic_algorithms_enabled",
           "set_float32_matmul_precision", "get_float32_matmul_precision"]

_where = _C.where
_max, _min = _C.max, _C.min
_median_result = namedtuple("median", ["values", "indices"])
_aminmax_result = namedtuple("aminmax", ["min", "max"])


def where(condition, input=None, other=None):
    """where(cond, a, b) picks elementwise; where(cond) is nonzero(cond, as_tuple=True)."""
    if input is None and other is None:
        return _C.nonzero(condition, as_tuple=True)
    if input is None or other is None:
        raise TypeError("[where] expected where(condition) or where(condition, input, other)")
    return _where(condition, input, other)


def torch_max(input, dim=None, keepdim=False):
    """max(x), max(x, dim) -> (values, indices), and PyTorch's elementwise max(x, y)."""
    if isinstance(dim, _C.Tensor):
        return _C.maximum(input, dim)
    return _max(input, dim, keepdim)


def torch_min(input, dim=None, keepdim=False):
    """min(x), min(x, dim) -> (values, indices), and PyTorch's elementwise min(x, y)."""
    if isinstance(dim, _C.Tensor):
        return _C.minimum(input, dim)
    return _min(input, dim, keepdim)


def median(input, dim=None, keepdim=False):
    """The lower median (of all elements, or along dim with its index), as in PyTorch."""
    if dim is None:
        flat = input.reshape(-1)
        return _C.sort(flat).values[(flat.numel() - 1) // 2]
    s = _C.sort(input, dim=dim)
    k = (input.shape[dim] - 1) // 2
    values = s.values.narrow(dim, k, 1)
    indices = s.indices.narrow(dim, k, 1)
    if not keepdim:
        values, indices = values.squeeze(dim), indices.squeeze(dim)
    return _median_result(values, indices)


def nansum(input, dim=None, keepdim=False, *, dtype=None):
    x = _C.where(_C.isnan(input), _C.zeros_like(input), input)
    return x.sum(dtype=dtype) if dim is None else x.sum(dim, keepdim=keepdim, dtype=dtype)


def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    valid = (~_C.isnan(input)).to(input.dtype)
    total = nansum(input, dim, keepdim)
    count = valid.sum() if dim is None else valid.sum(dim, keepdim=keepdim)
    return total / count


def atan2(input, other):
    """Angle of the point (other, input) in [-pi, pi]: the core op (its own gradient and CUDA
    kernel); a number for `other` is broadcast."""
    if not isinstance(other, _C.Tensor):
        other = _C.full_like(input, float(other))
    return _C.atan2(input, other)


def atan(input):
    return atan2(input, _C.ones_like(input))


def asin(input):
    return atan2(input, _C.sqrt(1 - input * input))


def acos(input):
    return atan2(_C.sqrt(1 - input * input), input)


arctan2, arctan, arcsin, arccos = atan2, atan, asin, acos


def hypot(input, other):
    return _C.sqrt(input * input + other * other)


def logaddexp(input, other):
    m = _C.maximum(input, other)
    return m + _C.log(_C.exp(input - m) + _C.exp(other - m))


def argwhere(input):
    return _C.nonzero(input)


def fliplr(input):
    if input.ndim < 2:
        raise RuntimeError(f"[fliplr] input must be at least 2-d, got {input.ndim}-d")
    return input.flip(1)


def flipud(input):
    if input.ndim < 1:
        raise RuntimeError("[flipud] input must be at least 1-d")
    return input.flip(0)


def tensor_split(input, indices_or_sections, dim=0):
    """Splits into n nearly equal parts (the first n % size get one more), or at indices."""
    size = input.shape[dim]
    if isinstance(indices_or_sections, int):
        n = indices_or_sections
        if n <= 0:
            raise RuntimeError(f"[tensor_split] number of sections must be positive, got {n}")
        q, r = divmod(size, n)
        bounds = [i * q + min(i, r) for i in range(n + 1)]
    else:
        idx = indices_or_sections.tolist() if isinstance(indices_or_sections, _C.Tensor) \
            else list(indices_or_sections)
        bounds = [0] + [min(max(int(i), 0), size) for i in idx] + [size]
    return tuple(input.narrow(dim, a, max(b - a, 0)) for a, b in zip(bounds, bounds[1:]))


def isin(elements, test_elements, *, assume_unique=False, invert=False):
    test = test_elements if isinstance(test_elements, _C.Tensor) else \
        _C.from_numpy(_np.asarray(test_elements))
    if not isinstance(elements, _C.Tensor):
        elements = _C.from_numpy(_np.asarray(elements))
    hit = (elements.unsqueeze(-1) == test.reshape(-1).to(elements.dtype)).any(-1)
    return ~hit if invert else hit


def aminmax(input, *, dim=None, keepdim=False):
    if dim is None:
        return _aminmax_result(input.amin(), input.amax())
    return _aminmax_result(input.amin(dim, keepdim=keepdim), input.amax(dim, keepdim=keepdim))


def histc(input, bins=100, min=0, max=0):
    """Counts of values in `bins` equal-width bins over [min, max] (the data's range when
    both are 0); values outside are ignored. Not differentiable."""
    x = input.detach().cpu().numpy().astype(_np.float64).reshape(-1)
    lo, hi = float(min), float(max)
    if lo == hi == 0 and x.size:
        lo, hi = float(x.min()), float(x.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if lo > hi:
        raise RuntimeError(f"[histc] max must be larger than min, got min={min}, max={max}")
    counts, _ = _np.histogram(x[(x >= lo) & (x <= hi)], bins=int(bins), range=(lo, hi))
    return _C.from_numpy(counts.astype(_np.float32)).to(input.dtype).to(input.device)


def is_floating_point(input):
    return input.dtype.is_floating_point


def is_complex(input):
    return False  # ember has no complex dtypes


_finfo = namedtuple("finfo", ["bits", "eps", "max", "min", "tiny", "smallest_normal",
                              "resolution", "dtype"])
_iinfo = namedtuple("iinfo", ["bits", "max", "min", "dtype"])
_BF16 = _finfo(16, 0.0078125, 3.3895313892515355e38, -3.3895313892515355e38,
               1.1754943508222875e-38, 1.1754943508222875e-38, 0.01, "bfloat16")


def finfo(type=None):
    """Limits of a floating dtype (the default dtype when none is given)."""
    type = type or _C.get_default_dtype()
    name = str(type).replace("ember.", "")
    if name == "bfloat16":
        return _BF16
    if name not in ("float16", "float32", "float64"):
        raise TypeError(f"[finfo] expected a floating dtype, got {type}")
    fi = _np.finfo(getattr(_np, name))
    return _finfo(fi.bits, float(fi.eps), float(fi.max), float(fi.min), float(fi.tiny),
                  float(fi.tiny), float(fi.resolution), name)


def iinfo(type):
    """Limits of an integer dtype."""
    name = str(type).replace("ember.", "")
    if name not in ("uint8", "int8", "int16", "int32", "int64"):
        raise TypeError(f"[iinfo] expected an integer dtype, got {type}")
    ii = _np.iinfo(getattr(_np, name))
    return _iinfo(ii.bits, int(ii.max), int(ii.min), name)


_deterministic = [False]
_matmul_precision = ["highest"]


def use_deterministic_algorithms(mode, *, warn_only=False):
    """Ember's CPU kernels are deterministic already; the setting is recorded."""
    _deterministic[0] = bool(mode)


def are_deterministic_algorithms_enabled():
    return _deterministic[0]


def set_float32_matmul_precision(precision):
    """Recorded for compatibility: ember's float32 matmul always runs in float32."""
    if precision not in ("highest", "high", "medium"):
        raise ValueError(f"[set_float32_matmul_precision] expected 'highest', 'high' or "
                         f"'medium', got {precision!r}")
    _matmul_precision[0] = precision


def get_float32_matmul_precision():
    return _matmul_precision[0]


class Size(tuple):
    """torch.Size: a tuple of ints (ember shapes are plain tuples, which compare equal)."""

    def numel(self):
        n = 1
        for d in self:
            n *= int(d)
        return n

    def __repr__(self):
        return f"ember.Size({list(self)})"


def _legacy_tensor_type(name, dtype_name):
    def make(*args, device=None):
        """Legacy constructor: ints make an uninitialised tensor of that shape, data makes
        a tensor of the data."""
        dtype = getattr(_C.dtype, dtype_name)
        if all(isinstance(a, int) and not isinstance(a, bool) for a in args):
            return _C.empty(args, dtype=dtype, device=device or "cpu")
        from ._tensor_api import tensor
        if len(args) != 1:
            raise TypeError(f"[{name}] expected sizes or one data argument, got {args!r}")
        return tensor(args[0], dtype=dtype, device=device)
    make.__name__ = name
    return make


FloatTensor = _legacy_tensor_type("FloatTensor", "float32")
DoubleTensor = _legacy_tensor_type("DoubleTensor", "float64")
HalfTensor = _legacy_tensor_type("HalfTensor", "float16")
BFloat16Tensor = _legacy_tensor_type("BFloat16Tensor", "bfloat16")
LongTensor = _legacy_tensor_type("LongTensor", "int64")
IntTensor = _legacy_tensor_type("IntTensor", "int32")
ByteTensor = _legacy_tensor_type("ByteTensor", "uint8")
BoolTensor = _legacy_tensor_type("BoolTensor", "bool")


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    from .nn import functional
    return functional.cosine_similarity(x1, x2, dim=dim, eps=eps)
