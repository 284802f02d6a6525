"""Search and counting ops under their PyTorch names: bucketize and searchsorted (traceable
comparisons), count_nonzero, and bincount / unique, whose output shape depends on the data
(eager only)."""

import numpy as _np

from . import _C

__all__ = ["bucketize", "searchsorted", "count_nonzero", "bincount", "unique"]


def _index_dtype(out_int32):
    return _C.dtype.int32 if out_int32 else _C.dtype.int64


def searchsorted(sorted_sequence, values, *, out_int32=False, right=False, side=None,
                 sorter=None):
    """Indices where `values` would be inserted into the sorted last dim of
    sorted_sequence to keep it sorted (side='left': first such index; 'right': last)."""
    if side is not None:
        if side not in ("left", "right"):
            raise ValueError(f"[searchsorted] side must be 'left' or 'right', got {side!r}")
        right = side == "right"
    if sorter is not None:
        sorted_sequence = _C.take_along_dim(sorted_sequence, sorter, -1)
    scalar = not isinstance(values, _C.Tensor)
    if scalar:
        values = _C.scalar_tensor(values, dtype=sorted_sequence.dtype)
    if sorted_sequence.dim() > 1:
        if tuple(sorted_sequence.shape[:-1]) != tuple(values.shape[:-1]):
            raise ValueError(f"[searchsorted] leading dims of sorted_sequence "
                             f"{tuple(sorted_sequence.shape)} and values {tuple(values.shape)} "
                             f"must match")
        seq = sorted_sequence.unsqueeze(-2)
    else:
        seq = sorted_sequence
    v = values.unsqueeze(-1)
    below = (seq <= v) if right else (seq < v)
    return below.sum(-1, dtype=_index_dtype(out_int32))


def bucketize(input, boundaries, *, out_int32=False, right=False):
    """The bucket index of each element: boundaries[i-1] < x <= boundaries[i]
    (right=True: boundaries[i-1] <= x < boundaries[i])."""
    if boundaries.dim() != 1:
        raise ValueError(f"[bucketize] boundaries must be 1-D, got shape "
                         f"{tuple(boundaries.shape)}")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


def count_nonzero(input, dim=None):
    return (input != 0).sum(dim, dtype=_C.dtype.int64)


def _eager_only(name):
    if _C.is_tracing():
        raise RuntimeError(f"[{name}] the output shape depends on the data, so {name} runs "
                           f"eagerly only (it goes through NumPy) and cannot be traced by "
                           f"ember.function / ember.compile")


def bincount(input, weights=None, minlength=0):
    """Counts of each value in a 1-D non-negative integer tensor (weighted sums if given)."""
    _eager_only("bincount")
    if input.dim() != 1 or input.is_floating_point():
        raise ValueError(f"[bincount] expects a 1-D integer tensor, got shape "
                         f"{tuple(input.shape)} of dtype {input.dtype}")
    if weights is not None and tuple(weights.shape) != tuple(input.shape):
        raise ValueError(f"[bincount] weights shape {tuple(weights.shape)} must equal input "
                         f"shape {tuple(input.shape)}")
    n = input.numel()
    if n and int(input.min().item()) < 0:
        raise ValueError("[bincount] input must be non-negative")
    size = max(int(minlength), int(input.max().item()) + 1 if n else 0)
    idx = input._to_dtype(_C.dtype.int64)
    if weights is None:
        src = _C.ones(n, dtype=_C.dtype.int64, device=input.device)
        return _C.zeros(size, dtype=_C.dtype.int64, device=input.device).scatter_add(0, idx, src)
    dt = weights.dtype if weights.is_floating_point() else _C.dtype.float64
    return _C.zeros(size, dtype=dt, device=input.device).scatter_add(0, idx, weights._to_dtype(dt))


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct values (sorted), eager only: it goes through NumPy."""
    _eager_only("unique")
    arr = input.detach().cpu().numpy()
    res = _np.unique(arr, return_inverse=return_inverse, return_counts=return_counts,
                     axis=dim)
    res = res if isinstance(res, tuple) else (res,)
    out = [_C.from_numpy(_np.ascontiguousarray(res[0])).to(input.device)]
    k = 1
    if return_inverse:
        inv = res[k].reshape(arr.shape if dim is None else (arr.shape[dim],))
        out.append(_C.from_numpy(_np.ascontiguousarray(inv.astype(_np.int64))).to(input.device))
        k += 1
    if return_counts:
        out.append(_C.from_numpy(res[k].astype(_np.int64)).to(input.device))
    return out[0] if len(out) == 1 else tuple(out)
