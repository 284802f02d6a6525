"""F.embedding_bag: the sum, mean or max of bags of embedding rows."""

from .. import _C
from .._tensor_api import tensor as _tensor

__all__ = ["embedding_bag"]

_F = _C.nn.functional


def _bag_bounds(op, input, offsets, include_last_offset):
    """(flat indices, [(start, end)] per bag) for embedding_bag's two input layouts."""
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError(f"[{op}] offsets must be None for 2-D input of shape "
                             f"{tuple(input.shape)}")
        bags, length = input.shape
        return input.reshape(-1), [(b * length, (b + 1) * length) for b in range(bags)]
    if input.dim() != 1:
        raise ValueError(f"[{op}] expects 1-D input with offsets or 2-D input, got shape "
                         f"{tuple(input.shape)}")
    if offsets is None:
        raise ValueError(f"[{op}] offsets are required for 1-D input")
    starts = [int(o) for o in (offsets.tolist() if isinstance(offsets, _C.Tensor) else offsets)]
    n = input.shape[0]
    if starts and starts[0] != 0:
        raise ValueError(f"[{op}] offsets[0] must be 0, got {starts[0]}")
    ends = starts[1:] + ([] if include_last_offset else [n])
    if include_last_offset:
        starts = starts[:-1]
    if any(b < a for a, b in zip(starts, ends)) or (ends and ends[-1] > n):
        raise ValueError(f"[{op}] offsets {starts} must be non-decreasing and within the "
                         f"input length {n}")
    return input, list(zip(starts, ends))


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2,
                  scale_grad_by_freq=False, mode="mean", sparse=False, per_sample_weights=None,
                  include_last_offset=False, padding_idx=None):
    """torch.nn.functional.embedding_bag: the sum, mean or max of each bag's embeddings;
    entries equal to padding_idx are left out (an empty bag gives zeros)."""
    op = "embedding_bag"
    if mode not in ("sum", "mean", "max"):
        raise ValueError(f"[{op}] mode must be 'sum', 'mean' or 'max', got {mode!r}")
    if per_sample_weights is not None:
        if mode != "sum":
            raise ValueError(f"[{op}] per_sample_weights are only supported for mode='sum', "
                             f"got mode={mode!r}")
        if tuple(per_sample_weights.shape) != tuple(input.shape):
            raise ValueError(f"[{op}] per_sample_weights of shape "
                             f"{tuple(per_sample_weights.shape)} must match input of shape "
                             f"{tuple(input.shape)}")
    flat, bounds = _bag_bounds(op, input, offsets, include_last_offset)
    if padding_idx is not None and padding_idx < 0:
        padding_idx += weight.shape[0]
    rows = _F.embedding(flat, weight, None, max_norm, norm_type)
    if per_sample_weights is not None:
        rows = rows * per_sample_weights.reshape(-1, 1)
    ids = flat.tolist()
    dim = weight.shape[1]
    bags = []
    for start, end in bounds:
        keep = [i for i in range(start, end) if ids[i] != padding_idx]
        if not keep:
            bags.append(_C.zeros(dim, dtype=weight.dtype, device=weight.device))
            continue
        picked = rows.index_select(0, _tensor(keep, device=flat.device))
        if mode == "sum":
            bags.append(picked.sum(0))
        elif mode == "mean":
            bags.append(picked.mean(0))
        else:
            bags.append(picked.max(0)[0])
    if not bags:
        return _C.zeros(0, dim, dtype=weight.dtype, device=weight.device)
    return _C.stack(bags, 0)
