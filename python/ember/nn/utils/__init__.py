"""ember.nn.utils: gradient clipping, parameter/vector conversion; rnn: padding and packing."""

from ... import _C
from ..._C import Tensor


def _params(parameters):
    return [parameters] if isinstance(parameters, Tensor) else list(parameters)


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    return _C.optim.clip_grad_norm_(_params(parameters), float(max_norm), float(norm_type),
                                    bool(error_if_nonfinite))


def clip_grad_value_(parameters, clip_value, foreach=None):
    _C.optim.clip_grad_value_(_params(parameters), float(clip_value))


def parameters_to_vector(parameters):
    """All parameters flattened and concatenated into one vector."""
    return _C.cat([p.reshape(-1) for p in _params(parameters)], 0)


def vector_to_parameters(vec, parameters):
    """Copies consecutive slices of `vec` into the parameters (in place, no history)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"[vector_to_parameters] expected a Tensor, got {type(vec).__name__}")
    params = _params(parameters)
    total = sum(p.numel() for p in params)
    if vec.ndim != 1 or vec.numel() != total:
        raise ValueError(f"[vector_to_parameters] expected a vector of {total} elements, got "
                         f"shape {tuple(vec.shape)}")
    offset = 0
    prev = _C.is_grad_enabled()
    _C.set_grad_enabled(False)
    try:
        for p in params:
            n = p.numel()
            p.copy_(vec[offset:offset + n].reshape(p.shape))
            offset += n
    finally:
        _C.set_grad_enabled(prev)


from . import rnn  # noqa: E402,F401
from . import parametrize, parametrizations  # noqa: E402,F401
from .weight_norm import remove_weight_norm, weight_norm  # noqa: E402,F401
from .spectral_norm import remove_spectral_norm, spectral_norm  # noqa: E402,F401
