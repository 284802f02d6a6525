"""ember.keras layers: convolution, pooling, normalization, dropout, embedding, recurrent
and merge layers against NumPy (float64) references and PyTorch where installed."""

import numpy as np
import pytest

import ember
from ember import keras
from ember.keras import layers, regularizers

from helpers import requires_torch, torch


def _rng(seed=0):
    return np.random.default_rng(seed)


def _f32(a):
    return np.asarray(a, np.float32)


def _conv2d_ref(x, k, b, stride, pads, dilation):
    """NumPy float64 channels_last conv: x (N,H,W,C), k (kh,kw,C,O), pads ((t,b),(l,r))."""
    x = np.pad(x.astype(np.float64), ((0, 0), pads[0], pads[1], (0, 0)))
    kh, kw, _, o = k.shape
    n, h, w, _ = x.shape
    eh, ew = (kh - 1) * dilation[0] + 1, (kw - 1) * dilation[1] + 1
    oh, ow = (h - eh) // stride[0] + 1, (w - ew) // stride[1] + 1
    out = np.zeros((n, oh, ow, o))
    for i in range(oh):
        for j in range(ow):
            patch = x[:, i * stride[0]:i * stride[0] + eh:dilation[0],
                      j * stride[1]:j * stride[1] + ew:dilation[1], :]
            out[:, i, j, :] = np.einsum("nhwc,hwco->no", patch, k)
    return out + b


@pytest.mark.parametrize("padding,strides,dilation", [
    ("valid", 1, 1), ("same", 1, 1), ("same", 2, 1), ("valid", 2, 1), ("same", 1, 2),
    ("valid", (1, 2), 1)])
