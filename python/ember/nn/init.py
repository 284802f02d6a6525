"""ember.nn.init (torch.nn.init): in-place initializers, run in C++."""

from .. import _C

_i = _C.nn.init
calculate_gain = _i.calculate_gain
uniform_ = _i.uniform_
normal_ = _i.normal_
constant_ = _i.constant_
zeros_ = _i.zeros_
ones_ = _i.ones_
xavier_uniform_ = _i.xavier_uniform_
xavier_normal_ = _i.xavier_normal_
kaiming_uniform_ = _i.kaiming_uniform_
kaiming_normal_ = _i.kaiming_normal_
orthogonal_ = _i.orthogonal_


def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
    """Normal(mean, std) values redrawn until all lie in [a, b] (torch.nn.init.trunc_normal_;
    a and b are absolute bounds, as there)."""
    if not a < b:
        raise ValueError(f"[trunc_normal_] expected a < b, got a={a}, b={b}")
    prev = _C.is_grad_enabled()
    _C.set_grad_enabled(False)
    try:
        out = _C.randn(tuple(tensor.shape), dtype=tensor.dtype) * std + mean
        for _ in range(100):
            bad = (out < a) | (out > b)
            if not bad.any().item():
                break
            fresh = _C.randn(tuple(tensor.shape), dtype=tensor.dtype) * std + mean
            out = _C.where(bad, fresh, out)
        tensor.copy_(out.clamp(a, b))
    finally:
        _C.set_grad_enabled(prev)
    return tensor


def eye_(tensor):
    """Fills a 2-D tensor with the identity (ones on the diagonal)."""
    if tensor.ndim != 2:
        raise ValueError(f"[eye_] only tensors with 2 dimensions are supported, got "
                         f"{tensor.ndim}")
    prev = _C.is_grad_enabled()
    _C.set_grad_enabled(False)
    try:
        tensor.copy_(_C.eye(tensor.shape[0], tensor.shape[1], dtype=tensor.dtype))
    finally:
        _C.set_grad_enabled(prev)
    return tensor
