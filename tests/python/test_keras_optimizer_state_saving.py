"""model.save keeps the optimizer's variables (as Keras 3 does): load_model then fit
continues exactly as the uninterrupted run."""

import numpy as np
import pytest

import ember as tf

keras = tf.keras


def _data(seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(32, 5)).astype(np.float32)
    y = (x @ rng.normal(size=(5, 2)) + 0.1).astype(np.float32)
    return x, y


def _model(optimizer):
    tf.random.set_seed(3)
    model = keras.Sequential([keras.layers.Dense(8, activation="tanh", input_shape=(5,)),
                              keras.layers.Dense(2)])
    model.compile(optimizer=optimizer, loss="mse")
    return model


def _weights(model):
    return [np.array(w, copy=True) for w in model.get_weights()]


OPTIMIZERS = [
    lambda: keras.optimizers.Adam(learning_rate=0.05),
    lambda: keras.optimizers.SGD(learning_rate=0.05, momentum=0.9),
    lambda: keras.optimizers.RMSprop(learning_rate=0.01),
    lambda: keras.optimizers.Nadam(learning_rate=0.02),      # a Python-side optimizer
    lambda: keras.optimizers.Adadelta(learning_rate=0.5),
    # The schedule reads optimizer.iterations, which the file restores too.
    lambda: keras.optimizers.Adam(learning_rate=keras.optimizers.schedules.ExponentialDecay(
        0.05, decay_steps=2, decay_rate=0.5)),
]


@pytest.mark.parametrize("make_opt", OPTIMIZERS, ids=["adam", "sgd_momentum", "rmsprop",
                                                      "nadam", "adadelta", "adam_schedule"])
def test_save_load_then_fit_equals_uninterrupted_training(tmp_path, make_opt):
    x, y = _data()
    straight = _model(make_opt())
    straight.fit(x, y, epochs=3, batch_size=8, shuffle=False, verbose=0)

    first = _model(make_opt())
    first.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    path = str(tmp_path / "m.keras")
    first.save(path)
    resumed = keras.models.load_model(path)
    assert resumed.optimizer.iterations == first.optimizer.iterations == 8
    resumed.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0)

    for a, b in zip(_weights(straight), _weights(resumed)):
        np.testing.assert_allclose(b, a, rtol=1e-6, atol=1e-7)
    assert resumed.optimizer.iterations == 12


def test_fresh_optimizer_differs_so_the_state_matters(tmp_path):
    # Without the saved Adam moments, resuming gives different weights: the test above
    # would catch a file that dropped them.
    x, y = _data()
    straight = _model(keras.optimizers.Adam(learning_rate=0.05))
    straight.fit(x, y, epochs=3, batch_size=8, shuffle=False, verbose=0)
    first = _model(keras.optimizers.Adam(learning_rate=0.05))
    first.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    path = str(tmp_path / "m.keras")
    first.save(path)
    fresh = keras.models.load_model(path, compile=False)
    fresh.compile(optimizer=keras.optimizers.Adam(learning_rate=0.05), loss="mse")
    fresh.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    diff = max(float(np.abs(a - b).max())
               for a, b in zip(_weights(straight), _weights(fresh)))
    assert diff > 1e-4


def test_optimizer_state_is_in_the_weights_file_and_load_weights_ignores_it(tmp_path):
    x, y = _data()
    model = _model(keras.optimizers.Adam(learning_rate=0.05))
    model.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    path = str(tmp_path / "m.keras")
    model.save(path)
    _, state = keras.saving.read_archive(path)
    slots = {k for k in state if k.startswith("optimizer_state/")}
    assert "optimizer_state/iterations" in slots
    assert any(k.endswith("exp_avg_sq") for k in slots)
    kernel = model.layers[0].kernel.detach().numpy()
    moment = [state[k].numpy() for k in sorted(slots) if k.startswith("optimizer_state/0/")
              and k.endswith("/exp_avg")]
    assert moment and moment[0].shape == kernel.shape and np.abs(moment[0]).max() > 0

    other = _model(keras.optimizers.Adam())
    other.load_weights(path)   # weights only: the optimizer keys are skipped
    np.testing.assert_array_equal(other.layers[0].kernel.detach().numpy(), kernel)


def test_unbuilt_optimizer_saves_no_state(tmp_path):
    model = _model(keras.optimizers.Adam())
    model.build((None, 5))
    path = str(tmp_path / "m.keras")
    model.save(path)
    _, state = keras.saving.read_archive(path)
    assert not [k for k in state if k.startswith("optimizer_state/")]
    loaded = keras.models.load_model(path)
    x, y = _data()
    loaded.fit(x, y, epochs=1, verbose=0)
    assert loaded.optimizer.iterations == 1
