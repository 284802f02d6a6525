"""The examples run and reach their documented accuracy."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "examples"))


def test_cnn_digits():
    import cnn_digits
    assert cnn_digits.main(verbose=False) >= 0.97


def test_keras_digits():
    import keras_digits
    assert keras_digits.main(verbose=False) >= 0.97
