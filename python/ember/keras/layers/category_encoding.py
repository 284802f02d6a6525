"""Integer-category preprocessing that runs as ember ops (so it can sit inside a model):
CategoryEncoding (ids to one-hot / multi-hot / count vectors) and Discretization (floats
to bucket ids, boundaries given or learnt by ``adapt``), with Keras 3's shapes and
quantile summaries. ``encode`` is shared with the lookup layers."""

import numpy as np

from ... import _C
from .base import Layer

__all__ = ["CategoryEncoding", "Discretization", "encode"]

_MODES = ("one_hot", "multi_hot", "count")


def encode(ids, mode, depth, count_weights=None, layer="CategoryEncoding"):
    """Keras 3's encode_categorical_inputs for integer `ids` (an ember tensor):
    'one_hot' adds a depth axis (replacing a last axis of size 1); 'multi_hot' and
    'count' reduce the last axis (a rank-1 input is one sample). Ids outside
    [0, depth) contribute nothing."""
    if mode not in _MODES:
        raise ValueError(f"[{layer}] output_mode must be one of {_MODES} here, got {mode!r}")
    if ids.dim() == 0:
        ids = ids.reshape(1)
    if mode == "one_hot" and ids.dim() > 1 and ids.shape[-1] == 1:
        ids = ids.reshape(*ids.shape[:-1])
    hot = (ids.to(_C.dtype.int64).unsqueeze(-1) == _C.arange(depth)).to(_C.dtype.float32)
    if mode == "one_hot":
        return hot
    if mode == "multi_hot":
        return hot.amax(-2)
    if count_weights is not None:
        weights = count_weights if isinstance(count_weights, _C.Tensor) else \
            _C.from_numpy(np.asarray(count_weights, np.float32))
        if tuple(weights.shape) != tuple(ids.shape):
            raise ValueError(f"[{layer}] count_weights of shape {tuple(weights.shape)} must "
                             f"match the inputs' shape {tuple(ids.shape)}")
        hot = hot * weights.to(_C.dtype.float32).unsqueeze(-1)
    return hot.sum(-2)


class CategoryEncoding(Layer):
    """Integer ids in [0, num_tokens) to 'multi_hot' (default), 'one_hot' or 'count'
    float vectors of length num_tokens (``count_weights=`` weighs 'count')."""

    def __init__(self, num_tokens=None, output_mode="multi_hot", sparse=False, **kwargs):
        super().__init__(**kwargs)
        if num_tokens is None or int(num_tokens) < 1:
            raise ValueError(f"[CategoryEncoding] num_tokens must be a positive int, got "
                             f"{num_tokens!r}")
        if output_mode not in _MODES:
            raise ValueError(f"[CategoryEncoding] output_mode must be one of {_MODES}, got "
                             f"{output_mode!r}")
        if sparse:
            raise NotImplementedError("[CategoryEncoding] sparse outputs are not supported")
        self.num_tokens, self.output_mode = int(num_tokens), output_mode

    def _check_input(self, x):
        """Any input shape: the encoding works per element (as Keras's layer)."""

    def call(self, inputs, count_weights=None):
        if inputs.is_floating_point():
            inputs = inputs.to(_C.dtype.int64)
        return encode(inputs, self.output_mode, self.num_tokens, count_weights)

    def get_config(self):
        return {**super().get_config(), "num_tokens": self.num_tokens,
                "output_mode": self.output_mode}


# Keras 3's approximate quantiles for Discretization.adapt (keras/src/layers/
# preprocessing/discretization.py), so adapted boundaries equal Keras's.
def _summarize(values, epsilon):
    values = np.sort(np.reshape(values, [-1]))
    step = max(values.size * epsilon, 1)
    boundaries = values[int(step - 1)::int(step)]
    return np.stack([boundaries, np.ones_like(boundaries) * step])


