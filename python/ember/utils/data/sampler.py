"""Samplers (torch.utils.data.sampler): which dataset indices a DataLoader visits, and in
what order. Random ones draw from NumPy generators seeded from `generator=` (an
ember.Generator) or, without one, from ember's global seed, so ember.manual_seed makes
them reproducible."""

import numpy as np

from ... import _C

__all__ = ["Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler",
           "WeightedRandomSampler", "BatchSampler"]


def global_seeded_rng():
    """A NumPy generator seeded by one draw from ember's global generator."""
    return np.random.default_rng(int(_C.randint(0, 2 ** 31 - 1, (1,)).item()))


def _rng(generator):
    if generator is not None and hasattr(generator, "initial_seed"):
        return np.random.default_rng(int(generator.initial_seed()))
    return global_seeded_rng()


class Sampler:
    def __init__(self, data_source=None):
        pass

    def __iter__(self):
        raise NotImplementedError


class SequentialSampler(Sampler):
    def __init__(self, data_source):
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self):
        return len(self.data_source)


class RandomSampler(Sampler):
    """A new permutation each epoch; with replacement, num_samples independent draws."""

    def __init__(self, data_source, replacement=False, num_samples=None, generator=None):
        self.data_source, self.replacement = data_source, replacement
        self._num_samples, self.generator = num_samples, generator
        if num_samples is not None and (not isinstance(num_samples, int) or num_samples <= 0):
            raise ValueError(f"[RandomSampler] num_samples should be a positive integer, got "
                             f"{num_samples}")
        self._gen = None

    @property
    def num_samples(self):
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self):
        self._gen = self._gen or _rng(self.generator)
        n = len(self.data_source)
        if self.replacement:
            return iter(self._gen.integers(0, n, self.num_samples).tolist())
        reps = -(-self.num_samples // n)
        order = np.concatenate([self._gen.permutation(n) for _ in range(reps)])
        return iter(order[:self.num_samples].tolist())

    def __len__(self):
        return self.num_samples


class SubsetRandomSampler(Sampler):
    def __init__(self, indices, generator=None):
        self.indices, self.generator = list(indices), generator
        self._gen = None

    def __iter__(self):
        self._gen = self._gen or _rng(self.generator)
        return iter([self.indices[i] for i in self._gen.permutation(len(self.indices))])

    def __len__(self):
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """num_samples indices drawn with probability proportional to weights."""

    def __init__(self, weights, num_samples, replacement=True, generator=None):
        w = weights.detach().numpy() if isinstance(weights, _C.Tensor) else np.asarray(weights)
        w = w.astype(np.float64).reshape(-1)
        if not isinstance(num_samples, int) or num_samples <= 0:
            raise ValueError(f"[WeightedRandomSampler] num_samples should be a positive "
                             f"integer, got {num_samples}")
        if (w < 0).any() or not np.isfinite(w).all() or w.sum() <= 0:
            raise ValueError("[WeightedRandomSampler] weights must be finite, non-negative and "
                             "not all zero")
        if not replacement and num_samples > np.count_nonzero(w):
            raise ValueError("[WeightedRandomSampler] cannot draw more samples than non-zero "
                             "weights without replacement")
        self.weights, self.num_samples = w, num_samples
        self.replacement, self.generator = replacement, generator
        self._gen = None

    def __iter__(self):
        self._gen = self._gen or _rng(self.generator)
        p = self.weights / self.weights.sum()
        idx = self._gen.choice(len(p), self.num_samples, replace=self.replacement, p=p)
        return iter(idx.tolist())

    def __len__(self):
        return self.num_samples


class BatchSampler(Sampler):
    """Groups another sampler's indices into lists of batch_size."""

    def __init__(self, sampler, batch_size, drop_last):
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0:
            raise ValueError(f"[BatchSampler] batch_size should be a positive integer, got "
                             f"{batch_size}")
        self.sampler, self.batch_size, self.drop_last = sampler, batch_size, drop_last

    def __iter__(self):
        batch = []
        for i in self.sampler:
            batch.append(i)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self):
        n = len(self.sampler)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
