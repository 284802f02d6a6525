"""Keras masking: Embedding(mask_zero=True) and Masking mark padding timesteps, the models
carry the mask to the layers that use it (LSTM / GRU / SimpleRNN skip those steps,
GlobalAveragePooling1D leaves them out). Checked against TensorFlow's Keras with the same
weights (in a subprocess: TensorFlow must not share a process with PyTorch), and by the
property that padding does not change a masked model's output."""

import importlib.util
import subprocess
import sys

import numpy as np
import pytest

from ember import keras
from ember.keras import layers

_IDS = np.array([[3, 5, 2, 0, 0, 0], [1, 4, 4, 6, 2, 0], [7, 0, 0, 0, 0, 0]], np.int64)
_SEQ = np.random.default_rng(0).standard_normal((3, 5, 4)).astype(np.float32)
_SEQ[0, 3:] = 0.0
_SEQ[2, 1:] = 0.0


def _models(L, keras_mod):
    """Two masked models and their weighted layers, in one order for both frameworks."""
    ids = keras_mod.Input((6,), dtype="int64")
    emb, lstm, gru, dense = (L.Embedding(8, 4, mask_zero=True),
                             L.LSTM(5, return_sequences=True), L.GRU(3), L.Dense(3))
    e = emb(ids)
    text = keras_mod.Model(ids, [gru(lstm(e)), L.GlobalAveragePooling1D()(dense(e))])
    bidi = L.Bidirectional(L.SimpleRNN(2, return_sequences=True))
    seq = keras_mod.Sequential([keras_mod.Input((5, 4)), L.Masking(0.0), bidi,
                                L.GlobalAveragePooling1D()])
    return text, seq, [emb, lstm, gru, dense, bidi]


_TF_SCRIPT = r'''
import os, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import numpy as np
import tensorflow as tf
d = dict(np.load(sys.argv[1], allow_pickle=False))
L = tf.keras.layers

''' + "\n".join(__import__("inspect").getsource(_models).splitlines()) + r'''

text, seq, weighted = _models(L, tf.keras)
for i, layer in enumerate(weighted):
    layer.set_weights([d[f"w{i}_{j}"] for j in range(int(d[f"n{i}"]))])
rnn, pooled = text(d["ids"])
np.savez(sys.argv[2], rnn=np.asarray(rnn), pooled=np.asarray(pooled),
         seq=np.asarray(seq(d["seq_in"])))
'''


@pytest.fixture(scope="module")
def ours():
    keras.utils.set_random_seed(0)
    text, seq, weighted = _models(layers, keras)
    rnn, pooled = text(_IDS)
    return text, weighted, rnn.numpy(), pooled.numpy(), seq(_SEQ).numpy()


def test_matches_tensorflow_keras(ours, tmp_path):
    if importlib.util.find_spec("tensorflow") is None:
        pytest.skip("tensorflow is not installed")
    _, weighted, rnn, pooled, seq_out = ours
    data = {"ids": _IDS, "seq_in": _SEQ}
    for i, layer in enumerate(weighted):
        data[f"n{i}"] = len(layer.get_weights())
        data.update({f"w{i}_{j}": w for j, w in enumerate(layer.get_weights())})
    np.savez(tmp_path / "in.npz", **data)
    script = tmp_path / "tf_masking.py"
    script.write_text(_TF_SCRIPT)
    subprocess.run([sys.executable, str(script), str(tmp_path / "in.npz"),
                    str(tmp_path / "out.npz")], check=True, timeout=600)
    ref = np.load(tmp_path / "out.npz")
    np.testing.assert_allclose(rnn, ref["rnn"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(pooled, ref["pooled"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(seq_out, ref["seq"], rtol=1e-5, atol=1e-6)


def test_padding_does_not_change_masked_outputs(ours):
    _, weighted, rnn, pooled, _ = ours
    # The same sequences with extra padding: the masked model gives the same outputs.
    longer = np.concatenate([_IDS, np.zeros((3, 4), np.int64)], axis=1)
    ids = keras.Input((10,), dtype="int64")
    emb = layers.Embedding(8, 4, mask_zero=True)
    lstm, gru = layers.LSTM(5, return_sequences=True), layers.GRU(3)
    model = keras.Model(ids, gru(lstm(emb(ids))))
    for mine, theirs in zip((emb, lstm, gru), weighted):
        mine.set_weights(theirs.get_weights())
    np.testing.assert_allclose(model.predict(longer, verbose=0), rnn, rtol=1e-5, atol=1e-6)
    # Without the mask the padding counts.
    unmasked = keras.Sequential([keras.Input((6,), dtype="int64"), layers.Embedding(8, 4),
                                 layers.GlobalAveragePooling1D()])
    masked = keras.Sequential([keras.Input((6,), dtype="int64"),
                               layers.Embedding(8, 4, mask_zero=True),
                               layers.GlobalAveragePooling1D()])
    masked.set_weights(unmasked.get_weights())
    table = unmasked.get_weights()[0]
    expect = np.stack([table[row[row != 0]].mean(0) for row in _IDS])
    np.testing.assert_allclose(masked.predict(_IDS, verbose=0), expect, rtol=1e-5, atol=1e-6)
    assert not np.allclose(unmasked.predict(_IDS, verbose=0), expect)


def test_masked_text_model_trains_and_saves(tmp_path):
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(1)
    lengths = rng.integers(1, 9, 256)
    ids = np.zeros((256, 8), np.int64)
    for row, n in zip(ids, lengths):
        row[:n] = rng.integers(1, 20, n)
    labels = (ids == 3).any(axis=1).astype("float32")
    model = keras.Sequential([keras.Input((None,), dtype="int64"),
                              layers.Embedding(20, 8, mask_zero=True),
                              layers.LSTM(8), layers.Dense(1, activation="sigmoid")])
    model.compile(keras.optimizers.Adam(2e-2), "binary_crossentropy", metrics=["accuracy"])
    hist = model.fit(ids, labels, epochs=12, batch_size=32, verbose=0).history
    assert hist["loss"][-1] < 0.5 * hist["loss"][0] and hist["accuracy"][-1] > 0.9
    model.save(tmp_path / "masked.keras")
    loaded = keras.models.load_model(tmp_path / "masked.keras")
    assert loaded.layers[0].mask_zero
    np.testing.assert_allclose(loaded.predict(ids, verbose=0), model.predict(ids, verbose=0),
                               rtol=1e-6, atol=1e-7)
