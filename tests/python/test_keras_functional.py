"""ember.keras functional API (Input, Model(inputs, outputs), several inputs / outputs,
shared layers, nested models), subclassed models, summary and weights."""

import numpy as np
import pytest

import ember
from ember import keras
from ember.keras import layers


def _rng(seed=0):
    return np.random.default_rng(seed)


def _f32(a):
    return np.asarray(a, np.float32)


def test_functional_mlp_matches_numpy_and_fits():
    ember.manual_seed(0)
    inputs = keras.Input(shape=(4,), name="features")
    assert inputs.shape == (None, 4)
    h = layers.Dense(8, activation="relu", name="hidden")(inputs)
    assert h.shape == (None, 8)
    outputs = layers.Dense(1, name="out")(h)
    model = keras.Model(inputs=inputs, outputs=outputs, name="mlp")
    assert isinstance(model, keras.models.Functional) and model.built
    assert [la.name for la in model.layers] == ["features", "hidden", "out"]
    x = _f32(_rng().normal(size=(20, 4)))
    k1, b1, k2, b2 = model.get_weights()
    ref = np.maximum(x @ k1 + b1, 0) @ k2 + b2
    np.testing.assert_allclose(model.predict(x, verbose=0), ref, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model(x).detach().numpy(), ref, rtol=1e-5, atol=1e-6)
    assert sorted(model.state_dict()) == ["hidden.bias", "hidden.kernel", "out.bias",
                                          "out.kernel"]
    y = x.sum(1, keepdims=True)
    model.compile(keras.optimizers.Adam(0.01), "mse")
    h = model.fit(x, y, epochs=30, batch_size=8, verbose=0)
    assert h.history["loss"][-1] < 0.5 * h.history["loss"][0]


def test_two_inputs_two_outputs_with_dicts_and_loss_weights():
    ember.manual_seed(1)
    a = keras.Input(shape=(3,), name="a")
    b = keras.Input(shape=(2,), name="b")
    merged = layers.Concatenate()([a, b])
    shared = layers.Dense(6, activation="tanh", name="trunk")(merged)
    reg = layers.Dense(1, name="reg")(shared)
    cls = layers.Dense(3, activation="softmax", name="cls")(shared)
    model = keras.Model([a, b], [reg, cls])
    rng = _rng(1)
    xa, xb = _f32(rng.normal(size=(40, 3))), _f32(rng.normal(size=(40, 2)))
    yr = _f32(rng.normal(size=(40, 1)))
    yc = rng.integers(0, 3, 40)
    model.compile("adam", loss={"reg": "mse", "cls": "sparse_categorical_crossentropy"},
                  loss_weights={"reg": 0.5, "cls": 2.0}, metrics={"cls": ["accuracy"]})
    assert model.metrics_names == ["loss", "reg_loss", "cls_loss", "cls_accuracy"]
    logs = model.evaluate({"a": xa, "b": xb}, {"reg": yr, "cls": yc}, verbose=0,
                          return_dict=True)
    pr, pc = model.predict([xa, xb], verbose=0)
    mse = ((pr - yr) ** 2).mean()
    ce = -np.log(np.clip(pc[np.arange(40), yc], 1e-7, 1)).mean()
    np.testing.assert_allclose(logs["reg_loss"], mse, rtol=1e-5)
    np.testing.assert_allclose(logs["cls_loss"], ce, rtol=1e-5)
    np.testing.assert_allclose(logs["loss"], 0.5 * mse + 2.0 * ce, rtol=1e-5)
    np.testing.assert_allclose(logs["cls_accuracy"], (pc.argmax(1) == yc).mean(), rtol=1e-6)
    h = model.fit([xa, xb], [yr, yc], epochs=3, batch_size=16, verbose=0)
    assert sorted(h.history) == ["cls_accuracy", "cls_loss", "loss", "reg_loss"]


def test_shared_layer_and_nested_model():
    ember.manual_seed(2)
    encoder_in = keras.Input(shape=(4,))
    encoder = keras.Model(encoder_in, layers.Dense(2, name="code")(encoder_in), name="enc")
    left, right = keras.Input(shape=(4,), name="left"), keras.Input(shape=(4,), name="right")
    shared = layers.Dense(4, name="shared")
    dist = layers.Subtract()([encoder(shared(left)), encoder(shared(right))])
    model = keras.Model([left, right], dist)
    # One copy of the shared weights: shared (4*4+4) + encoder (4*2+2).
    assert model.count_params() == 20 + 10
    x1, x2 = _f32(_rng(3).normal(size=(5, 4))), _f32(_rng(4).normal(size=(5, 4)))
    ks, bs, kc, bc = model.get_weights()
    enc = lambda v: (v @ ks + bs) @ kc + bc  # noqa: E731
    np.testing.assert_allclose(model.predict([x1, x2], verbose=0), enc(x1) - enc(x2),
                               rtol=1e-4, atol=1e-5)
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert "Connected to" in text and "shared (Dense)" in text and "enc (Functional)" in text
    assert "Total params: 30" in text


