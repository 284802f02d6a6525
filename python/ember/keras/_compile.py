"""What ``Model.compile`` configures, per model output: the loss (with its weight) and the
metrics, their log names, the traceable values one step returns, and the epoch running
results built from them.

Names follow Keras: one output logs 'loss' and each metric's name; several outputs log
'loss' (the weighted total), '<output>_loss' and '<output>_<metric>'."""

import copy

import numpy as np

from . import losses as _losses
from . import metrics as _metrics


def _per_output(spec, output_names, what):
    """One entry per output from a single value, a list, or a dict keyed by output name."""
    n = len(output_names)
    if isinstance(spec, dict):
        unknown = [k for k in spec if k not in output_names]
        if unknown:
            raise ValueError(f"[compile] {what} has keys {unknown} that are not output names "
                             f"{output_names}")
        return [spec.get(name) for name in output_names]
    if isinstance(spec, (list, tuple)) and what != "metrics":
        if len(spec) != n:
            raise ValueError(f"[compile] {what} is a list of {len(spec)}, but the model has "
                             f"{n} outputs {output_names}")
        return list(spec)
    return [spec if i == 0 else copy.deepcopy(spec) for i in range(n)]


class CompiledSpec:
    def __init__(self, loss, metrics, loss_weights, output_names):
        self.output_names = list(output_names)
        n = len(self.output_names)
        raw = _per_output(loss, self.output_names, "loss")
        self.losses = [None if spec is None else _losses.get(spec) for spec in raw]
        if all(fn is None for fn in self.losses):
            self.losses = [None] * n
        if loss_weights is None:
            self.loss_weights = [1.0] * n
        else:
            self.loss_weights = [1.0 if w is None else float(w)
                                 for w in _per_output(loss_weights, self.output_names,
                                                      "loss_weights")]
        self.metrics = self._metrics(metrics)
        names = self.names
        dup = {m for m in names if names.count(m) > 1}
        if dup:
            raise ValueError(f"[compile] metric names must be unique and not 'loss', got "
                             f"{', '.join(sorted(dup))} more than once")

    @property
    def has_loss(self):
        return any(fn is not None for fn in self.losses)

    def _metrics(self, metrics):
        n = len(self.output_names)
        if metrics is None:
            return [[] for _ in range(n)]
        if isinstance(metrics, dict):
            per = _per_output(metrics, self.output_names, "metrics")
        elif isinstance(metrics, (list, tuple)) and n > 1 and metrics and \
                all(isinstance(m, (list, tuple)) or m is None for m in metrics):
            if len(metrics) != n:
                raise ValueError(f"[compile] metrics is a list of {len(metrics)} lists, but "
                                 f"the model has {n} outputs")
            per = list(metrics)
        else:
            per = [metrics] + [copy.deepcopy(metrics) for _ in range(n - 1)]
        out = []
        for i, spec in enumerate(per):
            if spec is None:
                spec = []
            if isinstance(spec, (str, _metrics.Metric)) or callable(spec):
                spec = [spec]
            built = [_metrics.get(m, self.losses[i]) for m in spec]
            if n > 1:
                for m in built:
                    m.name = f"{self.output_names[i]}_{m.name}"
            out.append(built)
        return out

    @property
    def flat_metrics(self):
        return [m for group in self.metrics for m in group]

    @property
    def names(self):
        names = ["loss"]
        if len(self.output_names) > 1:
            names += [f"{o}_loss" for o, fn in zip(self.output_names, self.losses)
                      if fn is not None]
        return names + [m.name for m in self.flat_metrics]

    # -- traced parts ----------------------------------------------------------------
    def loss_values(self, ys, preds, sample_weight):
        """(total, [per-output losses]) as tensors; the total is weighted."""
        total, parts = None, []
        for fn, w, y, p in zip(self.losses, self.loss_weights, ys, preds):
            if fn is None:
                continue
            value = _call_loss(fn, y, p, sample_weight)
            parts.append(value)
            term = value if w == 1.0 else value * w
            total = term if total is None else total + term
        return total, parts

    def metric_stats(self, ys, preds):
        out = []
        for group, y, p in zip(self.metrics, ys, preds):
            out += [m.batch_stats(y, p) for m in group]
        return out

    # -- the running results of an epoch ---------------------------------------------
    def reset(self):
        self._loss_totals = np.zeros(len(self.names) - len(self.flat_metrics))
        self._count = 0
        for m in self.flat_metrics:
            m.reset_state()

    def merge(self, values, count):
        """Adds one step's values (NumPy, in `names` order: losses then metric stats)."""
        k = len(self._loss_totals)
        self._loss_totals += np.array([float(v) for v in values[:k]]) * count
        self._count += count
        for m, stats in zip(self.flat_metrics, values[k:]):
            m.merge_batch(stats, count)

    def results(self):
        k = len(self._loss_totals)
        logs = {name: float(t / max(self._count, 1))
                for name, t in zip(self.names[:k], self._loss_totals)}
        for m in self.flat_metrics:
            logs[m.name] = float(m.result())
        return logs


def _call_loss(fn, y, p, sample_weight):
    if sample_weight is None:
        return fn(y, p)
    if isinstance(fn, _losses.Loss):
        return fn(y, p, sample_weight=sample_weight)
    values = fn(y, p)
    if values.dim() == 0:
        raise ValueError(f"[fit] the loss function {getattr(fn, '__name__', fn)!r} returns one "
                         f"value per batch, so it cannot apply sample_weight / class_weight: "
                         f"return one value per sample, or use a keras.losses.Loss")
    values = values if values.dim() == 1 else values.mean(list(range(1, values.dim())))
    return (values * sample_weight.to(values.dtype)).sum() / float(values.shape[0])
