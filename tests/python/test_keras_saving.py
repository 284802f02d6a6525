"""ember.keras saving: model.save / keras.models.load_model (.keras zip of a JSON config
and safetensors weights, no pickle), save_weights / load_weights."""

import json
import zipfile

import numpy as np
import pytest

import ember
from ember import keras
from ember.keras import layers


def _f32(a):
    return np.asarray(a, np.float32)


def _x(shape, seed=0):
    return _f32(np.random.default_rng(seed).normal(size=shape))


def test_sequential_cnn_save_load_round_trip(tmp_path):
    ember.manual_seed(0)
    model = keras.Sequential([
        keras.Input(shape=(8, 8, 2)),
        layers.Conv2D(4, 3, padding="same", activation="relu",
                      kernel_regularizer=keras.regularizers.L2(1e-3)),
        layers.BatchNormalization(),
        layers.MaxPooling2D(),
        layers.Dropout(0.2),
        layers.Flatten(),
        layers.Dense(3, activation="softmax", kernel_initializer="he_normal"),
    ], name="cnn")
    model.compile(keras.optimizers.Adam(learning_rate=0.003), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    x, y = _x((32, 8, 8, 2)), np.random.default_rng(1).integers(0, 3, 32)
    model.fit(x, y, epochs=1, verbose=0)
    path = tmp_path / "cnn.keras"
    model.save(path)
    with zipfile.ZipFile(path) as z:
        assert sorted(z.namelist()) == ["config.json", "model.weights.safetensors"]
        config = json.loads(z.read("config.json"))
    assert config["class_name"] == "Sequential"
    assert [la["class_name"] for la in config["config"]["layers"]] == [
        "Conv2D", "BatchNormalization", "MaxPooling2D", "Dropout", "Flatten", "Dense"]
    loaded = keras.models.load_model(path)
    assert loaded.name == "cnn" and loaded.compiled
    assert loaded.optimizer.learning_rate == pytest.approx(0.003)
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(model.predict(x, verbose=0), loaded.predict(x, verbose=0))
    assert loaded.metrics_names == ["loss", "accuracy"]
    np.testing.assert_allclose(loaded.evaluate(x, y, verbose=0),
                               model.evaluate(x, y, verbose=0), rtol=1e-6)
    assert len(loaded.losses) == 1     # the regularizer came back with the config


def test_functional_multi_io_save_load(tmp_path):
    ember.manual_seed(1)
    a = keras.Input(shape=(5,), name="a")
    b = keras.Input(shape=(3, 2), name="b")
    seq = layers.LSTM(4, name="lstm")(b)
    shared = layers.Dense(4, name="shared")
    h = layers.Concatenate(name="cat")([shared(a), seq])
    out1 = layers.Dense(1, name="o1")(h)
    out2 = layers.Dense(2, activation="softmax", name="o2")(shared(layers.Dense(5)(a)))
    model = keras.Model([a, b], [out1, out2], name="multi")
    model.compile("sgd", loss=["mse", "sparse_categorical_crossentropy"])
    path = tmp_path / "multi.keras"
    model.save(str(path))
    loaded = keras.models.load_model(str(path))
    xs = [_x((4, 5), 2), _x((4, 3, 2), 3)]
    for p, q in zip(model.predict(xs, verbose=0), loaded.predict(xs, verbose=0)):
        np.testing.assert_array_equal(p, q)
    assert [la.name for la in loaded.layers] == [la.name for la in model.layers]
    assert loaded.metrics_names == model.metrics_names == ["loss", "o1_loss", "o2_loss"]


def test_save_weights_and_load_weights(tmp_path):
    ember.manual_seed(2)
    model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(3), layers.Dense(1)])
    path = tmp_path / "w.safetensors"
    model.save_weights(path)
    loaded = ember.load(str(path))
    assert sorted(loaded) == ["0.bias", "0.kernel", "1.bias", "1.kernel"]
    ember.manual_seed(3)
    other = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(3), layers.Dense(1)])
    other.load_weights(path)
    for a, b in zip(model.get_weights(), other.get_weights()):
        np.testing.assert_array_equal(a, b)
    # The weights inside a .keras archive load too.
    model.save(tmp_path / "m.keras")
    ember.manual_seed(4)
    third = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(3), layers.Dense(1)])
    third.load_weights(tmp_path / "m.keras")
    np.testing.assert_array_equal(third.get_weights()[0], model.get_weights()[0])
    wrong = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(2), layers.Dense(1)])
    with pytest.raises(ValueError, match=r"\[load_weights\] weight '0.kernel' .* has shape "
                                         r"\(4, 2\), the file has \(4, 3\)"):
        wrong.load_weights(path)


def test_subclassed_and_custom_objects(tmp_path):
    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.d = layers.Dense(2)

        def call(self, x):
            return self.d(x)

    net = Net()
    net.build((None, 3))
    with pytest.raises(ValueError, match=r"subclassed Model without get_config"):
        net.save(tmp_path / "net.keras")
    net.save_weights(tmp_path / "net.safetensors")      # weights always save

    class Scale(layers.Layer):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def call(self, x):
            return x * self.factor

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}

    model = keras.Sequential([keras.Input(shape=(2,)), Scale(3.0), layers.Dense(1)])
    model.save(tmp_path / "custom.keras")
    with pytest.raises(ValueError, match=r"unknown layer class 'Scale': pass it in "
                                         r"custom_objects"):
        keras.models.load_model(tmp_path / "custom.keras")
    loaded = keras.models.load_model(tmp_path / "custom.keras",
                                     custom_objects={"Scale": Scale})
    x = _x((2, 2))
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_bad_files(tmp_path):
    model = keras.Sequential([keras.Input(shape=(2,)), layers.Dense(1)])
    with pytest.raises(ValueError, match=r"\[save\] the file name must end in .keras"):
        model.save(tmp_path / "model.h5")
    junk = tmp_path / "junk.keras"
    junk.write_bytes(b"not a zip")
    with pytest.raises(ValueError, match=r"\[load_model\] .* is not a .keras zip archive"):
        keras.models.load_model(junk)
    with zipfile.ZipFile(tmp_path / "empty.keras", "w") as z:
        z.writestr("config.json", "{}")
    with pytest.raises(ValueError, match=r"lacks"):
        keras.models.load_model(tmp_path / "empty.keras")