def _compress(summary, epsilon):
    if summary.shape[1] * epsilon < 1:
        return summary
    percents = epsilon + np.arange(0.0, 1.0, epsilon)
    cum = summary[1].cumsum()
    cum_pct = cum / cum[-1]
    bins = np.interp(percents, cum_pct, summary[0])
    cum = np.interp(percents, cum_pct, cum)
    return np.stack((bins, cum - np.concatenate((np.array([0]), cum[:-1])))).astype(
        "float32")


def _merge(a, b, epsilon):
    merged = np.concatenate((a, b), axis=1)
    return _compress(np.take(merged, np.argsort(merged[0]), axis=1), epsilon)


class Discretization(Layer):
    """Buckets floats: id i where ``bin_boundaries[i-1] <= x < bin_boundaries[i]``
    ('int', int64), or 'one_hot' / 'multi_hot' / 'count' vectors over the
    len(bin_boundaries) + 1 buckets. ``adapt(data)`` learns num_bins - 1 boundaries from
    approximate quantiles (error about `epsilon`), as Keras does."""

    def __init__(self, bin_boundaries=None, num_bins=None, epsilon=0.01, output_mode="int",
                 sparse=False, **kwargs):
        super().__init__(**kwargs)
        if (bin_boundaries is None) == (num_bins is None):
            raise ValueError("[Discretization] pass exactly one of bin_boundaries and "
                             "num_bins (then call adapt)")
        if output_mode not in ("int",) + _MODES:
            raise ValueError(f"[Discretization] output_mode must be 'int' or one of "
                             f"{_MODES}, got {output_mode!r}")
        if sparse:
            raise NotImplementedError("[Discretization] sparse outputs are not supported")
        self.bin_boundaries = None if bin_boundaries is None else \
            [float(b) for b in bin_boundaries]
        if self.bin_boundaries is not None and \
                any(a > b for a, b in zip(self.bin_boundaries, self.bin_boundaries[1:])):
            raise ValueError(f"[Discretization] bin_boundaries must be sorted, got "
                             f"{self.bin_boundaries}")
        self.num_bins = None if num_bins is None else int(num_bins)
        self.epsilon, self.output_mode = float(epsilon), output_mode

    def adapt(self, data, batch_size=None, steps=None):
        if self.num_bins is None:
            raise ValueError("[Discretization] a layer made with bin_boundaries cannot "
                             "adapt; pass num_bins instead")
        if isinstance(data, (np.ndarray, _C.Tensor)) or \
                isinstance(data, (list, tuple)) and np.ndim(data[0]) == 0:
            data = [data]
        summary = np.array([[], []], np.float32)
        for i, batch in enumerate(data):
            if steps is not None and i >= steps:
                break
            if isinstance(batch, _C.Tensor):
                batch = batch.detach().numpy()
            batch = np.asarray(batch).astype("float32")
            summary = _merge(_summarize(batch, self.epsilon), summary, self.epsilon)
        if summary.shape[1] == 0:
            raise ValueError("[Discretization.adapt] got no data")
        self.bin_boundaries = _compress(summary, 1.0 / self.num_bins)[0, :-1].tolist()

    def _check_input(self, x):
        """Any input shape: the encoding works per element (as Keras's layer)."""

    def call(self, inputs):
        if self.bin_boundaries is None:
            raise RuntimeError(f"[Discretization] layer '{self.name}' has no bin boundaries: "
                               f"call adapt(data) or pass bin_boundaries=")
        x = inputs.to(_C.dtype.float32)
        ids = _C.zeros_like(x).to(_C.dtype.int64)
        for b in self.bin_boundaries:
            ids = ids + (x >= b).to(_C.dtype.int64)
        if self.output_mode == "int":
            return ids
        return encode(ids, self.output_mode, len(self.bin_boundaries) + 1,
                      layer="Discretization")

    def get_config(self):
        return {**super().get_config(), "bin_boundaries": self.bin_boundaries,
                "num_bins": None if self.bin_boundaries is not None else self.num_bins,
                "epsilon": self.epsilon, "output_mode": self.output_mode}
