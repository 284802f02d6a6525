"""DataLoader: batches, shuffling, collation and background prefetch.

A TensorDataset with the default collation is batched with one indexing op per tensor
(`t[indices]`) instead of stacking rows one by one."""

import queue
import threading

import numpy as np

from ... import _C
from .dataset import IterableDataset, TensorDataset
from .sampler import global_seeded_rng


def default_collate(batch):
    """Stacks a list of samples: tensors and numbers become a batch tensor; tuples, lists and
    dicts are collated field by field."""
    first = batch[0]
    if isinstance(first, _C.Tensor):
        return _C.stack(list(batch), 0)
    if isinstance(first, np.ndarray):
        return _C.from_numpy(np.ascontiguousarray(np.stack(batch)))
    if isinstance(first, (bool, int, float, np.number)):
        from ..._tensor_api import tensor
        return tensor(batch)
    if isinstance(first, dict):
        return {k: default_collate([b[k] for b in batch]) for k in first}
    if isinstance(first, (tuple, list)):
        if any(len(b) != len(first) for b in batch):
            raise ValueError("[default_collate] samples in a batch have different lengths")
        return type(first)(default_collate(list(f)) for f in zip(*batch)) \
            if isinstance(first, tuple) else [default_collate(list(f)) for f in zip(*batch)]
    if isinstance(first, str):
        return list(batch)
    raise TypeError(f"[default_collate] cannot collate samples of type {type(first).__name__}")


class DataLoader:
    """Iterates over a dataset in batches (torch.utils.data.DataLoader's main options).

    shuffle uses its own seeded generator (`seed=` or `generator=`); each epoch draws a new
    permutation. prefetch > 0 prepares that many batches in a background thread."""

    def __init__(self, dataset, batch_size=1, shuffle=False, drop_last=False, collate_fn=None,
                 seed=None, generator=None, prefetch=0, num_workers=0, pin_memory=False,
                 sampler=None, batch_sampler=None, timeout=0, worker_init_fn=None,
                 multiprocessing_context=None, prefetch_factor=None, persistent_workers=False,
                 pin_memory_device="", in_order=True):
        # num_workers, pin_memory, worker_init_fn, persistent_workers, prefetch_factor,
        # timeout: accepted as in torch; batches are made in this process (num_workers > 0
        # prefetches in one background thread).
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("[DataLoader] batch_sampler option is mutually exclusive with "
                                 "batch_size, shuffle, sampler, and drop_last")
            batch_size = None
        elif batch_size is not None and (not isinstance(batch_size, int) or batch_size <= 0):
            raise ValueError(f"[DataLoader] batch_size must be a positive integer, got "
                             f"{batch_size}")
        if sampler is not None and shuffle:
            raise ValueError("[DataLoader] sampler option is mutually exclusive with shuffle")
        self._iterable = isinstance(dataset, IterableDataset)
        if self._iterable and (shuffle or sampler is not None or batch_sampler is not None):
            raise ValueError("[DataLoader] an IterableDataset cannot be used with shuffle, "
                             "sampler or batch_sampler")
        self.dataset, self.batch_size = dataset, batch_size
        self.shuffle, self.drop_last = shuffle, drop_last
        self.collate_fn = collate_fn
        self.sampler, self.batch_sampler = sampler, batch_sampler
        self.num_workers, self.pin_memory = num_workers, pin_memory
        if seed is None and generator is not None and hasattr(generator, "initial_seed"):
            seed = int(generator.initial_seed())
        # Without a seed, each epoch's order is drawn from ember's global generator (as
        # PyTorch does), so ember.manual_seed makes the shuffling reproducible.
        self._rng = None if seed is None else np.random.default_rng(seed)
        self.prefetch = max(int(prefetch), 1 if num_workers else 0)

    def __len__(self):
        if self._iterable:
            try:
                n = len(self.dataset)
            except NotImplementedError:
                raise TypeError(f"[DataLoader] the IterableDataset {type(self.dataset).__name__} "
                                "has no __len__") from None
            return n if self.batch_size is None else (
                n // self.batch_size if self.drop_last else -(-n // self.batch_size))
        if self.batch_sampler is not None:
            return len(self.batch_sampler)
        n = len(self.sampler) if self.sampler is not None else len(self.dataset)
        if self.batch_size is None:
            return n
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def _order(self):
        if self.sampler is not None:
            return list(self.sampler)
        n = len(self.dataset)
        if not self.shuffle:
            return np.arange(n)
        return (self._rng or global_seeded_rng()).permutation(n)

    def _index_batches(self):
        if self.batch_sampler is not None:
            yield from (np.asarray(list(b), dtype=np.int64) for b in self.batch_sampler)
            return
        order = np.asarray(self._order(), dtype=np.int64)
        stop = len(order) - (len(order) % self.batch_size if self.drop_last else 0)
        for start in range(0, stop, self.batch_size):
            yield order[start:start + self.batch_size]

    def _iterable_batches(self):
        collate = self.collate_fn or default_collate
        if self.batch_size is None:
            yield from self.dataset
            return
        batch = []
        for sample in self.dataset:
            batch.append(sample)
            if len(batch) == self.batch_size:
                yield collate(batch)
                batch = []
        if batch and not self.drop_last:
            yield collate(batch)

    def _batches(self):
        if self._iterable:
            yield from self._iterable_batches()
            return
        if self.batch_size is None and self.batch_sampler is None:  # samples, unbatched
            for i in self._order():
                yield self.dataset[int(i)]
            return
        fast = self.collate_fn is None and isinstance(self.dataset, TensorDataset)
        for idx in self._index_batches():
            if fast:
                index = _C.from_numpy(idx)
                yield tuple(t[index] for t in self.dataset.tensors)
            else:
                collate = self.collate_fn or default_collate
                yield collate([self.dataset[int(i)] for i in idx])

    def __iter__(self):
        if not self.prefetch:
            return self._batches()
        return _Prefetcher(self._batches(), self.prefetch)


class _Prefetcher:
    _DONE = object()

    def __init__(self, gen, depth):
        self._q = queue.Queue(maxsize=depth)
        self._thread = threading.Thread(target=self._run, args=(gen,), daemon=True)
        self._thread.start()

    def _run(self, gen):
        try:
            for item in gen:
                self._q.put(item)
            self._q.put(self._DONE)
        except BaseException as e:  # forwarded to the consumer
            self._q.put(e)

    def __iter__(self):
        return self

    def __next__(self):
        item = self._q.get()
        if item is self._DONE:
            raise StopIteration
        if isinstance(item, BaseException):
            raise item
        return item
