"""Keras metrics (``keras.metrics``): stateful accumulators with ``update_state(y_true,
y_pred)``, ``result()`` and ``reset_state()``. Each metric's per-batch value is a traceable
function of tensors (``batch_value``: the mean over the batch's samples), so ``fit`` computes
it inside the traced train step; the running mean weighted by batch size is kept here."""

from .. import _C
from . import losses as _losses

__all__ = ["Metric", "Mean", "MeanMetricWrapper", "Accuracy", "BinaryAccuracy",
           "CategoricalAccuracy", "SparseCategoricalAccuracy", "MeanSquaredError",
           "MeanAbsoluteError", "Precision", "Recall", "AUC", "binary_accuracy",
           "categorical_accuracy", "sparse_categorical_accuracy", "get"]


def binary_accuracy(y_true, y_pred, threshold=0.5):
    y_true = _losses._align(y_true, y_pred)
    return ((y_pred > threshold).to(y_pred.dtype) == y_true).to(y_pred.dtype).mean()


def categorical_accuracy(y_true, y_pred):
    return (y_pred.argmax(-1) == y_true.argmax(-1)).to(_C.dtype.float32).mean()


def sparse_categorical_accuracy(y_true, y_pred):
    if y_true.dim() == y_pred.dim() and y_true.shape[-1] == 1:
        y_true = y_true.squeeze(-1)
    return (y_pred.argmax(-1) == y_true.to(_C.dtype.int64)).to(_C.dtype.float32).mean()


def accuracy(y_true, y_pred):
    """Exact equality of y_true and y_pred (Keras's ``Accuracy``)."""
    y_true = _losses._align(y_true, y_pred)
    return (y_true == y_pred).to(_C.dtype.float32).mean()


class Metric:
    """Base class: a named running mean of per-batch values weighted by batch size."""

    def __init__(self, name=None, dtype=None):
        self.name = name or _losses._snake(type(self).__name__)
        self.reset_state()

    def batch_value(self, y_true, y_pred):
        """The metric over one batch, a 0-d tensor (traceable)."""
        raise NotImplementedError(f"[{type(self).__name__}] batch_value is not implemented")

    def batch_stats(self, y_true, y_pred):
        """What one batch contributes, as a tensor (traced with the train step): by
        default the batch mean; counting metrics (Precision, AUC) return counts."""
        return self.batch_value(y_true, y_pred)

    def merge_batch(self, stats, count):
        """Adds a batch's `stats` (a NumPy array from batch_stats) of `count` samples."""
        self.accumulate(float(stats), count)

    def accumulate(self, value, count):
        self._total += float(value) * count
        self._count += count

    def update_state(self, y_true, y_pred, sample_weight=None):
        if sample_weight is not None:
            raise NotImplementedError(f"[{type(self).__name__}] sample_weight is not supported")
        y_true, y_pred = _losses._to_tensor(y_true), _losses._to_tensor(y_pred)
        self.merge_batch(self.batch_stats(y_true, y_pred).numpy(), y_pred.shape[0])

    def result(self):
        return self._total / self._count if self._count else 0.0

    def reset_state(self):
        self._total, self._count = 0.0, 0

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"


class Mean(Metric):
    """The weighted mean of the values passed to ``update_state(values)``."""

    def update_state(self, values, sample_weight=None):
        values = _losses._to_tensor(values)
        n = max(1, values.numel())
        self.accumulate(values.to(_C.dtype.float64).mean().item(), n)


class MeanMetricWrapper(Metric):
    """A metric from a function ``fn(y_true, y_pred) -> batch mean``."""

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        self._fn, self._kwargs = fn, kwargs
        super().__init__(name=name or getattr(fn, "__name__", None), dtype=dtype)

    def batch_value(self, y_true, y_pred):
        return self._fn(y_true, y_pred, **self._kwargs)


class Accuracy(MeanMetricWrapper):
    def __init__(self, name="accuracy", dtype=None):
        super().__init__(accuracy, name, dtype)


class BinaryAccuracy(MeanMetricWrapper):
    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(binary_accuracy, name, dtype, threshold=threshold)


class CategoricalAccuracy(MeanMetricWrapper):
    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(categorical_accuracy, name, dtype)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(sparse_categorical_accuracy, name, dtype)


class MeanSquaredError(MeanMetricWrapper):
    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(_losses.mean_squared_error, name, dtype)


