"""examples/mlp_digits.py reaches the accuracy the docs promise, traced and eager alike."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "examples"))

import mlp_digits  # noqa: E402


def test_mlp_digits_traced_reaches_97_percent():
    assert mlp_digits.main(verbose=False) >= 0.97


def test_mlp_digits_eager_gives_the_same_accuracy():
    assert abs(mlp_digits.main(verbose=False, eager=True) - mlp_digits.main(verbose=False)) < 0.01
