"""Datasets: anything with __len__ and __getitem__."""

import numpy as np


class Dataset:
    def __getitem__(self, index):
        raise NotImplementedError(f"[{type(self).__name__}] subclasses must implement "
                                  "__getitem__")

    def __len__(self):
        raise NotImplementedError(f"[{type(self).__name__}] subclasses must implement __len__")


class IterableDataset(Dataset):
    """A stream of samples: subclasses implement __iter__ (no indexing, no length needed).
    A DataLoader batches it in order; shuffle and samplers do not apply."""

    def __iter__(self):
        raise NotImplementedError(f"[{type(self).__name__}] subclasses must implement __iter__")

    def __getitem__(self, index):
        raise TypeError(f"[{type(self).__name__}] an IterableDataset cannot be indexed")


class ConcatDataset(Dataset):
    """Several datasets one after the other."""

    def __init__(self, datasets):
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("[ConcatDataset] datasets should not be an empty iterable")
        self.cumulative_sizes = list(np.cumsum([len(d) for d in self.datasets]))

    def __len__(self):
        return int(self.cumulative_sizes[-1])

    def __getitem__(self, index):
        if index < 0:
            if -index > len(self):
                raise IndexError(f"[ConcatDataset] index {index} out of range for length "
                                 f"{len(self)}")
            index += len(self)
        d = int(np.searchsorted(self.cumulative_sizes, index, side="right"))
        if d >= len(self.datasets):
            raise IndexError(f"[ConcatDataset] index {index} out of range for length {len(self)}")
        start = 0 if d == 0 else int(self.cumulative_sizes[d - 1])
        return self.datasets[d][index - start]


class TensorDataset(Dataset):
    """Rows of several tensors with the same first dimension."""

    def __init__(self, *tensors):
        if not tensors:
            raise ValueError("[TensorDataset] needs at least one tensor")
        n = tensors[0].shape[0]
        for i, t in enumerate(tensors):
            if t.shape[0] != n:
                raise ValueError(f"[TensorDataset] size mismatch between tensors: tensor 0 has "
                                 f"{n} rows, tensor {i} has {t.shape[0]} (shape "
                                 f"{tuple(t.shape)})")
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(t[index] for t in self.tensors)

    def __len__(self):
        return self.tensors[0].shape[0]


class Subset(Dataset):
    def __init__(self, dataset, indices):
        self.dataset, self.indices = dataset, list(indices)

    def __getitem__(self, i):
        if isinstance(i, list):
            return self.dataset[[self.indices[j] for j in i]]
        return self.dataset[self.indices[i]]

    def __len__(self):
        return len(self.indices)


def random_split(dataset, lengths, generator=None, seed=None):
    """Splits into non-overlapping subsets of the given lengths (or fractions summing to 1)."""
    n = len(dataset)
    if all(isinstance(x, float) for x in lengths) and abs(sum(lengths) - 1) < 1e-6:
        counts = [int(np.floor(n * f)) for f in lengths]
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
        lengths = counts
    if sum(lengths) != n:
        raise ValueError(f"[random_split] sum of lengths {sum(lengths)} does not equal the "
                         f"dataset length {n}")
    if seed is None and generator is not None:
        seed = int(generator.initial_seed()) if hasattr(generator, "initial_seed") else None
    if seed is None:  # ember.manual_seed makes the split reproducible, as in PyTorch
        from .sampler import global_seeded_rng
        rng = global_seeded_rng()
    else:
        rng = np.random.default_rng(seed)
    perm = rng.permutation(n).tolist()
    out, start = [], 0
    for length in lengths:
        out.append(Subset(dataset, perm[start:start + length]))
        start += length
    return out
