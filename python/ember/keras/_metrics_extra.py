"""More Keras metrics: top-k accuracies, RootMeanSquaredError, Sum, F1Score, R2Score.
Counting metrics return per-batch sums from ``batch_stats`` (traced with the train step)
and keep epoch totals in float64 NumPy arrays, so the result is over the whole epoch, not
a mean of batch ratios."""

import numpy as np

from .. import _C
from . import losses as _losses
from .metrics import MeanMetricWrapper, Metric

__all__ = ["TopKCategoricalAccuracy", "SparseTopKCategoricalAccuracy",
           "RootMeanSquaredError", "Sum", "F1Score", "FBetaScore", "R2Score",
           "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy"]


def _in_top_k(y_pred, labels, k):
    """1.0 where the label's score is among the k largest of its row (ties count in)."""
    target = _C.take_along_dim(y_pred, labels.to(_C.dtype.int64).unsqueeze(-1), -1)
    above = (y_pred > target).to(y_pred.dtype).sum(-1)
    return (above < k).to(_C.dtype.float32)


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    if tuple(y_true.shape) != tuple(y_pred.shape):
        raise ValueError(f"[top_k_categorical_accuracy] expects one-hot y_true of shape "
                         f"{tuple(y_pred.shape)}, got {tuple(y_true.shape)}")
    return _in_top_k(y_pred, y_true.argmax(-1), k).mean()


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5):
    if y_true.dim() == y_pred.dim() and y_true.shape[-1] == 1:
        y_true = y_true.squeeze(-1)
    if tuple(y_true.shape) != tuple(y_pred.shape)[:-1]:
        raise ValueError(f"[sparse_top_k_categorical_accuracy] expects integer labels of "
                         f"shape {tuple(y_pred.shape)[:-1]}, got {tuple(y_true.shape)}")
    return _in_top_k(y_pred, y_true, k).mean()


class TopKCategoricalAccuracy(MeanMetricWrapper):
    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        self.k = int(k)
        super().__init__(top_k_categorical_accuracy, name, dtype, k=self.k)

    def get_config(self):
        return {"k": self.k, "name": self.name}


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None):
        self.k = int(k)
        super().__init__(sparse_top_k_categorical_accuracy, name, dtype, k=self.k)

    def get_config(self):
        return {"k": self.k, "name": self.name}


class _SumsMetric(Metric):
    """A metric from sums accumulated over the epoch."""

    def merge_batch(self, stats, count):
        stats = np.asarray(stats, np.float64)
        self._sums = stats if self._sums is None else self._sums + stats

    def reset_state(self):
        self._sums = None

    def get_config(self):
        return {"name": self.name}


class RootMeanSquaredError(_SumsMetric):
    """sqrt(mean squared error over every element of the epoch)."""

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def batch_stats(self, y_true, y_pred):
        y_true = _losses._align(y_true, y_pred)
        _losses._check_same("RootMeanSquaredError", y_true, y_pred)
        d = (y_pred - y_true).to(_C.dtype.float32)
        return _C.stack([(d * d).sum(), _C.scalar_tensor(float(d.numel()))])

    def result(self):
        if self._sums is None or self._sums[1] == 0:
            return 0.0
        return float(np.sqrt(self._sums[0] / self._sums[1]))


class Sum(Metric):
    """The sum of the values passed to ``update_state(values)``."""

    def __init__(self, name="sum", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, values, sample_weight=None):
        values = _losses._to_tensor(values).to(_C.dtype.float64)
        if sample_weight is not None:
            values = values * _losses._to_tensor(sample_weight).to(_C.dtype.float64)
        self._total += float(values.sum().item())

    def result(self):
        return self._total

    def get_config(self):
        return {"name": self.name}


