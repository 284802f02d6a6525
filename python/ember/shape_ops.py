"""Shape and broadcasting helpers under their PyTorch names (repeat_interleave, meshgrid,
broadcast_tensors, diff)."""

import numpy as _np

from . import _C

__all__ = ["repeat_interleave", "meshgrid", "broadcast_tensors", "broadcast_shapes", "diff"]


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Repeats each element `repeats` times along `dim` (the flattened input if None).
    A tensor of per-element repeats makes the output shape data-dependent: eager only."""
    if repeats is None:  # repeat_interleave(repeats_tensor): indices repeated
        repeats, input = input, _C.arange(input.numel())
    if dim is None:
        input, dim = input.reshape(-1), 0
    dim = dim % max(input.dim(), 1)
    if isinstance(repeats, _C.Tensor) and repeats.numel() == 1 and repeats.dim() <= 1:
        repeats = int(repeats.item())
    if isinstance(repeats, int):
        if repeats < 0:
            raise ValueError(f"[repeat_interleave] repeats must be non-negative, got {repeats}")
        shape = list(input.shape)
        x = input.unsqueeze(dim + 1)
        x = x.expand(*shape[:dim + 1], repeats, *shape[dim + 1:])
        return x.reshape(*shape[:dim], shape[dim] * repeats, *shape[dim + 1:])
    if _C.is_tracing():
        raise RuntimeError("[repeat_interleave] a tensor of repeats gives a data-dependent "
                           "shape, which ember.function cannot trace; pass an int")
    reps = repeats.detach().cpu().numpy().astype(_np.int64)
    if reps.ndim != 1 or reps.shape[0] != input.shape[dim]:
        raise ValueError(f"[repeat_interleave] repeats of shape {reps.shape} must be 1-D with "
                         f"one entry per element of dim {dim} of shape {tuple(input.shape)}")
    if (reps < 0).any():
        raise ValueError("[repeat_interleave] repeats must be non-negative")
    idx = _np.repeat(_np.arange(reps.shape[0]), reps)
    return _C.index_select(input, dim, _C.from_numpy(idx.astype(_np.int64)).to(input.device))


def meshgrid(*tensors, indexing="ij"):
    """Coordinate grids from 1-D tensors; indexing='xy' swaps the first two dims."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing not in ("ij", "xy"):
        raise ValueError(f"[meshgrid] indexing must be 'ij' or 'xy', got {indexing!r}")
    for i, t in enumerate(tensors):
        if t.dim() > 1:
            raise ValueError(f"[meshgrid] input {i} must be 0- or 1-D, got shape "
                             f"{tuple(t.shape)}")
    ts = [t.reshape(-1) for t in tensors]
    swap = indexing == "xy" and len(ts) >= 2
    if swap:
        ts[0], ts[1] = ts[1], ts[0]
    shape = [t.shape[0] for t in ts]
    n = len(ts)
    grids = [t.reshape(*[-1 if k == i else 1 for k in range(n)]).expand(*shape)
             for i, t in enumerate(ts)]
    if swap:
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


def broadcast_shapes(*shapes):
    try:
        return tuple(_np.broadcast_shapes(*[tuple(s) for s in shapes]))
    except ValueError:
        raise ValueError(f"[broadcast_shapes] shapes {[tuple(s) for s in shapes]} do not "
                         f"broadcast") from None


def broadcast_tensors(*tensors):
    """The tensors expanded to their common broadcast shape."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    try:
        shape = _np.broadcast_shapes(*[tuple(t.shape) for t in tensors])
    except ValueError:
        raise ValueError(f"[broadcast_tensors] shapes {[tuple(t.shape) for t in tensors]} do "
                         f"not broadcast") from None
    return tuple(t if tuple(t.shape) == shape else t.broadcast_to(shape) for t in tensors)


def diff(input, n=1, dim=-1, prepend=None, append=None):
    """n-th forward difference along `dim` (out[i] = x[i+1] - x[i])."""
    if input.dim() == 0:
        raise ValueError("[diff] expects at least a 1-D tensor, got a 0-d one")
    dim = dim % input.dim()
    parts = [p for p in (prepend, input, append) if p is not None]
    if len(parts) > 1:
        parts = [p if isinstance(p, _C.Tensor) else _C.full([1], p, dtype=input.dtype)
                 for p in parts]
        parts = [p if p.dim() == input.dim() else
                 p.reshape(*[1] * (input.dim() - p.dim()), *p.shape).expand(
                     *[s if d != dim else -1 for d, s in enumerate(input.shape)])
                 for p in parts]
        input = _C.cat(parts, dim)
    for _ in range(n):
        length = input.shape[dim]
        if length == 0:
            return input
        hi, lo = input.narrow(dim, 1, length - 1), input.narrow(dim, 0, length - 1)
        input = _C.logical_xor(hi, lo) if input.dtype == _C.dtype.bool else hi - lo
    return input
