"""Tensor construction from Python data and the Tensor methods that are pure argument
handling (to, float, tolist, ...). Everything computational is in C++."""

import builtins

import numpy as _np

from . import _C
from ._C import Tensor

__all__ = ["tensor", "as_tensor", "is_tensor", "numel", "get_default_dtype"]


def get_default_dtype():
    """The default floating dtype (float32 unless ember.set_default_dtype changed it)."""
    return _C.get_default_dtype()


# NumPy's name for each default dtype NumPy can hold (bfloat16 it cannot: converted after).
_NUMPY_FLOATS = {"float16": _np.float16, "float32": _np.float32, "float64": _np.float64}


def _from_data(data, dtype):
    if isinstance(data, Tensor):
        t = data
    else:
        arr = _np.asarray(data)
        if arr.dtype == _np.float64 and dtype is None and not _is_numpy(data):
            # Python floats become the default float dtype (NumPy arrays keep theirs)
            dtype = get_default_dtype()
            np_float = _NUMPY_FLOATS.get(dtype.name)
            if np_float is not None:
                arr, dtype = arr.astype(np_float, copy=False), None
        elif arr.dtype.kind in "iu" and arr.dtype.itemsize == 8 and not _is_numpy(data):
            arr = arr.astype(_np.int64)
        elif arr.dtype.kind == "O":
            raise TypeError(f"[tensor] could not infer a dtype from data of type "
                            f"{type(data).__name__}")
        # (np.ascontiguousarray would turn a 0-d array into 1-d)
        t = _C.from_numpy(arr if arr.flags.c_contiguous else arr.copy(order="C"))
    if dtype is not None:
        t = t._to_dtype(dtype)
    return t


def _is_numpy(data):
    return isinstance(data, (_np.ndarray, _np.generic))


def _device_arg(device):
    """'cuda', 'cuda:1', 1 (an index means CUDA), a device, or None."""
    if device is None or isinstance(device, _C.device):
        return device
    if isinstance(device, int) and not isinstance(device, bool):
        return _C.device("cuda", device)
    return _C.device(str(device))


def tensor(data, dtype=None, device=None, requires_grad=False):
    """A new tensor that owns a copy of `data` (nested lists, numbers, NumPy arrays)."""
    device = _device_arg(device)
    t = _from_data(data, dtype)
    t = t.clone() if device is None or device == t.device else _C._to_device(t.detach(), device)
    if requires_grad:
        t.requires_grad_(True)
    return t


def as_tensor(data, dtype=None, device=None):
    """Like tensor(), but shares memory with a NumPy array or Tensor when it can."""
    t = _from_data(data, dtype)
    device = _device_arg(device)
    if device is not None and device != t.device:
        t = _C._to_device(t, device)
    return t


def is_tensor(obj):
    return isinstance(obj, Tensor)


def numel(t):
    return t.numel()


def _to(self, *args, **kwargs):
    """t.to(dtype), t.to(device), t.to(other), t.to(device, dtype): returns self if nothing
    changes, as in PyTorch."""
    dtype = kwargs.pop("dtype", None)
    device = kwargs.pop("device", None)
    kwargs.pop("non_blocking", None)
    copy = kwargs.pop("copy", False)
    if kwargs:
        raise TypeError(f"[to] unexpected keyword arguments {sorted(kwargs)}")
    for a in args:
        if isinstance(a, Tensor):
            dtype, device = a.dtype, a.device
        elif isinstance(a, _C.dtype):
            dtype = a
        elif isinstance(a, (str, _C.device)) or (isinstance(a, int) and not isinstance(a, bool)):
            device = a
        else:
            raise TypeError(f"[to] unexpected argument {a!r}")
    out = self
    device = _device_arg(device)
    if device is not None and device != self.device:
        out = _C._to_device(out, device)  # differentiable: the gradient moves back
    if dtype is not None and dtype != self.dtype:
        out = out._to_dtype(dtype)
    if copy and out is self:
        out = self.clone()
    return out


def _tolist(self):
    t = self.detach().cpu()
    if t.dtype == _C.dtype.bfloat16:
        t = t._to_dtype(_C.dtype.float32)
    return t.numpy().tolist()


def _type_conversion(dt):
    def convert(self):
        return self._to_dtype(dt)
    return convert


Tensor.to = _to
Tensor.tolist = _tolist
Tensor.float = _type_conversion(_C.dtype.float32)
Tensor.double = _type_conversion(_C.dtype.float64)
Tensor.half = _type_conversion(_C.dtype.float16)
Tensor.bfloat16 = _type_conversion(_C.dtype.bfloat16)
Tensor.int = _type_conversion(_C.dtype.int32)
Tensor.long = _type_conversion(_C.dtype.int64)
Tensor.bool = _type_conversion(_C.dtype.bool)
Tensor.byte = _type_conversion(_C.dtype.uint8)
Tensor.type_as = lambda self, other: self._to_dtype(other.dtype)
Tensor.cpu = lambda self: _to(self, "cpu")
Tensor.cuda = lambda self, device=None: _to(self, "cuda" if device is None else _device_arg(device))
Tensor.__iter__ = lambda self: (self[i] for i in builtins.range(len(self)))
Tensor.__array_priority__ = 1000  # numpy_scalar * tensor -> Tensor.__rmul__

from . import _tensor_methods  # noqa: E402,F401  (PyTorch-named methods composed in Python)
