"""The keras API additions inside models: gradients reach every new layer's weights in a
traced fit, save / load round trips, training-only behaviour, and clear errors."""

import numpy as np
import pytest

from ember import keras
from ember.keras import layers


def _f32(a):
    return np.asarray(a, np.float32)


def _rng(seed=0):
    return np.random.default_rng(seed)


def _image_model():
    keras.utils.set_random_seed(0)
    return keras.Sequential([
        keras.Input((6, 6, 3)),
        layers.Rescaling(0.5),
        layers.RandomFlip("horizontal"),
        layers.GaussianNoise(0.01),
        layers.ZeroPadding2D(1),
        layers.DepthwiseConv2D(3, depth_multiplier=2),
        layers.PReLU(shared_axes=[1, 2], alpha_initializer="random_normal"),
        layers.Conv2DTranspose(4, 3, strides=2, padding="same"),
        layers.GroupNormalization(groups=2),
        layers.Cropping2D(2),
        layers.SpatialDropout2D(0.1),
        layers.SeparableConv2D(4, 3, padding="same"),
        layers.UpSampling2D(interpolation="bilinear"),
        layers.LeakyReLU(),
        layers.Resizing(4, 4),
        layers.Flatten(),
        layers.Dense(3),
    ])


def _sequence_model():
    keras.utils.set_random_seed(1)
    x = keras.Input((5, 4))
    h = layers.Bidirectional(layers.LSTM(3, return_sequences=True))(x)
    h = layers.TimeDistributed(layers.Dense(6))(h)
    a = layers.MultiHeadAttention(num_heads=2, key_dim=3)(h, h)
    h = layers.Add()([h, a])
    h = layers.UnitNormalization()(h)
    h = layers.Lambda(_double)(h)
    att = layers.Attention(use_scale=True)([h, h])
    h = layers.Permute((2, 1))(att)
    h = layers.Bidirectional(layers.GRU(2), merge_mode="ave")(h)
    h = layers.RepeatVector(2)(h)
    h = layers.Flatten()(h)
    dot = layers.Dot(axes=1)([h, h])
    out = layers.Concatenate()([layers.ELU()(h), dot, layers.Identity()(h)])
    out = layers.Dense(1)(out)
    return keras.Model(x, out)


def _double(t):
    return t * 2.0


@pytest.mark.parametrize("make,x_shape,y_dim", [(_image_model, (8, 6, 6, 3), 3),
                                                (_sequence_model, (8, 5, 4), 1)])
def test_fit_moves_every_trainable_weight(make, x_shape, y_dim):
    model = make()
    x = _f32(_rng().normal(size=x_shape))
    y = _f32(_rng(1).normal(size=(x_shape[0], y_dim)))
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    before = [w.copy() for w in model.get_weights()]
    names = [p.name if hasattr(p, "name") else str(i)
             for i, p in enumerate(model.trainable_variables)]
    history = model.fit(x, y, epochs=3, batch_size=4, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))
    after = model.get_weights()
    trainable = {id(p) for p in model.trainable_variables}
    moved = [not np.array_equal(b, a) for b, a, p in zip(before, after, model.weights)
             if id(p) in trainable]
    assert len(moved) == len(names) and all(moved), moved


def test_save_load_round_trip_with_new_layers(tmp_path):
    model = _sequence_model()
    model.compile(optimizer=keras.optimizers.Nadam(0.01), loss="log_cosh",
                  metrics=[keras.metrics.RootMeanSquaredError()])
    x = _f32(_rng(2).normal(size=(6, 5, 4)))
    model.fit(x, _f32(_rng(3).normal(size=(6, 1))), epochs=1, verbose=0)
    path = tmp_path / "m.keras"
    model.save(path)
    with pytest.raises(ValueError, match=r"\[Lambda\] function '_double' is unknown"):
        keras.models.load_model(path)
    loaded = keras.models.load_model(path, custom_objects={"_double": _double})
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-6)
    assert isinstance(loaded.optimizer, keras.optimizers.Nadam)

    image = _image_model()
    image.compile(optimizer="lion", loss=keras.losses.Huber(),
                  metrics=[keras.metrics.TopKCategoricalAccuracy(k=2)])
    xi = _f32(_rng(4).normal(size=(4, 6, 6, 3)))
    image.fit(xi, _f32(np.eye(3)[[0, 1, 2, 0]]), epochs=1, verbose=0)
    image.save(tmp_path / "img.keras")
    back = keras.models.load_model(tmp_path / "img.keras")
    np.testing.assert_allclose(back.predict(xi, verbose=0), image.predict(xi, verbose=0),
                               rtol=1e-5, atol=1e-6)
    config, _ = keras.saving.read_archive(str(tmp_path / "img.keras"))
    assert config["compile_config"]["metrics"] == [
        {"class_name": "TopKCategoricalAccuracy",
         "config": {"k": 2, "name": "top_k_categorical_accuracy"}}]


