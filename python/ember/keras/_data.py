"""Data handling for Model.fit/evaluate/predict: NumPy arrays, ember tensors or lists (one
per model input / output, or dicts keyed by input / output names), cast the way Keras casts
them, checked, split and batched; or an iterable of batches (an ``ember.utils.data``
DataLoader, a generator) yielding ``(x, y)`` or ``(x, y, sample_weight)``."""

import numpy as np

from .. import _C
from . import backend as _backend


def _is_array_like(a):
    return isinstance(a, (np.ndarray, _C.Tensor))


def _one_array(a, role, op, dtype=None):
    if isinstance(a, _C.Tensor):
        a = a.detach().numpy()
    a = np.asarray(a)
    if a.dtype == object:
        raise TypeError(f"[{op}] {role} must be a numeric array, got an array of objects")
    if a.ndim == 0:
        raise ValueError(f"[{op}] {role} must have a batch dimension, got a scalar")
    if dtype is not None and dtype == _C.dtype.int64:
        if a.dtype != np.int64:
            a = a.astype(np.int64)
    elif role.startswith("x") or a.dtype.kind in "fb":
        if a.dtype != _backend._numpy_floatx():
            a = a.astype(_backend._numpy_floatx())
    elif a.dtype.kind in "iu" and a.dtype != np.int64:
        a = a.astype(np.int64)
    return a


def to_arrays(a, role, op, names=None, dtypes=None):
    """A list of arrays, one per model input (role 'x') or output (role 'y'). Inputs become
    floatx() (int64 for integer inputs such as Embedding ids); targets keep integer labels
    as int64. Dicts are ordered by `names`."""
    if a is None:
        return None
    if isinstance(a, dict):
        if names is None:
            raise TypeError(f"[{op}] {role} is a dict, but the model's {role} have no names "
                            f"(use a functional model)")
        missing = [n for n in names if n not in a]
        extra = [k for k in a if k not in names]
        if missing or extra:
            raise ValueError(f"[{op}] {role} dict keys {sorted(a)} do not match the model's "
                             f"names {list(names)}")
        a = [a[n] for n in names]
    if isinstance(a, (list, tuple)) and a and all(_is_array_like(v) for v in a):
        items = list(a)
    else:
        items = [a]
    dtypes = dtypes or [None] * len(items)
    if len(dtypes) < len(items):
        dtypes = list(dtypes) + [None] * (len(items) - len(dtypes))
    label = (lambda i: role) if len(items) == 1 else (lambda i: f"{role}[{i}]")
    return [_one_array(v, label(i), op, dtypes[i]) for i, v in enumerate(items)]


def to_array(a, role, op):
    """One array (for single-input models and metrics)."""
    return None if a is None else _one_array(a, role, op)


def check_lengths(xs, ys, op, sample_weight=None, prefix=None):
    arrays = [("x" if len(xs) == 1 else f"x[{i}]", v) for i, v in enumerate(xs)]
    arrays += [("y" if len(ys) == 1 else f"y[{i}]", v) for i, v in enumerate(ys or [])]
    if sample_weight is not None:
        arrays.append(("sample_weight", sample_weight))
    n = len(arrays[0][1])
    for name, v in arrays[1:]:
        if len(v) != n:
            raise ValueError(f"[{op}] {prefix or ''}{arrays[0][0]} and {name} must have the "
                             f"same number of samples, got {n} samples in {arrays[0][0]} (shape "
                             f"{arrays[0][1].shape}) and {len(v)} in {name} (shape {v.shape})")
    return n


def split_validation(arrays, fraction, op):
    """Keras's validation_split: the last `fraction` of the samples, before shuffling.
    `arrays` is a list of lists of arrays (x, y, ...); returns (train, validation)."""
    if not 0.0 <= fraction < 1.0:
        raise ValueError(f"[{op}] validation_split must be in [0, 1), got {fraction}")
    n = len(arrays[0][0])
    n_val = int(n * fraction)
    if n_val == 0 or n_val == n:
        raise ValueError(f"[{op}] validation_split={fraction} of {n} samples leaves "
                         f"{n_val} validation and {n - n_val} training samples; both "
                         f"must be non-empty")
    cut = n - n_val

    def part(sl):
        return [None if group is None else [a[sl] for a in group] for group in arrays]
    return part(slice(0, cut)), part(slice(cut, None))


def tensor(a):
    return _C.from_numpy(np.ascontiguousarray(a))


def batches(n, batch_size, order=None):
    """Index arrays (or slices) of successive batches of at most batch_size samples."""
    for start in range(0, n, batch_size):
        stop = min(start + batch_size, n)
        yield slice(start, stop) if order is None else order[start:stop]


def epoch_order(n):
    """fit's shuffled order for one epoch, drawn from Ember's generator (so
    ember.manual_seed / ember.random.set_seed reproduce it, and C++ ember::keras, which
    draws the same randperm, visits the samples in the same order)."""
    return _C.randperm(n).numpy()


def class_sample_weights(y, class_weight, op):
    """Per-sample weights from a {class: weight} dict: integer labels, or one-hot rows."""
    labels = y
    if y.ndim >= 2 and y.shape[-1] > 1:
        labels = y.argmax(-1)
    elif y.ndim >= 2:
        labels = y[..., 0]
        if labels.dtype.kind == "f":
            labels = (labels > 0.5).astype(np.int64)
    labels = labels.reshape(len(y), -1)[:, 0].astype(np.int64)
    unknown = sorted(set(np.unique(labels).tolist()) - set(int(k) for k in class_weight))
    if unknown:
        raise ValueError(f"[{op}] class_weight has no weight for classes {unknown} found in y")
    table = {int(k): float(v) for k, v in class_weight.items()}
    return np.array([table[int(c)] for c in labels], np.float32)


def is_iterable_data(x):
    """A DataLoader / generator / iterable of batches (not arrays, tensors, dicts)."""
    if x is None or _is_array_like(x) or isinstance(x, (dict, list, tuple, str)):
        return False
    return hasattr(x, "__iter__") or hasattr(x, "__next__")


def unpack_batch(item, op):
    """(x, y, sample_weight) from one element of an iterable of batches."""
    if isinstance(item, dict) or _is_array_like(item):
        return item, None, None
    if not isinstance(item, (tuple, list)) or not 1 <= len(item) <= 3:
        raise ValueError(f"[{op}] each batch of the data must be a tuple (x, y) or (x, y, "
                         f"sample_weight), got {type(item).__name__}")
    item = tuple(item) + (None,) * (3 - len(item))
    return item[0], item[1], item[2]


def batched(x, batch_size):
    """An ``ember.utils.data.Dataset`` (samples, no batch dim) as a DataLoader of
    `batch_size` (32), in order; anything else unchanged."""
    from ..utils.data import DataLoader, Dataset
    if isinstance(x, Dataset):
        return DataLoader(x, batch_size=int(batch_size or 32))
    return x
