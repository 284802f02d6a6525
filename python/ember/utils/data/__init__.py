"""ember.utils.data: Dataset, TensorDataset, DataLoader, random_split (torch.utils.data)."""

from .dataloader import DataLoader, default_collate  # noqa: F401
from .dataset import Dataset, Subset, TensorDataset, random_split  # noqa: F401
