"""TensorFlow-style names: scripts written for TensorFlow run with `import ember as tf`."""

import numpy as np
import pytest

import ember
import ember as tf


def test_classic_keras_script_with_tf_import():
    tf.random.set_seed(0)
    model = tf.keras.Sequential([tf.keras.layers.Dense(1, input_shape=(10,))])
    model.compile(optimizer=tf.keras.optimizers.SGD(learning_rate=0.01), loss="mse")
    inputs = tf.random.normal([5, 10])
    targets = tf.random.normal([5, 1])
    history = model.fit(inputs, targets, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])


def test_gradient_tape_custom_training_loop_fits_a_line():
    tf.random.set_seed(1)
    x = tf.random.normal([256, 1])
    y = 3.0 * x + 2.0
    w = tf.Variable(tf.zeros([1, 1]))
    b = tf.Variable(0.0)
    for _ in range(200):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(tf.matmul(x, w) + b - y))
        dw, db = tape.gradient(loss, [w, b])
        w.assign_sub(0.1 * dw)
        b.assign_sub(0.1 * db)
    assert w.numpy()[0, 0] == pytest.approx(3.0, abs=1e-3)
    assert float(b.numpy()) == pytest.approx(2.0, abs=1e-3)


def test_gradient_tape_watch_persistent_and_unconnected():
    x = tf.constant([1.0, 2.0, 3.0])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = tf.reduce_sum(x * x)
        z = tf.reduce_sum(tf.exp(x))
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), [2.0, 4.0, 6.0])
    np.testing.assert_allclose(tape.gradient(z, x).numpy(), np.exp([1.0, 2.0, 3.0]), rtol=1e-6)
    other = tf.Variable([1.0])
    assert tape.gradient(y, [x, other])[1] is None
    zero = tape.gradient(y, {"o": other}, unconnected_gradients="zero")["o"]
    np.testing.assert_array_equal(zero.numpy(), [0.0])
    with tf.GradientTape() as once:
        once.watch(x)
        y = tf.reduce_sum(x)
    once.gradient(y, x)
    with pytest.raises(RuntimeError, match="non-persistent"):
        once.gradient(y, x)


def test_gradient_tape_trains_a_keras_model():
    tf.random.set_seed(2)
    model = tf.keras.Sequential([tf.keras.layers.Dense(8, activation="relu", input_shape=(4,)),
                                 tf.keras.layers.Dense(1)])
    x = tf.random.normal([64, 4])
    y = tf.reduce_sum(x, axis=1, keepdims=True)
    loss_fn = tf.keras.losses.MeanSquaredError()
    first = None
    for _ in range(100):
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x))
        grads = tape.gradient(loss, model.trainable_weights)
        with tf.no_grad():
            for v, g in zip(model.trainable_weights, grads):
                v.assign_sub(0.05 * g)
        first = first if first is not None else loss.item()
    assert loss.item() < 0.2 * first


def test_reductions_and_casts_match_numpy():
    a = np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 7.0
    t = tf.constant(a)
    np.testing.assert_allclose(tf.reduce_sum(t, axis=[0, 2]).numpy(), a.sum((0, 2)), rtol=1e-6)
    np.testing.assert_allclose(tf.reduce_mean(t, 1, keepdims=True).numpy(),
                               a.mean(1, keepdims=True), rtol=1e-6)
    np.testing.assert_allclose(tf.reduce_max(t).numpy(), a.max())
    np.testing.assert_allclose(tf.reduce_prod(t + 1, axis=(1, 2)).numpy(),
                               (a + 1).prod((1, 2)), rtol=1e-5)
    np.testing.assert_allclose(tf.reduce_std(t, axis=0).numpy(), a.std(0), rtol=1e-5)
    np.testing.assert_allclose(tf.reduce_logsumexp(t).numpy(),
                               np.log(np.exp(a.astype(np.float64)).sum()), rtol=1e-5)
    assert tf.cast(t, tf.int32).dtype == ember.int32
    assert tf.cast(t, "float64").dtype == ember.float64
    assert tf.cast(t, np.int64).dtype == ember.int64
    assert tf.constant(0.5, shape=[2, 3]).shape == (2, 3)
    assert tf.expand_dims(t, 0).shape == (1, 2, 3, 4)
    assert tf.concat([t, t], axis=1).shape == (2, 6, 4)
    assert ember.concat([t, t]).shape == (4, 3, 4)  # torch.concat's dim=0 default
    np.testing.assert_array_equal(tf.shape(t).numpy(), [2, 3, 4])
    assert int(tf.size(t)) == 24 and int(tf.rank(t)) == 3
    np.testing.assert_allclose(tf.clip_by_value(t, 0.5, 1.0).numpy(), np.clip(a, 0.5, 1.0))
    np.testing.assert_array_equal(tf.boolean_mask(t, t > 3).numpy(), a[a > 3])
    np.testing.assert_array_equal(tf.range(2, 10, 3).numpy(), [2, 5, 8])
    assert len(tf.unstack(t, axis=1)) == 3


def test_math_and_nn_namespaces():
    x = tf.constant([[-1.0, 0.5, 2.0]])
    np.testing.assert_allclose(tf.math.maximum(x, 0.0).numpy(), [[0.0, 0.5, 2.0]])
    np.testing.assert_array_equal(tf.math.argmax(x, axis=1).numpy(), [2])
    np.testing.assert_allclose(tf.nn.relu(x).numpy(), [[0.0, 0.5, 2.0]])
    p = tf.nn.softmax(x).numpy()
    np.testing.assert_allclose(p, np.exp(x.numpy()) / np.exp(x.numpy()).sum(), rtol=1e-6)
    logits = tf.constant([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]])
    labels = tf.constant([0, 1])
    ce = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits).numpy()
    lg = logits.numpy().astype(np.float64)
    ref = -np.log(np.exp(lg) / np.exp(lg).sum(1, keepdims=True))[[0, 1], [0, 1]]
    np.testing.assert_allclose(ce, ref, rtol=1e-5)
    onehot = tf.constant([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    np.testing.assert_allclose(
        tf.nn.softmax_cross_entropy_with_logits(labels=onehot, logits=logits).numpy(), ref,
        rtol=1e-5)


def test_dataset_pipeline_shuffles_batches_and_maps():
    x = np.arange(10, dtype=np.float32).reshape(10, 1)
    y = np.arange(10, dtype=np.int64)
    tf.random.set_seed(3)
    ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(10).batch(4)
    assert len(ds) == 3
    seen = []
    for xb, yb in ds:
        assert isinstance(xb, ember.Tensor) and xb.shape[1:] == (1,)
        np.testing.assert_array_equal(xb.numpy()[:, 0], yb.numpy())
        seen.extend(yb.numpy().tolist())
    assert sorted(seen) == list(range(10)) and seen != list(range(10))
    doubled = tf.data.Dataset.from_tensor_slices(y).map(lambda v: v * 2).batch(5, drop_remainder=True)
    np.testing.assert_array_equal(next(iter(doubled)).numpy(), [0, 2, 4, 6, 8])
    assert [int(v) for v in tf.data.Dataset.range(5).skip(1).take(2)] == [1, 2]
    assert len(tf.data.Dataset.range(3).repeat(2)) == 6
    evens = tf.data.Dataset.range(6).filter(lambda v: v % 2 == 0)
    assert [int(v) for v in evens] == [0, 2, 4]
    with pytest.raises(ValueError, match="same first dimension"):
        tf.data.Dataset.from_tensor_slices((x, y[:5]))
