"""``tf.data``-style input pipelines (``import ember as tf; tf.data.Dataset``):

    ds = ember.data.Dataset.from_tensor_slices((x, y)).shuffle(1000).batch(32)
    for xb, yb in ds: ...
    model.fit(ds, epochs=5)

Elements are NumPy arrays inside the pipeline and Ember tensors when iterated; shuffling
draws from Ember's generator (ember.manual_seed / ember.random.set_seed)."""

import numpy as np

from . import _C

__all__ = ["Dataset", "AUTOTUNE"]

AUTOTUNE = -1


def _to_numpy(x):
    if isinstance(x, _C.Tensor):
        return x.detach().numpy()
    return np.asarray(x)


def _map_structure(fn, s):
    if isinstance(s, dict):
        return {k: _map_structure(fn, v) for k, v in s.items()}
    if isinstance(s, (tuple, list)):
        return type(s)(_map_structure(fn, v) for v in s)
    return fn(s)


def _leaves(s):
    if isinstance(s, dict):
        return [x for v in s.values() for x in _leaves(v)]
    if isinstance(s, (tuple, list)):
        return [x for v in s for x in _leaves(v)]
    return [s]


def _to_tensor(a):
    a = np.asarray(a)
    a = np.ascontiguousarray(a) if a.ndim else a
    if a.dtype == np.float64:
        a = a.astype(np.float32)  # TF's default float type
    return _C.from_numpy(a)


