"""keras.layers.MultiHeadAttention with attention_axes (inputs of rank > 3): values and
scores against TensorFlow's Keras with the same weights (TensorFlow runs in a subprocess:
it must not share a process with PyTorch), gradients against finite differences, and the
errors for bad axes."""

import importlib.util
import subprocess
import sys

import numpy as np
import pytest

import ember
from ember.keras import layers

# name: (query shape, value shape, attention_axes, with an attention_mask)
CASES = {
    "default_rank4": ((2, 3, 4, 5), (2, 3, 6, 5), None, False),
    "axis2_masked": ((2, 3, 4, 5), (2, 3, 6, 5), (2,), True),
    "negative_axis": ((2, 3, 4, 5), (2, 3, 6, 5), (-2,), False),
    "axes13_rank5": ((2, 3, 2, 4, 5), (2, 4, 2, 2, 5), (1, 3), False),
    "default_rank5": ((1, 2, 3, 2, 5), (1, 2, 2, 3, 5), None, False),
}

_TF_SCRIPT = r'''
import os, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import numpy as np
import tensorflow as tf
d = dict(np.load(sys.argv[1], allow_pickle=False))
out = {}
for name in d["names"]:
    axes = tuple(int(a) for a in d[name + "_axes"]) if name + "_axes" in d else None
    mha = tf.keras.layers.MultiHeadAttention(2, 3, value_dim=4, attention_axes=axes)
    q, v = d[name + "_q"], d[name + "_v"]
    mha(q, v)
    mha.set_weights([d[f"{name}_w{i}"] for i in range(8)])
    kw = {"attention_mask": d[name + "_mask"]} if name + "_mask" in d else {}
    o, s = mha(q, v, return_attention_scores=True, **kw)
    out[name], out[name + "_scores"] = o.numpy(), s.numpy()
np.savez(sys.argv[2], **out)
'''


def _run_case(name, rng, data):
    qs, vs, axes, masked = CASES[name]
    q = rng.standard_normal(qs).astype(np.float32)
    v = rng.standard_normal(vs).astype(np.float32)
    mha = layers.MultiHeadAttention(2, 3, value_dim=4, attention_axes=axes)
    kw = {}
    if masked:
        kw["attention_mask"] = rng.random(qs[:2] + (qs[2], vs[2])) > 0.3
        data[name + "_mask"] = kw["attention_mask"]
    out, scores = mha(q, v, return_attention_scores=True, **kw)
    data.update({name + "_q": q, name + "_v": v})
    if axes is not None:
        data[name + "_axes"] = np.array(axes)
    for i, w in enumerate(mha.get_weights()):
        data[f"{name}_w{i}"] = w
    return out.numpy(), scores.numpy()


@pytest.fixture(scope="module")
def parity(tmp_path_factory):
    if importlib.util.find_spec("tensorflow") is None:
        pytest.skip("tensorflow is not installed")
    tmp = tmp_path_factory.mktemp("mha_axes")
    rng = np.random.default_rng(0)
    data, ours = {"names": np.array(list(CASES))}, {}
    for name in CASES:
        ours[name] = _run_case(name, rng, data)
    np.savez(tmp / "in.npz", **data)
    script = tmp / "tf_mha.py"
    script.write_text(_TF_SCRIPT)
    subprocess.run([sys.executable, str(script), str(tmp / "in.npz"), str(tmp / "out.npz")],
                   check=True, timeout=600)
    return ours, dict(np.load(tmp / "out.npz"))


