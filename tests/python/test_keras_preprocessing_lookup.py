"""Keras preprocessing layers for categorical data: StringLookup, IntegerLookup,
CategoryEncoding, Hashing, Discretization (and Normalization's adapt / invert). Checked
against TensorFlow's Keras (in a subprocess: TensorFlow must not share a process with
PyTorch) and against NumPy references."""

import importlib.util
import inspect
import subprocess
import sys

import numpy as np
import pytest

import ember
from ember import keras
from ember.keras import layers


def _cases(L, arr):
    """{name: output as NumPy} for the same layer calls in either framework; `arr`
    turns a layer output into a NumPy array."""
    rng = np.random.default_rng(0)
    words = np.array([["a", "b", "c"], ["b", "d", "a"], ["b", "e", "zz"]])
    out = {}
    sl = L.StringLookup()
    sl.adapt(words)
    out["vocab"] = np.array([str(t) for t in sl.get_vocabulary()])
    out["str_int"] = arr(sl([["a", "q"], ["zz", "b"]]))
    sl = L.StringLookup(max_tokens=4)
    sl.adapt(words)
    out["vocab_max"] = np.array([str(t) for t in sl.get_vocabulary()])
    sl = L.StringLookup(mask_token="", num_oov_indices=5, vocabulary=["a", "b", "c"])
    unknown = ["x", "y", "hello", "oov token", "q" * 40, "w" * 70]
    out["str_oov_buckets"] = arr(sl([["a", "", ""], ["c", "x", "y"], unknown[2:5],
                                     ["b", unknown[5], "c"]]))
    sl = L.StringLookup(mask_token="", output_mode="multi_hot", vocabulary=["a", "b", "c"])
    out["str_multi_hot"] = arr(sl([["a", "", ""], ["c", "x", "y"]]))
    sl = L.StringLookup(output_mode="one_hot", vocabulary=["a", "b", "c"])
    out["str_one_hot"] = arr(sl(["a", "c", "x"]))
    sl = L.StringLookup(output_mode="count", vocabulary=["a", "b", "c"],
                        pad_to_max_tokens=True, max_tokens=6)
    out["str_count_padded"] = arr(sl([["a", "a", "q"], ["c", "b", "c"]]))
    sl = L.StringLookup(output_mode="tf_idf")
    sl.adapt(words)
    out["str_tf_idf"] = arr(sl([["a", "a", "q"], ["c", "b", "zz"]]))
    sl = L.StringLookup(vocabulary=["a", "b", "c"], invert=True, mask_token="m")
    out["str_invert"] = np.array([[t.decode() if isinstance(t, bytes) else str(t) for t in row]
                                  for row in np.asarray(sl([[0, 1, 2], [3, 4, 4]]))])
    il = L.IntegerLookup(num_oov_indices=3, vocabulary=[10, 20, 30])
    out["int_oov"] = arr(il(np.array([[10, 7, 8], [9, 30, -5]])))
    ints = np.array([[5, 5, 0, 7], [7, 7, 9, 0], [3, 5, 7, 1]])
    il = L.IntegerLookup(mask_token=0)
    il.adapt(ints)
    out["int_vocab_mask"] = np.array(il.get_vocabulary())
    out["int_mask"] = arr(il(np.array([[5, 0, 1], [7, 9, 0]])))
    for mode in ("one_hot", "multi_hot", "count", "tf_idf"):
        il = L.IntegerLookup(output_mode=mode)
        il.adapt(ints)
        x = np.array([[5], [9], [1]]) if mode == "one_hot" else np.array([[5, 5, 1], [7, 9, 9]])
        out["int_" + mode] = arr(il(x))
    il = L.IntegerLookup(vocabulary=[4, 8], invert=True)
    out["int_invert"] = arr(il(np.array([[0, 1, 2], [2, 2, 1]])))
    ce = L.CategoryEncoding(4, output_mode="one_hot")
    out["ce_one_hot"] = arr(ce(np.array([3, 1, 0])))
    out["ce_one_hot_col"] = arr(ce(np.array([[3], [1]])))
    out["ce_multi_hot"] = arr(L.CategoryEncoding(5)(np.array([[3, 1, 1], [0, 4, 2]])))
    ce = L.CategoryEncoding(4, output_mode="count")
    out["ce_count"] = arr(ce(np.array([[3, 1, 1], [0, 0, 2]])))
    out["ce_count_weights"] = arr(ce(np.array([[3, 1, 1], [0, 0, 2]]),
                                     count_weights=np.array([[1., 2, 3], [4, 5, 6]])))
    tokens = np.array([["a", "bb", "hello world"], ["x" * 20, "y" * 50, "z" * 100]])
    out["hash"] = arr(L.Hashing(num_bins=7)(tokens))
    out["hash_mask"] = arr(L.Hashing(num_bins=5, mask_value="")(np.array([["a", ""],
                                                                          ["", "b"]])))
    out["hash_int"] = arr(L.Hashing(num_bins=11)(np.array([[1, 22, 333], [-4, 0, 10 ** 12]])))
    out["hash_multi_hot"] = arr(L.Hashing(num_bins=4, output_mode="multi_hot")(
        np.array([["a", "b", "c"], ["d", "e", "f"]])))
    d = L.Discretization(bin_boundaries=[-1.0, 0.0, 0.5])
    x = np.array([[-2.0, -1.0, -0.2], [0.0, 0.49, 3.0]], np.float32)
    out["disc_int"] = arr(d(x))
    out["disc_one_hot"] = arr(L.Discretization(bin_boundaries=[0.0, 1.0],
                                               output_mode="one_hot")(np.array([-1., .5, 2.])))
    out["disc_count"] = arr(L.Discretization(bin_boundaries=[0.0, 1.0],
                                             output_mode="count")(np.array([[-1., .5, 2., 3.]])))
    d = L.Discretization(num_bins=5, epsilon=0.01)
    d.adapt(rng.standard_normal(2000).astype(np.float32))
    out["disc_adapt"] = np.array(d.bin_boundaries, np.float32)
    d = L.Discretization(num_bins=3, epsilon=0.05)
    d.adapt([rng.standard_normal(300).astype(np.float32) * (i + 1) for i in range(3)])
    out["disc_adapt_batches"] = np.array(d.bin_boundaries, np.float32)
    feats = (rng.standard_normal((200, 3)) * [1.0, 4.0, 0.5] + [0.0, 2.0, -3.0]).astype(
        np.float32)
    norm = L.Normalization()
    norm.adapt(feats)
    out["norm"] = arr(norm(feats[:5]))
    inv = L.Normalization(invert=True)
    inv.adapt(feats)
    out["norm_invert"] = arr(inv(feats[:5]))
    return out


