"""ember.autograd: grad, backward and anomaly detection, as in torch.autograd."""

import contextlib

from . import _C


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         allow_unused=False):
    """Gradients of `outputs` with respect to `inputs`, returned as a tuple."""
    return _C.autograd_grad(outputs, inputs, grad_outputs, retain_graph, create_graph,
                            allow_unused)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulates gradients of `tensors` into the leaves' .grad."""
    _C.autograd_backward(tensors, grad_tensors, retain_graph, create_graph, inputs)


def set_detect_anomaly(mode):
    _C.set_anomaly_enabled(bool(mode))


@contextlib.contextmanager
def detect_anomaly():
    """Raises naming the backward function that first produces NaN or Inf."""
    prev = _C.is_anomaly_enabled()
    _C.set_anomaly_enabled(True)
    try:
        yield
    finally:
        _C.set_anomaly_enabled(prev)