@pytest.mark.parametrize("name", list(CASES))
def test_matches_tensorflow_keras(parity, name):
    ours, ref = parity
    out, scores = ours[name]
    assert out.shape == ref[name].shape
    assert scores.shape == ref[name + "_scores"].shape
    np.testing.assert_allclose(out, ref[name], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(scores, ref[name + "_scores"], rtol=1e-4, atol=1e-6)


def test_default_axes_score_shape_and_normalization():
    q = np.random.default_rng(1).standard_normal((2, 3, 4, 5)).astype(np.float32)
    mha = layers.MultiHeadAttention(2, 3)
    out, scores = mha(q, q, return_attention_scores=True)
    assert tuple(out.shape) == (2, 3, 4, 5)
    # (batch, heads, 3, 4, 3, 4): softmax over both key attention axes together.
    assert tuple(scores.shape) == (2, 2, 3, 4, 3, 4)
    np.testing.assert_allclose(scores.numpy().sum(axis=(-2, -1)), 1.0, rtol=1e-5)


def _loss(mha, q, v, r):
    return (mha(q, v) * r).sum()


def test_gradients_match_finite_differences():
    rng = np.random.default_rng(2)
    mha = layers.MultiHeadAttention(2, 3, attention_axes=(1, 3), dtype="float64")
    qn = rng.standard_normal((2, 3, 2, 2, 4))
    vn = rng.standard_normal((2, 2, 2, 3, 4))
    r = ember.tensor(rng.standard_normal((2, 3, 2, 2, 4)))
    q = ember.tensor(qn, requires_grad=True)
    v = ember.tensor(vn, requires_grad=True)
    _loss(mha, q, v, r).backward()
    kernel = mha.query_kernel
    eps = 1e-6
    for what, base, grad in (("query", qn, q.grad.numpy()), ("value", vn, v.grad.numpy())):
        for idx in [(0, 0, 0, 0, 0), (1, 1, 1, 1, 3), (0, 1, 0, 1, 2)]:
            plus, minus = base.copy(), base.copy()
            plus[idx] += eps
            minus[idx] -= eps
            args = (plus, vn) if what == "query" else (qn, plus)
            args_m = (minus, vn) if what == "query" else (qn, minus)
            fd = (_loss(mha, *map(ember.tensor, args), r).item() -
                  _loss(mha, *map(ember.tensor, args_m), r).item()) / (2 * eps)
            assert grad[idx] == pytest.approx(fd, rel=1e-5, abs=1e-8), (what, idx)
    # A weight gradient too: the query kernel (whole-tensor writes: a Python float
    # written into one element of a float64 tensor is rounded to float32 today).
    kgrad, k0 = kernel.grad.numpy(), kernel.detach().numpy().copy()
    for idx in [(0, 0, 0), (3, 1, 2)]:
        losses = []
        for step in (eps, -eps):
            moved = k0.copy()
            moved[idx] += step
            with ember.no_grad():
                kernel[...] = ember.tensor(moved)
            losses.append(_loss(mha, ember.tensor(qn), ember.tensor(vn), r).item())
        with ember.no_grad():
            kernel[...] = ember.tensor(k0)
        fd = (losses[0] - losses[1]) / (2 * eps)
        assert kgrad[idx] == pytest.approx(fd, rel=1e-5, abs=1e-8)


def test_trains_in_a_model_and_saves_attention_axes(tmp_path):
    from ember import keras
    keras.utils.set_random_seed(0)
    inp = keras.Input((3, 4, 6))
    x = layers.MultiHeadAttention(2, 4, attention_axes=2)(inp, inp)
    out = layers.Dense(1)(layers.Flatten()(x))
    model = keras.Model(inp, out)
    model.compile("adam", "mse")
    rng = np.random.default_rng(3)
    xs = rng.standard_normal((32, 3, 4, 6)).astype(np.float32)
    ys = xs.sum(axis=(1, 2, 3))[:, None].astype(np.float32) * 0.1
    hist = model.fit(xs, ys, epochs=8, batch_size=8, verbose=0).history["loss"]
    assert hist[-1] < hist[0]
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert loaded.layers[1].attention_axes == (2,)
    np.testing.assert_allclose(loaded.predict(xs, verbose=0), model.predict(xs, verbose=0),
                               rtol=1e-5, atol=1e-6)


def test_bad_axes_and_shapes_raise_clear_errors():
    q = np.zeros((2, 3, 4, 5), np.float32)
    with pytest.raises(ValueError, match=r"\[MultiHeadAttention\] layer 'a': attention_axes "
                                         r"\(3,\) must name axes of inputs of rank 4"):
        layers.MultiHeadAttention(2, 3, attention_axes=3, name="a")(q, q)
    with pytest.raises(ValueError, match=r"attention_axes \(1, -3\) repeats an axis"):
        layers.MultiHeadAttention(2, 3, attention_axes=(1, -3), name="b")(q, q)
    with pytest.raises(ValueError, match=r"attention_axes must be an int, list, or tuple"):
        layers.MultiHeadAttention(2, 3, attention_axes="1")
    v = np.zeros((2, 5, 6, 5), np.float32)
    with pytest.raises(ValueError, match=r"query of shape \(2, 3, 4, 5\) and value of shape "
                                         r"\(2, 5, 6, 5\) differ outside the attention axes "
                                         r"\(2,\)"):
        layers.MultiHeadAttention(2, 3, attention_axes=2, name="c")(q, v)
    with pytest.raises(ValueError, match=r"use_causal_mask needs a single attention axis"):
        layers.MultiHeadAttention(2, 3, name="d")(q, q, use_causal_mask=True)
