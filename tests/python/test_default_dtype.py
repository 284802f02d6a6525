"""ember.set_default_dtype / get_default_dtype (torch.set_default_dtype) and Keras's
set_floatx: factories, Python-float tensors, int * float promotion and layer parameters
follow the default; checked against float64 NumPy references and PyTorch's dtypes."""

import numpy as np
import pytest

import ember
from ember import keras, nn

torch = pytest.importorskip("torch")


def _name(dtype):
    return str(dtype).split(".")[-1]


@pytest.fixture(autouse=True)
def restore_defaults():
    """Every test here ends with the float32 start-up defaults, even when it fails."""
    try:
        yield
    finally:
        ember.set_default_dtype(ember.float32)
        torch.set_default_dtype(torch.float32)
        keras.backend.set_floatx("float32")


@pytest.fixture
def float64_default():
    ember.set_default_dtype(ember.float64)
    torch.set_default_dtype(torch.float64)


def test_starts_as_float32():
    assert ember.get_default_dtype() == ember.float32
    assert ember.zeros(1).dtype == ember.tensor([1.0]).dtype == ember.float32


# (description, ember call, torch call): same arguments, compared by dtype name.
FACTORIES = [
    ("zeros", lambda m: m.zeros(2, 3)),
    ("ones", lambda m: m.ones((2,))),
    ("empty", lambda m: m.empty(4)),
    ("full float", lambda m: m.full((2,), 1.5)),
    ("full int", lambda m: m.full((2,), 3)),
    ("full bool", lambda m: m.full((2,), True)),
    ("rand", lambda m: m.rand(3)),
    ("randn", lambda m: m.randn(2, 2)),
    ("normal", lambda m: m.normal(0.0, 1.0, size=(3,))),
    ("randint", lambda m: m.randint(0, 5, (3,))),
    ("arange int", lambda m: m.arange(5)),
    ("arange float", lambda m: m.arange(0, 1, 0.25)),
    ("arange float end", lambda m: m.arange(2.5)),
    ("linspace", lambda m: m.linspace(0, 1, 5)),
    ("logspace", lambda m: m.logspace(0, 2, 3)),
    ("eye", lambda m: m.eye(3)),
    ("tensor float", lambda m: m.tensor(2.5)),
    ("tensor list", lambda m: m.tensor([1.0, 2.0])),
    ("tensor nested mixed", lambda m: m.tensor([[1, 2.5], [3, 4]])),
    ("tensor int list", lambda m: m.tensor([1, 2])),
    ("tensor bool", lambda m: m.tensor([True])),
    ("as_tensor list", lambda m: m.as_tensor([0.5])),
    ("tensor numpy float64", lambda m: m.tensor(np.ones(2))),
    ("as_tensor numpy float32", lambda m: m.as_tensor(np.ones(2, np.float32))),
    ("from_numpy float64", lambda m: m.from_numpy(np.ones(2))),
    ("int * float", lambda m: m.arange(3) * 2.5),
    ("int / int", lambda m: m.arange(1, 4) / 2),
    ("int + float", lambda m: 0.5 + m.arange(3)),
    ("float32 * float", lambda m: m.ones(2, dtype=m.float32) * 2.5),
    ("sqrt int", lambda m: m.sqrt(m.arange(3))),
    ("mean of float", lambda m: m.ones(3).mean()),
    ("zeros_like", lambda m: m.zeros_like(m.ones(2, dtype=m.float16))),
    ("arange float start", lambda m: m.arange(1.0, 4)),
    ("arange float step", lambda m: m.arange(0, 3, 0.5)),
    ("scalar_tensor", lambda m: m.scalar_tensor(1.0)),
    ("full_like int with float", lambda m: m.full_like(m.arange(3), 1.5)),
    ("empty_like", lambda m: m.empty_like(m.ones(2, dtype=m.float16))),
    ("rand_like", lambda m: m.rand_like(m.ones(2, dtype=m.float32))),
    ("atan2 int", lambda m: m.atan2(m.arange(3), m.arange(1, 4))),
    ("atan2 int and float32", lambda m: m.atan2(m.arange(3), m.ones(3, dtype=m.float32))),
]


@pytest.mark.parametrize("default", ["float32", "float64"])
@pytest.mark.parametrize("what,make", FACTORIES, ids=[f[0] for f in FACTORIES])
def test_factory_dtypes_match_torch(default, what, make):
    ember.set_default_dtype(getattr(ember, default))
    torch.set_default_dtype(getattr(torch, default))
    assert _name(make(ember).dtype) == _name(make(torch).dtype), what


