"""keras.ops: a subset of Keras 3's backend-neutral ops namespace mapped to Ember ops.
Arguments follow Keras / NumPy (``axis``, ``keepdims``); results are Ember tensors."""

import builtins

import numpy as np

from .. import _C
from . import backend as _backend

__all__ = ["convert_to_tensor", "convert_to_numpy", "cast", "shape", "ones", "zeros",
           "ones_like", "zeros_like", "full", "arange", "eye", "matmul", "dot", "sum", "mean",
           "max", "min", "prod", "std", "var", "argmax", "argmin", "reshape", "transpose",
           "concatenate", "stack", "expand_dims", "squeeze", "where", "exp", "log", "sqrt",
           "abs", "square", "sign", "negative", "add", "subtract", "multiply", "divide",
           "power", "maximum", "minimum", "clip", "relu", "sigmoid", "softmax", "log_softmax",
           "tanh", "gelu", "silu", "softplus", "elu", "leaky_relu", "one_hot", "take",
           "take_along_axis", "tile", "flip", "cumsum", "sort", "argsort", "top_k", "logsumexp",
           "equal", "not_equal", "greater", "less", "greater_equal", "less_equal",
           "logical_and", "logical_or", "logical_not", "all", "any", "einsum", "norm",
           "floor", "ceil", "round", "sin", "cos", "erf", "stop_gradient", "repeat",
           "split", "unstack", "flatten", "pad", "count_nonzero", "linspace", "tril", "triu",
           "arctan2"]


def convert_to_tensor(x, dtype=None):
    if isinstance(x, _C.Tensor):
        t = x
    else:
        a = np.asarray(x)
        if a.dtype == np.float64 and dtype is None:
            a, dtype = a.astype(_backend._numpy_floatx()), _backend._floatx_dtype()
        t = _C.from_numpy(np.ascontiguousarray(a))
    return t if dtype is None else cast(t, dtype)


def _t(x):
    return convert_to_tensor(x)


def convert_to_numpy(x):
    return x.detach().numpy() if isinstance(x, _C.Tensor) else np.asarray(x)


def cast(x, dtype):
    if isinstance(dtype, str):
        dtype = _C.dtype_from_name(dtype)
    return _t(x).to(dtype)


def shape(x):
    return tuple(_t(x).shape)


def _dt(dtype):
    if dtype is None:
        return _backend._floatx_dtype()
    return _C.dtype_from_name(dtype) if isinstance(dtype, str) else dtype


def _size(shape_):
    return (shape_,) if isinstance(shape_, int) else tuple(shape_)


def ones(shape_, dtype=None):
    return _C.ones(*_size(shape_), dtype=_dt(dtype))


def zeros(shape_, dtype=None):
    return _C.zeros(*_size(shape_), dtype=_dt(dtype))


def full(shape_, fill_value, dtype=None):
    return _C.full(_size(shape_), fill_value, dtype=_dt(dtype))


def ones_like(x, dtype=None):
    x = _t(x)
    return _C.ones_like(x) if dtype is None else _C.ones_like(x).to(_dt(dtype))


def zeros_like(x, dtype=None):
    x = _t(x)
    return _C.zeros_like(x) if dtype is None else _C.zeros_like(x).to(_dt(dtype))


def arange(start, stop=None, step=1, dtype=None):
    if stop is None:
        start, stop = 0, start
    if dtype is None:
        ints = builtins.all(isinstance(v, int) for v in (start, stop, step))
        dtype = _C.dtype.int64 if ints else _backend._floatx_dtype()
    return _C.arange(start, stop, step, dtype=_dt(dtype))


def eye(n, m=None, dtype=None):
    return _C.eye(n, n if m is None else m, dtype=_dt(dtype))


def linspace(start, stop, num=50, dtype=None):
    return _C.linspace(start, stop, num, dtype=_dt(dtype))


def matmul(a, b):
    return _C.matmul(_t(a), _t(b))


def dot(a, b):
    return _C.matmul(_t(a), _t(b))


def einsum(subscripts, *operands):
    from ..einsum import einsum as _einsum
    return _einsum(subscripts, *[_t(o) for o in operands])


def _axis(axis):
    return list(axis) if isinstance(axis, (list, tuple)) else axis


def _reduce(name, x, axis, keepdims):
    x = _t(x)
    fn = getattr(x, name)
    if axis is None:
        out = fn()
        if keepdims:
            out = out.reshape(*([1] * x.dim()))
        return out
    return fn(_axis(axis), keepdim=keepdims)


