"""Keras losses beyond the cross entropies: KLDivergence, CosineSimilarity, Hinge,
SquaredHinge, CategoricalHinge, LogCosh, Poisson, MeanSquaredLogarithmicError,
MeanAbsolutePercentageError. Each function returns the per-sample loss (N,) averaged over
the last axis as Keras does (reduced over the batch by the Loss classes in losses.py)."""

import math

from .. import _C

EPSILON = 1e-7


def _l2_normalize(x):
    return x * _C.rsqrt(_C.clamp((x * x).sum(-1, keepdim=True), min=1e-12))


def _hinge_labels(y_true):
    """Keras maps {0, 1} labels to {-1, 1} (when every label is 0 or 1); traceable."""
    binary = ((y_true == 0.0).to(y_true.dtype) + (y_true == 1.0).to(y_true.dtype)).amin()
    return y_true + binary * (y_true - 1.0)


def _rest_mean(t):
    """(N, ...) -> (N,): mean over all but the batch axis (a (N,) input stays)."""
    return t if t.dim() <= 1 else t.mean(list(range(1, t.dim())))


def kl_divergence(y_true, y_pred):
    t = _C.clamp(y_true, min=EPSILON, max=1.0)
    p = _C.clamp(y_pred, min=EPSILON, max=1.0)
    return _rest_mean((t * _C.log(t / p)).sum(-1, keepdim=True))


def cosine_similarity(y_true, y_pred, axis=-1):
    return _rest_mean(-(_l2_normalize(y_true) * _l2_normalize(y_pred)).sum(-1, keepdim=True))


def hinge(y_true, y_pred):
    return _rest_mean(_C.relu(1.0 - _hinge_labels(y_true) * y_pred))


def squared_hinge(y_true, y_pred):
    h = _C.relu(1.0 - _hinge_labels(y_true) * y_pred)
    return _rest_mean(h * h)


def categorical_hinge(y_true, y_pred):
    pos = (y_true * y_pred).sum(-1, keepdim=True)
    neg = ((1.0 - y_true) * y_pred).amax(-1, keepdim=True)
    return _rest_mean(_C.relu(neg - pos + 1.0))


def log_cosh(y_true, y_pred):
    x = y_pred - y_true
    return _rest_mean(x + _C.softplus(-2.0 * x) - math.log(2.0))


def poisson(y_true, y_pred):
    return _rest_mean(y_pred - y_true * _C.log(y_pred + EPSILON))


def mean_squared_logarithmic_error(y_true, y_pred):
    d = _C.log(_C.clamp(y_pred, min=EPSILON) + 1.0) - _C.log(_C.clamp(y_true, min=EPSILON) + 1.0)
    return _rest_mean(d * d)


def mean_absolute_percentage_error(y_true, y_pred):
    return _rest_mean(100.0 * _C.abs((y_true - y_pred) / _C.clamp(_C.abs(y_true), min=EPSILON)))


PER_SAMPLE = {
    "kl_divergence": kl_divergence, "cosine_similarity": cosine_similarity, "hinge": hinge,
    "squared_hinge": squared_hinge, "categorical_hinge": categorical_hinge,
    "log_cosh": log_cosh, "poisson": poisson,
    "mean_squared_logarithmic_error": mean_squared_logarithmic_error,
    "mean_absolute_percentage_error": mean_absolute_percentage_error,
}