def test_functional_errors():
    a = keras.Input(shape=(3,), name="in_a")
    b = keras.Input(shape=(3,), name="in_b")
    out = layers.Add()([a, b])
    with pytest.raises(ValueError, match=r"depend on the input 'in_b'"):
        keras.Model(a, out)
    with pytest.raises(TypeError, match=r"\[KerasTensor\] arithmetic"):
        a + b
    model = keras.Model([a, b], out)
    with pytest.raises(ValueError, match=r"input 'in_b' expects shape \(None, 3\), got input "
                                         r"of shape \(2, 4\)"):
        model.predict([np.zeros((2, 3)), np.zeros((2, 4))], verbose=0)
    with pytest.raises(ValueError, match=r"has 2 inputs"):
        model.predict(np.zeros((2, 3)), verbose=0)
    with pytest.raises(ValueError, match=r"\[Dense\] layer 'bad' needs inputs"):
        layers.Dense(2, name="bad")([a, b])
    assert keras.Input(shape=(None, 3)).shape == (None, None, 3)   # a variable dim
    with pytest.raises(ValueError, match=r"\[Input\] shape entries must be sizes >= 0 or None"):
        keras.Input(shape=(-1, 3))


def test_subclassed_model_with_call_and_training_flag():
    class Net(keras.Model):
        def __init__(self):
            super().__init__(name="net")
            self.d1 = layers.Dense(8, activation="relu")
            self.drop = layers.Dropout(0.5)
            self.d2 = layers.Dense(1)

        def call(self, x, training=None):
            return self.d2(self.drop(self.d1(x), training=training))

    ember.manual_seed(3)
    net = Net()
    x = _f32(_rng(5).normal(size=(64, 3)))
    y = x[:, :1] * 2
    net.compile(keras.optimizers.Adam(0.01), "mse")
    h = net.fit(x, y, epochs=20, batch_size=16, verbose=0)
    assert h.history["loss"][-1] < h.history["loss"][0]
    p1 = net.predict(x, verbose=0)
    np.testing.assert_array_equal(p1, net.predict(x, verbose=0))   # no dropout in predict
    assert len(net.get_weights()) == 4


def test_weights_round_trip_functional():
    ember.manual_seed(4)
    inp = keras.Input(shape=(2, 3))
    out = layers.Dense(2)(layers.Flatten()(inp))
    m1 = keras.Model(inp, out)
    ember.manual_seed(5)
    inp2 = keras.Input(shape=(2, 3))
    m2 = keras.Model(inp2, layers.Dense(2)(layers.Flatten()(inp2)))
    m2.set_weights(m1.get_weights())
    x = _f32(_rng(6).normal(size=(3, 2, 3)))
    np.testing.assert_array_equal(m1.predict(x, verbose=0), m2.predict(x, verbose=0))
    with pytest.raises(ValueError, match=r"\[set_weights\] .* has 2 weights, got a list of 1"):
        m2.set_weights(m1.get_weights()[:1])


def test_cnn_functional_on_images():
    ember.manual_seed(6)
    inp = keras.Input(shape=(8, 8, 1))
    h = layers.Conv2D(4, 3, padding="same", activation="relu")(inp)
    h = layers.MaxPooling2D()(h)
    h = layers.BatchNormalization()(h)
    h = layers.Conv2D(8, 3, activation="relu")(h)
    h = layers.GlobalAveragePooling2D()(h)
    out = layers.Dense(2, activation="softmax")(h)
    model = keras.Model(inp, out)
    assert model.output_shape == (None, 2)
    lines = []
    model.summary(print_fn=lines.append)
    assert any("(None, 4, 4, 4)" in line for line in lines)
    rng = _rng(7)
    x = _f32(rng.normal(size=(64, 8, 8, 1)))
    y = (x[:, :4].mean((1, 2, 3)) > x[:, 4:].mean((1, 2, 3))).astype(np.int64)
    model.compile(keras.optimizers.Adam(0.02), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    h = model.fit(x, y, batch_size=16, epochs=15, verbose=0)
    assert h.history["accuracy"][-1] > 0.8
