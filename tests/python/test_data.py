"""ember.utils.data and ember.datasets."""

import numpy as np
import pytest

import ember
from ember.utils.data import DataLoader, Dataset, TensorDataset, random_split


def test_tensor_dataset_loader_batches_and_drop_last():
    x = ember.tensor(np.arange(10, dtype=np.float32).reshape(10, 1))
    y = ember.tensor(np.arange(10))
    dl = DataLoader(TensorDataset(x, y), batch_size=4)
    batches = list(dl)
    assert len(dl) == 3 and [b[0].shape[0] for b in batches] == [4, 4, 2]
    assert batches[0][1].tolist() == [0, 1, 2, 3]
    assert len(DataLoader(TensorDataset(x, y), batch_size=4, drop_last=True)) == 2


def test_shuffle_is_seeded_and_covers_everything():
    ds = TensorDataset(ember.tensor(np.arange(20)))
    a = [b[0].tolist() for b in DataLoader(ds, batch_size=5, shuffle=True, seed=1)]
    b = [b[0].tolist() for b in DataLoader(ds, batch_size=5, shuffle=True, seed=1)]
    assert a == b
    assert sorted(sum(a, [])) == list(range(20))
    assert a != [list(range(i, i + 5)) for i in range(0, 20, 5)]


class DictSet(Dataset):
    def __len__(self):
        return 5

    def __getitem__(self, i):
        return {"x": ember.tensor([float(i), 1.0]), "y": i}


def test_dict_collation_and_prefetch():
    batches = list(DataLoader(DictSet(), batch_size=2, prefetch=2))
    assert batches[0]["x"].shape == (2, 2)
    assert batches[0]["y"].tolist() == [0, 1]
    assert len(batches) == 3


def test_random_split():
    parts = random_split(TensorDataset(ember.tensor(np.arange(10))), [7, 3], seed=0)
    assert [len(p) for p in parts] == [7, 3]
    with pytest.raises(ValueError, match="random_split"):
        random_split(TensorDataset(ember.tensor(np.arange(10))), [5, 3])


def test_tensor_dataset_size_mismatch_is_clear():
    with pytest.raises(ValueError, match=r"\[TensorDataset\].*10 rows.*9"):
        TensorDataset(ember.zeros(10, 2), ember.zeros(9))


def test_digits_are_bundled():
    xtr, ytr, xte, yte = ember.datasets.load_digits()
    assert xtr.shape[1] == 64 and xtr.shape[0] + xte.shape[0] == 1797
    assert ytr.dtype == ember.int64
    assert float(xtr.max()) <= 1.0
    img = ember.datasets.load_digits(flatten=False)[0]
    assert img.shape[1:] == (1, 8, 8)


def test_mnist_idx_reader(tmp_path):
    import struct
    imgs = np.random.default_rng(0).integers(0, 256, size=(3, 28, 28), dtype=np.uint8)
    with open(tmp_path / "train-images-idx3-ubyte", "wb") as f:
        f.write(struct.pack(">BBBBIII", 0, 0, 8, 3, 3, 28, 28) + imgs.tobytes())
    with open(tmp_path / "train-labels-idx1-ubyte", "wb") as f:
        f.write(struct.pack(">BBBBI", 0, 0, 8, 1, 3) + bytes([1, 2, 3]))
    ds = ember.datasets.MNIST(str(tmp_path))
    x, y = ds[1]
    assert len(ds) == 3 and x.shape == (1, 28, 28) and y.item() == 2
    with open(tmp_path / "bad", "wb") as f:
        f.write(struct.pack(">BBBBI", 0, 0, 8, 1, 5) + bytes([1]))
    with pytest.raises(ValueError, match="read_idx"):
        ember.datasets.read_idx(str(tmp_path / "bad"))
