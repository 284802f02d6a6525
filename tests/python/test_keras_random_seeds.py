"""Seeds of the Keras random layers and keras.random: the same seed gives the same draws in
two fresh layers, different seeds differ, no seed follows the global seed
(keras.utils.set_random_seed / ember.manual_seed), and a traced fit step draws fresh
numbers on every replay while the layer seeds still decide them. Also the geometry of the
augmentation layers against NumPy."""

import numpy as np
import pytest

import ember
from ember import keras
from ember.keras import layers

_X = (np.arange(4 * 8 * 8 * 3, dtype=np.float32).reshape(4, 8, 8, 3) % 17) / 17.0

MAKERS = {
    "Dropout": lambda s: layers.Dropout(0.5, seed=s),
    "Dropout_noise_shape": lambda s: layers.Dropout(0.5, noise_shape=(None, 1, 1, 3), seed=s),
    "GaussianNoise": lambda s: layers.GaussianNoise(1.0, seed=s),
    "GaussianDropout": lambda s: layers.GaussianDropout(0.3, seed=s),
    "AlphaDropout": lambda s: layers.AlphaDropout(0.3, seed=s),
    "SpatialDropout2D": lambda s: layers.SpatialDropout2D(0.5, seed=s),
    "RandomFlip": lambda s: layers.RandomFlip(seed=s),
    "RandomRotation": lambda s: layers.RandomRotation(0.2, seed=s),
    "RandomZoom": lambda s: layers.RandomZoom(0.3, seed=s),
    "RandomTranslation": lambda s: layers.RandomTranslation(0.2, 0.2, seed=s),
    "RandomContrast": lambda s: layers.RandomContrast(0.5, value_range=(0, 1), seed=s),
    "RandomBrightness": lambda s: layers.RandomBrightness(0.5, value_range=(0, 1), seed=s),
    "RandomCrop": lambda s: layers.RandomCrop(5, 6, seed=s),
}


def _draw(make, seed):
    return make(seed)(_X, training=True).numpy()


@pytest.mark.parametrize("name", list(MAKERS))
def test_layer_seed_reproduces_and_global_seed_applies(name):
    make = MAKERS[name]
    a, b, c = _draw(make, 1), _draw(make, 1), _draw(make, 2)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    ember.manual_seed(0)
    d = _draw(make, None)
    keras.utils.set_random_seed(0)
    e = _draw(make, None)
    f = _draw(make, None)
    np.testing.assert_array_equal(d, e)
    assert not np.array_equal(e, f)
    # A seeded layer does not depend on the global seed.
    ember.manual_seed(123)
    np.testing.assert_array_equal(_draw(make, 1), a)
    # Inference is deterministic: identity, or RandomCrop's center crop.
    layer = make(1)
    np.testing.assert_array_equal(layer(_X).numpy(), layer(_X).numpy())


@pytest.mark.parametrize("name", ["Dropout", "GaussianDropout"])
def test_dropout_statistics(name):
    x = np.ones((200, 100), np.float32)
    y = MAKERS[name](7)(x, training=True).numpy()
    assert abs(y.mean() - 1.0) < 0.03    # each keeps the mean
    if name == "Dropout":
        assert abs((y == 0).mean() - 0.5) < 0.03
        np.testing.assert_allclose(y[y != 0], 2.0)
    else:
        assert abs(y.var() - 0.3 / 0.7) < 0.03


def test_alpha_dropout_keeps_zero_mean_unit_variance():
    x = np.random.default_rng(0).standard_normal((400, 100)).astype(np.float32)
    y = layers.AlphaDropout(0.2, seed=1)(x, training=True).numpy()
    assert abs(y.mean()) < 0.05 and abs(y.std() - 1.0) < 0.05


def test_noise_shape_drops_whole_slices():
    y = layers.Dropout(0.5, noise_shape=(None, 1, 1, 3), seed=3)(_X + 1, training=True).numpy()
    dropped = (y == 0).all(axis=(1, 2))              # (batch, channels)
    assert ((y == 0).any(axis=(1, 2)) == dropped).all()
    assert dropped.any() and not dropped.all()
    with pytest.raises(ValueError, match=r"\[dropout\] noise_shape \(4, 2, 1, 3\) does not "
                                         r"broadcast to the input shape \(4, 8, 8, 3\)"):
        layers.Dropout(0.5, noise_shape=(None, 2, 1, 3))(_X, training=True)


