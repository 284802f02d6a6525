"""The Keras-style API in C++ (ember::keras) and in Python (ember.keras) give the same
training history from the same seed: examples/cpp/keras_digits.cpp against the same model
written with ember.keras here."""

import os
import re
import shutil
import subprocess

import numpy as np
import pytest

import ember
from ember import keras

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DIGITS = os.path.join(ROOT, "python", "ember", "datasets", "data", "digits.npz")


def _keras_digits():
    for cand in (os.environ.get("EMBER_KERAS_DIGITS"),
                 os.path.join(ROOT, "build", "examples", "cpp", "keras_digits"),
                 shutil.which("keras_digits")):
        if cand and os.path.exists(cand):
            return cand
    return None


def _run_cpp(epochs, seed, eager=False):
    cmd = [_keras_digits(), "--epochs", str(epochs), "--seed", str(seed), "--verbose", "0"]
    if eager:
        cmd.append("--eager")
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=300,
                         env={**os.environ, "OPENBLAS_CORETYPE": "Haswell"})
    assert out.returncode == 0, out.stderr
    rows = re.findall(r"epoch (\d+) loss (\S+) accuracy (\S+) val_loss (\S+) val_accuracy (\S+)",
                      out.stdout)
    assert len(rows) == epochs, out.stdout
    return {key: [float(r[i + 1]) for r in rows]
            for i, key in enumerate(["loss", "accuracy", "val_loss", "val_accuracy"])}


def _run_python(epochs, seed):
    """The model of keras_digits.cpp, step for step."""
    ember.manual_seed(seed)
    with np.load(DIGITS) as f:
        x = (f["images"].astype(np.float32) / 16.0).reshape(-1, 64)
        y = f["labels"].astype(np.int64)
    order = ember.randperm(len(x)).numpy()
    x, y = x[order], y[order]
    model = keras.Sequential([
        keras.layers.Dense(128, activation="relu", input_shape=(64,)),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.003),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, batch_size=32, epochs=epochs, verbose=0, validation_split=0.2)
    return history.history


@pytest.mark.skipif(_keras_digits() is None, reason="examples/cpp/keras_digits is not built")
def test_cpp_and_python_keras_train_the_same_model_to_the_same_history():
    cpp = _run_cpp(epochs=6, seed=0)
    py = _run_python(epochs=6, seed=0)
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        np.testing.assert_allclose(cpp[key], py[key], rtol=1e-6, atol=1e-7, err_msg=key)


@pytest.mark.skipif(_keras_digits() is None, reason="examples/cpp/keras_digits is not built")
def test_cpp_keras_digits_reaches_97_percent_traced_and_eagerly():
    traced = _run_cpp(epochs=20, seed=0)
    assert traced["val_accuracy"][-1] >= 0.97
    eager = _run_cpp(epochs=3, seed=0, eager=True)
    np.testing.assert_allclose(eager["loss"], traced["loss"][:3], rtol=1e-5)


def test_docs_cpp_snippet_is_from_the_example():
    """docs/keras.md shows an excerpt of examples/cpp/keras_digits.cpp: keep them in step."""
    doc = open(os.path.join(ROOT, "docs", "keras.md")).read()
    marker = "<!-- cpp-example: examples/cpp/keras_digits.cpp -->\n```cpp\n"
    assert marker in doc
    snippet = doc.split(marker, 1)[1].split("```", 1)[0]
    source = open(os.path.join(ROOT, "examples", "cpp", "keras_digits.cpp")).read()
    assert snippet.strip() and snippet in source
