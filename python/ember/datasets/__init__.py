"""Small data sets that work without network: the bundled handwritten digits (the 8x8 set
scikit-learn ships, from the UCI repository, CC BY 4.0) and a reader for MNIST-format IDX
files in a local folder."""

from .digits import load_digits  # noqa: F401
from .mnist import MNIST, read_idx  # noqa: F401