class MeanAbsoluteError(MeanMetricWrapper):
    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(_losses.mean_absolute_error, name, dtype)


def _binary_inputs(y_true, y_pred, metric):
    y_true = _losses._align(y_true, y_pred)
    if tuple(y_true.shape) != tuple(y_pred.shape):
        raise ValueError(f"[{metric}] y_true of shape {tuple(y_true.shape)} does not match "
                         f"y_pred of shape {tuple(y_pred.shape)}")
    return y_true.reshape(-1), y_pred.reshape(-1)


class _ConfusionMetric(Metric):
    """Precision / Recall: true positives, false positives and false negatives at one
    threshold, summed over the epoch (not a mean of batch ratios)."""

    def __init__(self, thresholds=None, name=None, dtype=None):
        self.threshold = 0.5 if thresholds is None else float(thresholds)
        super().__init__(name=name, dtype=dtype)

    def batch_stats(self, y_true, y_pred):
        y_true, y_pred = _binary_inputs(y_true, y_pred, type(self).__name__)
        f = y_pred.dtype
        pred = (y_pred > self.threshold).to(f)
        pos = (y_true > 0.5).to(f)
        tp = (pred * pos).sum()
        return _C.stack([tp, pred.sum() - tp, pos.sum() - tp])

    def merge_batch(self, stats, count):
        self._counts = self._counts + stats.astype("float64")

    def reset_state(self):
        import numpy as np
        self._counts = np.zeros(3)

    def _ratio(self, num, den):
        return float(num / den) if den > 0 else 0.0


class Precision(_ConfusionMetric):
    """tp / (tp + fp) at `thresholds` (0.5) over all batches of the epoch."""

    def __init__(self, thresholds=None, name="precision", dtype=None):
        super().__init__(thresholds, name, dtype)

    def result(self):
        tp, fp, _ = self._counts
        return self._ratio(tp, tp + fp)


class Recall(_ConfusionMetric):
    """tp / (tp + fn) at `thresholds` (0.5) over all batches of the epoch."""

    def __init__(self, thresholds=None, name="recall", dtype=None):
        super().__init__(thresholds, name, dtype)

    def result(self):
        tp, _, fn = self._counts
        return self._ratio(tp, tp + fn)


class AUC(Metric):
    """Area under the ROC (or PR) curve, from confusion counts at `num_thresholds`
    thresholds evenly spaced in [0, 1] (with -eps and 1+eps at the ends, as Keras), summed
    over the epoch; the area is the trapezoid rule over the (fpr, tpr) points."""

    def __init__(self, num_thresholds=200, curve="ROC", name="auc", dtype=None,
                 from_logits=False):
        if num_thresholds < 2:
            raise ValueError(f"[AUC] num_thresholds must be > 1, got {num_thresholds}")
        if curve not in ("ROC", "PR"):
            raise ValueError(f"[AUC] curve must be 'ROC' or 'PR', got {curve!r}")
        import numpy as np
        self.num_thresholds, self.curve, self.from_logits = num_thresholds, curve, from_logits
        eps = 1e-7
        t = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
        self._thresholds = np.array([-eps] + t + [1.0 + eps], np.float32)
        super().__init__(name=name, dtype=dtype)

    def batch_stats(self, y_true, y_pred):
        y_true, y_pred = _binary_inputs(y_true, y_pred, "AUC")
        if self.from_logits:
            y_pred = _C.sigmoid(y_pred)
        f = y_pred.dtype
        thresholds = _C.from_numpy(self._thresholds).to(f).unsqueeze(1)   # [T, 1]
        above = (y_pred.unsqueeze(0) > thresholds).to(f)                  # [T, N]
        pos = (y_true > 0.5).to(f).unsqueeze(0)
        tp = (above * pos).sum(1)
        fp = above.sum(1) - tp
        return _C.stack([tp, fp, pos.sum() - tp, (1.0 - pos).sum() - fp])  # tp fp fn tn

    def merge_batch(self, stats, count):
        self._counts = self._counts + stats.astype("float64")

    def reset_state(self):
        import numpy as np
        self._counts = np.zeros((4, getattr(self, "num_thresholds", 2)))

    def result(self):
        import numpy as np
        tp, fp, fn, tn = self._counts
        if self.curve == "ROC":
            tpr = tp / np.maximum(tp + fn, 1e-12)
            fpr = fp / np.maximum(fp + tn, 1e-12)
            return float(np.sum((fpr[:-1] - fpr[1:]) * (tpr[:-1] + tpr[1:]) / 2.0))
        precision = tp / np.maximum(tp + fp, 1e-12)
        recall = tp / np.maximum(tp + fn, 1e-12)
        return float(np.sum((recall[:-1] - recall[1:]) * (precision[:-1] + precision[1:]) / 2))


