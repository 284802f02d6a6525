"""keras.utils, keras.backend, keras.ops, keras.random, model attributes (variables,
to_json) and the Python optimizers inside traced train steps."""

import json

import numpy as np
import pytest

import ember
from ember import keras
from ember.keras import layers, ops


def _f32(a):
    return np.asarray(a, np.float32)


def test_to_categorical_and_normalize():
    labels = np.array([[2], [0], [1], [2]])
    np.testing.assert_array_equal(keras.utils.to_categorical(labels), np.eye(3)[[2, 0, 1, 2]])
    assert keras.utils.to_categorical([1, 0], num_classes=4).shape == (2, 4)
    assert keras.utils.to_categorical(np.array([[0, 1], [2, 1]])).shape == (2, 2, 3)
    with pytest.raises(ValueError, match=r"\[to_categorical\] class id 3 is out of range for "
                                         r"num_classes=3"):
        keras.utils.to_categorical([3], num_classes=3)
    x = _f32([[3.0, 4.0], [0.0, 0.0]])
    np.testing.assert_allclose(keras.utils.normalize(x), [[0.6, 0.8], [0.0, 0.0]], rtol=1e-6)
    t = keras.utils.normalize(ember.from_numpy(x), axis=0)
    np.testing.assert_allclose(t.numpy(), [[1.0, 1.0], [0.0, 0.0]])


def test_set_random_seed_reproduces_initial_weights_and_numpy():
    def weights():
        keras.utils.set_random_seed(42)
        layer = layers.Dense(3)
        layer(np.zeros((1, 4), np.float32))
        return layer.get_weights()[0], np.random.rand(2)
    (w1, n1), (w2, n2) = weights(), weights()
    np.testing.assert_array_equal(w1, w2)
    np.testing.assert_array_equal(n1, n2)


class _Batches(keras.utils.PyDataset):
    def __init__(self, x, y):
        super().__init__()
        self.x, self.y, self.epochs_ended = x, y, 0

    def __len__(self):
        return 3

    def __getitem__(self, i):
        return self.x[i * 4:(i + 1) * 4], self.y[i * 4:(i + 1) * 4]

    def on_epoch_end(self):
        self.epochs_ended += 1


