"""MNIST-format IDX files (train-images-idx3-ubyte[.gz], ...) from a local folder.

Ember never downloads: point `root` at a folder that holds the four files."""

import gzip
import os
import struct

import numpy as np

from .._tensor_api import tensor
from ..utils.data import Dataset

_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path):
    """Reads one IDX file (optionally gzipped) into a NumPy array, validating its header."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise ValueError(f"[read_idx] {path} is not an IDX file (bad magic)")
    code, ndim = data[2], data[3]
    if code not in _DTYPES:
        raise ValueError(f"[read_idx] {path} has unknown element type 0x{code:02x}")
    if len(data) < 4 + 4 * ndim:
        raise ValueError(f"[read_idx] {path} is truncated in its header")
    shape = struct.unpack(f">{ndim}I", data[4:4 + 4 * ndim])
    dtype = np.dtype(_DTYPES[code])
    need = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    body = data[4 + 4 * ndim:]
    if len(body) != need:
        raise ValueError(f"[read_idx] {path} holds {len(body)} data bytes, its header "
                         f"{list(shape)} needs {need}")
    return np.frombuffer(body, dtype=dtype).reshape(shape).astype(dtype.newbyteorder("="))


def _find(root, stem):
    for name in (stem, stem + ".gz", stem.replace("-idx", ".idx")):
        p = os.path.join(root, name)
        if os.path.exists(p):
            return p
    raise FileNotFoundError(f"[MNIST] {stem}[.gz] not found in {root} (Ember does not "
                            "download data sets)")


class MNIST(Dataset):
    """MNIST from local IDX files: items are (image float32 [1, 28, 28] in [0, 1], label)."""

    def __init__(self, root, train=True, transform=None, target_transform=None):
        prefix = "train" if train else "t10k"
        images = read_idx(_find(root, f"{prefix}-images-idx3-ubyte"))
        labels = read_idx(_find(root, f"{prefix}-labels-idx1-ubyte"))
        if len(images) != len(labels):
            raise ValueError(f"[MNIST] {len(images)} images but {len(labels)} labels")
        self.data = tensor(images[:, None].astype(np.float32) / 255.0)
        self.targets = tensor(labels.astype(np.int64))
        self.transform, self.target_transform = transform, target_transform

    def __len__(self):
        return len(self.targets)

    def __getitem__(self, i):
        x, y = self.data[i], self.targets[i]
        if self.transform:
            x = self.transform(x)
        if self.target_transform:
            y = self.target_transform(y)
        return x, y
