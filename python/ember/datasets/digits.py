"""The 8x8 handwritten digits (1797 images, 10 classes, pixel values 0..16)."""

import os

import numpy as np

from .._tensor_api import tensor

_PATH = os.path.join(os.path.dirname(__file__), "data", "digits.npz")


def load_digits(as_tensors=True, normalize=True, flatten=True, test_fraction=0.2, seed=0):
    """Returns (x_train, y_train, x_test, y_test).

    Pixels are scaled to [0, 1] when `normalize`; images are flattened to 64 features when
    `flatten`, else shaped (N, 1, 8, 8) for convolutions. The split is a fixed shuffle by
    `seed`, stratified by class, so results are reproducible. With `test_fraction=0` the
    test arrays are empty.
    """
    with np.load(_PATH) as f:
        x = f["images"].astype(np.float32)
        y = f["labels"].astype(np.int64)
    if normalize:
        x /= 16.0
    x = x.reshape(len(x), 64) if flatten else x.reshape(len(x), 1, 8, 8)
    rng = np.random.default_rng(seed)
    test_idx = []
    for c in range(10):
        idx = np.flatnonzero(y == c)
        rng.shuffle(idx)
        test_idx.extend(idx[: int(round(len(idx) * test_fraction))])
    test_mask = np.zeros(len(y), dtype=bool)
    test_mask[np.asarray(test_idx, dtype=np.int64)] = True
    train_idx = np.flatnonzero(~test_mask)
    rng.shuffle(train_idx)
    test_idx = np.flatnonzero(test_mask)
    parts = (x[train_idx], y[train_idx], x[test_idx], y[test_idx])
    return tuple(tensor(p) for p in parts) if as_tensors else parts