class Dataset:
    """A re-iterable sequence of elements (nested tuples / dicts of arrays). Each method
    returns a new Dataset; iterating yields Ember tensors."""

    def __init__(self, make_iter, length=None):
        self._make_iter = make_iter  # () -> iterator of elements (NumPy leaves)
        self._length = length

    # -- sources ---------------------------------------------------------------------
    @staticmethod
    def from_tensor_slices(tensors):
        """Slices along the first dimension: element i is tensors[i] (per leaf)."""
        data = _map_structure(_to_numpy, tensors)
        leaves = _leaves(data)
        if not leaves:
            raise ValueError("[Dataset.from_tensor_slices] got no tensors")
        n = len(leaves[0]) if leaves[0].ndim else None
        if n is None or any(leaf.ndim == 0 or len(leaf) != n for leaf in leaves):
            shapes = [tuple(leaf.shape) for leaf in leaves]
            raise ValueError(f"[Dataset.from_tensor_slices] every component needs the same "
                             f"first dimension, got shapes {shapes}")
        return Dataset._indexed(data, np.arange(n))

    @staticmethod
    def from_tensors(tensors):
        data = _map_structure(_to_numpy, tensors)
        return Dataset(lambda: iter([data]), 1)

    @staticmethod
    def range(*args):
        values = np.arange(*args, dtype=np.int64)
        return Dataset(lambda: iter(values), len(values))

    @staticmethod
    def _indexed(data, order, batch=None, drop_remainder=False):
        """Elements (or batches) gathered from `data` by index, without per-element work."""
        n = len(order)
        if batch is None:
            return Dataset(lambda: (_map_structure(lambda a: a[i], data) for i in order), n)
        stop = n - n % batch if drop_remainder else n
        count = (stop + batch - 1) // batch

        def batches():
            for s in range(0, stop, batch):
                idx = order[s:s + batch]
                yield _map_structure(lambda a: a[idx], data)
        return Dataset(batches, count)

    # -- transformations ---------------------------------------------------------------
    def shuffle(self, buffer_size, seed=None, reshuffle_each_iteration=True):
        """Shuffles with a buffer of `buffer_size` elements (a full shuffle when it holds
        the whole data set), as tf.data does."""
        buffer_size = int(buffer_size)
        if buffer_size <= 0:
            raise ValueError(f"[Dataset.shuffle] buffer_size must be positive, got {buffer_size}")
        gen = _C.Generator() if seed is not None else None
        if gen is not None:
            gen.manual_seed(int(seed))
        fixed = {}

        def draw(n):
            if not reshuffle_each_iteration and n in fixed:
                return fixed[n]
            perm = _C.randperm(n, generator=gen).numpy() if gen is not None else \
                _C.randperm(n).numpy()
            fixed[n] = perm
            return perm

        def it():
            buf = []
            for x in self._make_iter():
                buf.append(x)
                if len(buf) >= buffer_size:
                    j = int(draw(len(buf))[0])
                    buf[j], buf[-1] = buf[-1], buf[j]
                    yield buf.pop()
            for j in draw(len(buf)):
                yield buf[j]
        return Dataset(it, self._length)

    def batch(self, batch_size, drop_remainder=False, num_parallel_calls=None,
              deterministic=None):
        batch_size = int(batch_size)
        if batch_size <= 0:
            raise ValueError(f"[Dataset.batch] batch_size must be positive, got {batch_size}")

        def it():
            group = []
            for x in self._make_iter():
                group.append(x)
                if len(group) == batch_size:
                    yield _stack(group)
                    group = []
            if group and not drop_remainder:
                yield _stack(group)
        n = None if self._length is None else (
            self._length // batch_size if drop_remainder else -(-self._length // batch_size))
        return Dataset(it, n)

    def map(self, map_func, num_parallel_calls=None, deterministic=None):
        """Applies map_func to each element (its components as separate arguments when the
        element is a tuple), with Ember tensors in and out."""
        def it():
            for x in self._make_iter():
                t = _map_structure(_to_tensor, x)
                out = map_func(*t) if isinstance(t, tuple) else map_func(t)
                yield _map_structure(_to_numpy, out)
        return Dataset(it, self._length)

    def filter(self, predicate):
        def it():
            for x in self._make_iter():
                t = _map_structure(_to_tensor, x)
                keep = predicate(*t) if isinstance(t, tuple) else predicate(t)
                if bool(keep):
                    yield x
        return Dataset(it)

    def take(self, count):
        count = int(count)

        def it():
            for i, x in enumerate(self._make_iter()):
                if i >= count >= 0:
                    return
                yield x
        n = self._length if count < 0 or self._length is None else min(count, self._length)
        return Dataset(it, n)

    def skip(self, count):
        count = int(count)

        def it():
            for i, x in enumerate(self._make_iter()):
                if i >= count:
                    yield x
        n = None if self._length is None else max(self._length - count, 0)
        return Dataset(it, n)

    def repeat(self, count=None):
        def it():
            k = 0
            while count is None or count < 0 or k < count:
                yield from self._make_iter()
                k += 1
        n = None if count is None or count < 0 or self._length is None else self._length * count
        return Dataset(it, n)

    def prefetch(self, buffer_size=AUTOTUNE):
        return self  # elements are produced on demand; nothing to overlap on the CPU

    def cache(self, filename=""):
        store = []

        def it():
            if store:
                yield from store
                return
            for x in self._make_iter():
                store.append(x)
                yield x
        return Dataset(it, self._length)

    # -- reading -----------------------------------------------------------------------
    def __iter__(self):
        for x in self._make_iter():
            yield _map_structure(_to_tensor, x)

    def as_numpy_iterator(self):
        return iter(self._make_iter())

    def __len__(self):
        if self._length is None:
            raise TypeError("[Dataset] the length of this dataset is unknown (filter or "
                            "infinite repeat)")
        return self._length

    def cardinality(self):
        return -2 if self._length is None else self._length  # tf.data.UNKNOWN_CARDINALITY

    def __repr__(self):
        return f"<ember.data.Dataset length={self._length}>"


def _stack(group):
    first = group[0]
    if isinstance(first, dict):
        return {k: _stack([g[k] for g in group]) for k in first}
    if isinstance(first, (tuple, list)):
        return type(first)(_stack([g[i] for g in group]) for i in range(len(first)))
    return np.stack([np.asarray(g) for g in group])