def _to_numpy(t):
    return t.detach().numpy() if isinstance(t, ember.Tensor) else np.asarray(t)


_TF_SCRIPT = r'''
import os, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import numpy as np
import tensorflow as tf

''' + inspect.getsource(_cases) + r'''

np.savez(sys.argv[1], **_cases(tf.keras.layers, np.asarray))
'''


@pytest.fixture(scope="module")
def ours():
    return _cases(layers, _to_numpy)


def test_matches_tensorflow_keras(ours, tmp_path):
    if importlib.util.find_spec("tensorflow") is None:
        pytest.skip("tensorflow is not installed")
    script = tmp_path / "tf_lookup.py"
    script.write_text(_TF_SCRIPT)
    subprocess.run([sys.executable, str(script), str(tmp_path / "ref.npz")], check=True,
                   timeout=600)
    ref = np.load(tmp_path / "ref.npz")
    assert set(ref.files) == set(ours)
    for name in ref.files:
        if ref[name].dtype.kind in "USO":
            assert ours[name].tolist() == ref[name].tolist(), name
        else:
            np.testing.assert_allclose(ours[name].astype(np.float64),
                                       ref[name].astype(np.float64), rtol=1e-5, atol=1e-6,
                                       err_msg=name)


def test_lookup_numpy_reference(ours):
    # Vocabulary: by decreasing count, ties by decreasing token.
    assert ours["vocab"].tolist() == ["[UNK]", "b", "a", "zz", "e", "d", "c"]
    assert ours["vocab_max"].tolist() == ["[UNK]", "b", "a", "zz"]
    np.testing.assert_array_equal(ours["str_int"], [[2, 0], [3, 1]])
    assert ours["str_int"].dtype == np.int64
    # mask at 0, OOV buckets 1..5, tokens from 6; the mask token drops out of multi_hot.
    ids = ours["str_oov_buckets"]
    assert ids[0].tolist() == [6, 0, 0] and ids[1, 0] == 8 and ids[3, 0::2].tolist() == [7, 8]
    oov = np.concatenate([ids[1, 1:], ids[2], ids[3, 1:2]])
    assert ((oov >= 1) & (oov <= 5)).all() and len(set(oov.tolist())) > 1
    np.testing.assert_array_equal(ours["str_multi_hot"], [[0, 1, 0, 0], [1, 0, 0, 1]])
    np.testing.assert_array_equal(ours["str_count_padded"],
                                  [[1, 2, 0, 0, 0, 0], [0, 0, 1, 2, 0, 0]])
    assert ours["str_invert"].tolist() == [["m", "[UNK]", "a"], ["b", "c", "c"]]
    np.testing.assert_array_equal(ours["int_oov"], [[3, 1, 2], [0, 5, 1]])  # token mod 3
    np.testing.assert_array_equal(ours["int_invert"], [[-1, 4, 8], [8, 8, 4]])
    np.testing.assert_array_equal(ours["ce_count_weights"], [[0, 5, 0, 1], [9, 0, 6, 0]])
    np.testing.assert_array_equal(ours["disc_int"], [[0, 1, 1], [2, 2, 3]])


