"""ember.keras metrics (Precision, Recall, AUC, 'mae', 'accuracy' variants) and the fit
options: sample_weight, class_weight, steps_per_execution, initial_epoch, steps_per_epoch,
data loaders and generators, learning-rate schedules, the *_on_batch methods, errors."""

import numpy as np
import pytest

import ember
from ember import keras
from ember.keras import layers, metrics, optimizers


def _rng(seed=0):
    return np.random.default_rng(seed)


def _binary(n=120, seed=0):
    rng = _rng(seed)
    x = rng.normal(size=(n, 5)).astype(np.float32)
    y = (x @ rng.normal(size=5) + 0.3 * rng.normal(size=n) > 0).astype(np.float32)
    return x, y


def _model(seed=0, out=1, activation="sigmoid", d=5):
    ember.manual_seed(seed)
    return keras.Sequential([keras.Input(shape=(d,)), layers.Dense(8, activation="relu"),
                             layers.Dense(out, activation=activation)])


def _roc_auc(y, p):
    """Exact ROC AUC: the probability a positive outranks a negative (ties count half)."""
    pos, neg = p[y > 0.5], p[y <= 0.5]
    greater = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return greater / (len(pos) * len(neg))


def test_precision_recall_auc_standalone():
    rng = _rng(1)
    y = (rng.random(500) > 0.6).astype(np.float32)
    p = np.clip(y * 0.3 + rng.random(500) * 0.7, 0, 1).astype(np.float32)
    pred = p > 0.5
    tp, fp, fn = (pred & (y > 0)).sum(), (pred & (y == 0)).sum(), (~pred & (y > 0)).sum()
    prec, rec, auc = metrics.Precision(), metrics.Recall(), metrics.AUC(num_thresholds=1000)
    for m in (prec, rec, auc):
        for start in range(0, 500, 128):        # accumulated over batches, not averaged
            m.update_state(y[start:start + 128], p[start:start + 128])
    assert prec.result() == pytest.approx(tp / (tp + fp))
    assert rec.result() == pytest.approx(tp / (tp + fn))
    assert auc.result() == pytest.approx(_roc_auc(y, p), abs=2e-3)
    prec.reset_state()
    assert prec.result() == 0.0


def test_metrics_in_fit_and_evaluate():
    x, y = _binary()
    model = _model()
    model.compile("adam", "binary_crossentropy",
                  metrics=["accuracy", metrics.Precision(), metrics.Recall(), metrics.AUC(),
                           "mae"])
    assert model.metrics_names == ["loss", "accuracy", "precision", "recall", "auc", "mae"]
    h = model.fit(x, y, epochs=2, batch_size=32, verbose=0)
    assert sorted(h.history) == ["accuracy", "auc", "loss", "mae", "precision", "recall"]
    logs = model.evaluate(x, y, batch_size=50, verbose=0, return_dict=True)
    p = model.predict(x, verbose=0)[:, 0].astype(np.float64)
    pred = p > 0.5
    tp, fp, fn = (pred & (y > 0)).sum(), (pred & (y == 0)).sum(), (~pred & (y > 0)).sum()
    assert logs["accuracy"] == pytest.approx((pred == (y > 0.5)).mean(), abs=1e-6)
    assert logs["precision"] == pytest.approx(tp / (tp + fp))
    assert logs["recall"] == pytest.approx(tp / (tp + fn))
    assert logs["auc"] == pytest.approx(_roc_auc(y, p), abs=0.01)
    assert logs["mae"] == pytest.approx(np.abs(p - y).mean(), rel=1e-5)


def test_accuracy_variants_chosen_from_loss_and_shapes():
    rng = _rng(2)
    x = rng.normal(size=(30, 5)).astype(np.float32)
    labels = rng.integers(0, 3, 30)
    model = _model(out=3, activation="softmax")
    model.compile("sgd", "categorical_crossentropy", metrics=["accuracy"])
    onehot = np.eye(3, dtype=np.float32)[labels]
    acc = model.evaluate(x, onehot, verbose=0)[1]
    p = model.predict(x, verbose=0)
    assert acc == pytest.approx((p.argmax(1) == labels).mean())
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=["acc"])
    assert model.evaluate(x, labels, verbose=0)[1] == pytest.approx(acc)
    assert model.metrics_names == ["loss", "acc"]