def test_fit_accepts_pydataset_and_sequence():
    rng = np.random.default_rng(0)
    data = _Batches(_f32(rng.normal(size=(12, 3))), _f32(rng.normal(size=(12, 1))))
    model = keras.Sequential([keras.Input((3,)), layers.Dense(1)])
    model.compile("sgd", "mse")
    history = model.fit(data, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2 and data.epochs_ended == 2
    assert keras.utils.Sequence is keras.utils.PyDataset
    assert np.isfinite(model.evaluate(data, verbose=0))


def test_plot_model_and_backend_settings():
    with pytest.raises(RuntimeError, match=r"\[plot_model\] is not available"):
        keras.utils.plot_model(keras.Sequential())
    assert keras.backend.floatx() == "float32" and keras.backend.epsilon() == 1e-7
    keras.backend.set_floatx("float32")
    with pytest.raises(ValueError, match=r"\[keras.backend.set_floatx\] expected one of"):
        keras.backend.set_floatx("int32")  # (float64 and the rest: test_default_dtype.py)
    keras.backend.clear_session()
    assert layers.Dense(1).name == "dense"
    assert layers.Dense(1).name == "dense_1"


def test_model_variables_and_json_round_trip():
    x = keras.Input((4,), name="inp")
    h = layers.BatchNormalization()(layers.Dense(3)(x))
    model = keras.Model(x, layers.Dense(2)(h))
    assert len(model.variables) == 8
    assert len(model.trainable_variables) == 6 and len(model.non_trainable_variables) == 2
    assert model.trainable_variables == model.trainable_weights
    assert model.inputs[0] is x and len(model.outputs) == 1
    text = model.to_json()
    assert json.loads(text)["class_name"] in ("Functional", "Model")
    clone = keras.models.model_from_json(text)
    assert [w.shape for w in clone.get_weights()] == [w.shape for w in model.get_weights()]
    clone.set_weights(model.get_weights())
    data = _f32(np.random.default_rng(1).normal(size=(5, 4)))
    np.testing.assert_allclose(clone.predict(data, verbose=0), model.predict(data, verbose=0),
                               rtol=1e-6)
    with pytest.raises(ValueError, match=r"\[model_from_json\] expects the JSON"):
        keras.models.model_from_json("[1, 2]")


def test_ops_against_numpy():
    x = _f32(np.random.default_rng(2).normal(size=(3, 4)))
    cases = {
        "sum": (ops.sum(x, axis=1), x.sum(1)), "mean": (ops.mean(x), x.mean()),
        "max": (ops.max(x, axis=0, keepdims=True), x.max(0, keepdims=True)),
        "min": (ops.min(x), x.min()), "transpose": (ops.transpose(x), x.T),
        "concatenate": (ops.concatenate([x, x], axis=1), np.concatenate([x, x], 1)),
        "stack": (ops.stack([x, x], axis=1), np.stack([x, x], 1)),
        "expand_dims": (ops.expand_dims(x, 0), x[None]),
        "squeeze": (ops.squeeze(x[None]), x),
        "where": (ops.where(x > 0, x, -x), np.abs(x)),
        "exp": (ops.exp(x), np.exp(x)), "log": (ops.log(ops.abs(x)), np.log(np.abs(x))),
        "sqrt": (ops.sqrt(ops.abs(x)), np.sqrt(np.abs(x))),
        "relu": (ops.relu(x), np.maximum(x, 0)), "sigmoid": (ops.sigmoid(x), 1 / (1 + np.exp(-x))),
        "softmax": (ops.softmax(x), np.exp(x) / np.exp(x).sum(1, keepdims=True)),
        "tanh": (ops.tanh(x), np.tanh(x)), "argmax": (ops.argmax(x, axis=1), x.argmax(1)),
        "cast": (ops.cast(x > 0, "float32"), (x > 0).astype(np.float32)),
        "matmul": (ops.matmul(x, x.T), x @ x.T), "reshape": (ops.reshape(x, (2, 6)),
                                                            x.reshape(2, 6)),
        "ones": (ops.ones((2, 3)), np.ones((2, 3))), "zeros": (ops.zeros(3), np.zeros(3)),
        "arange": (ops.arange(1, 7, 2), np.arange(1, 7, 2)),
        "clip": (ops.clip(x, -0.5, 0.5), np.clip(x, -0.5, 0.5)),
        "maximum": (ops.maximum(x, 0.1), np.maximum(x, 0.1)),
        "minimum": (ops.minimum(x, 0.1), np.minimum(x, 0.1)),
        "one_hot": (ops.one_hot(np.array([2, 0]), 3), np.eye(3)[[2, 0]]),
        "var": (ops.var(x, axis=0), x.var(0)), "std": (ops.std(x), x.std()),
        "take": (ops.take(x, np.array([3, 1]), axis=1), x[:, [3, 1]]),
        "repeat": (ops.repeat(x, 2, axis=0), np.repeat(x, 2, 0)),
        "logsumexp": (ops.logsumexp(x, axis=1), np.log(np.exp(x).sum(1))),
        "pad": (ops.pad(x, [(1, 0), (0, 2)]), np.pad(x, [(1, 0), (0, 2)])),
        "cumsum": (ops.cumsum(x, axis=1), x.cumsum(1)),
        "norm": (ops.norm(x, axis=1), np.linalg.norm(x, axis=1)),
    }
    for name, (got, want) in cases.items():
        got = ops.convert_to_numpy(got)
        assert got.shape == np.shape(want), name
        np.testing.assert_allclose(got.astype(np.float64), want, rtol=1e-5, atol=1e-6,
                                   err_msg=name)
    assert isinstance(ops.convert_to_tensor([1.0, 2.0]), ember.Tensor)


def test_random_is_reproducible_with_seeds():
    a = keras.random.normal((3, 2), seed=7)
    b = keras.random.normal((3, 2), seed=7)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    u = keras.random.uniform((1000,), minval=2.0, maxval=3.0, seed=1).numpy()
    assert u.min() >= 2.0 and u.max() < 3.0 and abs(u.mean() - 2.5) < 0.05
    gen = keras.random.SeedGenerator(3)
    assert not np.array_equal(keras.random.normal((4,), seed=gen).numpy(),
                              keras.random.normal((4,), seed=gen).numpy())


@pytest.mark.parametrize("name", ["adadelta", "adamax", "nadam", "lion"])
def test_python_optimizers_traced_equal_eager_and_rate_changes_without_retrace(name):
    rng = np.random.default_rng(3)
    x, y = _f32(rng.normal(size=(16, 3))), _f32(rng.normal(size=(16, 1)))
    final = []
    for eager in (True, False):
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((3,)), layers.Dense(1)])
        opt = keras.optimizers.get(name)
        opt.learning_rate = 0.05
        model.compile(optimizer=opt, loss="mse", run_eagerly=eager)
        w0 = model.get_weights()[0]
        model.fit(x, y, batch_size=4, epochs=1, verbose=0, shuffle=False)
        w1 = model.get_weights()[0]
        assert not np.allclose(w0, w1)
        steps = dict(model._steps)
        opt.learning_rate = 0.0
        model.fit(x, y, batch_size=4, epochs=1, verbose=0, shuffle=False)
        np.testing.assert_array_equal(model.get_weights()[0], w1)   # lr 0 took effect
        assert model._steps == steps                               # same traced step
        final.append(w1)
    np.testing.assert_allclose(final[0], final[1], rtol=1e-6, atol=1e-7)


def test_loss_aliases_and_names():
    yt, yp = _f32([[0.2, 0.8]]), _f32([[0.3, 0.6]])
    assert keras.losses.mse is keras.losses.mean_squared_error
    assert keras.losses.mae is keras.losses.mean_absolute_error
    for alias in ["kld", "logcosh", "hinge", "poisson", "msle", "mape", "cosine_similarity",
                  "squared_hinge", "categorical_hinge"]:
        loss = keras.losses.get(alias)
        assert np.isfinite(float(loss(yt, yp)))
    np.testing.assert_allclose(float(keras.losses.kld(yt, yp)),
                               np.sum(yt * np.log(yt / yp)), rtol=1e-5)
    with pytest.raises(ValueError, match=r"\[kl_divergence\] y_true of shape \(1, 3\) does "
                                         r"not match y_pred of shape \(1, 2\)"):
        keras.losses.kl_divergence(_f32([[0.1, 0.2, 0.7]]), yp)
    assert keras.metrics.get("rmse").name == "rmse"
