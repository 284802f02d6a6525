"""Tensor methods with PyTorch names, composed from existing ops: in-place updates used by
optimizers and scripts (copy_, addcmul_, addcdiv_, lerp_, index_copy_), new_tensor, and the
method forms of the Python-composed functions (t.repeat_interleave, t.diff, t.kron, ...)."""

import numpy as _np

from . import _C
from . import counting_ops, linalg_ops, pointwise_ops, shape_ops

Tensor = _C.Tensor


def _copy_(self, src, non_blocking=False):
    """Copies src (broadcast, converted to self's dtype and device) into self."""
    if not isinstance(src, Tensor):
        src = _C.from_numpy(_np.asarray(src)) if not isinstance(src, (int, float, bool)) else \
            _C.full([], src, dtype=self.dtype)
    try:
        shape = _np.broadcast_shapes(tuple(src.shape), tuple(self.shape))
    except ValueError:
        shape = None
    if shape != tuple(self.shape):
        raise ValueError(f"[copy_] source of shape {tuple(src.shape)} does not broadcast to "
                         f"the destination shape {tuple(self.shape)}")
    if src.device != self.device:
        src = _C._to_device(src, self.device)
    if src.dtype != self.dtype:
        src = src._to_dtype(self.dtype)
    self[...] = src
    return self


def _addcmul(self, tensor1, tensor2, *, value=1):
    prod = tensor1 * tensor2
    return self + (prod if value == 1 else prod * value)


def _addcdiv(self, tensor1, tensor2, *, value=1):
    q = tensor1 / tensor2
    return self + (q if value == 1 else q * value)


def _addcmul_(self, tensor1, tensor2, *, value=1):
    prod = tensor1 * tensor2
    self.add_(prod if value == 1 else prod * value)
    return self


def _addcdiv_(self, tensor1, tensor2, *, value=1):
    q = tensor1 / tensor2
    self.add_(q if value == 1 else q * value)
    return self


def _lerp_(self, end, weight):
    self.add_((end - self) * weight)
    return self


def _new_tensor(self, data, dtype=None, device=None, requires_grad=False):
    from ._tensor_api import tensor
    if isinstance(data, Tensor):
        data = data.detach()
    return tensor(data, dtype=dtype or self.dtype, device=device or self.device,
                  requires_grad=requires_grad)


def _nan_to_num_(self, nan=0.0, posinf=None, neginf=None):
    return _copy_(self, pointwise_ops.nan_to_num(self, nan, posinf, neginf))


def _index_copy(self, dim, index, source):
    """self with the slices at `index` along `dim` replaced by source's slices."""
    return self.index_fill(dim, index, 0).index_add(dim, index, source._to_dtype(self.dtype))


def _index_copy_(self, dim, index, source):
    self.index_fill_(dim, index, 0).index_add_(dim, index, source._to_dtype(self.dtype))
    return self


def _unfold(self, dimension, size, step):
    """Sliding windows of `size` elements every `step` along `dimension`, as a new last dim."""
    dim = dimension % max(self.dim(), 1)
    n = self.shape[dim] if self.dim() else 1
    if size > n or size < 0 or step <= 0:
        raise ValueError(f"[unfold] size {size} and step {step} do not fit dim {dim} of shape "
                         f"{tuple(self.shape)}")
    windows = (n - size) // step + 1
    idx = (_np.arange(windows)[:, None] * step + _np.arange(size)[None, :]).reshape(-1)
    x = self.index_select(dim, _C.from_numpy(idx.astype(_np.int64)).to(self.device))
    shape = list(self.shape)
    x = x.reshape(*shape[:dim], windows, size, *shape[dim + 1:])
    return x.movedim(dim + 1, -1)


_METHODS = {
    "copy_": _copy_,
    "addcmul": _addcmul, "addcdiv": _addcdiv, "addcmul_": _addcmul_, "addcdiv_": _addcdiv_,
    "lerp": pointwise_ops.lerp, "lerp_": _lerp_,
    "new_tensor": _new_tensor,
    "frac": pointwise_ops.frac,
    "nan_to_num": pointwise_ops.nan_to_num, "nan_to_num_": _nan_to_num_,
    "index_copy": _index_copy, "index_copy_": _index_copy_,
    "unfold": _unfold,
    "repeat_interleave": shape_ops.repeat_interleave, "diff": shape_ops.diff,
    "kron": linalg_ops.kron, "cross": linalg_ops.cross, "trace": linalg_ops.trace,
    "baddbmm": linalg_ops.baddbmm,
    "count_nonzero": counting_ops.count_nonzero, "bincount": counting_ops.bincount,
    "unique": counting_ops.unique,
}

for _name, _fn in _METHODS.items():
    if not hasattr(Tensor, _name):
        setattr(Tensor, _name, _fn)
