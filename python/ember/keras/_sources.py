"""Where fit / evaluate take batches from: arrays (shuffled by index, split for
validation) or an iterable of batches (a DataLoader, a generator); and the grouping of
batches into executions for steps_per_execution."""

import math

import numpy as np

from . import _data


def groups(batches, size, steps):
    """Successive lists of `size` batches of equal length (shorter at the end or when the
    batch size changes), stopping after `steps` batches."""
    pending, done = [], 0
    for batch in batches:
        if steps is not None and done >= steps:
            break
        n = len(batch[0][0])
        if pending and n != len(pending[0][0][0]):
            yield pending
            pending = []
        pending.append(batch)
        done += 1
        if len(pending) == size:
            yield pending
            pending = []
    if pending:
        # A short group runs as single steps, so the N-step trace keeps one shape.
        for batch in pending:
            yield [batch]


class ArraySource:
    def __init__(self, xs, ys, sw, n):
        self.xs, self.ys, self.sw, self.n = xs, ys, sw, n

    def first_x(self):
        return self.xs

    def steps(self, batch_size):
        return math.ceil(self.n / batch_size)

    def split(self, fraction):
        train, val = _data.split_validation(
            [self.xs, self.ys, None if self.sw is None else [self.sw]], fraction, "fit")
        mk = (lambda parts: ArraySource(parts[0], parts[1],
                                         None if parts[2] is None else parts[2][0],
                                         len(parts[0][0])))
        return mk(train), mk(val)

    def batches(self, batch_size, order=None):
        for idx in _data.batches(self.n, batch_size, order):
            yield ([a[idx] for a in self.xs], [a[idx] for a in self.ys],
                   None if self.sw is None else self.sw[idx])


class IterableSource:
    """Batches from a DataLoader / generator / iterable of (x, y[, sample_weight])."""

    def __init__(self, model, data, op):
        self.model, self.data, self.op = model, data, op
        self.n = None
        self._first = None

    def _convert(self, item):
        x, y, sw = _data.unpack_batch(item, self.op)
        if y is None:
            raise ValueError(f"[{self.op}] each batch of the dataset must hold targets: "
                             f"(x, y) or (x, y, sample_weight)")
        m = self.model
        xs = _data.to_arrays(x, "x", self.op, m._input_names(), m._input_dtypes())
        ys = _data.to_arrays(y, "y", self.op, m._output_names())
        if sw is not None:
            sw = _data.to_array(sw, "sample_weight", self.op).astype(np.float32).reshape(-1)
        _data.check_lengths(xs, ys, self.op, sw)
        return xs, ys, sw

    def first_x(self):
        if self._first is None:
            it = iter(self.data)
            try:
                self._first = self._convert(next(it))
            except StopIteration:
                raise ValueError(f"[{self.op}] the dataset is empty") from None
            if it is self.data:      # a one-shot generator: keep the batch for epoch 1
                self._pending = self._first
        return self._first[0]

    def steps(self, batch_size):
        try:
            return len(self.data)
        except TypeError:
            return None

    def batches(self, batch_size, order=None):
        pending = getattr(self, "_pending", None)
        if pending is not None:
            self._pending = None
            yield pending
        for item in self.data:
            yield self._convert(item)