def test_float64_values_match_numpy(float64_default):
    # Python floats stored without a float32 round trip.
    np.testing.assert_array_equal(ember.tensor([0.1, 0.2, 1 / 3]).numpy(), [0.1, 0.2, 1 / 3])
    np.testing.assert_array_equal(ember.full((2,), 0.1).numpy(), [0.1, 0.1])
    np.testing.assert_array_equal((ember.arange(4) * 0.1).numpy(), np.arange(4) * 0.1)
    np.testing.assert_allclose(ember.arange(0, 1, 0.1).numpy(), np.arange(0, 1, 0.1),
                               rtol=0, atol=1e-15)
    np.testing.assert_allclose(ember.linspace(0, 1, 7).numpy(), np.linspace(0, 1, 7),
                               rtol=0, atol=1e-15)
    np.testing.assert_allclose(ember.logspace(0, 2, 5).numpy(), np.logspace(0, 2, 5),
                               rtol=1e-14)
    np.testing.assert_array_equal(ember.eye(3).numpy(), np.eye(3))
    x = ember.randn(1000)
    assert x.dtype == ember.float64
    # float64 samples are not float32 values widened (these would all round-trip exactly).
    arr = x.numpy()
    assert np.any(arr.astype(np.float32).astype(np.float64) != arr)


def test_float16_and_bfloat16_defaults():
    ember.set_default_dtype(ember.float16)
    assert ember.zeros(1).dtype == ember.float16
    assert ember.tensor([1.5]).dtype == ember.float16
    assert ember.tensor([1.5]).item() == 1.5
    ember.set_default_dtype(ember.bfloat16)
    assert ember.tensor([1.5, 2.0]).dtype == ember.bfloat16
    assert ember.tensor([1.5, 2.0]).tolist() == [1.5, 2.0]
    assert (ember.arange(2) * 0.5).dtype == ember.bfloat16
    assert ember.get_default_dtype() == ember.bfloat16


@pytest.mark.parametrize("bad", [ember.int64, ember.int32, ember.bool, ember.uint8])
def test_bad_dtypes_raise_and_keep_the_default(bad):
    ember.set_default_dtype(ember.float64)
    with pytest.raises(TypeError, match=r"\[set_default_dtype\].*float16, bfloat16, float32, "
                                        r"float64.*got " + _name(bad)):
        ember.set_default_dtype(bad)
    assert ember.get_default_dtype() == ember.float64
    with pytest.raises(TypeError):  # as PyTorch
        torch.set_default_dtype(getattr(torch, _name(bad)))


def test_set_default_tensor_type():
    ember.set_default_tensor_type("torch.DoubleTensor")
    assert ember.get_default_dtype() == ember.float64
    ember.set_default_tensor_type(ember.float32)
    assert ember.get_default_dtype() == ember.float32
    with pytest.raises(TypeError, match=r"\[set_default_tensor_type\].*LongTensor"):
        ember.set_default_tensor_type("torch.LongTensor")


LAYERS = [
    ("Linear", lambda: nn.Linear(3, 2)),
    ("Bilinear", lambda: nn.Bilinear(2, 3, 4)),
    ("Conv1d", lambda: nn.Conv1d(1, 2, 3)),
    ("Conv2d", lambda: nn.Conv2d(1, 2, 3)),
    ("ConvTranspose2d", lambda: nn.ConvTranspose2d(2, 1, 3)),
    ("BatchNorm2d", lambda: nn.BatchNorm2d(3)),
    ("LayerNorm", lambda: nn.LayerNorm(4)),
    ("GroupNorm", lambda: nn.GroupNorm(2, 4)),
    ("InstanceNorm2d", lambda: nn.InstanceNorm2d(3, affine=True)),
    ("RMSNorm", lambda: nn.RMSNorm(4)),
    ("Embedding", lambda: nn.Embedding(5, 3)),
    ("LSTM", lambda: nn.LSTM(3, 4)),
    ("GRU", lambda: nn.GRU(3, 4)),
    ("RNN", lambda: nn.RNN(3, 4)),
    ("LSTMCell", lambda: nn.LSTMCell(3, 4)),
    ("GRUCell", lambda: nn.GRUCell(3, 4)),
    ("PReLU", lambda: nn.PReLU()),
    ("MultiheadAttention", lambda: nn.MultiheadAttention(4, 2)),
]


@pytest.mark.parametrize("what,make", LAYERS, ids=[l[0] for l in LAYERS])
def test_layer_parameters_follow_the_default(float64_default, what, make):
    layer = make()
    params = dict(layer.named_parameters())
    assert params, what
    for name, p in params.items():
        assert p.dtype == ember.float64, f"{what}.{name}: {p.dtype}"
    for name, b in layer.named_buffers():
        if b.dtype.is_floating_point:
            assert b.dtype == ember.float64, f"{what}.{name}: {b.dtype}"


def test_explicit_layer_dtype_wins(float64_default):
    assert nn.Linear(2, 2, dtype=ember.float32).weight.dtype == ember.float32
    assert nn.Conv2d(1, 1, 3, dtype=ember.float16).weight.dtype == ember.float16