def test_conv2d_channels_last_against_numpy(padding, strides, dilation):
    ember.manual_seed(0)
    x = _f32(_rng().normal(size=(2, 7, 8, 3)))
    layer = layers.Conv2D(4, (3, 2), strides=strides, padding=padding, dilation_rate=dilation,
                          bias_initializer="he_normal")
    y = layer(x).detach().numpy()
    k, b = layer.get_weights()
    assert k.shape == (3, 2, 3, 4) and b.shape == (4,)
    st = (strides,) * 2 if isinstance(strides, int) else strides
    dl = (dilation, dilation)
    if padding == "same":
        from ember.keras.layers.conv import same_padding
        pads = tuple(same_padding(s, kk, ss, d) for s, kk, ss, d in
                     zip((7, 8), (3, 2), st, dl))
    else:
        pads = ((0, 0), (0, 0))
    ref = _conv2d_ref(x, k, b, st, pads, dl)
    assert y.shape == ref.shape
    if padding == "same":
        assert y.shape[1:3] == (-(-7 // st[0]), -(-8 // st[1]))
    np.testing.assert_allclose(y, ref, rtol=1e-4, atol=1e-4)


@requires_torch
def test_conv2d_matches_torch_with_permuted_weights():
    ember.manual_seed(1)
    x = _f32(_rng(1).normal(size=(3, 9, 9, 5)))
    layer = layers.Conv2D(6, 3, strides=2, padding="valid", activation="relu")
    y = layer(x).detach().numpy()
    k, b = layer.get_weights()
    conv = torch.nn.Conv2d(5, 6, 3, stride=2)
    with torch.no_grad():
        conv.weight.copy_(torch.from_numpy(k.transpose(3, 2, 0, 1).copy()))
        conv.bias.copy_(torch.from_numpy(b))
        ref = torch.relu(conv(torch.from_numpy(x).permute(0, 3, 1, 2))).permute(0, 2, 3, 1)
    np.testing.assert_allclose(y, ref.detach().numpy(), rtol=1e-4, atol=1e-5)


def test_conv2d_channels_first_and_gradient():
    ember.manual_seed(2)
    x = _f32(_rng(2).normal(size=(2, 3, 6, 6)))
    last = layers.Conv2D(2, 3, padding="same")
    first = layers.Conv2D(2, 3, padding="same", data_format="channels_first")
    y_last = last(x.transpose(0, 2, 3, 1)).detach().numpy()
    first(x)
    first.set_weights(last.get_weights())
    np.testing.assert_allclose(first(x).detach().numpy(), y_last.transpose(0, 3, 1, 2), rtol=1e-5,
                               atol=1e-5)
    # Gradient of sum(y) w.r.t. the kernel: sum over positions of the padded patches.
    last(ember.tensor(x.transpose(0, 2, 3, 1).copy())).sum().backward()
    g = last.kernel.grad.detach().numpy()
    xp = np.pad(x.transpose(0, 2, 3, 1).astype(np.float64), ((0, 0), (1, 1), (1, 1), (0, 0)))
    ref = np.zeros((3, 3, 3, 2))
    for i in range(3):
        for j in range(3):
            ref[i, j, :, :] = xp[:, i:i + 6, j:j + 6, :].sum((0, 1, 2))[:, None]
    np.testing.assert_allclose(g, ref, rtol=1e-4, atol=1e-4)


def test_conv1d_valid_same_causal():
    ember.manual_seed(3)
    x = _f32(_rng(3).normal(size=(2, 10, 3)))
    for padding, pad in (("valid", (0, 0)), ("same", (1, 1)), ("causal", (2, 0))):
        layer = layers.Conv1D(4, 3, padding=padding)
        y = layer(x).detach().numpy()
        k, b = layer.get_weights()
        xp = np.pad(x.astype(np.float64), ((0, 0), pad, (0, 0)))
        ref = np.stack([np.einsum("ntc,tco->no", xp[:, t:t + 3], k)
                        for t in range(xp.shape[1] - 2)], 1) + b
        np.testing.assert_allclose(y, ref, rtol=1e-4, atol=1e-5)
    # Causal: output t sees inputs <= t only.
    layer = layers.Conv1D(1, 3, padding="causal")
    x2 = x.copy()
    x2[:, 6:] = 0
    np.testing.assert_allclose(layer(x).detach().numpy()[:, :6],
                               layer(x2).detach().numpy()[:, :6], rtol=1e-6)


def test_conv_bad_input_names_layer_and_shapes():
    with pytest.raises(ValueError, match=r"\[Conv2D\] layer 'c2' expects inputs of rank 4.*"
                                         r"\(None, 5, 3\)"):
        layers.Conv2D(2, 3, name="c2")(np.zeros((1, 5, 3), np.float32))
    with pytest.raises(ValueError, match=r"\[Conv2D\].*smaller than the kernel"):
        layers.Conv2D(2, 5)(np.zeros((1, 3, 3, 1), np.float32))
    with pytest.raises(ValueError, match=r"\[Conv2D\] padding"):
        layers.Conv2D(2, 3, padding="full")
    conv = layers.Conv2D(2, 3, name="c3")
    conv(np.zeros((1, 5, 5, 3), np.float32))
    with pytest.raises(ValueError, match=r"\[Conv2D\] layer 'c3' expects input of shape "
                                         r"\(None, 5, 5, 3\), got input of shape \(1, 5, 5, 4\)"):
        conv(np.zeros((1, 5, 5, 4), np.float32))


def _pool_ref(x, k, s, pads, fn, fill):
    x = np.pad(x.astype(np.float64), ((0, 0), pads[0], pads[1], (0, 0)), constant_values=fill)
    n, h, w, c = x.shape
    oh, ow = (h - k[0]) // s[0] + 1, (w - k[1]) // s[1] + 1
    out = np.zeros((n, oh, ow, c))
    for i in range(oh):
        for j in range(ow):
            out[:, i, j] = fn(x[:, i * s[0]:i * s[0] + k[0], j * s[1]:j * s[1] + k[1]])
    return out


@pytest.mark.parametrize("padding", ["valid", "same"])
def test_pooling_2d_against_numpy(padding):
    x = _f32(_rng(4).normal(size=(2, 7, 6, 3)))
    pads = ((0, 0), (0, 0)) if padding == "valid" else ((0, 1), (0, 0))   # 7 -> 4 rows
    mx = layers.MaxPooling2D(2, padding=padding)(x).detach().numpy()
    np.testing.assert_allclose(
        mx, _pool_ref(x, (2, 2), (2, 2), pads, lambda p: p.max((1, 2)), -np.inf), rtol=1e-6)
    av = layers.AveragePooling2D(2, padding=padding)(x).detach().numpy()
    # Keras's 'same' average counts only the real inputs of each window.
    xs = np.pad(x.astype(np.float64), ((0, 0), pads[0], pads[1], (0, 0)))
    ones = np.pad(np.ones((1,) + x.shape[1:3] + (1,)), ((0, 0), pads[0], pads[1], (0, 0)))
    ref = _pool_ref(xs, (2, 2), (2, 2), ((0, 0), (0, 0)), lambda p: p.sum((1, 2)), 0) / \
        _pool_ref(ones, (2, 2), (2, 2), ((0, 0), (0, 0)), lambda p: p.sum((1, 2)), 0)
    np.testing.assert_allclose(av, ref, rtol=1e-5, atol=1e-6)
    assert mx.shape == av.shape == ((2, 3, 3, 3) if padding == "valid" else (2, 4, 3, 3))


def test_global_pooling_and_1d_pooling():
    x = _f32(_rng(5).normal(size=(2, 4, 5, 3)))
    np.testing.assert_allclose(layers.GlobalAveragePooling2D()(x).detach().numpy(), x.mean((1, 2)),
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(layers.GlobalMaxPooling2D()(x).detach().numpy(), x.max((1, 2)),
                               rtol=1e-6)
    assert layers.GlobalAveragePooling2D(keepdims=True)(x).shape == (2, 1, 1, 3)
    s = _f32(_rng(6).normal(size=(2, 8, 3)))
    np.testing.assert_allclose(layers.MaxPooling1D(2)(s).detach().numpy(),
                               s.reshape(2, 4, 2, 3).max(2), rtol=1e-6)
    np.testing.assert_allclose(layers.GlobalAveragePooling1D()(s).detach().numpy(), s.mean(1),
                               rtol=1e-5, atol=1e-6)


def test_batch_normalization_train_and_inference():
    x = _f32(_rng(7).normal(2.0, 3.0, size=(16, 4, 4, 3)))
    bn = layers.BatchNormalization()
    bn.build((None, 4, 4, 3))
    bn.built = True
    bn.input_shape_ = (None, 4, 4, 3)
    gamma = _f32([1.0, 2.0, 0.5])
    bn.set_weights([gamma, _f32([0.1, 0.0, -0.1]), np.zeros(3, np.float32),
                    np.ones(3, np.float32)])
    y = bn(x, training=True).detach().numpy()
    x64 = x.astype(np.float64)
    mean, var = x64.mean((0, 1, 2)), x64.var((0, 1, 2))
    ref = (x64 - mean) / np.sqrt(var + 1e-3) * gamma + [0.1, 0.0, -0.1]
    np.testing.assert_allclose(y, ref, rtol=1e-4, atol=1e-4)
    # Keras's update: moving = 0.99 * moving + 0.01 * batch stat (biased variance).
    w = bn.get_weights()
    np.testing.assert_allclose(w[2], 0.01 * mean, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(w[3], 0.99 + 0.01 * var, rtol=1e-4)
    y_inf = bn(x).detach().numpy() if not bn.training else bn(x, training=False).detach().numpy()
    ref_inf = (x64 - w[2]) / np.sqrt(w[3] + 1e-3) * gamma + [0.1, 0.0, -0.1]
    np.testing.assert_allclose(y_inf, ref_inf, rtol=1e-4, atol=1e-4)
    assert [p.requires_grad for p in bn.weights] == [True, True, False, False]
    assert len(bn.trainable_weights) == 2 and len(bn.non_trainable_weights) == 2


def test_batch_norm_in_traced_fit_updates_moving_stats_like_eager():
    x = _f32(_rng(8).normal(1.0, 2.0, size=(64, 5)))
    y = _f32(_rng(9).normal(size=(64, 1)))
    results = []
    for eager in (False, True):
        ember.manual_seed(0)
        model = keras.Sequential([keras.Input(shape=(5,)), layers.Dense(4),
                                  layers.BatchNormalization(), layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse", run_eagerly=eager)
        model.fit(x, y, batch_size=16, epochs=2, verbose=0, shuffle=False)
        results.append(model.get_weights())
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    moving_var = results[0][5]
    assert not np.allclose(moving_var, 1.0)      # the moving statistics were updated
    assert keras.Sequential([keras.Input(shape=(5,)), layers.BatchNormalization()]) \
        .count_params() == 20


def test_layer_normalization_against_numpy():
    x = _f32(_rng(10).normal(size=(3, 4, 6)))
    ln = layers.LayerNormalization()
    y = ln(x).detach().numpy()
    x64 = x.astype(np.float64)
    ref = (x64 - x64.mean(-1, keepdims=True)) / np.sqrt(x64.var(-1, keepdims=True) + 1e-3)
    np.testing.assert_allclose(y, ref, rtol=1e-4, atol=1e-5)
    ln2 = layers.LayerNormalization(axis=[1, 2])
    ref2 = (x64 - x64.mean((1, 2), keepdims=True)) / np.sqrt(x64.var((1, 2), keepdims=True) +
                                                             1e-3)
    np.testing.assert_allclose(ln2(x).detach().numpy(), ref2, rtol=1e-4, atol=1e-5)
    assert ln2.gamma.shape == (4, 6)


def test_dropout_training_and_inference():
    ember.manual_seed(0)
    x = np.ones((200, 50), np.float32)
    drop = layers.Dropout(0.3)
    y = drop(x, training=True).detach().numpy()
    kept = y != 0
    assert abs(kept.mean() - 0.7) < 0.02
    np.testing.assert_allclose(y[kept], 1 / 0.7, rtol=1e-5)
    np.testing.assert_array_equal(drop(x, training=False).detach().numpy(), x)
    model = keras.Sequential([keras.Input(shape=(50,)), layers.Dropout(0.5)])
    np.testing.assert_array_equal(model.predict(x, verbose=0), x)   # inference: identity
    with pytest.raises(ValueError, match=r"\[Dropout\] rate"):
        layers.Dropout(1.0)


def test_dropout_in_traced_fit_draws_new_masks():
    ember.manual_seed(0)
    model = keras.Sequential([keras.Input(shape=(20,)), layers.Dropout(0.5),
                              layers.Dense(1, kernel_initializer="ones", use_bias=False)])
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss="mse")
    x, y = np.ones((8, 20), np.float32), np.zeros((8, 1), np.float32)
    losses = [model.train_on_batch(x, y) for _ in range(4)]
    assert len(set(np.round(losses, 5))) > 1        # a fresh mask each traced call
    assert model.evaluate(x, y, verbose=0) == pytest.approx(400.0)


def test_embedding_lookup_and_gradient():
    ember.manual_seed(0)
    emb = layers.Embedding(10, 4)
    ids = np.array([[1, 2, 2], [0, 9, 1]])
    out = emb(ids).detach().numpy()
    table = emb.get_weights()[0]
    assert table.shape == (10, 4) and np.abs(table).max() <= 0.05
    np.testing.assert_array_equal(out, table[ids])
    model = keras.Sequential([keras.Input(shape=(3,), dtype="int64"), emb,
                              layers.GlobalAveragePooling1D(), layers.Dense(1)])
    model.compile("adam", "mse")
    model.fit(ids, np.ones((2, 1)), epochs=2, verbose=0)
    moved = np.abs(emb.get_weights()[0] - table).sum(1) > 0
    np.testing.assert_array_equal(moved, np.isin(np.arange(10), ids))


def _lstm_ref(x, k, r, b, units):
    n, t, _ = x.shape
    h = np.zeros((n, units))
    c = np.zeros((n, units))
    sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    hs = []
    for s in range(t):
        z = x[:, s] @ k + h @ r + b
        i, f, g, o = (z[:, j * units:(j + 1) * units] for j in range(4))
        c = sig(f) * c + sig(i) * np.tanh(g)
        h = sig(o) * np.tanh(c)
        hs.append(h)
    return np.stack(hs, 1), h, c


def _gru_ref(x, k, r, b, units):
    n, t, _ = x.shape
    h = np.zeros((n, units))
    sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    hs = []
    for s in range(t):
        xz = x[:, s] @ k + b[0]
        inner = h @ r + b[1]
        u = units
        z = sig(xz[:, :u] + inner[:, :u])
        rr = sig(xz[:, u:2 * u] + inner[:, u:2 * u])
        hh = np.tanh(xz[:, 2 * u:] + rr * inner[:, 2 * u:])
        h = z * h + (1 - z) * hh
        hs.append(h)
    return np.stack(hs, 1), h


def test_lstm_against_numpy_and_options():
    ember.manual_seed(0)
    x = _f32(_rng(11).normal(size=(2, 5, 3)))
    lstm = layers.LSTM(4, return_sequences=True, return_state=True)
    seq, h, c = [t.detach().numpy() for t in lstm(x)]
    k, r, b = lstm.get_weights()
    assert k.shape == (3, 16) and r.shape == (4, 16) and b.shape == (16,)
    np.testing.assert_array_equal(b, np.r_[np.zeros(4), np.ones(4), np.zeros(8)])
    np.testing.assert_allclose(r @ r.T, np.eye(4), atol=1e-5)      # orthogonal
    ref_seq, ref_h, ref_c = _lstm_ref(x.astype(np.float64), k, r, b, 4)
    np.testing.assert_allclose(seq, ref_seq, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(h, ref_h, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(c, ref_c, rtol=1e-4, atol=1e-5)
    last = layers.LSTM(4)
    last(x)
    last.set_weights([k, r, b])
    np.testing.assert_allclose(last(x).detach().numpy(), ref_h, rtol=1e-4, atol=1e-5)
    with pytest.raises(ValueError, match=r"\[LSTM\] layer '.*' expects inputs of shape "
                                         r"\(batch, timesteps, features\)"):
        layers.LSTM(2)(np.zeros((2, 3), np.float32))


def test_gru_against_numpy():
    ember.manual_seed(1)
    x = _f32(_rng(12).normal(size=(3, 4, 2)))
    gru = layers.GRU(5, return_sequences=True, bias_initializer="random_normal")
    seq = gru(x).detach().numpy()
    k, r, b = gru.get_weights()
    assert b.shape == (2, 15)
    ref, _ = _gru_ref(x.astype(np.float64), k, r, b, 5)
    np.testing.assert_allclose(seq, ref, rtol=1e-4, atol=1e-5)


@requires_torch
def test_lstm_and_gru_match_torch():
    ember.manual_seed(2)
    x = _f32(_rng(13).normal(size=(2, 6, 3)))
    lstm = layers.LSTM(4, return_sequences=True)
    y = lstm(x).detach().numpy()
    k, r, b = lstm.get_weights()
    tl = torch.nn.LSTM(3, 4, batch_first=True)
    with torch.no_grad():
        tl.weight_ih_l0.copy_(torch.from_numpy(k.T.copy()))
        tl.weight_hh_l0.copy_(torch.from_numpy(r.T.copy()))
        tl.bias_ih_l0.copy_(torch.from_numpy(b))
        tl.bias_hh_l0.zero_()
        ref = tl(torch.from_numpy(x))[0].detach().numpy()
    np.testing.assert_allclose(y, ref, rtol=1e-4, atol=1e-5)
    gru = layers.GRU(4, return_sequences=True, bias_initializer="random_normal")
    y = gru(x).detach().numpy()
    k, r, b = gru.get_weights()
    # Torch's gate order is r, z, n; Keras's z, r, h.
    perm = np.r_[4:8, 0:4, 8:12]
    tg = torch.nn.GRU(3, 4, batch_first=True)
    with torch.no_grad():
        tg.weight_ih_l0.copy_(torch.from_numpy(k[:, perm].T.copy()))
        tg.weight_hh_l0.copy_(torch.from_numpy(r[:, perm].T.copy()))
        tg.bias_ih_l0.copy_(torch.from_numpy(b[0, perm].copy()))
        tg.bias_hh_l0.copy_(torch.from_numpy(b[1, perm].copy()))
        ref = tg(torch.from_numpy(x))[0].detach().numpy()
    np.testing.assert_allclose(y, ref, rtol=1e-4, atol=1e-5)


def test_lstm_classifier_fits_traced():
    ember.manual_seed(0)
    rng = _rng(14)
    x = _f32(rng.normal(size=(128, 6, 2)))
    y = (x[:, :, 0].sum(1) > 0).astype(np.float32)
    model = keras.Sequential([keras.Input(shape=(6, 2)), layers.LSTM(8),
                              layers.Dense(1, activation="sigmoid")])
    model.compile(keras.optimizers.Adam(0.02), "binary_crossentropy", metrics=["accuracy"])
    h = model.fit(x, y, batch_size=32, epochs=15, verbose=0)
    assert h.history["accuracy"][-1] > 0.9


def test_regularizers_add_to_loss():
    ember.manual_seed(0)
    x = _f32(_rng(15).normal(size=(10, 3)))
    y = _f32(_rng(16).normal(size=(10, 2)))
    model = keras.Sequential([keras.Input(shape=(3,)),
                              layers.Dense(2, kernel_regularizer=regularizers.L2(0.1),
                                           bias_regularizer="l1",
                                           bias_initializer="ones")])
    k, b = model.get_weights()
    assert len(model.losses) == 2
    penalty = 0.1 * (k.astype(np.float64) ** 2).sum() + 0.01 * np.abs(b).sum()
    np.testing.assert_allclose(sum(float(t.item()) for t in model.losses), penalty, rtol=1e-5)
    model.compile(keras.optimizers.SGD(0.0), "mse")
    mse = ((x @ k + b - y) ** 2).mean()
    np.testing.assert_allclose(model.evaluate(x, y, verbose=0), mse + penalty, rtol=1e-5)
    loss = model.train_on_batch(x, y)
    np.testing.assert_allclose(loss, mse + penalty, rtol=1e-5)
    with pytest.raises(ValueError, match=r"\[regularizers\] unknown regularizer 'l3'"):
        layers.Dense(2, kernel_regularizer="l3")


def test_initializers_by_name_and_object():
    ember.manual_seed(0)
    d = layers.Dense(400, kernel_initializer="he_normal")
    d(np.zeros((1, 300), np.float32))
    k = d.get_weights()[0]
    assert abs(k.std() - np.sqrt(2 / 300)) < 0.05 * np.sqrt(2 / 300)
    assert np.abs(k).max() <= 2 * np.sqrt(2 / 300) / 0.8796 + 1e-6      # truncated at 2 sd
    c = layers.Conv2D(8, 3, kernel_initializer=keras.initializers.Constant(0.5))
    c(np.zeros((1, 5, 5, 2), np.float32))
    assert (c.get_weights()[0] == 0.5).all()
    # glorot_uniform limit with Keras's conv fans: receptive field * channels.
    g = layers.Conv2D(16, 3)
    g(np.zeros((1, 5, 5, 8), np.float32))
    limit = np.sqrt(6 / (9 * 8 + 9 * 16))
    assert np.abs(g.get_weights()[0]).max() <= limit


def test_merge_layers():
    a = _f32(_rng(17).normal(size=(2, 3)))
    b = _f32(_rng(18).normal(size=(2, 3)))
    np.testing.assert_allclose(layers.Add()([a, b]).detach().numpy(), a + b, rtol=1e-6)
    np.testing.assert_allclose(layers.Subtract()([a, b]).detach().numpy(), a - b, rtol=1e-6)
    np.testing.assert_allclose(layers.Multiply()([a, b]).detach().numpy(), a * b, rtol=1e-6)
    np.testing.assert_allclose(layers.Average()([a, b]).detach().numpy(), (a + b) / 2, rtol=1e-6)
    np.testing.assert_allclose(layers.Maximum()([a, b]).detach().numpy(), np.maximum(a, b))
    np.testing.assert_allclose(layers.Concatenate()([a, b]).detach().numpy(), np.c_[a, b])
    with pytest.raises(ValueError, match=r"\[Add\] layer '.*' needs inputs of the same shape"):
        layers.Add()([a, np.zeros((2, 4), np.float32)])


_TF_SCRIPT = r"""
import os, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import numpy as np
import tensorflow as tf
d = dict(np.load(sys.argv[1]))
L = tf.keras.layers
out = {}
conv = L.Conv2D(4, 3, strides=2, padding="same")
conv.build((None, 7, 8, 3))
conv.set_weights([d["conv_k"], d["conv_b"]])
out["conv"] = conv(d["img"]).numpy()
out["maxpool"] = L.MaxPooling2D(2, padding="same")(d["img"]).numpy()
out["avgpool"] = L.AveragePooling2D(3, strides=2, padding="same")(d["img"]).numpy()
c1 = L.Conv1D(2, 3, padding="causal", dilation_rate=2)
c1.build((None, 9, 3))
c1.set_weights([d["c1_k"], d["c1_b"]])
out["conv1d"] = c1(d["seq"]).numpy()
gru = L.GRU(4, return_sequences=True)
gru.build((None, 9, 3))
gru.set_weights([d["gru_k"], d["gru_r"], d["gru_b"]])
out["gru"] = gru(d["seq"]).numpy()
bn = L.BatchNormalization()
bn.build((None, 7, 8, 3))
out["bn_train"] = bn(d["img"], training=True).numpy()
out["bn_moving"] = np.stack([bn.moving_mean.numpy(), bn.moving_variance.numpy()])
np.savez(sys.argv[2], **out)
"""


def test_layers_match_tensorflow_keras(tmp_path):
    """Conv2D / pooling 'same' padding, causal dilated Conv1D, GRU and BatchNormalization
    against TensorFlow's Keras, run in a subprocess (TensorFlow and PyTorch's LLVM must not
    share a process)."""
    import importlib.util
    import subprocess
    import sys
    if importlib.util.find_spec("tensorflow") is None:
        pytest.skip("TensorFlow is not installed")
    ember.manual_seed(0)
    img = _f32(_rng(20).normal(size=(2, 7, 8, 3)))
    seq = _f32(_rng(21).normal(size=(2, 9, 3)))
    conv = layers.Conv2D(4, 3, strides=2, padding="same", bias_initializer="he_normal")
    c1 = layers.Conv1D(2, 3, padding="causal", dilation_rate=2, bias_initializer="he_normal")
    gru = layers.GRU(4, return_sequences=True, bias_initializer="random_normal")
    bn = layers.BatchNormalization()
    ours = {"conv": conv(img), "maxpool": layers.MaxPooling2D(2, padding="same")(img),
            "avgpool": layers.AveragePooling2D(3, strides=2, padding="same")(img),
            "conv1d": c1(seq), "gru": gru(seq), "bn_train": bn(img, training=True)}
    ours = {k: v.detach().numpy() for k, v in ours.items()}
    ours["bn_moving"] = np.stack(bn.get_weights()[2:])
    weights = {"img": img, "seq": seq}
    for prefix, layer in (("conv", conv), ("c1", c1)):
        weights[prefix + "_k"], weights[prefix + "_b"] = layer.get_weights()
    weights["gru_k"], weights["gru_r"], weights["gru_b"] = gru.get_weights()
    np.savez(tmp_path / "in.npz", **weights)
    script = tmp_path / "tf_ref.py"
    script.write_text(_TF_SCRIPT)
    run = subprocess.run([sys.executable, str(script), str(tmp_path / "in.npz"),
                          str(tmp_path / "out.npz")], capture_output=True, text=True,
                         timeout=600)
    if run.returncode != 0:
        pytest.skip(f"TensorFlow did not run: {run.stderr.strip().splitlines()[-1:]}")
    ref = dict(np.load(tmp_path / "out.npz"))
    for key, value in ours.items():
        assert value.shape == ref[key].shape, key
        np.testing.assert_allclose(value, ref[key], rtol=1e-4, atol=1e-4, err_msg=key)