def test_sample_weight_and_class_weight_against_numpy():
    x, y = _binary(40)
    model = _model()
    model.compile(optimizers.SGD(0.0), "binary_crossentropy")
    p = model.predict(x, verbose=0)[:, 0].astype(np.float64)
    pc = np.clip(p, 1e-7, 1 - 1e-7)
    per = -(y * np.log(pc) + (1 - y) * np.log(1 - pc))
    sw = _rng(3).random(40).astype(np.float32)
    # Keras's sum_over_batch_size: sum(w * loss) / batch size, per batch, then the mean.
    got = model.evaluate(x, y, sample_weight=sw, batch_size=40, verbose=0)
    assert got == pytest.approx((per * sw).sum() / 40, rel=1e-5)
    h = model.fit(x, y, sample_weight=sw, batch_size=40, epochs=1, verbose=0, shuffle=False)
    assert h.history["loss"][0] == pytest.approx((per * sw).sum() / 40, rel=1e-5)
    h = model.fit(x, y, class_weight={0: 1.0, 1: 3.0}, batch_size=40, verbose=0,
                  shuffle=False)
    cw = np.where(y > 0.5, 3.0, 1.0)
    assert h.history["loss"][0] == pytest.approx((per * cw).sum() / 40, rel=1e-5)
    with pytest.raises(ValueError, match=r"class_weight has no weight for classes \[1\]"):
        model.fit(x, y, class_weight={0: 1.0}, verbose=0)
    with pytest.raises(ValueError, match=r"\[fit\] x and sample_weight must have the same "
                                         r"number of samples"):
        model.fit(x, y, sample_weight=sw[:10], verbose=0)


def test_class_weight_changes_training():
    x, y = _binary(200, seed=4)
    y[:] = (np.arange(200) % 5 == 0)           # 20% positives
    base = _model(5)
    base.compile(optimizers.SGD(0.1), "binary_crossentropy")
    base.fit(x, y, epochs=5, verbose=0)
    weighted = _model(5)
    weighted.compile(optimizers.SGD(0.1), "binary_crossentropy")
    weighted.fit(x, y, epochs=5, verbose=0, class_weight={0: 1.0, 1: 4.0})
    assert weighted.predict(x, verbose=0).mean() > base.predict(x, verbose=0).mean()


@pytest.mark.parametrize("n_exec", [2, 4])
def test_steps_per_execution_matches_single_steps(n_exec):
    x, y = _binary(150)
    results = []
    for steps in (1, n_exec):
        model = _model(6)
        model.compile(optimizers.SGD(0.1, momentum=0.9), "binary_crossentropy",
                      metrics=["accuracy"], steps_per_execution=steps)
        ember.manual_seed(11)
        h = model.fit(x, y, batch_size=16, epochs=2, verbose=0)
        results.append((h.history, model.get_weights(), model))
    (h1, w1, _), (hn, wn, mn) = results
    for k in h1:
        np.testing.assert_allclose(h1[k], hn[k], rtol=1e-5, atol=1e-6)
    for a, b in zip(w1, wn):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert any(key[-1] == n_exec for key in mn._steps)     # the N-step trace was used


def test_initial_epoch_and_steps_per_epoch():
    x, y = _binary(100)
    model = _model()
    model.compile("sgd", "binary_crossentropy")
    seen = []
    h = model.fit(x, y, epochs=5, initial_epoch=3, verbose=0, batch_size=10,
                  callbacks=[keras.callbacks.LambdaCallback(
                      on_train_batch_end=lambda b, logs: seen.append(b))])
    assert h.epoch == [3, 4] and len(h.history["loss"]) == 2
    seen.clear()
    model.fit(x, y, epochs=1, steps_per_epoch=4, batch_size=10, verbose=0,
              callbacks=[keras.callbacks.LambdaCallback(
                  on_train_batch_end=lambda b, logs: seen.append(b))])
    assert seen == [0, 1, 2, 3]


