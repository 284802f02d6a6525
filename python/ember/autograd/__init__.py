"""ember.autograd: grad, backward, custom Functions, gradcheck, anomaly detection and the
functional API (jacobian, hessian), as in torch.autograd."""

import contextlib

from .. import _C
from .._grad_mode import enable_grad, inference_mode, no_grad, set_grad_enabled  # noqa: F401
from . import functional  # noqa: F401
from .function import Function, FunctionCtx, once_differentiable  # noqa: F401
from .gradcheck import GradcheckError, gradcheck, gradgradcheck  # noqa: F401


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         allow_unused=False):
    """Gradients of `outputs` with respect to `inputs`, returned as a tuple."""
    return _C.autograd_grad(outputs, inputs, grad_outputs, retain_graph, create_graph,
                            allow_unused)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulates gradients of `tensors` into the leaves' .grad."""
    _C.autograd_backward(tensors, grad_tensors, retain_graph, create_graph, inputs)


def set_detect_anomaly(mode, check_forward=False):
    """Turns anomaly mode on or off (see detect_anomaly)."""
    _C.set_anomaly_enabled(bool(mode), bool(check_forward))


def is_anomaly_enabled():
    return _C.is_anomaly_enabled()


@contextlib.contextmanager
def detect_anomaly(check_nan=True, check_forward=False):
    """Raises naming the backward function that first produces NaN or Inf. With
    check_forward=True, also raises at the first op (recorded for autograd) whose forward
    turns finite inputs into NaN or Inf, naming it. Anomaly mode is process-wide, as in
    PyTorch; it slows every op that records autograd history."""
    prev = (_C.is_anomaly_enabled(), _C.is_anomaly_check_forward_enabled())
    _C.set_anomaly_enabled(bool(check_nan), bool(check_forward))
    try:
        yield
    finally:
        _C.set_anomaly_enabled(*prev)