def test_conv2d_forward_matches_float64_numpy(float64_default):
    conv = nn.Conv2d(2, 3, 3, padding=1)
    x = np.random.default_rng(0).standard_normal((1, 2, 5, 5))
    y = conv(ember.tensor(x)).detach().numpy()
    w, b = conv.weight.detach().numpy(), conv.bias.detach().numpy()
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    ref = np.empty((1, 3, 5, 5))
    for i in range(5):
        for j in range(5):
            ref[0, :, i, j] = np.einsum("ckl,ockl->o", xp[0, :, i:i + 3, j:j + 3], w) + b
    np.testing.assert_allclose(y, ref, rtol=1e-12, atol=1e-13)


def test_training_loop_is_float64_and_matches_numpy(float64_default):
    """Linear regression with SGD: every parameter, gradient and loss is float64 and the
    weights after 25 steps match the same loop in float64 NumPy to ~1e-13."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal((16, 3))
    y = x @ np.array([[1.0], [-2.0], [0.5]]) + 0.3 + 0.01 * rng.standard_normal((16, 1))
    model = nn.Linear(3, 1)
    opt = ember.optim.SGD(model.parameters(), lr=0.1)
    w, b = model.weight.detach().numpy().copy(), model.bias.detach().numpy().copy()
    xt, yt = ember.tensor(x.tolist()), ember.tensor(y.tolist())  # Python floats: default dtype
    assert xt.dtype == ember.float64
    losses = []
    for _ in range(25):
        opt.zero_grad()
        loss = ((model(xt) - yt) ** 2).mean()
        loss.backward()
        losses.append(float(loss))
        assert loss.dtype == model.weight.grad.dtype == ember.float64
        opt.step()
        err = x @ w.T + b - y
        w -= 0.1 * (2 / len(x)) * err.T @ x
        b -= 0.1 * (2 / len(x)) * err.sum(0)
    np.testing.assert_allclose(model.weight.detach().numpy(), w, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(model.bias.detach().numpy(), b, rtol=1e-12, atol=1e-13)
    assert losses[-1] < losses[0] / 20


def test_gradcheck_style_finite_differences(float64_default):
    """What float64 defaults are for: central differences agree with autograd to ~1e-9."""
    x = ember.tensor([0.3, -1.2, 2.0], requires_grad=True)
    (x.sin() * x.exp()).sum().backward()
    xs = np.array([0.3, -1.2, 2.0])
    h = 1e-6
    f = lambda v: np.sum(np.sin(v) * np.exp(v))  # noqa: E731
    fd = [(f(xs + h * e) - f(xs - h * e)) / (2 * h) for e in np.eye(3)]
    np.testing.assert_allclose(x.grad.numpy(), fd, rtol=1e-8)


def test_traced_function_follows_the_default_it_was_called_under():
    f = ember.function(lambda x: x * 2.5 + ember.ones(3))
    x32 = ember.ones(3)
    for _ in range(3):  # eager, trace, replay
        assert f(x32).dtype == ember.float32
    ember.set_default_dtype(ember.float64)
    x64 = ember.ones(3)
    assert x64.dtype == ember.float64
    for _ in range(3):
        out = f(x64)
        assert out.dtype == ember.float64
        np.testing.assert_array_equal(out.numpy(), np.full(3, 3.5))
    # Same float32 input under the float64 default: ones(3) inside is float64 in eager, so
    # the replay must not reuse the float32-default graph.
    for _ in range(3):
        assert f(x32).dtype == ember.float64
    ember.set_default_dtype(ember.float32)
    for _ in range(3):
        assert f(x32).dtype == ember.float32


def test_keras_floatx_sets_layer_weight_dtype():
    assert keras.backend.floatx() == "float32"
    keras.backend.set_floatx("float64")
    assert keras.backend.floatx() == "float64"
    assert ember.get_default_dtype() == ember.float32  # Keras's own setting
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="tanh"),
                              keras.layers.Dense(1)])
    for w in model.weights:
        assert w.dtype == ember.float64
    rng = np.random.default_rng(2)
    x, y = rng.standard_normal((32, 3)), rng.standard_normal((32, 1))
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    pred = model.predict(x, verbose=0)
    assert pred.dtype == np.float64
    k0, b0, k1, b1 = (w.detach().numpy() for w in model.weights)
    ref = np.tanh(x @ k0 + b0) @ k1 + b1
    np.testing.assert_allclose(pred, ref, rtol=1e-12, atol=1e-13)
    # An explicit dtype still wins.
    dense32 = keras.layers.Dense(2, dtype="float32")
    assert dense32(ember.ones(1, 3, dtype=ember.float32)).dtype == ember.float32
    assert dense32.kernel.dtype == ember.float32


def test_keras_set_floatx_rejects_other_types():
    with pytest.raises(ValueError, match=r"\[keras.backend.set_floatx\].*'float64'.*'int64'"):
        keras.backend.set_floatx("int64")
    assert keras.backend.floatx() == "float32"
