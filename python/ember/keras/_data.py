"""Array handling for Model.fit/evaluate/predict: inputs as NumPy arrays (or ember tensors,
or lists), cast the way Keras casts them, checked, split and batched."""

import numpy as np

from .. import _C


def to_array(a, role, op):
    """A NumPy array from a tensor / array / list. Inputs (role 'x') become float32 like
    Keras's float32 layers; targets keep integer labels as int64."""
    if a is None:
        return None
    if isinstance(a, _C.Tensor):
        a = a.detach().numpy()
    elif isinstance(a, (dict, tuple)) and role == "x":
        raise TypeError(f"[{op}] x must be one array or tensor (models with several inputs are "
                        f"not supported yet), got a {type(a).__name__}")
    a = np.asarray(a)
    if a.dtype == object:
        raise TypeError(f"[{op}] {role} must be a numeric array, got an array of objects")
    if a.ndim == 0:
        raise ValueError(f"[{op}] {role} must have a batch dimension, got a scalar")
    if role == "x" or a.dtype.kind in "fb":
        if a.dtype != np.float32:
            a = a.astype(np.float32)
    elif a.dtype.kind in "iu" and a.dtype != np.int64:
        a = a.astype(np.int64)
    return a


def check_lengths(x, y, op, what="x and y"):
    if y is not None and len(x) != len(y):
        raise ValueError(f"[{op}] {what} must have the same number of samples, got "
                         f"{len(x)} samples in x (shape {x.shape}) and {len(y)} in y "
                         f"(shape {y.shape})")


def split_validation(x, y, fraction, op):
    """Keras's validation_split: the last `fraction` of the samples, before shuffling."""
    if not 0.0 <= fraction < 1.0:
        raise ValueError(f"[{op}] validation_split must be in [0, 1), got {fraction}")
    n_val = int(len(x) * fraction)
    if n_val == 0 or n_val == len(x):
        raise ValueError(f"[{op}] validation_split={fraction} of {len(x)} samples leaves "
                         f"{n_val} validation and {len(x) - n_val} training samples; both "
                         f"must be non-empty")
    cut = len(x) - n_val
    return x[:cut], y[:cut], x[cut:], y[cut:]


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
