"""ember.utils.data: Dataset, TensorDataset, DataLoader, samplers, random_split
(torch.utils.data)."""

from .dataloader import DataLoader, default_collate  # noqa: F401
from .dataset import (ConcatDataset, Dataset, IterableDataset, Subset,  # noqa: F401
                      TensorDataset, random_split)
from .sampler import (BatchSampler, RandomSampler, Sampler, SequentialSampler,  # noqa: F401
                      SubsetRandomSampler, WeightedRandomSampler)


def get_worker_info():
    """None: batches are always made in the main process (see DataLoader)."""
    return None