def sum(x, axis=None, keepdims=False):  # noqa: A001 - Keras's name
    return _reduce("sum", x, axis, keepdims)


def mean(x, axis=None, keepdims=False):
    return _reduce("mean", x, axis, keepdims)


def max(x, axis=None, keepdims=False):  # noqa: A001
    return _reduce("amax", x, axis, keepdims)


def min(x, axis=None, keepdims=False):  # noqa: A001
    return _reduce("amin", x, axis, keepdims)


def prod(x, axis=None, keepdims=False):
    x = _t(x)
    if axis is None:
        return _C.prod(x.reshape(-1), 0)
    return _C.prod(x, axis, keepdim=keepdims)


def var(x, axis=None, keepdims=False):
    x = _t(x)
    m = mean(x, axis, True)
    return mean((x - m) * (x - m), axis, keepdims)


def std(x, axis=None, keepdims=False):
    return _C.sqrt(var(x, axis, keepdims))


def argmax(x, axis=None, keepdims=False):
    x = _t(x)
    return x.reshape(-1).argmax(0) if axis is None else x.argmax(axis, keepdim=keepdims)


def argmin(x, axis=None, keepdims=False):
    x = _t(x)
    return x.reshape(-1).argmin(0) if axis is None else x.argmin(axis, keepdim=keepdims)


def reshape(x, newshape):
    return _t(x).reshape(*_size(newshape))


def transpose(x, axes=None):
    x = _t(x)
    axes = tuple(range(x.dim() - 1, -1, -1)) if axes is None else tuple(axes)
    return x.permute(*axes)


def concatenate(xs, axis=0):
    return _C.cat([_t(x) for x in xs], axis)


def stack(xs, axis=0):
    return _C.stack([_t(x) for x in xs], axis)


def unstack(x, num=None, axis=0):
    return list(_C.unbind(_t(x), axis))


