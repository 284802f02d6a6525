"""The keras API additions (layers, losses, metrics, optimizers) against TensorFlow's
Keras with the same weights and inputs. TensorFlow runs in a subprocess: it must not share
a process with PyTorch (imported by other test modules)."""

import importlib.util
import subprocess
import sys

import numpy as np
import pytest

import ember
from ember import keras
from ember.keras import layers

_TF_SCRIPT = r'''
import os, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import numpy as np
import tensorflow as tf
d = dict(np.load(sys.argv[1], allow_pickle=False))
L = tf.keras.layers
out = {}


def run(key, layer, x, weights=None, shape=None, **kw):
    if weights is not None:
        layer.build(shape if shape is not None else x.shape)
        layer.set_weights([d[w] for w in weights])
    out[key] = np.asarray(layer(x, **kw))


img, seq, vec = d["img"], d["seq"], d["vec"]
run("leaky", L.LeakyReLU(negative_slope=0.2), img)
run("elu", L.ELU(alpha=0.7), img)
run("prelu", L.PReLU(shared_axes=[1, 2]), img, ["prelu_a"])
run("rescaling", L.Rescaling(1 / 255.0, offset=-1.0), img)
norm = L.Normalization()
norm.adapt(d["adapt"])
run("normalization", norm, vec)
run("permute", L.Permute((3, 1, 2)), img)
run("repeat", L.RepeatVector(3), vec)
run("up_nearest", L.UpSampling2D((2, 3)), img)
run("up_bilinear", L.UpSampling2D(2, interpolation="bilinear"), img)
run("zeropad", L.ZeroPadding2D(((1, 2), (0, 1))), img)
run("crop", L.Cropping2D(((1, 0), (2, 1))), img)
run("resize_bilinear", L.Resizing(4, 9), img)
run("resize_nearest", L.Resizing(9, 4, interpolation="nearest"), img)
run("resize_crop", L.Resizing(4, 4, crop_to_aspect_ratio=True), img)
run("centercrop", L.CenterCrop(3, 4), img)
run("convt_same", L.Conv2DTranspose(4, 3, strides=2, padding="same"), img,
    ["ct_k", "ct_b"])
run("convt_valid", L.Conv2DTranspose(4, 3, strides=2), img, ["ct_k", "ct_b"])
run("convt_small", L.Conv2DTranspose(4, 1, strides=2), img, ["ct1_k", "ct_b"])
run("convt_even", L.Conv2DTranspose(4, 4, strides=2, padding="same"), img,
    ["ct4_k", "ct_b"])
run("depthwise", L.DepthwiseConv2D(3, depth_multiplier=2, padding="same"), img,
    ["dw_k", "dw_b"])
run("separable", L.SeparableConv2D(5, 3, strides=2, depth_multiplier=2), img,
    ["dw_k", "pw_k", "sep_b"])
run("timedist", L.TimeDistributed(L.Dense(5)), seq, ["td_k", "td_b"])
run("bilstm", L.Bidirectional(L.LSTM(4, return_sequences=True)), seq,
    ["bl_fk", "bl_fr", "bl_fb", "bl_bk", "bl_br", "bl_bb"])
run("bigru", L.Bidirectional(L.GRU(3), merge_mode="sum"), seq,
    ["bg_fk", "bg_fr", "bg_fb", "bg_bk", "bg_br", "bg_bb"])
mha = L.MultiHeadAttention(num_heads=2, key_dim=3, value_dim=4, output_shape=5)
mha(d["q"], d["v"], d["k"])
mha.set_weights([d[f"mha{i}"] for i in range(8)])
o, s = mha(d["q"], d["v"], d["k"], attention_mask=d["mask"], return_attention_scores=True)
out["mha"], out["mha_scores"] = o.numpy(), s.numpy()
att = L.Attention(use_scale=True)
att([d["q"], d["vq"]])
att.set_weights([d["att_scale"]])
out["attention"] = att([d["q"], d["vq"]], use_causal_mask=True).numpy()
run("unitnorm", L.UnitNormalization(), seq)
run("groupnorm", L.GroupNormalization(groups=3), d["img6"], ["gn_g", "gn_b"])
run("dot", L.Dot(axes=(2, 2), normalize=True), [seq, d["seq2"]])
out["gaussian_eval"] = L.GaussianNoise(0.5)(img, training=False).numpy()

yt, yp = d["y_true"], d["y_pred"]
for name in ["KLDivergence", "CosineSimilarity", "Hinge", "SquaredHinge", "CategoricalHinge",
             "LogCosh", "Poisson", "MeanSquaredLogarithmicError",
             "MeanAbsolutePercentageError"]:
    out["loss_" + name] = np.asarray(getattr(tf.keras.losses, name)()(yt, yp))
out["loss_hinge_pm"] = np.asarray(tf.keras.losses.Hinge()(d["y_pm"], yp))
out["loss_weighted_poisson"] = np.asarray(tf.keras.losses.Poisson()(yt, yp,
                                                                     sample_weight=d["sw"]))
M = tf.keras.metrics
logits, onehot, labels = d["logits"], d["onehot"], d["labels"]
metrics = {"top2": (M.TopKCategoricalAccuracy(k=2), onehot, logits),
           "stop3": (M.SparseTopKCategoricalAccuracy(k=3), labels, logits),
           "rmse": (M.RootMeanSquaredError(), yt, yp),
           "f1_none": (M.F1Score(), onehot, logits),
           "f1_macro": (M.F1Score(average="macro", threshold=0.2), onehot, d["probs"]),
           "f1_micro": (M.F1Score(average="micro"), onehot, logits),
           "f1_weighted": (M.F1Score(average="weighted"), onehot, logits),
           "r2": (M.R2Score(), yt, yp)}
for key, (m, a, b) in metrics.items():
    half = len(a) // 2
    m.update_state(a[:half], b[:half])
    m.update_state(a[half:], b[half:])
    out["metric_" + key] = np.asarray(m.result())

for name in ["Adadelta", "Adamax", "Nadam", "Lion"]:
    v = tf.Variable(d["w0"])
    opt = getattr(tf.keras.optimizers, name)(learning_rate=0.05, weight_decay=0.01)
    for g in d["grads"]:
        opt.apply_gradients([(tf.constant(g), v)])
    out["opt_" + name] = v.numpy()
np.savez(sys.argv[2], **out)
'''


