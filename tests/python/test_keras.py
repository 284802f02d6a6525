"""ember.keras: layers, Sequential, compile/fit/evaluate/predict, callbacks, errors."""

import math
import os
import tempfile

import numpy as np
import pytest

import ember
from ember import keras
from ember.keras import callbacks, layers, losses, metrics, optimizers

from helpers import requires_torch


def _blobs(n=400, d=8, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)).astype(np.float32)
    w = rng.normal(size=(d,))
    y = (x @ w > 0).astype(np.float32)
    return x, y


def _mlp(units=16, d=8, out=1, activation="sigmoid", seed=0):
    ember.manual_seed(seed)
    return keras.Sequential([layers.Dense(units, activation="relu", input_shape=(d,)),
                             layers.Dense(out, activation=activation)])


# -- the classic scripts ------------------------------------------------------------------

def test_classic_tf_keras_script():
    import ember as tf
    inputs = tf.random.normal([5, 10])
    targets = tf.random.normal([5, 1])
    model = tf.keras.Sequential([tf.keras.layers.Dense(1, input_shape=(10,))])
    model.compile(optimizer=tf.keras.optimizers.SGD(learning_rate=0.01), loss='mse')
    history = model.fit(inputs, targets, epochs=1, verbose=0)
    assert isinstance(history.history['loss'][0], float)
    # The loss of the one epoch is the MSE of the initial weights on the 5 samples.
    assert history.history['loss'][0] > 0 and len(history.history['loss']) == 1