def test_keras_random_functions_and_seed_generator():
    kr = keras.random
    for fn in (lambda s: kr.normal((3, 4), seed=s), lambda s: kr.uniform((3, 4), seed=s),
               lambda s: kr.truncated_normal((3, 4), seed=s),
               lambda s: kr.randint((3, 4), 0, 100, seed=s),
               lambda s: kr.dropout(ember.ones(3, 4), 0.5, seed=s),
               lambda s: kr.shuffle(ember.arange(20), seed=s),
               lambda s: kr.categorical(ember.zeros(2, 10), 5, seed=s)):
        np.testing.assert_array_equal(fn(5).numpy(), fn(5).numpy())
        assert not np.array_equal(fn(5).numpy(), fn(6).numpy())
        ember.manual_seed(1)
        a = fn(None).numpy()
        keras.utils.set_random_seed(1)
        np.testing.assert_array_equal(fn(None).numpy(), a)
    g1, g2 = kr.SeedGenerator(42), kr.SeedGenerator(42)
    first = kr.normal((5,), seed=g1).numpy()
    np.testing.assert_array_equal(first, kr.normal((5,), seed=g2).numpy())
    assert not np.array_equal(first, kr.normal((5,), seed=g1).numpy())   # it advances
    keras.utils.set_random_seed(3)
    u = kr.uniform((4,), seed=kr.SeedGenerator()).numpy()
    keras.utils.set_random_seed(3)
    np.testing.assert_array_equal(kr.uniform((4,), seed=kr.SeedGenerator()).numpy(), u)
    assert sorted(kr.shuffle(ember.arange(20), seed=1).numpy().tolist()) == list(range(20))
    with pytest.raises(TypeError, match=r"\[normal\] seed must be None, an int or a "
                                        r"keras.random.SeedGenerator, got str"):
        kr.normal((2,), seed="1")
    with pytest.raises(TypeError, match=r"\[Dropout\] seed must be an int or None, got float"):
        layers.Dropout(0.5, seed=1.5)


def _fit_losses(make_noise, global_seed, epochs=5):
    keras.utils.set_random_seed(global_seed)
    model = keras.Sequential([keras.Input((50,)), make_noise(),
                              layers.Dense(1, kernel_initializer="ones")])
    model.compile(keras.optimizers.SGD(0.0), "mse")
    x, y = np.ones((16, 50), np.float32), np.zeros((16, 1), np.float32)
    return np.array(model.fit(x, y, batch_size=16, epochs=epochs, verbose=0,
                              shuffle=False).history["loss"])


@pytest.mark.parametrize("make", [lambda s: layers.GaussianNoise(1.0, seed=s),
                                  lambda s: layers.Dropout(0.5, seed=s)],
                         ids=["GaussianNoise", "Dropout"])
def test_traced_fit_draws_fresh_numbers_that_the_seeds_decide(make):
    a = _fit_losses(lambda: make(1), 0)
    assert len(set(a.tolist())) == len(a)        # a fresh draw on every replayed step
    np.testing.assert_array_equal(a, _fit_losses(lambda: make(1), 0))
    np.testing.assert_array_equal(a, _fit_losses(lambda: make(1), 9))   # global seed aside
    assert not np.array_equal(a, _fit_losses(lambda: make(2), 0))
    b = _fit_losses(lambda: make(None), 0)
    assert len(set(b.tolist())) == len(b)
    np.testing.assert_array_equal(b, _fit_losses(lambda: make(None), 0))
    assert not np.array_equal(b, _fit_losses(lambda: make(None), 1))


def test_two_seeded_layers_in_a_traced_fit():
    def two():
        return keras.Sequential([layers.GaussianNoise(1.0, seed=1), layers.Dropout(0.3, seed=2)])
    a = _fit_losses(two, 0)
    assert len(set(a.tolist())) == len(a)
    np.testing.assert_array_equal(a, _fit_losses(two, 4))


_IMG = np.random.default_rng(0).standard_normal((2, 5, 5, 3)).astype(np.float32)


@pytest.mark.parametrize("mode,np_mode", [("reflect", "symmetric"), ("wrap", "wrap"),
                                          ("nearest", "edge"), ("mirror", "reflect"),
                                          ("constant", "constant")])
def test_translation_fill_modes_match_numpy_padding(mode, np_mode):
    # Fixed factors: down 2 rows (0.4 * 5), left 1 column: out[i, j] = x[i - 2, j + 1].
    layer = layers.RandomTranslation((0.4, 0.4), (-0.2, -0.2), fill_mode=mode)
    y = layer(_IMG, training=True).numpy()
    padded = np.pad(_IMG, ((0, 0), (5, 5), (5, 5), (0, 0)), mode=np_mode)
    np.testing.assert_allclose(y, padded[:, 3:8, 6:11], atol=1e-6)


def test_rotation_zoom_crop_geometry():
    quarter = layers.RandomRotation((0.25, 0.25))(_IMG, training=True).numpy()
    np.testing.assert_allclose(quarter, np.rot90(_IMG, 1, axes=(1, 2)), atol=1e-5)
    np.testing.assert_allclose(layers.RandomZoom((0.0, 0.0))(_IMG, training=True).numpy(),
                               _IMG, atol=1e-6)
    crop = layers.RandomCrop(3, 4, seed=0)(_IMG, training=True).numpy()
    windows = [_IMG[:, i:i + 3, j:j + 4] for i in range(3) for j in range(2)]
    assert any(np.array_equal(crop, w) for w in windows)
    np.testing.assert_array_equal(layers.RandomCrop(3, 3)(_IMG).numpy(), _IMG[:, 1:4, 1:4])
    with pytest.raises(ValueError, match=r"\[RandomRotation\] fill_mode must be one of"):
        layers.RandomRotation(0.1, fill_mode="bogus")


def test_augmentation_gradients_flow_to_the_input():
    x = ember.tensor(_IMG, requires_grad=True)
    layers.RandomRotation(0.1, seed=1)(x, training=True).sum().backward()
    g = x.grad.numpy()
    assert g.shape == _IMG.shape and np.isfinite(g).all() and np.abs(g).sum() > 0
    # Bilinear weights sum to one per output pixel: the total gradient is the pixel count.
    np.testing.assert_allclose(g.sum(), _IMG.size, rtol=1e-4)
