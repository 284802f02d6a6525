"""Normalization and similarity of vectors: normalize, rms_norm, cosine_similarity,
pairwise_distance."""

from .. import _C
from ..shape_ops import broadcast_tensors

__all__ = ["normalize", "rms_norm", "cosine_similarity", "pairwise_distance"]

_EPS = {"float32": 1.1920928955078125e-07, "float64": 2.220446049250313e-16,
        "float16": 0.0009765625, "bfloat16": 0.0078125}


def _norm(x, p, dim, keepdim):
    """p-norm with gradient 0 at a zero vector (PyTorch's norm backward gives 0 there)."""
    if p == 2:
        sq = (x * x).sum(dim, keepdim=keepdim)
        pos = sq > 0
        return _C.where(pos, _C.sqrt(_C.where(pos, sq, _C.ones_like(sq))), _C.zeros_like(sq))
    a = x.abs()
    if p == 1:
        return a.sum(dim, keepdim=keepdim)
    if p == float("inf"):
        return a.amax(dim, keepdim=keepdim)
    s = (a ** p).sum(dim, keepdim=keepdim)
    pos = s > 0
    return _C.where(pos, _C.where(pos, s, _C.ones_like(s)) ** (1.0 / p), _C.zeros_like(s))


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """input / max(||input||_p along dim, eps)."""
    if input.dim() == 0:
        raise ValueError("[normalize] expects at least a 1-D tensor, got a 0-d one")
    return input / _C.clamp_min(_norm(input, p, dim, True), eps)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """x / sqrt(mean(x^2) + eps) over the trailing normalized_shape dims, times weight.
    eps defaults to the dtype's machine epsilon, as in PyTorch."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    if tuple(input.shape[input.dim() - len(shape):]) != shape:
        raise ValueError(f"[rms_norm] normalized_shape {shape} must match the trailing dims of "
                         f"input shape {tuple(input.shape)}")
    if eps is None:
        eps = _EPS.get(str(input.dtype).replace("ember.", ""), 1.1920928955078125e-07)
    dims = list(range(input.dim() - len(shape), input.dim()))
    out = input * _C.rsqrt((input * input).mean(dims, keepdim=True) + eps)
    return out if weight is None else out * weight


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """Cosine of the angle between x1 and x2 along dim (they broadcast)."""
    try:
        x1, x2 = broadcast_tensors(x1, x2)
    except ValueError:
        raise ValueError(f"[cosine_similarity] shapes {tuple(x1.shape)} and {tuple(x2.shape)} "
                         f"do not broadcast") from None
    n1 = _C.clamp_min(_norm(x1, 2, dim, True), eps)
    n2 = _C.clamp_min(_norm(x2, 2, dim, True), eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """||x1 - x2 + eps||_p over the last dim."""
    d = x1 - x2 + eps
    if d.dim() == 0:
        raise ValueError("[pairwise_distance] expects at least 1-D inputs")
    return _norm(d, p, -1, keepdim)