def test_normalization_round_trip_keeps_adapted_statistics(tmp_path):
    data = _f32(_rng(5).normal(3.0, 2.0, size=(100, 4)))
    norm = layers.Normalization()
    norm.adapt(data)
    model = keras.Sequential([keras.Input((4,)), norm, layers.Dense(1)])
    model.save(tmp_path / "n.keras")
    back = keras.models.load_model(tmp_path / "n.keras")
    np.testing.assert_allclose(back.predict(data, verbose=0), model.predict(data, verbose=0),
                               rtol=1e-5, atol=1e-5)
    ref = (data.astype(np.float64) - data.mean(0)) / data.std(0)
    np.testing.assert_allclose(norm(data).numpy(), ref, rtol=1e-4, atol=1e-4)
    inv = layers.Normalization(mean=[1.0, 2.0], variance=[4.0, 9.0], invert=True)
    np.testing.assert_allclose(inv(_f32([[1.0, 1.0]])).numpy(), [[3.0, 5.0]], rtol=1e-6)


def test_random_layers_only_in_training():
    x = _f32(_rng(6).normal(size=(64, 3, 4, 2)))
    flip = layers.RandomFlip("horizontal")
    np.testing.assert_array_equal(flip(x, training=False).numpy(), x)
    y = flip(x, training=True).numpy()
    flipped = [np.array_equal(y[i], x[i, :, ::-1]) for i in range(64)]
    same = [np.array_equal(y[i], x[i]) for i in range(64)]
    assert all(f or s for f, s in zip(flipped, same)) and 10 < sum(flipped) < 54
    drop = layers.SpatialDropout2D(0.5)
    z = drop(x, training=True).numpy()
    for i in range(64):
        for c in range(2):
            channel = z[i, :, :, c]
            assert np.all(channel == 0) or np.allclose(channel, 2 * x[i, :, :, c])
    np.testing.assert_array_equal(drop(x, training=False).numpy(), x)
    noise = layers.GaussianNoise(1.0)
    assert np.abs(noise(x, training=True).numpy() - x).std() > 0.5
    np.testing.assert_array_equal(noise(x, training=False).numpy(), x)


def test_conv2d_transpose_against_numpy_scatter():
    """Transposed conv = scatter of kernel-weighted inputs (float64), then Keras's crop."""
    rng = _rng(7)
    x = _f32(rng.normal(size=(1, 3, 4, 2)))
    layer = layers.Conv2DTranspose(3, (3, 2), strides=(2, 3), padding="valid",
                                   bias_initializer="he_normal")
    y = layer(x).numpy()
    k, b = layer.get_weights()
    kh, kw = 3, 2
    full = np.zeros((1, (3 - 1) * 2 + kh, (4 - 1) * 3 + kw, 3))
    for i in range(3):
        for j in range(4):
            full[0, i * 2:i * 2 + kh, j * 3:j * 3 + kw] += np.einsum(
                "c,hwoc->hwo", x[0, i, j].astype(np.float64), k)
    ref = np.zeros((1, 3 * 2 + max(kh - 2, 0), 4 * 3 + max(kw - 3, 0), 3))
    ref[:, :full.shape[1], :full.shape[2]] = full[:, :ref.shape[1], :ref.shape[2]]
    np.testing.assert_allclose(y, ref + b, rtol=1e-5, atol=1e-5)


