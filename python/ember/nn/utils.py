"""ember.nn.utils: gradient clipping."""

from .. import _C
from .._C import Tensor


def _params(parameters):
    return [parameters] if isinstance(parameters, Tensor) else list(parameters)


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    return _C.optim.clip_grad_norm_(_params(parameters), float(max_norm), float(norm_type),
                                    bool(error_if_nonfinite))


def clip_grad_value_(parameters, clip_value, foreach=None):
    _C.optim.clip_grad_value_(_params(parameters), float(clip_value))