class FBetaScore(_SumsMetric):
    """F-beta per class from true / false positives and false negatives summed over the
    epoch. Predictions are the row's argmax when `threshold` is None (one class per
    sample), else ``y_pred > threshold``. ``average``: None (per-class array), 'micro',
    'macro' or 'weighted' (by support)."""

    def __init__(self, average=None, beta=1.0, threshold=None, name="fbeta_score",
                 dtype=None):
        if average not in (None, "micro", "macro", "weighted"):
            raise ValueError(f"[{type(self).__name__}] average must be None, 'micro', "
                             f"'macro' or 'weighted', got {average!r}")
        self.average, self.beta, self.threshold = average, float(beta), threshold
        super().__init__(name=name, dtype=dtype)

    def batch_stats(self, y_true, y_pred):
        if y_true.dim() != 2 or tuple(y_true.shape) != tuple(y_pred.shape):
            raise ValueError(f"[{type(self).__name__}] expects y_true and y_pred of the same "
                             f"shape (batch, classes), got {tuple(y_true.shape)} and "
                             f"{tuple(y_pred.shape)}")
        f = _C.dtype.float32
        y_true, y_pred = y_true.to(f), y_pred.to(f)
        if self.threshold is None:
            pred = (y_pred == y_pred.amax(-1, keepdim=True)).to(f)
        else:
            pred = (y_pred > float(self.threshold)).to(f)
        tp = (pred * y_true).sum(0)
        return _C.stack([tp, pred.sum(0) - tp, y_true.sum(0) - tp])

    def result(self):
        if self._sums is None:
            return 0.0
        tp, fp, fn = self._sums
        if self.average == "micro":
            tp, fp, fn = tp.sum(), fp.sum(), fn.sum()
        eps, b2 = 1e-7, self.beta ** 2
        precision = tp / (tp + fp + eps)
        recall = tp / (tp + fn + eps)
        score = (1 + b2) * precision * recall / (b2 * precision + recall + eps)
        if self.average == "macro":
            return float(score.mean())
        if self.average == "weighted":
            support = tp + fn
            return float((score * support).sum() / max(support.sum(), eps))
        return float(score) if np.ndim(score) == 0 else score.astype(np.float32)

    def get_config(self):
        return {"average": self.average, "beta": self.beta, "threshold": self.threshold,
                "name": self.name}


class F1Score(FBetaScore):
    def __init__(self, average=None, threshold=None, name="f1_score", dtype=None):
        super().__init__(average, 1.0, threshold, name, dtype)

    def get_config(self):
        return {"average": self.average, "threshold": self.threshold, "name": self.name}


class R2Score(_SumsMetric):
    """Coefficient of determination over the epoch, per output column, averaged
    ('uniform_average'), weighted by variance ('variance_weighted_average') or per
    column (None)."""

    def __init__(self, class_aggregation="uniform_average", num_regressors=0, name="r2_score",
                 dtype=None):
        if class_aggregation not in (None, "uniform_average", "variance_weighted_average"):
            raise ValueError(f"[R2Score] class_aggregation must be None, 'uniform_average' "
                             f"or 'variance_weighted_average', got {class_aggregation!r}")
        self.class_aggregation, self.num_regressors = class_aggregation, int(num_regressors)
        super().__init__(name=name, dtype=dtype)

    def batch_stats(self, y_true, y_pred):
        y_true = _losses._align(y_true, y_pred)
        _losses._check_same("R2Score", y_true, y_pred)
        f = _C.dtype.float32
        y_true, y_pred = y_true.to(f), y_pred.to(f)
        if y_true.dim() == 1:
            y_true, y_pred = y_true.unsqueeze(-1), y_pred.unsqueeze(-1)
        d = y_true - y_pred
        n = _C.ones(*y_true.shape[1:], dtype=f) * float(y_true.shape[0])
        return _C.stack([y_true.sum(0), (y_true * y_true).sum(0), (d * d).sum(0), n])

    def result(self):
        if self._sums is None:
            return 0.0
        s, s2, res, n = self._sums
        mean = s / n
        total = s2 - s * mean
        r2 = 1.0 - res / np.where(total == 0, 1e-12, total)
        if self.num_regressors:
            count = n[0]
            r2 = 1.0 - (1.0 - r2) * (count - 1) / (count - self.num_regressors - 1)
        if self.class_aggregation == "uniform_average":
            return float(r2.mean())
        if self.class_aggregation == "variance_weighted_average":
            return float((r2 * total).sum() / total.sum())
        return r2.astype(np.float32)

    def get_config(self):
        return {"class_aggregation": self.class_aggregation,
                "num_regressors": self.num_regressors, "name": self.name}