def test_clear_errors_name_the_layer_and_shapes():
    mha = layers.MultiHeadAttention(2, 4, name="att")
    with pytest.raises(ValueError, match=r"\[MultiHeadAttention\] layer 'att': key of shape "
                                         r"\(2, 5, 3\) and value of shape \(2, 6, 3\)"):
        mha(np.zeros((2, 4, 3), np.float32), np.zeros((2, 6, 3), np.float32),
            np.zeros((2, 5, 3), np.float32))
    mha2 = layers.MultiHeadAttention(2, 4, name="att2")
    with pytest.raises(ValueError, match=r"attention_mask of shape \(2, 4, 4\) does not "
                                         r"match \(batch, 4, 6\)"):
        mha2(np.zeros((2, 4, 3), np.float32), np.zeros((2, 6, 3), np.float32),
             attention_mask=np.ones((2, 4, 4), bool))
    with pytest.raises(ValueError, match=r"\[Conv2DTranspose\] layer 'up' expects inputs of "
                                         r"rank 4 .* got input shape \(None, 3\)"):
        layers.Conv2DTranspose(2, 3, name="up")(np.zeros((1, 3), np.float32))
    with pytest.raises(ValueError, match=r"\[Dot\] layer 'd': axes 1 of input shapes "
                                         r"\[\(None, 3\), \(None, 4\)\]"):
        layers.Dot(1, name="d")([np.zeros((2, 3), np.float32), np.zeros((2, 4), np.float32)])
    with pytest.raises(ValueError, match=r"\[GroupNormalization\] layer 'g': groups \(4\) "
                                         r"must divide the 6 channels"):
        layers.GroupNormalization(4, name="g")(np.zeros((1, 2, 2, 6), np.float32))
    with pytest.raises(ValueError, match=r"\[Normalization\] pass both mean and variance"):
        layers.Normalization(mean=[0.0])
    with pytest.raises(ValueError, match=r"\[Bidirectional\] expects a recurrent layer"):
        layers.Bidirectional(layers.Dense(2))
    with pytest.raises(ValueError, match=r"\[Cropping2D\] layer 'c': cropping"):
        layers.Cropping2D(2, name="c")(np.zeros((1, 4, 5, 1), np.float32))
    model = keras.Sequential([keras.Input((2,)), layers.Lambda(lambda t: t + 1)])
    with pytest.raises(ValueError, match=r"\[Lambda\] layer '.*' wraps an anonymous lambda"):
        model.to_json()
    dense = layers.Dense(2, name="dd")
    dense(np.zeros((1, 3), np.float32))
    with pytest.raises(ValueError, match=r"\[Dense\] layer 'dd' expects inputs with last "
                                         r"dimension 3"):
        layers.TimeDistributed(dense)(np.zeros((1, 2, 4), np.float32))


def test_bidirectional_return_state_and_merge_none():
    seq = _f32(_rng(8).normal(size=(2, 4, 3)))
    bi = layers.Bidirectional(layers.LSTM(2, return_state=True), merge_mode=None)
    out = bi(seq)
    assert len(out) == 6   # [forward, backward] + forward (h, c) + backward (h, c)
    np.testing.assert_allclose(out[0].numpy(), out[2].numpy())
    np.testing.assert_allclose(out[1].numpy(), out[4].numpy())
    assert [w.shape for w in bi.get_weights()] == [(3, 8), (2, 8), (8,)] * 2


def test_random_layers_draw_fresh_values_in_traced_steps():
    import ember
    noise, flip = layers.GaussianNoise(1.0), layers.RandomFlip()
    drop = layers.SpatialDropout2D(0.5)
    step = ember.function(lambda x: (noise(x, training=True), flip(x, training=True),
                                     drop(x, training=True)))
    x = ember.from_numpy(_f32(_rng(9).normal(size=(16, 3, 3, 2))))
    runs = [[t.numpy() for t in step(x)] for _ in range(3)]
    for i in range(3):
        assert not (np.array_equal(runs[0][i], runs[1][i]) and
                    np.array_equal(runs[1][i], runs[2][i])), i