def test_discretization_adapt_is_near_the_quantiles():
    rng = np.random.default_rng(5)
    data = rng.standard_normal(5000).astype(np.float32)
    d = layers.Discretization(num_bins=4, epsilon=0.001)
    d.adapt(data)
    np.testing.assert_allclose(d.bin_boundaries, np.quantile(data, [0.25, 0.5, 0.75]),
                               atol=0.02)
    counts = np.bincount(d(data).numpy(), minlength=4)
    np.testing.assert_allclose(counts / data.size, 0.25, atol=0.01)


def test_normalization_adapt_and_invert_round_trip():
    rng = np.random.default_rng(1)
    x = (rng.standard_normal((100, 4)) * [1, 2, 3, 4] + [5, 6, 7, 8]).astype(np.float32)
    norm, inv = layers.Normalization(), layers.Normalization(invert=True)
    norm.adapt(x)
    inv.adapt(x)
    z = norm(x).numpy()
    np.testing.assert_allclose(z, (x - x.mean(0)) / x.std(0), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(inv(z).numpy(), x, rtol=1e-4, atol=1e-4)


def test_lookup_configs_round_trip():
    sl = layers.StringLookup(mask_token="", num_oov_indices=2, output_mode="multi_hot")
    sl.adapt(["x y", "y", "z", "y"])
    again = layers.StringLookup.from_config(sl.get_config())
    assert again.get_vocabulary() == sl.get_vocabulary()
    np.testing.assert_array_equal(again(["y", "q"]).numpy(), sl(["y", "q"]).numpy())
    il = layers.IntegerLookup(vocabulary=[3, 1], invert=True)
    assert layers.IntegerLookup.from_config(il.get_config()).get_vocabulary() == [-1, 3, 1]
    d = layers.Discretization(num_bins=3)
    d.adapt(np.arange(30.0))
    assert layers.Discretization.from_config(d.get_config()).bin_boundaries == \
        d.bin_boundaries
    ce = layers.CategoryEncoding.from_config(layers.CategoryEncoding(6, "count").get_config())
    assert ce.num_tokens == 6 and ce.output_mode == "count"


def test_lookup_then_model_fit():
    # The lookup runs on the strings before fit; the model starts at an int64 Input and
    # CategoryEncoding runs inside it (traced).
    keras.utils.set_random_seed(0)
    colors = np.array(["red", "green", "blue", "green", "red", "teal"] * 20)
    labels = np.isin(colors, ["red", "teal"]).astype(np.float32)
    lookup = layers.StringLookup()
    lookup.adapt(colors)
    ids = lookup(colors.reshape(-1, 1))
    model = keras.Sequential([keras.Input((1,), dtype="int64"),
                              layers.CategoryEncoding(lookup.vocabulary_size(), "one_hot"),
                              layers.Dense(1, activation="sigmoid")])
    model.compile(keras.optimizers.Adam(0.1), "binary_crossentropy", metrics=["accuracy"])
    hist = model.fit(ids, labels, epochs=30, batch_size=40, verbose=0).history
    assert hist["accuracy"][-1] == 1.0


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(RuntimeError, match="no vocabulary"):
        layers.StringLookup()(["a"])
    with pytest.raises(ValueError, match="invert=True needs output_mode='int'"):
        layers.StringLookup(invert=True, output_mode="one_hot")
    with pytest.raises(ValueError, match="num_oov_indices=0"):
        layers.StringLookup(vocabulary=["a"], num_oov_indices=0)(["b"])
    with pytest.raises(ValueError, match="repeated tokens"):
        layers.StringLookup(vocabulary=["a", "a"])
    with pytest.raises(TypeError, match="hold no strings"):
        layers.StringLookup(vocabulary=["a"])(ember.ones(2))
    with pytest.raises(TypeError, match="integer inputs"):
        layers.IntegerLookup(vocabulary=[1])(np.array([0.5]))
    with pytest.raises(TypeError, match="not inside a traced model"):
        layers.StringLookup(vocabulary=["a"])(keras.Input((1,), dtype="int64"))
    with pytest.raises(ValueError, match="exactly one of bin_boundaries and num_bins"):
        layers.Discretization()
    with pytest.raises(ValueError, match="num_tokens"):
        layers.CategoryEncoding()
    with pytest.raises(ValueError, match="count_weights of shape"):
        layers.CategoryEncoding(3, "count")(np.array([[1, 2]]), count_weights=np.ones(3))
    with pytest.raises(NotImplementedError, match="salt"):
        layers.Hashing(4, salt=1)


def test_encoding_layers_inside_a_saved_model(tmp_path):
    keras.utils.set_random_seed(0)
    disc = layers.Discretization(num_bins=4)
    disc.adapt(np.linspace(0.0, 1.0, 101))
    x = keras.Input((3,))
    codes = layers.CategoryEncoding(4, "count")(disc(x))
    model = keras.Model(x, layers.Dense(2)(codes))
    data = np.random.default_rng(3).uniform(size=(5, 3)).astype(np.float32)
    expect_counts = np.stack([np.bincount(np.digitize(r, disc.bin_boundaries), minlength=4)
                              for r in data])
    kernel, bias = model.layers[-1].get_weights()
    np.testing.assert_allclose(model.predict(data, verbose=0), expect_counts @ kernel + bias,
                               rtol=1e-5, atol=1e-6)
    model.save(tmp_path / "enc.keras")
    loaded = keras.models.load_model(tmp_path / "enc.keras")
    np.testing.assert_allclose(loaded.predict(data, verbose=0), model.predict(data, verbose=0),
                               rtol=1e-6)
