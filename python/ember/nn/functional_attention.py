"""scaled_dot_product_attention (torch.nn.functional), composed from matmul and softmax."""

import math

from .. import _C

__all__ = ["scaled_dot_product_attention"]


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0,
                                 is_causal=False, scale=None, enable_gqa=False):
    """softmax(q @ k^T * scale + mask) @ v over (..., L, E) x (..., S, E) x (..., S, Ev).
    A boolean attn_mask keeps positions where True; a float mask is added to the scores."""
    if query.dim() < 2 or key.dim() < 2 or value.dim() < 2:
        raise ValueError(f"[scaled_dot_product_attention] query, key, value must be at least "
                         f"2-D, got {tuple(query.shape)}, {tuple(key.shape)}, "
                         f"{tuple(value.shape)}")
    if query.shape[-1] != key.shape[-1] or key.shape[-2] != value.shape[-2]:
        raise ValueError(f"[scaled_dot_product_attention] expects query (..., L, E), key "
                         f"(..., S, E), value (..., S, Ev), got {tuple(query.shape)}, "
                         f"{tuple(key.shape)}, {tuple(value.shape)}")
    if is_causal and attn_mask is not None:
        raise ValueError("[scaled_dot_product_attention] pass either attn_mask or is_causal")
    if enable_gqa and query.dim() >= 3 and key.shape[-3] != query.shape[-3]:
        rep = query.shape[-3] // key.shape[-3]
        key = key.repeat_interleave(rep, dim=-3)
        value = value.repeat_interleave(rep, dim=-3)
    L, S = query.shape[-2], key.shape[-2]
    scale = 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale
    scores = _C.matmul(query, key.transpose(-2, -1)) * scale
    if is_causal:
        attn_mask = _C.tril(_C.ones(L, S, dtype=_C.dtype.bool, device=query.device))
    if attn_mask is not None:
        if attn_mask.dtype == _C.dtype.bool:
            scores = scores.masked_fill(_C.logical_not(attn_mask), float("-inf"))
        else:
            scores = scores + attn_mask
    weights = _C.softmax(scores, -1)
    if dropout_p > 0.0:
        weights = _C.nn.functional.dropout(weights, dropout_p, True)
    return _C.matmul(weights, value)
