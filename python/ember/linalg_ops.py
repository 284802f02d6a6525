"""Products and distances under their PyTorch names (baddbmm, kron, block_diag, cross,
cdist, trace), composed from existing differentiable ops."""

import numpy as _np

from . import _C

__all__ = ["baddbmm", "kron", "block_diag", "cross", "cdist", "trace"]


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """beta * input + alpha * (batch1 @ batch2), batched."""
    if batch1.dim() != 3 or batch2.dim() != 3:
        raise ValueError(f"[baddbmm] batch1 and batch2 must be 3-D, got shapes "
                         f"{tuple(batch1.shape)} and {tuple(batch2.shape)}")
    prod = _C.bmm(batch1, batch2)
    if alpha != 1:
        prod = prod * alpha
    if beta == 0:  # as in PyTorch, input is ignored (its NaNs do not propagate)
        return prod + _C.zeros_like(input) if tuple(input.shape) != tuple(prod.shape) else prod
    return prod + (input if beta == 1 else input * beta)


def kron(a, b):
    """Kronecker product: block (i, j) of the result is a[i, j] * b."""
    nd = max(a.dim(), b.dim())
    sa = [1] * (nd - a.dim()) + list(a.shape)
    sb = [1] * (nd - b.dim()) + list(b.shape)
    inter_a = [x for s in sa for x in (s, 1)]
    inter_b = [x for s in sb for x in (1, s)]
    out = a.reshape(*inter_a) * b.reshape(*inter_b)
    return out.reshape(*[x * y for x, y in zip(sa, sb)])


def block_diag(*tensors):
    """A 2-D tensor with the given (0-, 1- or 2-D) tensors along its diagonal."""
    mats = []
    for i, t in enumerate(tensors):
        if t.dim() > 2:
            raise ValueError(f"[block_diag] input {i} must have at most 2 dims, got shape "
                             f"{tuple(t.shape)}")
        mats.append(t.reshape(1, 1) if t.dim() == 0 else t.reshape(1, -1) if t.dim() == 1 else t)
    if not mats:
        return _C.zeros(1, 0)
    dtype = mats[0].dtype
    for m in mats[1:]:
        dtype = _C.promote_types(dtype, m.dtype)
    total = sum(m.shape[1] for m in mats)
    rows, left = [], 0
    for m in mats:
        w = m.shape[1]
        rows.append(_C.pad(m._to_dtype(dtype), (left, total - left - w, 0, 0)))
        left += w
    return _C.cat(rows, 0)


def cross(input, other, dim=None):
    """Cross product of 3-vectors along `dim` (default: the first dim of size 3)."""
    if tuple(input.shape) != tuple(other.shape):
        shape = _np.broadcast_shapes(tuple(input.shape), tuple(other.shape))
        input, other = input.broadcast_to(shape), other.broadcast_to(shape)
    if dim is None:
        dim = next((d for d, s in enumerate(input.shape) if s == 3), None)
        if dim is None:
            raise ValueError(f"[cross] no dim of size 3 in shape {tuple(input.shape)}")
    if input.shape[dim] != 3:
        raise ValueError(f"[cross] dim {dim} must have size 3, got shapes "
                         f"{tuple(input.shape)} and {tuple(other.shape)}")
    a1, a2, a3 = _C.unbind(input, dim)
    b1, b2, b3 = _C.unbind(other, dim)
    return _C.stack([a2 * b3 - a3 * b2, a3 * b1 - a1 * b3, a1 * b2 - a2 * b1], dim)


def _safe_sqrt(sq):
    """sqrt with gradient 0 (not inf/NaN) where the argument is 0, as cdist has in PyTorch."""
    pos = sq > 0
    return _C.where(pos, _C.sqrt(_C.where(pos, sq, _C.ones_like(sq))), _C.zeros_like(sq))


def cdist(x1, x2, p=2.0, compute_mode=None):
    """Pairwise p-norm distances between the rows of x1 (..., P, M) and x2 (..., R, M)."""
    if x1.dim() < 2 or x2.dim() < 2 or x1.shape[-1] != x2.shape[-1]:
        raise ValueError(f"[cdist] expects x1 (..., P, M) and x2 (..., R, M), got shapes "
                         f"{tuple(x1.shape)} and {tuple(x2.shape)}")
    if p < 0:
        raise ValueError(f"[cdist] p must be non-negative, got {p}")
    d = x1.unsqueeze(-2) - x2.unsqueeze(-3)
    if p == 2:
        return _safe_sqrt((d * d).sum(-1))
    a = d.abs()
    if p == 1:
        return a.sum(-1)
    if p == float("inf"):
        return a.amax(-1)
    if p == 0:
        return (a != 0).sum(-1)._to_dtype(x1.dtype)
    s = (a ** p).sum(-1)
    pos = s > 0
    return _C.where(pos, _C.where(pos, s, _C.ones_like(s)) ** (1.0 / p), _C.zeros_like(s))


def trace(input):
    """Sum of the main diagonal of a 2-D tensor."""
    if input.dim() != 2:
        raise ValueError(f"[trace] expects a 2-D tensor, got shape {tuple(input.shape)}")
    return _C.diagonal(input).sum()