def _f32(a):
    return np.asarray(a, np.float32)


def _np(t):
    return t.detach().numpy() if isinstance(t, ember.Tensor) else np.asarray(t)


def _weights(layer, names, store):
    for name, w in zip(names, layer.get_weights()):
        store[name] = w


@pytest.fixture(scope="module")
def parity(tmp_path_factory):
    """(ours, reference) dicts of arrays."""
    if importlib.util.find_spec("tensorflow") is None:
        pytest.skip("TensorFlow is not installed")
    tmp = tmp_path_factory.mktemp("keras_api_tf")
    rng = np.random.default_rng(0)
    ember.manual_seed(0)
    d = {"img": _f32(rng.normal(size=(2, 5, 6, 3))), "seq": _f32(rng.normal(size=(2, 4, 3))),
         "seq2": _f32(rng.normal(size=(2, 5, 3))), "vec": _f32(rng.normal(size=(4, 3))),
         "adapt": _f32(rng.normal(2.0, 3.0, size=(50, 3))),
         "img6": _f32(rng.normal(size=(2, 4, 3, 6))),
         "q": _f32(rng.normal(size=(2, 4, 6))), "v": _f32(rng.normal(size=(2, 5, 7))),
         "k": _f32(rng.normal(size=(2, 5, 8))), "vq": _f32(rng.normal(size=(2, 4, 6))),
         "mask": rng.random((2, 4, 5)) > 0.3}
    d["mask"][:, :, 0] = True   # every query sees at least one key
    ours, w = {}, d
    img, seq, vec = d["img"], d["seq"], d["vec"]
    ours["leaky"] = layers.LeakyReLU(negative_slope=0.2)(img)
    ours["elu"] = layers.ELU(alpha=0.7)(img)
    prelu = layers.PReLU(alpha_initializer="random_normal", shared_axes=[1, 2])
    ours["prelu"] = prelu(img)
    w["prelu_a"] = prelu.get_weights()[0]
    ours["rescaling"] = layers.Rescaling(1 / 255.0, offset=-1.0)(img)
    norm = layers.Normalization()
    norm.adapt(d["adapt"])
    ours["normalization"] = norm(vec)
    ours["permute"] = layers.Permute((3, 1, 2))(img)
    ours["repeat"] = layers.RepeatVector(3)(vec)
    ours["up_nearest"] = layers.UpSampling2D((2, 3))(img)
    ours["up_bilinear"] = layers.UpSampling2D(2, interpolation="bilinear")(img)
    ours["zeropad"] = layers.ZeroPadding2D(((1, 2), (0, 1)))(img)
    ours["crop"] = layers.Cropping2D(((1, 0), (2, 1)))(img)
    ours["resize_bilinear"] = layers.Resizing(4, 9)(img)
    ours["resize_nearest"] = layers.Resizing(9, 4, interpolation="nearest")(img)
    ours["resize_crop"] = layers.Resizing(4, 4, crop_to_aspect_ratio=True)(img)
    ours["centercrop"] = layers.CenterCrop(3, 4)(img)
    ct = layers.Conv2DTranspose(4, 3, strides=2, padding="same", bias_initializer="he_normal")
    ours["convt_same"] = ct(img)
    w["ct_k"], w["ct_b"] = ct.get_weights()
    ct_valid = layers.Conv2DTranspose(4, 3, strides=2)
    ct_valid(img)
    ct_valid.set_weights([w["ct_k"], w["ct_b"]])
    ours["convt_valid"] = ct_valid(img)
    ct1 = layers.Conv2DTranspose(4, 1, strides=2)
    ct1(img)
    w["ct1_k"] = ct1.get_weights()[0]
    ct1.set_weights([w["ct1_k"], w["ct_b"]])
    ours["convt_small"] = ct1(img)
    ct4 = layers.Conv2DTranspose(4, 4, strides=2, padding="same")
    ct4(img)
    w["ct4_k"] = ct4.get_weights()[0]
    ct4.set_weights([w["ct4_k"], w["ct_b"]])
    ours["convt_even"] = ct4(img)
    dw = layers.DepthwiseConv2D(3, depth_multiplier=2, padding="same",
                                bias_initializer="he_normal")
    ours["depthwise"] = dw(img)
    w["dw_k"], w["dw_b"] = dw.get_weights()
    sep = layers.SeparableConv2D(5, 3, strides=2, depth_multiplier=2,
                                 bias_initializer="he_normal")
    sep(img)
    w["pw_k"], w["sep_b"] = sep.get_weights()[1:]
    sep.set_weights([w["dw_k"], w["pw_k"], w["sep_b"]])
    ours["separable"] = sep(img)
    td = layers.TimeDistributed(layers.Dense(5, bias_initializer="he_normal"))
    ours["timedist"] = td(seq)
    w["td_k"], w["td_b"] = td.get_weights()
    bl = layers.Bidirectional(layers.LSTM(4, return_sequences=True,
                                          bias_initializer="random_normal"))
    ours["bilstm"] = bl(seq)
    _weights(bl, ["bl_fk", "bl_fr", "bl_fb", "bl_bk", "bl_br", "bl_bb"], w)
    bg = layers.Bidirectional(layers.GRU(3, bias_initializer="random_normal"),
                              merge_mode="sum")
    ours["bigru"] = bg(seq)
    _weights(bg, ["bg_fk", "bg_fr", "bg_fb", "bg_bk", "bg_br", "bg_bb"], w)
    mha = layers.MultiHeadAttention(num_heads=2, key_dim=3, value_dim=4, output_shape=5,
                                    bias_initializer="random_normal")
    o, s = mha(d["q"], d["v"], d["k"], attention_mask=d["mask"], return_attention_scores=True)
    ours["mha"], ours["mha_scores"] = o, s
    for i, a in enumerate(mha.get_weights()):
        w[f"mha{i}"] = a
    att = layers.Attention(use_scale=True)
    att([d["q"], d["vq"]])
    att.set_weights([np.float32(1.7)])
    w["att_scale"] = np.asarray(1.7, np.float32)
    ours["attention"] = att([d["q"], d["vq"]], use_causal_mask=True)
    ours["unitnorm"] = layers.UnitNormalization()(seq)
    gn = layers.GroupNormalization(groups=3, gamma_initializer="random_normal",
                                   beta_initializer="random_normal")
    ours["groupnorm"] = gn(d["img6"])
    w["gn_g"], w["gn_b"] = gn.get_weights()
    ours["dot"] = layers.Dot(axes=(2, 2), normalize=True)([seq, d["seq2"]])
    ours["gaussian_eval"] = layers.GaussianNoise(0.5)(img, training=False)

    # Losses and metrics.
    d["y_true"] = _f32(rng.random((8, 3)))
    d["y_pred"] = _f32(rng.random((8, 3)) + 0.05)
    d["y_pm"] = _f32(np.sign(rng.normal(size=(8, 3))))
    d["sw"] = _f32(rng.random(8))
    for name in ["KLDivergence", "CosineSimilarity", "Hinge", "SquaredHinge",
                 "CategoricalHinge", "LogCosh", "Poisson", "MeanSquaredLogarithmicError",
                 "MeanAbsolutePercentageError"]:
        ours["loss_" + name] = getattr(keras.losses, name)()(d["y_true"], d["y_pred"])
    ours["loss_hinge_pm"] = keras.losses.Hinge()(d["y_pm"], d["y_pred"])
    ours["loss_weighted_poisson"] = keras.losses.Poisson()(d["y_true"], d["y_pred"],
                                                           sample_weight=d["sw"])
    d["logits"] = _f32(rng.normal(size=(20, 4)))
    d["labels"] = rng.integers(0, 4, 20)
    d["onehot"] = _f32(np.eye(4)[d["labels"]])
    d["probs"] = _f32(rng.random((20, 4)))
    M = keras.metrics
    metrics = {"top2": (M.TopKCategoricalAccuracy(k=2), d["onehot"], d["logits"]),
               "stop3": (M.SparseTopKCategoricalAccuracy(k=3), d["labels"], d["logits"]),
               "rmse": (M.RootMeanSquaredError(), d["y_true"], d["y_pred"]),
               "f1_none": (M.F1Score(), d["onehot"], d["logits"]),
               "f1_macro": (M.F1Score(average="macro", threshold=0.2), d["onehot"], d["probs"]),
               "f1_micro": (M.F1Score(average="micro"), d["onehot"], d["logits"]),
               "f1_weighted": (M.F1Score(average="weighted"), d["onehot"], d["logits"]),
               "r2": (M.R2Score(), d["y_true"], d["y_pred"])}
    for key, (m, a, b) in metrics.items():
        half = len(a) // 2
        m.update_state(a[:half], b[:half])
        m.update_state(a[half:], b[half:])
        ours["metric_" + key] = np.asarray(m.result())

    # Optimizer trajectories: 5 steps of fixed gradients, decoupled weight decay.
    d["w0"] = _f32(rng.normal(size=(3, 2)))
    d["grads"] = _f32(rng.normal(size=(5, 3, 2)))
    for name in ["Adadelta", "Adamax", "Nadam", "Lion"]:
        v = ember.nn.Parameter(ember.from_numpy(d["w0"].copy()))
        opt = getattr(keras.optimizers, name)(learning_rate=0.05, weight_decay=0.01)
        for g in d["grads"]:
            opt.apply_gradients([(ember.from_numpy(g), v)])
        ours["opt_" + name] = v

    np.savez(tmp / "in.npz", **d)
    script = tmp / "tf_ref.py"
    script.write_text(_TF_SCRIPT)
    run = subprocess.run([sys.executable, str(script), str(tmp / "in.npz"),
                          str(tmp / "out.npz")], capture_output=True, text=True, timeout=600)
    if run.returncode != 0:
        pytest.fail(f"the TensorFlow reference failed:\n{run.stderr[-3000:]}")
    ref = dict(np.load(tmp / "out.npz"))
    return {k: _np(v) for k, v in ours.items()}, ref