_ACCURACY_FOR_LOSS = {
    "BinaryCrossentropy": binary_accuracy,
    "CategoricalCrossentropy": categorical_accuracy,
    "SparseCategoricalCrossentropy": sparse_categorical_accuracy,
    "binary_crossentropy": binary_accuracy,
    "categorical_crossentropy": categorical_accuracy,
    "sparse_categorical_crossentropy": sparse_categorical_accuracy,
}


def _accuracy_for(loss, y_true_shape, y_pred_shape):
    """Keras's choice for 'accuracy': from the loss if it is a cross entropy, else from the
    shapes (one output unit: binary; integer labels: sparse; else categorical)."""
    key = type(loss).__name__ if isinstance(loss, _losses.Loss) \
        else getattr(loss, "__name__", "")
    if key in _ACCURACY_FOR_LOSS:
        return _ACCURACY_FOR_LOSS[key]
    if y_pred_shape[-1] == 1:
        return binary_accuracy
    if len(y_true_shape) < len(y_pred_shape) or y_true_shape[-1] == 1:
        return sparse_categorical_accuracy
    return categorical_accuracy


class _AutoAccuracy(MeanMetricWrapper):
    """'accuracy' / 'acc' in compile(): resolved on the first batch as Keras does."""

    def __init__(self, name, loss):
        self._loss = loss
        super().__init__(None, name=name)

    def batch_value(self, y_true, y_pred):
        if self._fn is None:
            self._fn = _accuracy_for(self._loss, tuple(y_true.shape), tuple(y_pred.shape))
        return self._fn(y_true, y_pred)


_BY_NAME = {
    "binary_accuracy": BinaryAccuracy, "categorical_accuracy": CategoricalAccuracy,
    "sparse_categorical_accuracy": SparseCategoricalAccuracy,
    "mse": MeanSquaredError, "mean_squared_error": MeanSquaredError,
    "mae": MeanAbsoluteError, "mean_absolute_error": MeanAbsoluteError,
    "precision": Precision, "recall": Recall, "auc": AUC,
}


def get(identifier, loss=None):
    """A metric from a name ('accuracy', 'mae', ...), a Metric class or instance, or a
    function ``f(y_true, y_pred)``. 'accuracy' picks its variant from `loss`."""
    if isinstance(identifier, str):
        key = identifier.lower()
        if key in ("accuracy", "acc"):
            return _AutoAccuracy(identifier, loss)
        cls = _BY_NAME.get(key)
        if cls is None:
            raise ValueError(f"[metrics] unknown metric '{identifier}'; known: accuracy, "
                             f"{', '.join(sorted(_BY_NAME))}")
        m = cls()
        m.name = identifier  # Keras reports a metric under the name it was given
        return m
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    if isinstance(identifier, Metric):
        return identifier
    if callable(identifier):
        return MeanMetricWrapper(identifier)
    raise TypeError(f"[metrics] expected a metric name, a Metric or a callable, got "
                    f"{type(identifier).__name__}")


# Metrics defined in _metrics_extra.py (it imports this module's base classes).
from ._metrics_extra import (F1Score, FBetaScore, R2Score, RootMeanSquaredError,  # noqa: E402
                             SparseTopKCategoricalAccuracy, Sum, TopKCategoricalAccuracy,
                             sparse_top_k_categorical_accuracy, top_k_categorical_accuracy)

__all__ += ["TopKCategoricalAccuracy", "SparseTopKCategoricalAccuracy", "RootMeanSquaredError",
            "Sum", "F1Score", "FBetaScore", "R2Score", "top_k_categorical_accuracy",
            "sparse_top_k_categorical_accuracy"]
_BY_NAME.update({"top_k_categorical_accuracy": TopKCategoricalAccuracy,
                 "sparse_top_k_categorical_accuracy": SparseTopKCategoricalAccuracy,
                 "root_mean_squared_error": RootMeanSquaredError, "rmse": RootMeanSquaredError,
                 "f1_score": F1Score, "r2_score": R2Score})
