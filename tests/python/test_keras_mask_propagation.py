"""Keras masks through merge layers (Add, Multiply, Maximum, Minimum, Concatenate),
TimeDistributed and MultiHeadAttention (query/value masks, use_causal_mask). Checked
against TensorFlow's Keras with the same weights (in a subprocess: TensorFlow must not
share a process with PyTorch) and against NumPy references."""

import importlib.util
import subprocess
import sys

import numpy as np
import pytest

from ember import keras
from ember.keras import layers

_A = np.array([[3, 5, 2, 0, 0, 0], [1, 4, 4, 6, 2, 0], [7, 0, 0, 0, 0, 0],
               [2, 2, 9, 1, 3, 8]], np.int64)
_B = np.array([[4, 4, 0, 0, 0, 0], [2, 0, 0, 0, 0, 0], [5, 6, 7, 1, 0, 0],
               [3, 1, 0, 0, 0, 0]], np.int64)
_X = np.random.default_rng(0).standard_normal((4, 6, 2)).astype(np.float32)


def _model(L, keras_mod):
    """A functional model with every masked merge, and its weighted layers in one order
    for both frameworks. Each output has its own inputs and Embedding calls (the layers
    are shared): Keras 3's MultiHeadAttention clears the masks of the tensors it is given,
    so with shared tensors TensorFlow's answer would depend on the node order."""
    emb_a, emb_b = L.Embedding(10, 2, mask_zero=True), L.Embedding(10, 2, mask_zero=True)
    td = L.TimeDistributed(L.Dense(3))
    mha, causal = L.MultiHeadAttention(2, 3), L.MultiHeadAttention(2, 2)
    lstm = L.LSTM(3)
    pool = L.GlobalAveragePooling1D
    heads = [lambda ea, eb, x: pool()(L.Add()([ea, eb])),
             lambda ea, eb, x: pool()(L.Multiply()([ea, eb])),
             lambda ea, eb, x: pool()(L.Maximum()([ea, eb])),
             lambda ea, eb, x: pool()(L.Minimum()([ea, eb])),
             lambda ea, eb, x: pool()(L.Average()([ea, eb])),
             lambda ea, eb, x: pool()(L.Concatenate(axis=1)([ea, eb])),
             lambda ea, eb, x: pool()(L.Concatenate()([ea, x])),
             lambda ea, eb, x: pool()(L.Add()([ea, x])),   # one unmasked input: no mask
             lambda ea, eb, x: pool()(td(ea)),
             lambda ea, eb, x: lstm(td(eb)),
             lambda ea, eb, x: mha(ea, eb),
             lambda ea, eb, x: pool()(mha(ea, eb)),
             lambda ea, eb, x: causal(eb, eb, use_causal_mask=True)]
    a, b, x, outputs = [], [], [], []
    for head in heads:
        a.append(keras_mod.Input((6,), dtype="int64"))
        b.append(keras_mod.Input((6,), dtype="int64"))
        x.append(keras_mod.Input((6, 2)))
        outputs.append(head(emb_a(a[-1]), emb_b(b[-1]), x[-1]))
    model = keras_mod.Model([t for abx in zip(a, b, x) for t in abx], outputs)
    return model, [emb_a, emb_b, td, mha, causal, lstm]


def _inputs(a, b, x, n=13):
    return [a, b, x] * n


_TF_SCRIPT = r'''
import os, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import numpy as np
import tensorflow as tf
d = dict(np.load(sys.argv[1], allow_pickle=False))
L = tf.keras.layers

''' + "\n".join(__import__("inspect").getsource(_model).splitlines()) + r'''

model, weighted = _model(L, tf.keras)
for i, layer in enumerate(weighted):
    layer.set_weights([d[f"w{i}_{j}"] for j in range(int(d[f"n{i}"]))])
outs = model([d["a"], d["b"], d["x"]] * 13)
np.savez(sys.argv[2], **{f"o{i}": np.asarray(o) for i, o in enumerate(outs)})
'''


@pytest.fixture(scope="module")
def ours():
    keras.utils.set_random_seed(0)
    model, weighted = _model(layers, keras)
    outs = [o.numpy() for o in model(_inputs(_A, _B, _X))]
    return model, weighted, outs


