"""keras.utils: to_categorical, normalize, set_random_seed, Sequence / PyDataset (batch
sources ``fit`` accepts), and plot_model (not available: it raises)."""

import random as _pyrandom

import numpy as np

from .. import _C

__all__ = ["to_categorical", "normalize", "set_random_seed", "Sequence", "PyDataset",
           "plot_model", "get_custom_objects", "custom_object_scope"]


def to_categorical(x, num_classes=None):
    """One-hot float32 rows for integer class ids (any shape; a trailing axis of size 1 is
    dropped, as Keras does)."""
    if isinstance(x, _C.Tensor):
        x = x.detach().numpy()
    y = np.asarray(x)
    if y.dtype.kind == "f":
        if not np.all(np.equal(np.mod(y, 1), 0)):
            raise ValueError("[to_categorical] expects integer class ids, got fractional "
                             "values")
        y = y.astype(np.int64)
    if y.ndim > 1 and y.shape[-1] == 1:
        y = y.reshape(y.shape[:-1])
    if y.size and y.min() < 0:
        raise ValueError(f"[to_categorical] class ids must be >= 0, got {int(y.min())}")
    n = int(y.max()) + 1 if num_classes is None else int(num_classes)
    if y.size and y.max() >= n:
        raise ValueError(f"[to_categorical] class id {int(y.max())} is out of range for "
                         f"num_classes={n}")
    out = np.zeros(y.shape + (n,), np.float32)
    np.put_along_axis(out, y[..., None], 1.0, axis=-1)
    return out


def normalize(x, axis=-1, order=2):
    """`x` divided by its `order`-norm along `axis` (zero norms leave zeros)."""
    is_tensor = isinstance(x, _C.Tensor)
    a = x.detach().numpy() if is_tensor else np.asarray(x)
    norm = np.atleast_1d(np.linalg.norm(a, order, axis))
    norm[norm == 0] = 1
    out = a / np.expand_dims(norm, axis)
    return _C.from_numpy(np.ascontiguousarray(out.astype(a.dtype))) if is_tensor else out


def set_random_seed(seed):
    """Seeds Python's `random`, NumPy's global generator and Ember's generator."""
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise TypeError(f"[set_random_seed] seed must be an int, got {type(seed).__name__}")
    _pyrandom.seed(seed)
    np.random.seed(seed % 2**32)
    _C.manual_seed(seed)


class PyDataset:
    """A source of batches: subclass it, define ``__len__`` (batches per epoch) and
    ``__getitem__(i)`` returning ``(x, y)`` or ``(x, y, sample_weight)``; ``fit`` iterates
    it once per epoch and calls ``on_epoch_end``."""

    def __init__(self, workers=1, use_multiprocessing=False, max_queue_size=10):
        self.workers = workers

    def __len__(self):
        raise NotImplementedError(f"[{type(self).__name__}] __len__ is not implemented")

    def __getitem__(self, index):
        raise NotImplementedError(f"[{type(self).__name__}] __getitem__ is not implemented")

    @property
    def num_batches(self):
        return len(self)

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]
        self.on_epoch_end()

    def on_epoch_end(self):
        """Called after each pass (shuffle here)."""


Sequence = PyDataset   # tf.keras 2's name


def plot_model(model, *args, **kwargs):
    raise RuntimeError("[plot_model] is not available in Ember (it needs pydot and "
                       "graphviz); use model.summary() for a text view of the layers")


def get_custom_objects():
    from .layers.activation_layers import _loading_custom_objects
    return _loading_custom_objects[0]


def custom_object_scope(objects):
    from .layers.activation_layers import custom_objects_scope
    return custom_objects_scope(objects)
