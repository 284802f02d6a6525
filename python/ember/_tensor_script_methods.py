"""Tensor methods that PyTorch scripts use, with PyTorch's behaviour: register_hook returning
a removable handle, type(), in-place squeeze_/unsqueeze_, scatter with reduce=, nbytes, and
the method forms of script_ops (median, nansum, atan2, tensor_split, ...)."""

from . import _C, linalg, script_ops

Tensor = _C.Tensor
_register_hook = Tensor.register_hook
_scatter, _scatter_ = Tensor.scatter, Tensor.scatter_


class _HookHandle:
    """What tensor.register_hook returns: remove() turns the hook into a pass-through."""

    def __init__(self):
        self.active = True

    def remove(self):
        self.active = False


def register_hook(self, hook):
    handle = _HookHandle()

    def run(grad):
        return hook(grad) if handle.active else None

    _register_hook(self, run)
    return handle


_TYPE_NAMES = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
               "bfloat16": "BFloat16Tensor", "int64": "LongTensor", "int32": "IntTensor", "uint8": "ByteTensor",
               "bool": "BoolTensor"}
_BY_TYPE_NAME = {v: k for k, v in _TYPE_NAMES.items()}


def type(self, dtype=None, non_blocking=False, **kwargs):
    """With no argument, the type name ('ember.FloatTensor'); else a conversion to a dtype
    or to a type name such as 'torch.LongTensor'."""
    if dtype is None:
        return "ember." + _TYPE_NAMES.get(str(self.dtype).replace("ember.", ""), "Tensor")
    if isinstance(dtype, str):
        short = dtype.rsplit(".", 1)[-1]
        if short not in _BY_TYPE_NAME:
            raise TypeError(f"[type] unknown tensor type {dtype!r}; expected one of "
                            f"{sorted(_BY_TYPE_NAME)} or a dtype")
        dtype = getattr(_C.dtype, _BY_TYPE_NAME[short])
    return self.to(dtype)


def _inplace_shape(name):
    def method(self, *args, **kwargs):
        raise NotImplementedError(
            f"[{name}_] in-place shape changes are not supported (an ember tensor keeps its "
            f"shape); use x = x.{name}(...) instead")
    method.__name__ = name + "_"
    return method


def scatter(self, dim, index, src=None, value=None, *, reduce=None):
    if reduce is None:
        return _scatter(self, dim, index, src, value=value)
    return _scatter_reduce_legacy(self.clone(), dim, index, src, value, reduce)


def scatter_(self, dim, index, src=None, value=None, *, reduce=None):
    if reduce is None:
        return _scatter_(self, dim, index, src, value=value)
    return _scatter_reduce_legacy(self, dim, index, src, value, reduce)


def _scatter_reduce_legacy(self, dim, index, src, value, reduce):
    """scatter_(..., reduce='add'|'multiply') of older PyTorch."""
    if src is None:
        src = _C.full(tuple(index.shape), value, dtype=self.dtype)
    elif not isinstance(src, Tensor):
        src = _C.full(tuple(index.shape), src, dtype=self.dtype)
    if reduce == "add":
        return self.scatter_add_(dim, index, src.to(self.dtype))
    raise NotImplementedError(f"[scatter_] reduce={reduce!r} is not supported (only 'add'); "
                              "compute the product with scatter_add of logs or a loop")


def scatter_reduce(self, dim, index, src, reduce, *, include_self=True):
    """reduce='sum' or 'mean' (PyTorch's scatter_reduce); amax/amin/prod are not supported."""
    if reduce not in ("sum", "mean"):
        raise NotImplementedError(f"[scatter_reduce] reduce={reduce!r} is not supported; "
                                  "'sum' and 'mean' are")
    base = self if include_self else self.scatter(dim, index, _C.zeros_like(src).to(self.dtype))
    total = base.scatter_add(dim, index, src.to(self.dtype))
    if reduce == "sum":
        return total
    ones = _C.ones(tuple(index.shape), dtype=self.dtype)
    count = (_C.ones_like(self) if include_self else
             _C.zeros_like(self).scatter(dim, index, _C.zeros_like(ones)))
    count = count.scatter_add(dim, index, ones)
    return total / _C.where(count == 0, _C.ones_like(count), count)


def scatter_reduce_(self, dim, index, src, reduce, *, include_self=True):
    self.copy_(scatter_reduce(self, dim, index, src, reduce, include_self=include_self))
    return self


_METHODS = {
    "register_hook": register_hook, "type": type,
    "squeeze_": _inplace_shape("squeeze"), "unsqueeze_": _inplace_shape("unsqueeze"),
    "transpose_": _inplace_shape("transpose"), "t_": _inplace_shape("t"),
    "scatter": scatter, "scatter_": scatter_,
    "scatter_reduce": scatter_reduce, "scatter_reduce_": scatter_reduce_,
    "nbytes": property(lambda self: self.numel() * self.element_size()),
    "itemsize": property(lambda self: self.element_size()),
    "is_complex": lambda self: False,
    "pin_memory": lambda self, device=None: self,
    "is_pinned": lambda self, device=None: False,
    "max": script_ops.torch_max, "min": script_ops.torch_min,
    "inverse": linalg.inv, "det": linalg.det, "slogdet": linalg.slogdet,
    "median": script_ops.median, "nansum": script_ops.nansum, "nanmean": script_ops.nanmean,
    "atan": script_ops.atan, "asin": script_ops.asin, "acos": script_ops.acos,
    "arctan": script_ops.atan, "arcsin": script_ops.asin, "arccos": script_ops.acos,
    "hypot": script_ops.hypot,
    "logaddexp": script_ops.logaddexp, "argwhere": script_ops.argwhere,
    "fliplr": script_ops.fliplr, "flipud": script_ops.flipud,
    "tensor_split": script_ops.tensor_split, "isin": script_ops.isin,
    "aminmax": script_ops.aminmax, "histc": script_ops.histc,
}

_REPLACED = {"register_hook", "scatter", "scatter_", "type", "max", "min"}
for _name, _fn in _METHODS.items():
    if _name in _REPLACED or not hasattr(Tensor, _name):
        setattr(Tensor, _name, _fn)
