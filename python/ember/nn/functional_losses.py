"""Loss functions under their PyTorch names, composed from existing ops: ranking and
embedding losses, Poisson and Gaussian negative log-likelihood, multi-class hinge."""

import math

from .. import _C
from .functional_distance import pairwise_distance

__all__ = ["margin_ranking_loss", "triplet_margin_loss", "cosine_embedding_loss",
           "poisson_nll_loss", "gaussian_nll_loss", "multi_margin_loss"]


def _reduce(loss, reduction, name):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(f"[{name}] reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def _same_shape(name, **tensors):
    shapes = {k: tuple(t.shape) for k, t in tensors.items()}
    if len(set(shapes.values())) > 1:
        raise ValueError(f"[{name}] shapes must match, got " +
                         ", ".join(f"{k} {s}" for k, s in shapes.items()))


def margin_ranking_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None,
                        reduction="mean"):
    """max(0, -target * (input1 - input2) + margin)."""
    _same_shape("margin_ranking_loss", input1=input1, input2=input2, target=target)
    loss = _C.clamp_min(-target * (input1 - input2) + margin, 0.0)
    return _reduce(loss, reduction, "margin_ranking_loss")


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False,
                        size_average=None, reduce=None, reduction="mean"):
    """max(d(a, p) - d(a, n) + margin, 0) with d the pairwise p-norm distance."""
    if not anchor.dim() == positive.dim() == negative.dim():
        raise ValueError(f"[triplet_margin_loss] anchor {tuple(anchor.shape)}, positive "
                         f"{tuple(positive.shape)} and negative {tuple(negative.shape)} must "
                         f"have the same number of dims")
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = _C.minimum(d_neg, pairwise_distance(positive, negative, p, eps))
    loss = _C.clamp_min(d_pos - d_neg + margin, 0.0)
    return _reduce(loss, reduction, "triplet_margin_loss")


def cosine_embedding_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None,
                          reduction="mean"):
    """1 - cos(x1, x2) where target is 1, max(0, cos(x1, x2) - margin) where it is -1."""
    _same_shape("cosine_embedding_loss", input1=input1, input2=input2)
    if input1.dim() != target.dim() + 1:
        raise ValueError(f"[cosine_embedding_loss] target {tuple(target.shape)} must have one "
                         f"dim fewer than the inputs {tuple(input1.shape)}")
    eps = 1e-12
    d = target.dim()
    prod = (input1 * input2).sum(d)
    mag = ((input1 * input1).sum(d) + eps) * ((input2 * input2).sum(d) + eps)
    cos = prod / _C.sqrt(mag)
    zeros = _C.zeros_like(cos)
    loss = (_C.where(target == 1, 1.0 - cos, zeros) +
            _C.where(target == -1, _C.clamp_min(cos - margin, 0.0), zeros))
    return _reduce(loss, reduction, "cosine_embedding_loss")


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8,
                     reduce=None, reduction="mean"):
    """exp(input) - target * input (log_input) or input - target * log(input + eps), plus
    Stirling's approximation of log(target!) when full."""
    if log_input:
        loss = _C.exp(input) - target * input
    else:
        loss = input - target * _C.log(input + eps)
    if full:
        safe = _C.where(target > 1, target, _C.ones_like(target))
        stirling = safe * _C.log(safe) - safe + 0.5 * _C.log(2 * math.pi * safe)
        loss = loss + _C.where(target > 1, stirling, _C.zeros_like(stirling))
    return _reduce(loss, reduction, "poisson_nll_loss")


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """0.5 * (log(max(var, eps)) + (input - target)^2 / max(var, eps)) (+ 0.5 log(2 pi))."""
    if tuple(var.shape) != tuple(input.shape):
        if tuple(input.shape[:-1]) == tuple(var.shape):
            var = var.unsqueeze(-1)
        elif not (tuple(input.shape[:-1]) == tuple(var.shape[:-1]) and var.shape[-1] == 1):
            raise ValueError(f"[gaussian_nll_loss] var of shape {tuple(var.shape)} does not fit "
                             f"input of shape {tuple(input.shape)}")
    if bool((var < 0).any().item()) if not _C.is_tracing() else False:
        raise ValueError("[gaussian_nll_loss] var has negative entries")
    # Clamped in value only: the gradient passes as if unclamped, as in PyTorch.
    var = var + (_C.clamp_min(var, eps) - var).detach()
    loss = 0.5 * (_C.log(var) + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction, "gaussian_nll_loss")


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None,
                      reduce=None, reduction="mean"):
    """Multi-class hinge: sum over i != y of max(0, margin - x[y] + x[i])^p / C."""
    if p not in (1, 2):
        raise ValueError(f"[multi_margin_loss] p must be 1 or 2, got {p}")
    x = input if input.dim() == 2 else input.reshape(1, -1)
    y = target.reshape(-1)
    if x.dim() != 2 or y.shape[0] != x.shape[0]:
        raise ValueError(f"[multi_margin_loss] expects input (N, C) and target (N,), got "
                         f"{tuple(input.shape)} and {tuple(target.shape)}")
    c = x.shape[1]
    idx = y._to_dtype(_C.dtype.int64).unsqueeze(1)
    xy = _C.gather(x, 1, idx)
    m = _C.clamp_min(margin - xy + x, 0.0)
    if p == 2:
        m = m * m
    if weight is not None:
        m = m * _C.gather(weight.unsqueeze(0).expand(x.shape[0], c), 1, idx)
    not_target = _C.one_hot(y._to_dtype(_C.dtype.int64), c) == 0
    loss = _C.where(not_target, m, _C.zeros_like(m)).sum(1) / c
    if input.dim() < 2:
        loss = loss.reshape(target.shape)
    return _reduce(loss, reduction, "multi_margin_loss")
