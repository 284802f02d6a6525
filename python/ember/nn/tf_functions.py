"""``tf.nn``-style functions (``import ember as tf; tf.nn.relu(x)``), next to the
PyTorch-style modules of ``ember.nn``."""

from .. import _C
from .._tf_compat import convert_to_tensor as _t
from . import functional as _F

__all__ = ["relu", "relu6", "elu", "selu", "gelu", "sigmoid", "tanh", "softmax", "log_softmax",
           "softplus", "silu", "swish", "leaky_relu", "dropout", "l2_loss",
           "sparse_softmax_cross_entropy_with_logits", "softmax_cross_entropy_with_logits",
           "sigmoid_cross_entropy_with_logits"]


def relu(features, name=None):
    return _C.relu(_t(features))


def relu6(features, name=None):
    return _C.relu6(_t(features))


def elu(features, name=None):
    return _C.elu(_t(features), 1.0)


def selu(features, name=None):
    return _C.elu(_t(features), 1.6732632423543772) * 1.0507009873554805


def gelu(features, approximate=False, name=None):
    return _C.gelu(_t(features), approximate="tanh" if approximate else "none")


def sigmoid(x, name=None):
    return _C.sigmoid(_t(x))


def tanh(x, name=None):
    return _C.tanh(_t(x))


def softmax(logits, axis=-1, name=None):
    return _C.softmax(_t(logits), int(axis))


def log_softmax(logits, axis=-1, name=None):
    return _C.log_softmax(_t(logits), int(axis))


def softplus(features, name=None):
    return _C.softplus(_t(features))


def silu(features, beta=1.0, name=None):
    x = _t(features)
    return x * _C.sigmoid(x * beta)


swish = silu


def leaky_relu(features, alpha=0.2, name=None):
    return _C.leaky_relu(_t(features), float(alpha))


def dropout(x, rate, noise_shape=None, seed=None, name=None):
    """Inverted dropout as tf.nn.dropout: always active (it is a training-time op)."""
    return _F.dropout(_t(x), p=float(rate), training=True)


def l2_loss(t, name=None):
    x = _t(t)
    return (x * x).sum() / 2


def sparse_softmax_cross_entropy_with_logits(labels, logits, name=None):
    """Per-example cross entropy of integer labels against logits [..., classes]."""
    logits = _t(logits)
    return _F.cross_entropy(logits, _t(labels).to(_C.dtype.int64), reduction="none")


def softmax_cross_entropy_with_logits(labels, logits, axis=-1, name=None):
    """Per-example cross entropy of label distributions against logits."""
    return -(_t(labels) * _C.log_softmax(_t(logits), int(axis))).sum(int(axis))


def sigmoid_cross_entropy_with_logits(labels=None, logits=None, name=None):
    return _F.binary_cross_entropy_with_logits(_t(logits), _t(labels).to(_t(logits).dtype),
                                               reduction="none")