def test_fit_on_dataloader_and_generator():
    from ember.utils.data import DataLoader, TensorDataset
    x, y = _binary(96)
    loader = DataLoader(TensorDataset(ember.tensor(x), ember.tensor(y)), batch_size=32)
    model = _model(7)
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    h = model.fit(loader, epochs=3, verbose=0, validation_data=loader)
    assert len(h.history["loss"]) == 3 and "val_accuracy" in h.history
    # Same numbers as arrays without shuffling.
    ref = _model(7)
    ref.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    h_ref = ref.fit(x, y, batch_size=32, epochs=3, verbose=0, shuffle=False)
    np.testing.assert_allclose(h.history["loss"], h_ref.history["loss"], rtol=1e-5)
    loss, acc = model.evaluate(loader, verbose=0)
    assert loss == pytest.approx(model.evaluate(x, y, verbose=0)[0], rel=1e-5)

    def gen():
        while True:
            for i in range(0, 96, 24):
                yield x[i:i + 24], y[i:i + 24]

    model.fit(gen(), steps_per_epoch=4, epochs=2, verbose=0)
    # A Dataset of samples is batched by batch_size.
    dataset = TensorDataset(ember.tensor(x), ember.tensor(y))
    seen = []
    model.fit(dataset, batch_size=48, epochs=1, verbose=0,
              callbacks=[keras.callbacks.LambdaCallback(
                  on_train_batch_end=lambda b, logs: seen.append(b))])
    assert seen == [0, 1]
    assert model.evaluate(dataset, verbose=0)[0] == pytest.approx(
        model.evaluate(x, y, verbose=0)[0], rel=1e-5)
    assert model.predict(loader, verbose=0).shape == (96, 1)
    with pytest.raises(ValueError, match=r"\[fit\] y must not be given when x is a dataset"):
        model.fit(loader, y, verbose=0)


def test_learning_rate_schedules():
    s = optimizers.schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    assert s(0) == pytest.approx(0.1) and s(10) == pytest.approx(0.05)
    assert s(5) == pytest.approx(0.1 * 0.5 ** 0.5)
    st = optimizers.schedules.ExponentialDecay(0.1, 10, 0.5, staircase=True)
    assert st(19) == pytest.approx(0.05)
    pw = optimizers.schedules.PiecewiseConstantDecay([2, 4], [1.0, 0.5, 0.1])
    assert [pw(i) for i in range(6)] == [1.0, 1.0, 1.0, 0.5, 0.5, 0.1]
    cos = optimizers.schedules.CosineDecay(1.0, 10)
    assert cos(5) == pytest.approx(0.5) and cos(20) == pytest.approx(0.0)
    # In fit: plain SGD with a decaying rate equals NumPy's updates.
    ember.manual_seed(0)
    model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(1, use_bias=False)])
    w0 = model.get_weights()[0].astype(np.float64)
    x = _rng(5).normal(size=(8, 3)).astype(np.float32)
    y = _rng(6).normal(size=(8, 1)).astype(np.float32)
    model.compile(optimizers.SGD(learning_rate=optimizers.schedules.ExponentialDecay(
        0.1, decay_steps=1, decay_rate=0.5)), "mse")
    model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    w = w0
    for step in range(4):
        xb, yb = x[(step % 2) * 4:(step % 2) * 4 + 4], y[(step % 2) * 4:(step % 2) * 4 + 4]
        grad = 2 * xb.T @ (xb @ w - yb) / 4
        w = w - 0.1 * 0.5 ** step * grad
    np.testing.assert_allclose(model.get_weights()[0], w, rtol=1e-5)
    assert model.optimizer.iterations == 4
    assert model.optimizer.learning_rate == pytest.approx(0.1 * 0.5 ** 3)


def test_on_batch_methods():
    x, y = _binary(16)
    model = _model()
    model.compile(optimizers.SGD(0.0), "binary_crossentropy", metrics=["accuracy"])
    loss, acc = model.test_on_batch(x, y)
    assert [loss, acc] == pytest.approx(model.evaluate(x, y, batch_size=16, verbose=0))
    logs = model.train_on_batch(x, y, return_dict=True)
    assert logs["loss"] == pytest.approx(loss, rel=1e-6)
    np.testing.assert_allclose(model.predict_on_batch(x), model.predict(x, verbose=0),
                               rtol=1e-6)


def test_errors_name_what_is_wrong():
    x, y = _binary(10)
    model = _model()
    with pytest.raises(RuntimeError, match=r"\[fit\] model '.*' must be compiled before"):
        model.fit(x, y, verbose=0)
    with pytest.raises(ValueError, match=r"\[losses\] unknown loss 'msqe'"):
        model.compile("sgd", "msqe")
    with pytest.raises(ValueError, match=r"\[metrics\] unknown metric 'f1'"):
        model.compile("sgd", "mse", metrics=["f1"])
    with pytest.raises(ValueError, match=r"\[compile\] steps_per_execution"):
        model.compile("sgd", "mse", steps_per_execution=0)
    model.compile("sgd", "mse")
    with pytest.raises(ValueError, match=r"expects input of shape \(None, 5\), got input of "
                                         r"shape \(10, 4\)"):
        model.fit(x[:, :4], y, verbose=0)
    with pytest.raises(ValueError, match=r"\[fit\] x and y must have the same number"):
        model.fit(x, y[:3], verbose=0)