def test_binary_classifier_fit_verbose2(capsys):
    x, y = _blobs(600)
    model = _mlp(32)
    model.compile(loss='binary_crossentropy', optimizer='Adam', metrics=['accuracy'])
    n = 12
    history = model.fit(x, y, batch_size=64, epochs=n, verbose=2, validation_split=0.2)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"Epoch 1/{n}" and f"Epoch {n}/{n}" in out
    # 480 training samples in batches of 64: 8 steps, one line per epoch.
    line = out[1]
    assert line.startswith("8/8 - ") and "accuracy: " in line and "val_loss: " in line
    assert sorted(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert all(len(v) == n for v in history.history.values())
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert history.history["accuracy"][-1] > 0.9 and history.history["val_accuracy"][-1] > 0.85
    assert history.epoch == list(range(n)) and model.history is history
    # The validation numbers are evaluate() on the last 20% of the data.
    loss, acc = model.evaluate(x[480:], y[480:], verbose=0)
    assert loss == pytest.approx(history.history["val_loss"][-1], rel=1e-5)
    assert acc == pytest.approx(history.history["val_accuracy"][-1], rel=1e-6)


def test_progress_bar_verbose1(capsys):
    x, y = _blobs(100)
    model = _mlp()
    model.compile("sgd", "binary_crossentropy", metrics=["accuracy"])
    model.fit(x, y, batch_size=32, epochs=2, verbose=1)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Epoch 1/2" and out[2] == "Epoch 2/2"
    assert out[1].startswith("4/4 \u2501\u2501") and "/step - accuracy: " in out[1]
    assert " - loss: " in out[1]
    model.fit(x, y, epochs=1, verbose=0)
    assert capsys.readouterr().out == ""


def test_traced_step_matches_run_eagerly():
    x, y = _blobs(100)
    ref = _mlp(8)
    weights = ref.get_weights()
    results = []
    for eager in (False, True):
        model = _mlp(8, seed=1)
        model.set_weights(weights)
        model.compile(optimizer=optimizers.SGD(learning_rate=0.1, momentum=0.9),
                      loss="binary_crossentropy", metrics=["accuracy", "mse"],
                      run_eagerly=eager)
        ember.manual_seed(5)  # same shuffling
        h = model.fit(x, y, batch_size=32, epochs=3, verbose=0, validation_split=0.1)
        results.append((h.history, model.get_weights(), model))
    (h_t, w_t, m_t), (h_e, w_e, m_e) = results
    assert sorted(h_t) == sorted(h_e)
    for k in h_t:
        np.testing.assert_allclose(h_t[k], h_e[k], rtol=1e-5, atol=1e-6)
    for a, b in zip(w_t, w_e):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    # 90 samples = 2 full batches of 32 + one of 26: the batch dim is dynamic, so one trace
    # serves both sizes, in the first epoch and the next two.
    step = m_t._steps[("train", False, 1, 1, False, 1)]
    assert step.num_traces == 1, step.retrace_log()
    eager_key = ("train", True, 1, 1, False, 1)
    assert eager_key in m_e._steps and not hasattr(m_e._steps[eager_key], "num_traces")


def test_digits_classifier_reaches_97_percent():
    x_train, y_train, x_test, y_test = ember.datasets.load_digits()
    # Standardized features (as one would with sklearn's StandardScaler) train stably.
    mean, std = x_train.mean(dim=0), x_train.std(dim=0) + 0.1
    x_train, x_test = (x_train - mean) / std, (x_test - mean) / std
    ember.manual_seed(0)
    model = keras.Sequential([
        keras.Input(shape=(64,)),
        layers.Dense(256, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=optimizers.SGD(learning_rate=0.05, momentum=0.9),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    h = model.fit(x_train, y_train, batch_size=32, epochs=30, verbose=0,
                  validation_data=(x_test, y_test))
    assert h.history["val_accuracy"][-1] >= 0.97, h.history["val_accuracy"]
    probs = model.predict(x_test, batch_size=100, verbose=0)
    assert isinstance(probs, np.ndarray) and probs.shape == (len(y_test), 10)
    np.testing.assert_allclose(probs.sum(1), 1.0, rtol=1e-5)
    acc = (probs.argmax(1) == y_test.numpy()).mean()
    assert acc == pytest.approx(h.history["val_accuracy"][-1], abs=1e-6)


def test_categorical_from_logits_and_one_hot():
    x_train, y_train, _, _ = ember.datasets.load_digits()
    y_np = y_train.numpy()[:256]
    one_hot = np.eye(10, dtype=np.float32)[y_np]
    model = _mlp(32, d=64, out=10, activation=None)
    model.compile(optimizers.Adam(0.01), losses.CategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    h = model.fit(x_train.numpy()[:256], one_hot, epochs=10, verbose=0)
    assert h.history["accuracy"][-1] > 0.8
    # 'accuracy' resolved to categorical accuracy (argmax of one-hot targets).
    logits = model.predict(x_train.numpy()[:256], verbose=0)
    loss, acc = model.evaluate(x_train.numpy()[:256], one_hot, verbose=0)
    assert acc == pytest.approx((logits.argmax(1) == y_np).mean(), abs=1e-6)


# -- layers and Sequential ----------------------------------------------------------------

def test_dense_layout_and_forward():
    layer = layers.Dense(3, activation="tanh", name="my_dense")
    x = np.random.default_rng(0).normal(size=(4, 5)).astype(np.float32)
    out = layer(x)
    assert layer.built and tuple(layer.kernel.shape) == (5, 3) and tuple(layer.bias.shape) == (3,)
    k, b = layer.get_weights()
    np.testing.assert_allclose(out.detach().numpy(), np.tanh(x @ k + b), rtol=1e-5, atol=1e-6)
    assert [n for n, _ in layer.named_parameters()] == ["kernel", "bias"]
    assert layer.count_params() == 18 and repr(layer) == "<Dense name=my_dense, built=True>"
    # 3-d input: Dense acts on the last axis.
    y = layer(np.ones((2, 7, 5), np.float32))
    assert tuple(y.shape) == (2, 7, 3)
    with pytest.raises(ValueError, match=r"\[Dense\].*my_dense.*\(None, 5\).*\(4, 6\)"):
        layer(np.ones((4, 6), np.float32))


def test_glorot_uniform_bounds_and_initializers():
    ember.manual_seed(0)
    layer = layers.Dense(200, input_shape=(300,), bias_initializer="ones")
    model = keras.Sequential([layer])
    k, b = model.get_weights()
    limit = math.sqrt(6 / (300 + 200))
    assert np.abs(k).max() <= limit and np.abs(k).max() > 0.95 * limit
    assert abs(k.std() - limit / math.sqrt(3)) < 0.01 and (b == 1).all()
    he = keras.initializers.get("he_normal")((400, 300)).numpy()
    assert abs(he.std() - math.sqrt(2 / 400)) < 0.005 and np.abs(he).max() <= 2 * math.sqrt(2 / 400) / 0.8796 + 1e-6
    orth = keras.initializers.Orthogonal()((6, 6)).numpy()
    np.testing.assert_allclose(orth @ orth.T, np.eye(6), atol=1e-5)
    with pytest.raises(ValueError, match=r"\[initializers\] unknown initializer 'glorot'"):
        layers.Dense(2, kernel_initializer="glorot")


def test_activations_by_name():
    x = ember.tensor([[-2.0, -0.5, 0.0, 0.5, 3.0]])
    xn = x.numpy()
    refs = {"relu": np.maximum(xn, 0), "sigmoid": 1 / (1 + np.exp(-xn)), "tanh": np.tanh(xn),
            "linear": xn, "softmax": np.exp(xn) / np.exp(xn).sum(-1, keepdims=True),
            "softplus": np.log1p(np.exp(xn)), "softsign": xn / (1 + np.abs(xn)),
            "swish": xn / (1 + np.exp(-xn)), "elu": np.where(xn > 0, xn, np.expm1(xn)),
            "selu": 1.0507009873554805 * np.where(xn > 0, xn, 1.6732632423543772 * np.expm1(xn)),
            "exponential": np.exp(xn)}
    for name, ref in refs.items():
        out = layers.Activation(name)(x)
        np.testing.assert_allclose(out.numpy(), ref, rtol=1e-5, atol=1e-6, err_msg=name)
    gelu = keras.activations.get("gelu")(x).numpy()
    from math import erf
    np.testing.assert_allclose(gelu, [[v * 0.5 * (1 + erf(v / math.sqrt(2))) for v in xn[0]]],
                               rtol=1e-5, atol=1e-6)
    assert keras.activations.get("ReLU") is keras.activations.relu
    with pytest.raises(ValueError, match=r"\[activations\] unknown activation 'relux'"):
        layers.Dense(2, activation="relux")


def test_flatten_reshape_and_input():
    ember.manual_seed(0)
    model = keras.Sequential([keras.Input(shape=(4, 3)), layers.Flatten(),
                              layers.Dense(6), layers.Reshape((2, -1)),
                              layers.Activation("softmax")])
    assert model.built and model.output_shape_ == (None, 2, 3)
    out = model.predict(np.ones((5, 4, 3), np.float32), verbose=0)
    assert out.shape == (5, 2, 3)
    np.testing.assert_allclose(out.sum(-1), 1.0, rtol=1e-5)
    with pytest.raises(ValueError, match=r"\[Reshape\].*\(None, 6\).*\(None, 4, 4\)"):
        keras.Sequential([layers.Reshape((4, 4), input_shape=(6,))]).build()


def test_sequential_add_pop_and_lazy_build():
    model = keras.Sequential(name="lazy")
    model.add(layers.Dense(4, activation="relu"))
    model.add(layers.Dense(2))
    assert not model.built and len(model.layers) == 2
    with pytest.raises(ValueError, match=r"\[count_params\] model 'lazy' has not been built"):
        model.count_params()
    y = model(np.ones((3, 5), np.float32))
    assert tuple(y.shape) == (3, 2) and model.built and model.count_params() == 5 * 4 + 4 + 4 * 2 + 2
    assert model.input_shape_ == (None, 5)
    model.add(layers.Dense(1))
    assert model.count_params() == 5 * 4 + 4 + 4 * 2 + 2 + 3
    assert isinstance(model.pop(), layers.Dense) and len(model.layers) == 2
    staged = keras.Sequential()
    staged.add(keras.Input(shape=(3,)))
    assert not staged.built
    staged.add(layers.Dense(2))
    assert staged.built and staged.output_shape == (None, 2)
    # An ember.nn module sits in a keras Sequential too.
    mixed = keras.Sequential([layers.Dense(3, input_shape=(2,)), ember.nn.ReLU()])
    assert mixed.predict(np.ones((1, 2), np.float32), verbose=0).min() >= 0


def test_subclassed_model_fits():
    class TwoHeads(keras.Model):
        def __init__(self):
            super().__init__(name="two_heads")
            self.body = layers.Dense(8, activation="tanh")
            self.head = layers.Dense(1)

        def call(self, x):
            return self.head(self.body(x)) + self.head(x[:, :8] * 0 + self.body(x))

    ember.manual_seed(0)
    model = TwoHeads()
    model.compile(optimizers.Adam(0.01), "mse", metrics=["mae"])
    x, y = _blobs(64)
    h = model.fit(x, y, batch_size=16, epochs=5, verbose=0)
    assert model.built and model.input_shape == (None, 8) and model.output_shape == (None, 1)
    assert [n for n, _ in model.named_parameters()] == ["body.kernel", "body.bias",
                                                        "head.kernel", "head.bias"]
    assert h.history["loss"][-1] < h.history["loss"][0]
    assert model.count_params() == 8 * 8 + 8 + 8 + 1


def test_summary_text():
    ember.manual_seed(0)
    model = keras.Sequential([layers.Dense(64, activation="relu", input_shape=(64,), name="hidden"),
                              layers.Dense(10, name="logits")], name="digits")
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert lines[0] == 'Model: "digits"'
    assert "Layer (type)" in lines[2] and "Output Shape" in lines[2] and "Param #" in lines[2]
    row = next(l for l in lines if l.startswith(" hidden"))
    assert row.split() == ["hidden", "(Dense)", "(None,", "64)", "4160"]
    row = next(l for l in lines if l.startswith(" logits"))
    assert row.split() == ["logits", "(Dense)", "(None,", "10)", "650"]
    assert "Total params: 4,810 (18.79 KB)" in text
    assert "Trainable params: 4,810 (18.79 KB)" in text
    assert "Non-trainable params: 0 (0.00 B)" in text
    model.layers[1].trainable = False
    lines = []
    model.summary(print_fn=lines.append)
    assert "Non-trainable params: 650 (2.54 KB)" in "\n".join(lines)
    with pytest.raises(ValueError, match=r"\[summary\] model 'unbuilt' has not been built"):
        keras.Sequential([layers.Dense(1)], name="unbuilt").summary()


def test_weights_round_trip_and_state_dict():
    model = _mlp(8)
    w = model.get_weights()
    assert [a.shape for a in w] == [(8, 8), (8,), (8, 1), (1,)]
    new = [np.random.default_rng(i).normal(size=a.shape).astype(np.float32) for i, a in enumerate(w)]
    model.set_weights(new)
    for a, b in zip(model.get_weights(), new):
        np.testing.assert_array_equal(a, b)
    assert list(model.state_dict()) == ["0.kernel", "0.bias", "1.kernel", "1.bias"]
    x = np.random.default_rng(3).normal(size=(4, 8)).astype(np.float32)
    expected = model.predict(x, verbose=0)
    path = os.path.join(tempfile.mkdtemp(), "w.safetensors")
    model.save_weights(path)
    fresh = _mlp(8, seed=7)
    fresh.load_weights(path)
    np.testing.assert_allclose(fresh.predict(x, verbose=0), expected, rtol=1e-6)
    ember.save(model.state_dict(), path)
    fresh2 = _mlp(8, seed=9)
    fresh2.load_state_dict(ember.load(path))
    np.testing.assert_allclose(fresh2.predict(x, verbose=0), expected, rtol=1e-6)
    with pytest.raises(ValueError, match=r"\[set_weights\] model '.*' has 4 weights, got a list of 3"):
        model.set_weights(new[:3])
    with pytest.raises(ValueError, match=r"\[set_weights\] weight 'dense.*/kernel' has shape \(8, 1\), "
                                         r"got an array of shape \(1, 8\)"):
        model.set_weights(new[:2] + [new[2].T, new[3]])


def test_set_weights_updates_traced_model():
    x, y = _blobs(64)
    model = _mlp(4)
    model.compile("sgd", "mse")
    model.fit(x, y, batch_size=16, epochs=2, verbose=0)
    zeros = [np.zeros_like(a) for a in model.get_weights()]
    model.set_weights(zeros)
    # The replayed predict step reads the live weights: all-zero weights give 0.5.
    np.testing.assert_allclose(model.predict(x, verbose=0), 0.5)


# -- compile: losses, metrics, optimizers ----------------------------------------------

def test_losses_against_numpy():
    rng = np.random.default_rng(0)
    p = rng.uniform(0.01, 0.99, size=(6, 1)).astype(np.float32)
    t = (rng.uniform(size=(6,)) > 0.5).astype(np.float32)
    bce = -(t[:, None] * np.log(p) + (1 - t[:, None]) * np.log(1 - p)).mean()
    assert losses.get("binary_crossentropy")(t, p).item() == pytest.approx(bce, rel=1e-5)
    logits = np.log(p / (1 - p))
    assert losses.BinaryCrossentropy(from_logits=True)(t, logits).item() == pytest.approx(bce, rel=1e-4)
    assert losses.get("MSE")(t, p).item() == pytest.approx(((p[:, 0] - t) ** 2).mean(), rel=1e-5)
    assert losses.get("mae")(t, p).item() == pytest.approx(np.abs(p[:, 0] - t).mean(), rel=1e-5)
    z = rng.normal(size=(5, 4)).astype(np.float32)
    labels = np.array([0, 3, 1, 2, 3])
    logp = z - np.log(np.exp(z).sum(1, keepdims=True))
    ce = -logp[np.arange(5), labels].mean()
    sm = np.exp(logp)
    assert losses.SparseCategoricalCrossentropy(from_logits=True)(labels, z).item() == pytest.approx(ce, rel=1e-5)
    assert losses.get("sparse_categorical_crossentropy")(labels, sm).item() == pytest.approx(ce, rel=1e-4)
    assert losses.get("categorical_crossentropy")(np.eye(4)[labels], sm).item() == pytest.approx(ce, rel=1e-4)
    with pytest.raises(ValueError, match=r"\[categorical_crossentropy\].*\(5, 4\).*\(5,\)"):
        losses.get("categorical_crossentropy")(labels, sm)


def test_accuracy_metric_resolution():
    pick = metrics._accuracy_for
    assert pick(losses.get("binary_crossentropy"), (4,), (4, 1)) is metrics.binary_accuracy
    assert pick(losses.get("categorical_crossentropy"), (4, 3), (4, 3)) is metrics.categorical_accuracy
    assert pick(losses.get("sparse_categorical_crossentropy"), (4,), (4, 3)) is \
        metrics.sparse_categorical_accuracy
    assert pick(losses.get("mse"), (4, 1), (4, 1)) is metrics.binary_accuracy
    assert pick(losses.get("mse"), (4,), (4, 3)) is metrics.sparse_categorical_accuracy
    assert pick(losses.get("mse"), (4, 3), (4, 3)) is metrics.categorical_accuracy
    m = metrics.SparseCategoricalAccuracy()
    m.update_state([1, 2], [[0.1, 0.9, 0.0], [0.8, 0.1, 0.1]])
    m.update_state([0], [[0.5, 0.2, 0.3]])
    assert m.result() == pytest.approx(2 / 3)
    m.reset_state()
    assert m.result() == 0.0


def test_optimizers_by_name_and_object():
    for name, cls in [("sgd", optimizers.SGD), ("Adam", optimizers.Adam),
                      ("RMSprop", optimizers.RMSprop), ("adagrad", optimizers.Adagrad),
                      ("ADAMW", optimizers.AdamW)]:
        x, y = _blobs(64)
        model = _mlp(4)
        model.compile(name, "mse")
        assert type(model.optimizer) is cls
        h = model.fit(x, y, epochs=3, verbose=0)
        assert all(math.isfinite(v) for v in h.history["loss"])
    opt = optimizers.Adam(learning_rate=0.05)
    assert opt.learning_rate == 0.05
    model = _mlp(4)
    model.compile(opt, "mse")
    model.fit(*_blobs(32), verbose=0)
    opt.learning_rate = 0.0
    before = model.get_weights()
    model.fit(*_blobs(32), verbose=0)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_freezing_a_layer_after_fit():
    x, y = _blobs(64)
    model = _mlp(4)
    model.compile(optimizers.SGD(learning_rate=0.1), "mse")
    model.fit(x, y, batch_size=16, epochs=2, verbose=0)
    model.layers[0].trainable = False
    frozen = model.layers[0].get_weights()
    head = model.layers[1].get_weights()
    model.fit(x, y, batch_size=16, epochs=2, verbose=0)
    for a, b in zip(model.layers[0].get_weights(), frozen):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(model.layers[1].get_weights()[0], head[0])


def test_evaluate_predict_train_on_batch():
    x, y = _blobs(70)
    model = _mlp(6)
    model.compile("sgd", "binary_crossentropy", metrics=["accuracy", "mae"])
    assert model.metrics_names == ["loss", "accuracy", "mae"]
    probs = model.predict(x, batch_size=16, verbose=0)
    assert probs.shape == (70, 1) and probs.dtype == np.float32
    p = np.clip(probs[:, 0], 1e-7, 1 - 1e-7)
    bce = -(y * np.log(p) + (1 - y) * np.log(1 - p)).mean()
    acc = ((probs[:, 0] > 0.5) == y).mean()
    mae = np.abs(probs[:, 0] - y).mean()
    res = model.evaluate(x, y, batch_size=16, verbose=0)
    np.testing.assert_allclose(res, [bce, acc, mae], rtol=1e-5)
    d = model.evaluate(x, y, verbose=0, return_dict=True)
    assert sorted(d) == ["accuracy", "loss", "mae"]
    before = model.test_on_batch(x, y)
    out = model.train_on_batch(x, y)
    assert out[0] == pytest.approx(before[0], rel=1e-5) and len(out) == 3
    assert model.test_on_batch(x, y, return_dict=True)["loss"] < before[0]
    np.testing.assert_allclose(model.predict_on_batch(x[:3]), model.predict(x[:3], verbose=0),
                               rtol=1e-6)


# -- callbacks ----------------------------------------------------------------------------

def test_lambda_callback_and_history():
    x, y = _blobs(50)
    model = _mlp(4)
    model.compile("sgd", "mse")
    seen = []
    cb = callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append((epoch, logs["loss"])),
                                  on_train_batch_end=lambda batch, logs: seen.append(batch))
    h = model.fit(x, y, batch_size=20, epochs=2, verbose=0, callbacks=[cb], initial_epoch=0)
    assert seen[:3] == [0, 1, 2] and seen[3][0] == 0 and seen[7][0] == 1
    assert [s[1] for s in seen if isinstance(s, tuple)] == h.history["loss"]

    class Counter(callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.calls = []

        def on_train_begin(self, logs=None):
            self.calls.append(("begin", self.params["epochs"], self.params["steps"]))

        def on_epoch_begin(self, epoch, logs=None):
            self.calls.append(("epoch", epoch))

        def on_train_end(self, logs=None):
            self.calls.append(("end", self.model is model))

    c = Counter()
    model.fit(x, y, batch_size=20, epochs=3, initial_epoch=1, verbose=0, callbacks=[c])
    assert c.calls == [("begin", 3, 3), ("epoch", 1), ("epoch", 2), ("end", True)]
    with pytest.raises(TypeError, match=r"\[LambdaCallback\] unknown hook 'on_epoch'"):
        callbacks.LambdaCallback(on_epoch=print)


def test_early_stopping_restores_best_weights():
    x, y = _blobs(100)
    model = _mlp(4)
    model.compile(optimizers.SGD(learning_rate=0.5), "mse")
    snapshots = []
    record = callbacks.LambdaCallback(on_epoch_end=lambda e, logs: snapshots.append(model.get_weights()))
    # min_delta so large that no epoch after the first counts as an improvement.
    stop = callbacks.EarlyStopping(monitor="loss", patience=2, min_delta=10.0,
                                   restore_best_weights=True)
    h = model.fit(x, y, epochs=20, verbose=0, callbacks=[record, stop])
    assert len(h.history["loss"]) == 3 and stop.stopped_epoch == 2 and stop.best_epoch == 0
    for a, b in zip(model.get_weights(), snapshots[0]):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(KeyError, match=r"\[EarlyStopping\] monitored metric 'val_acc'"):
        model.fit(x, y, epochs=1, verbose=0, callbacks=[callbacks.EarlyStopping("val_acc")])
    assert callbacks.EarlyStopping("val_accuracy").mode == "max"


def test_terminate_on_nan(capsys):
    x, y = _blobs(64)
    y[10] = np.nan
    model = _mlp(4)
    model.compile("sgd", "mse")
    h = model.fit(x, y, batch_size=8, epochs=5, shuffle=False, verbose=0,
                  callbacks=[callbacks.TerminateOnNaN()])
    assert len(h.history["loss"]) == 1 and math.isnan(h.history["loss"][0])
    assert "Batch 1: Invalid loss, terminating training" in capsys.readouterr().out


# -- errors -------------------------------------------------------------------------------

def test_error_x_y_lengths():
    model = _mlp(4)
    model.compile("sgd", "mse")
    with pytest.raises(ValueError, match=r"\[fit\] x and y must have the same number of samples, "
                                         r"got 10 samples in x \(shape \(10, 8\)\) and 9 in y "
                                         r"\(shape \(9,\)\)"):
        model.fit(np.zeros((10, 8)), np.zeros(9), verbose=0)
    with pytest.raises(ValueError, match=r"\[evaluate\] x and y must have the same number"):
        model.evaluate(np.zeros((10, 8)), np.zeros(11), verbose=0)
    with pytest.raises(ValueError, match=r"\[fit\] validation_data x and y"):
        model.fit(np.zeros((10, 8)), np.zeros(10), validation_data=(np.zeros((3, 8)), np.zeros(2)),
                  verbose=0)


def test_error_wrong_input_shape():
    model = keras.Sequential([layers.Dense(3, input_shape=(8,), name="first")], name="net")
    model.compile("sgd", "mse")
    with pytest.raises(ValueError, match=r"\[Sequential\] model 'net' expects input of shape "
                                         r"\(None, 8\), got input of shape \(4, 7\)"):
        model.predict(np.zeros((4, 7)), verbose=0)
    with pytest.raises(ValueError, match=r"\[Sequential\] model 'net' expects input of shape "
                                         r"\(None, 8\), got input of shape \(5, 7\)"):
        model(np.zeros((5, 7), np.float32))
    lazy = keras.Sequential([layers.Dense(3, input_shape=(8,))], name="declared")
    lazy.compile("sgd", "mse")
    with pytest.raises(ValueError, match=r"\[Sequential\] model 'declared' expects input of shape "
                                         r"\(None, 8\), got input of shape \(4, 5\)"):
        lazy.fit(np.zeros((4, 5)), np.zeros(4), verbose=0)
    later = keras.Sequential(name="later")
    later.add(layers.Dense(2))
    later.build((None, 3))
    with pytest.raises(ValueError, match=r"\[Sequential\] model 'later' expects input of shape "
                                         r"\(None, 3\), got input of shape \(2, 4\)"):
        later.predict(np.zeros((2, 4)), verbose=0)


def test_error_fit_before_compile_and_unknown_names():
    model = _mlp(4)
    with pytest.raises(RuntimeError, match=r"\[fit\] model '.*' must be compiled before fit\(\)"):
        model.fit(np.zeros((4, 8)), np.zeros(4), verbose=0)
    with pytest.raises(RuntimeError, match=r"\[evaluate\] model '.*' must be compiled"):
        model.evaluate(np.zeros((4, 8)), np.zeros(4), verbose=0)
    with pytest.raises(ValueError, match=r"\[losses\] unknown loss 'msee'; known: .*mse"):
        model.compile("sgd", "msee")
    with pytest.raises(ValueError, match=r"\[optimizers\] unknown optimizer 'adamz'; known: .*adam"):
        model.compile("adamz", "mse")
    with pytest.raises(ValueError, match=r"\[metrics\] unknown metric 'f1'"):
        model.compile("adam", "mse", metrics=["f1"])
    with pytest.raises(TypeError, match=r"\[SGD\] unsupported keyword arguments: lr"):
        optimizers.SGD(lr=0.1)
    with pytest.raises(ValueError, match=r"\[Dense\] layer 'd' was declared with input_shape "
                                         r"\(None, 8\), got input of shape \(2, 5\)"):
        layers.Dense(3, input_shape=(8,), name="d")(np.zeros((2, 5), np.float32))
    with pytest.raises(ValueError, match=r"\[Dense\] units must be a positive integer, got 0"):
        layers.Dense(0)
    with pytest.raises(ValueError, match=r"\[fit\] validation_split=0.01 of 10 samples"):
        model.compile("sgd", "mse") or model.fit(np.zeros((10, 8)), np.zeros(10),
                                                 validation_split=0.01, verbose=0)


# -- PyTorch parity ------------------------------------------------------------------------

@requires_torch
@pytest.mark.parametrize("opt_name", ["sgd", "adam"])
def test_fit_matches_torch_training_loop(opt_name):
    import torch
    x, y = _blobs(50)
    model = _mlp(6)
    w = model.get_weights()
    opt = optimizers.SGD(learning_rate=0.1, momentum=0.9) if opt_name == "sgd" else \
        optimizers.Adam(learning_rate=0.01, epsilon=1e-7)
    model.compile(opt, "binary_crossentropy")
    h = model.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)

    tnet = torch.nn.Sequential(torch.nn.Linear(8, 6), torch.nn.ReLU(), torch.nn.Linear(6, 1),
                               torch.nn.Sigmoid()).double()
    with torch.no_grad():
        for i, lin in enumerate([tnet[0], tnet[2]]):
            lin.weight.copy_(torch.from_numpy(w[2 * i].T.astype(np.float64)))
            lin.bias.copy_(torch.from_numpy(w[2 * i + 1].astype(np.float64)))
    topt = torch.optim.SGD(tnet.parameters(), lr=0.1, momentum=0.9) if opt_name == "sgd" else \
        torch.optim.Adam(tnet.parameters(), lr=0.01, eps=1e-7)
    tx, ty = torch.from_numpy(x.astype(np.float64)), torch.from_numpy(y.astype(np.float64))
    epoch_losses = []
    for _ in range(2):
        total = 0.0
        for start in range(0, 50, 16):
            xb, yb = tx[start:start + 16], ty[start:start + 16, None]
            topt.zero_grad()
            p = tnet(xb).clamp(1e-7, 1 - 1e-7)
            loss = torch.nn.functional.binary_cross_entropy(p, yb)
            loss.backward()
            topt.step()
            total += loss.item() * len(xb)
        epoch_losses.append(total / 50)
    np.testing.assert_allclose(h.history["loss"], epoch_losses, rtol=1e-4)
    got = model.get_weights()
    np.testing.assert_allclose(got[0], tnet[0].weight.detach().numpy().T, rtol=1e-3, atol=1e-5)
    np.testing.assert_allclose(got[3], tnet[2].bias.detach().numpy(), rtol=1e-3, atol=1e-5)
