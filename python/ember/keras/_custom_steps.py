"""Models that override ``train_step(data)`` / ``test_step(data)`` (Keras's way to customize
``fit`` and ``evaluate``). The override runs eagerly once per batch, as Python code that
updates Python metric objects cannot be traced. ``data`` is ``(x, y)`` or
``(x, y, sample_weight)`` of ember tensors (x and y a list when the model has several);
the step returns its logs, a dict of numbers, tensors or nested dicts of them."""

import numpy as np

from .. import _C
from .._grad_mode import no_grad
from . import _data


def overrides(model, name):
    """Whether `model`'s class replaces Model.<name> (train_step or test_step)."""
    from .model import Model
    return getattr(type(model), name) is not getattr(Model, name)


def pack(xs, ys, sw):
    """fit's batch as a Keras step's `data`."""
    def one(arrays):
        tensors = [_data.tensor(a) for a in arrays]
        return tensors[0] if len(tensors) == 1 else tensors

    data = (one(xs), one(ys) if ys else None)
    return data + (_data.tensor(sw),) if sw is not None else data


def unpack(data):
    """A step's `data` back into lists (xs, ys, sample_weight), as Keras's
    ``unpack_x_y_sample_weight``."""
    if not isinstance(data, tuple):
        data = (data,)
    x, y, sw = (tuple(data) + (None, None))[:3]

    def many(v):
        if v is None:
            return []
        return list(v) if isinstance(v, (list, tuple)) else [v]

    return many(x), many(y), sw


def _number(v):
    if isinstance(v, _C.Tensor):
        v = v.detach().numpy()
    return float(np.asarray(v).reshape(-1)[0]) if np.size(v) else 0.0


def logs_of(result, op):
    """The step's returned logs as a flat {name: float} (nested dicts are merged in, as
    Keras does for a metric whose result is a dict)."""
    if result is None:
        return {}
    if not isinstance(result, dict):
        raise TypeError(f"[{op}] the model's {op} must return a dict of logs "
                        f"({{'loss': ..., metric name: value}}), got {type(result).__name__}")
    logs = {}
    for k, v in result.items():
        if isinstance(v, dict):
            logs.update(logs_of(v, op))
        else:
            logs[k] = _number(v)
    return logs


def run(model, kind, xs, ys, sw):
    """One batch through the model's own train_step / test_step; returns its logs."""
    name = f"{kind}_step"
    data = pack(xs, ys, sw)
    if kind == "train":
        model.train()
        try:
            return logs_of(getattr(model, name)(data), name)
        finally:
            model.eval()
    model.eval()
    with no_grad():
        return logs_of(getattr(model, name)(data), name)