def test_matches_tensorflow_keras(ours, tmp_path):
    if importlib.util.find_spec("tensorflow") is None:
        pytest.skip("tensorflow is not installed")
    _, weighted, outs = ours
    data = {"a": _A, "b": _B, "x": _X}
    for i, layer in enumerate(weighted):
        data[f"n{i}"] = len(layer.get_weights())
        data.update({f"w{i}_{j}": w for j, w in enumerate(layer.get_weights())})
    np.savez(tmp_path / "in.npz", **data)
    script = tmp_path / "tf_merge_masks.py"
    script.write_text(_TF_SCRIPT)
    subprocess.run([sys.executable, str(script), str(tmp_path / "in.npz"),
                    str(tmp_path / "out.npz")], check=True, timeout=600)
    ref = np.load(tmp_path / "out.npz")
    bad = [i for i, out in enumerate(outs)
           if not np.allclose(out, ref[f"o{i}"], rtol=1e-5, atol=1e-6)]
    assert not bad, f"outputs {bad} differ from TensorFlow's Keras: " + "; ".join(
        f"{outs[i].ravel()[:4]} vs {ref[f'o{i}'].ravel()[:4]}" for i in bad)


def _masked_mean(seq, mask):
    m = mask[..., None].astype(np.float64)
    return (seq * m).sum(1) / m.sum(1)


def test_merge_masks_match_numpy(ours):
    _, weighted, outs = ours
    ea, eb = weighted[0].get_weights()[0][_A], weighted[1].get_weights()[0][_B]
    ma, mb = _A != 0, _B != 0
    either = ma | mb
    np.testing.assert_allclose(outs[0], _masked_mean(ea + eb, either), rtol=1e-5, atol=1e-6)
    ones_a = np.where(ma[..., None], ea, 1.0)
    ones_b = np.where(mb[..., None], eb, 1.0)
    np.testing.assert_allclose(outs[1], _masked_mean(ones_a * ones_b, either), rtol=1e-5,
                               atol=1e-6)
    # Maximum: where one side is masked the other side's value stands.
    big = np.where(ma[..., None] & mb[..., None], np.maximum(ea, eb),
                   np.where(ma[..., None], ea, eb))
    np.testing.assert_allclose(outs[2], _masked_mean(big, either), rtol=1e-5, atol=1e-6)
    # Concatenate over time concatenates the masks.
    np.testing.assert_allclose(outs[5], _masked_mean(np.concatenate([ea, eb], 1),
                                                     np.concatenate([ma, mb], 1)),
                               rtol=1e-5, atol=1e-6)
    # An unmasked input counts as kept everywhere.
    np.testing.assert_allclose(outs[6], np.concatenate([ea, _X], -1).mean(1), rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(outs[7], (ea + _X).mean(1), rtol=1e-5, atol=1e-6)
    kernel, bias = weighted[2].get_weights()
    np.testing.assert_allclose(outs[8], _masked_mean(ea @ kernel + bias, ma), rtol=1e-5,
                               atol=1e-6)


def test_attention_ignores_padded_keys(ours):
    # Changing the embedding at padded value positions must not change the attention
    # output; without the value mask it would.
    model, weighted, outs = ours
    emb_b = weighted[1]
    table = emb_b.get_weights()[0].copy()
    table[0] += 5.0     # the padding row: only ever read at masked positions
    emb_b.set_weights([table])
    try:
        again = [o.numpy() for o in model(_inputs(_A, _B, _X))]
    finally:
        table[0] -= 5.0
        emb_b.set_weights([table])
    # (Masked query rows attend uniformly to every key, as in Keras: compare kept rows.)
    np.testing.assert_allclose(again[10][_A != 0], outs[10][_A != 0], rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(again[12][_B != 0], outs[12][_B != 0], rtol=1e-5, atol=1e-6)
    unmasked = weighted[3](weighted[0](_A), weighted[1](_B)).detach().numpy()
    assert not np.allclose(unmasked[_A != 0], outs[10][_A != 0], atol=1e-4)


def test_attention_mask_and_keras_masks_combine():
    q_in, v_in = keras.Input((4, 3)), keras.Input((5, 3))
    mha = layers.MultiHeadAttention(1, 2)
    y, scores = mha(layers.Masking(0.0)(q_in), layers.Masking(0.0)(v_in),
                    return_attention_scores=True)
    model = keras.Model([q_in, v_in], [y, scores])
    rng = np.random.default_rng(2)
    q, v = rng.standard_normal((2, 4, 3)), rng.standard_normal((2, 5, 3))
    q[0, 3], v[0, 1], v[1, 4] = 0.0, 0.0, 0.0
    _, s = (t.numpy() for t in model([q.astype(np.float32), v.astype(np.float32)]))
    assert s.shape == (2, 1, 4, 5)
    np.testing.assert_allclose(s.sum(-1), 1.0, rtol=1e-5)
    assert np.abs(s[0, 0, :3, 1]).max() < 1e-6 and np.abs(s[1, 0, :, 4]).max() < 1e-6
    np.testing.assert_allclose(s[0, 0, 3], np.full(5, 0.2), rtol=1e-5)  # masked query row