def split(x, indices_or_sections, axis=0):
    x = _t(x)
    if isinstance(indices_or_sections, int):
        n = x.shape[axis]
        if n % indices_or_sections:
            raise ValueError(f"[keras.ops.split] axis {axis} of size {n} does not split into "
                             f"{indices_or_sections} equal parts")
        return list(_C.split(x, n // indices_or_sections, axis))
    bounds = [0] + list(indices_or_sections) + [x.shape[axis]]
    return [x.narrow(axis, a, b - a) for a, b in zip(bounds[:-1], bounds[1:])]


def expand_dims(x, axis):
    return _t(x).unsqueeze(axis)


def squeeze(x, axis=None):
    x = _t(x)
    if axis is None:
        return x.reshape(*[d for d in x.shape if d != 1])
    return x.squeeze(axis)


def flatten(x):
    return _t(x).reshape(-1)


def where(condition, x1=None, x2=None):
    condition = _t(condition)
    if x1 is None and x2 is None:
        return tuple(_C.nonzero(condition).unbind(1))
    if condition.dtype != _C.dtype.bool:
        condition = condition != 0
    return _C.where(condition, _t(x1), _t(x2))


def _unary(fn):
    return lambda x: fn(_t(x))


exp, log, sqrt, abs, square, sign, negative = (  # noqa: A001
    _unary(_C.exp), _unary(_C.log), _unary(_C.sqrt), _unary(_C.abs), _unary(_C.square),
    _unary(_C.sign), _unary(_C.neg))
floor, ceil, round, sin, cos, erf = (  # noqa: A001
    _unary(_C.floor), _unary(_C.ceil), _unary(_C.round), _unary(_C.sin), _unary(_C.cos),
    _unary(_C.erf))
relu, sigmoid, tanh, silu, softplus = (_unary(_C.relu), _unary(_C.sigmoid), _unary(_C.tanh),
                                       _unary(_C.silu), _unary(_C.softplus))


def gelu(x, approximate=True):
    return _C.gelu(_t(x), "tanh" if approximate else "none")


def elu(x, alpha=1.0):
    return _C.elu(_t(x), alpha)


def leaky_relu(x, negative_slope=0.2):
    return _C.leaky_relu(_t(x), negative_slope)


def softmax(x, axis=-1):
    return _C.softmax(_t(x), axis)


def log_softmax(x, axis=-1):
    return _C.log_softmax(_t(x), axis)


def logsumexp(x, axis=None, keepdims=False):
    x = _t(x)
    if axis is None:
        return _C.logsumexp(x.reshape(-1), 0)
    return _C.logsumexp(x, _axis(axis), keepdims)


def _binary(fn):
    return lambda a, b: fn(_t(a), _t(b))


add, subtract, multiply, divide, power, maximum, minimum = (
    _binary(_C.add), _binary(_C.sub), _binary(_C.mul), _binary(_C.div), _binary(_C.pow),
    _binary(_C.maximum), _binary(_C.minimum))
equal, not_equal, greater, less, greater_equal, less_equal = (
    _binary(_C.eq), _binary(_C.ne), _binary(_C.gt), _binary(_C.lt), _binary(_C.ge),
    _binary(_C.le))
logical_and, logical_or = _binary(_C.logical_and), _binary(_C.logical_or)


def arctan2(x1, x2):
    """The angle of (x2, x1) in radians; integer inputs give floatx(), as in Keras."""
    a, b = _t(x1), _t(x2)
    out = _C.atan2(a, b)
    if not (a.is_floating_point() or b.is_floating_point()):
        out = out.to(_backend._floatx_dtype())
    return out


def logical_not(x):
    return _C.logical_not(_t(x))


def all(x, axis=None, keepdims=False):  # noqa: A001
    b = _t(x) != 0
    return (b.to(_C.dtype.float32).amin() if axis is None else
            b.to(_C.dtype.float32).amin(_axis(axis), keepdim=keepdims)) > 0


def any(x, axis=None, keepdims=False):  # noqa: A001
    b = _t(x) != 0
    return (b.to(_C.dtype.float32).amax() if axis is None else
            b.to(_C.dtype.float32).amax(_axis(axis), keepdim=keepdims)) > 0


def count_nonzero(x, axis=None):
    return sum((_t(x) != 0).to(_C.dtype.int64), axis)


def clip(x, x_min, x_max):
    return _C.clamp(_t(x), min=x_min, max=x_max)


def one_hot(x, num_classes, axis=-1, dtype=None):
    out = _C.one_hot(_t(x).to(_C.dtype.int64), num_classes).to(_dt(dtype))
    return out if axis == -1 else out.movedim(-1, axis)


def take(x, indices, axis=None):
    x, idx = _t(x), _t(indices).to(_C.dtype.int64)
    if axis is None:
        x, axis = x.reshape(-1), 0
    flat = _C.index_select(x, axis, idx.reshape(-1))
    shape = list(x.shape)
    return flat.reshape(*(shape[:axis % x.dim()] + list(idx.shape) +
                          shape[axis % x.dim() + 1:]))


def take_along_axis(x, indices, axis=None):
    return _C.take_along_dim(_t(x), _t(indices).to(_C.dtype.int64), axis)


def tile(x, repeats):
    return _C.tile(_t(x), list(repeats) if not isinstance(repeats, int) else [repeats])


def repeat(x, repeats, axis=None):
    x = _t(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    axis %= x.dim()
    shape = list(x.shape)
    y = x.unsqueeze(axis + 1)
    y = y.expand(*(shape[:axis + 1] + [repeats] + shape[axis + 1:]))
    shape[axis] *= repeats
    return y.reshape(*shape)


def flip(x, axis=None):
    x = _t(x)
    axes = list(range(x.dim())) if axis is None else \
        (list(axis) if isinstance(axis, (list, tuple)) else [axis])
    return _C.flip(x, axes)


def cumsum(x, axis=None):
    x = _t(x)
    return _C.cumsum(x.reshape(-1), 0) if axis is None else _C.cumsum(x, axis)


def sort(x, axis=-1):
    return _C.sort(_t(x), axis)[0]


def argsort(x, axis=-1):
    return _C.argsort(_t(x), axis)


def top_k(x, k, sorted=True):  # noqa: A002
    values, indices = _C.topk(_t(x), k)
    return values, indices


def norm(x, ord=None, axis=None, keepdims=False):  # noqa: A002
    x = _t(x)
    if ord not in (None, 2, "fro"):
        raise NotImplementedError(f"[keras.ops.norm] ord={ord!r} is not supported (2 only)")
    return _C.sqrt(sum(x * x, axis, keepdims))


def pad(x, pad_width, mode="constant", constant_values=0):
    x = _t(x)
    pad_width = [tuple(p) for p in pad_width]
    flat = []
    for before, after in reversed(pad_width):
        flat += [before, after]
    return _C.pad(x, flat, mode, constant_values)


def tril(x, k=0):
    return _C.tril(_t(x), k)


def triu(x, k=0):
    return _C.triu(_t(x), k)


def stop_gradient(x):
    return _t(x).detach()