_KEYS = ["leaky", "elu", "prelu", "rescaling", "normalization", "permute", "repeat",
         "up_nearest", "up_bilinear", "zeropad", "crop", "resize_bilinear", "resize_nearest",
         "resize_crop", "centercrop", "convt_same", "convt_valid", "convt_small", "convt_even",
         "depthwise", "separable", "timedist", "bilstm", "bigru", "mha", "mha_scores",
         "attention", "unitnorm", "groupnorm", "dot", "gaussian_eval"]
_LOSSES = ["loss_" + n for n in ["KLDivergence", "CosineSimilarity", "Hinge", "SquaredHinge",
                                 "CategoricalHinge", "LogCosh", "Poisson",
                                 "MeanSquaredLogarithmicError", "MeanAbsolutePercentageError"]]
_LOSSES += ["loss_hinge_pm", "loss_weighted_poisson"]
_METRICS = ["metric_" + n for n in ["top2", "stop3", "rmse", "f1_none", "f1_macro",
                                    "f1_micro", "f1_weighted", "r2"]]
_OPTS = ["opt_" + n for n in ["Adadelta", "Adamax", "Nadam", "Lion"]]


@pytest.mark.parametrize("key", _KEYS + _LOSSES + _METRICS + _OPTS)
def test_matches_tensorflow_keras(parity, key):
    ours, ref = parity
    assert ours[key].shape == ref[key].shape, (key, ours[key].shape, ref[key].shape)
    np.testing.assert_allclose(ours[key], ref[key], rtol=2e-4, atol=2e-5, err_msg=key)
