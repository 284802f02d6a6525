"""Random numbers: reproducibility (seeds, state, generators, threads), distribution
statistics on 1e5 samples, dtypes, in-place initializers, ember.random, error messages."""

import threading

import numpy as np
import pytest
from helpers import gradcheck, requires_torch, to_np, torch

import ember

N = 100_000
FLOATS = [ember.float32, ember.float64, ember.float16, ember.bfloat16]


def np_of(t):
    return to_np(t.float() if t.dtype in (ember.float16, ember.bfloat16) else t).astype(np.float64)


# ---- reproducibility ----------------------------------------------------------------------

@pytest.mark.parametrize("make", [lambda: ember.rand(5, 7), lambda: ember.randn(300),
                                  lambda: ember.randint(0, 100, (50,)), lambda: ember.randperm(20),
                                  lambda: ember.bernoulli(ember.full((64,), 0.5)),
                                  lambda: ember.normal(1.0, 2.0, size=(9,)),
                                  lambda: ember.multinomial(ember.ones(10), 4)])
def test_same_seed_same_values(make):
    ember.manual_seed(1234)
    a = to_np(make())
    ember.manual_seed(1234)
    b = to_np(make())
    np.testing.assert_array_equal(a, b)
    c = to_np(make())  # the stream has advanced
    assert not np.array_equal(a, c) or a.size <= 1


def test_different_seeds_differ():
    ember.manual_seed(1)
    a = to_np(ember.rand(100))
    ember.manual_seed(2)
    assert not np.array_equal(a, to_np(ember.rand(100)))


def test_seed_and_initial_seed():
    ember.manual_seed(77)
    assert ember.initial_seed() == 77
    s = ember.seed()
    assert isinstance(s, int) and ember.initial_seed() == s
    ember.manual_seed(-1)  # PyTorch accepts negatives (two's complement)
    assert ember.initial_seed() == 2**64 - 1
    with pytest.raises(ValueError, match=r"\[manual_seed\] seed must be in"):
        ember.manual_seed(2**64)
    with pytest.raises(TypeError, match=r"\[manual_seed\] expected an int seed"):
        ember.manual_seed(1.5)


def test_rng_state_round_trip():
    ember.manual_seed(5)
    ember.rand(3)
    state = ember.get_rng_state()
    assert state.dtype == ember.uint8 and state.dim() == 1
    a = to_np(ember.randn(10))
    ember.set_rng_state(state)
    np.testing.assert_array_equal(a, to_np(ember.randn(10)))


def test_set_rng_state_errors():
    with pytest.raises(TypeError, match=r"\[set_rng_state\] expected a 1-D uint8"):
        ember.set_rng_state(ember.zeros(24))
    with pytest.raises(ValueError, match=r"\[set_rng_state\] expected a state of 24 bytes"):
        ember.set_rng_state(ember.zeros(5, dtype=ember.uint8))
    with pytest.raises(ValueError, match=r"\[set_rng_state\] not a state"):
        ember.set_rng_state(ember.zeros(24, dtype=ember.uint8))


def test_generator_object_is_independent_of_default():
    g = ember.Generator().manual_seed(42)
    assert g.initial_seed() == 42
    ember.manual_seed(0)
    a = to_np(ember.rand(8, generator=g))
    b = to_np(ember.rand(8))  # default stream untouched by g
    ember.manual_seed(0)
    np.testing.assert_array_equal(b, to_np(ember.rand(8)))
    g2 = ember.Generator().manual_seed(42)
    np.testing.assert_array_equal(a, to_np(ember.rand(8, generator=g2)))
    st = g.get_state()
    x = to_np(ember.randn(4, generator=g))
    g.set_state(st)
    np.testing.assert_array_equal(x, to_np(ember.randn(4, generator=g)))
    with pytest.raises(TypeError, match=r"\[generator\] expected an ember.Generator"):
        ember.rand(2, generator=3)


def test_threads_have_independent_state():
    ember.manual_seed(11)
    expected = to_np(ember.rand(32))
    out = {}

    def worker(k):
        ember.manual_seed(100 + k)
        out[k] = to_np(ember.rand(32))

    ember.manual_seed(11)
    threads = [threading.Thread(target=worker, args=(k,)) for k in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    np.testing.assert_array_equal(to_np(ember.rand(32)), expected)  # main stream undisturbed
    for k in range(3):
        ember.manual_seed(100 + k)
        np.testing.assert_array_equal(out[k], to_np(ember.rand(32)))


def test_fresh_threads_get_distinct_default_seeds():
    seeds = []
    t = threading.Thread(target=lambda: seeds.append(ember.initial_seed()))
    t.start()
    t.join()
    t = threading.Thread(target=lambda: seeds.append(ember.initial_seed()))
    t.start()
    t.join()
    assert seeds[0] != seeds[1]


def test_large_outputs_split_consistently():
    # A prefix of a larger draw equals the smaller draw: element i depends on i only.
    ember.manual_seed(3)
    big = to_np(ember.rand(N + 3))
    ember.manual_seed(3)
    np.testing.assert_array_equal(big[:1000], to_np(ember.rand(1000)))


# ---- distributions ------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", FLOATS)
def test_rand_uniform_moments(dtype):
    ember.manual_seed(0)
    x = np_of(ember.rand(N, dtype=dtype))
    assert x.min() >= 0.0 and x.max() < 1.0
    assert abs(x.mean() - 0.5) < 0.01 and abs(x.std() - np.sqrt(1 / 12)) < 0.01


@pytest.mark.parametrize("dtype", FLOATS)
def test_randn_moments(dtype):
    ember.manual_seed(0)
    x = np_of(ember.randn(N, dtype=dtype))
    assert abs(x.mean()) < 0.02 and abs(x.std() - 1.0) < 0.02
    # tails: about 4.55% beyond two standard deviations
    assert abs((np.abs(x) > 2).mean() - 0.0455) < 0.005


def test_normal_scalar_and_tensor_forms():
    ember.manual_seed(0)
    x = to_np(ember.normal(3.0, 0.5, size=(N,)))
    assert abs(x.mean() - 3.0) < 0.01 and abs(x.std() - 0.5) < 0.01
    mean = ember.tensor(np.array([[-5.0], [5.0]]))
    y = to_np(ember.normal(mean, ember.full((1, N // 2), 2.0, dtype=ember.float64)))
    assert y.shape == (2, N // 2)
    assert abs(y[0].mean() + 5) < 0.05 and abs(y[1].std() - 2) < 0.05
    z = to_np(ember.normal(0.0, ember.full((N,), 3.0)))
    assert abs(z.std() - 3) < 0.05


def test_normal_tensor_form_is_differentiable():
    mean = ember.zeros(4, dtype=ember.float64, requires_grad=True)
    std = ember.ones(4, dtype=ember.float64, requires_grad=True)
    ember.manual_seed(9)
    out = ember.normal(mean, std)
    out.backward(ember.ones(4, dtype=ember.float64))
    ember.manual_seed(9)
    eps = to_np(ember.randn(4, dtype=ember.float64))
    np.testing.assert_allclose(to_np(mean.grad), np.ones(4))
    np.testing.assert_allclose(to_np(std.grad), eps)


@pytest.mark.skipif(not hasattr(ember.Tensor, "sum"), reason="gradcheck needs Tensor.sum (reduce family)")
def test_normal_reparameterized_gradcheck():
    def fn(mean, std):
        ember.manual_seed(21)  # same noise on every evaluation
        return ember.normal(mean, std)
    gradcheck(fn, np.array([[0.5, -1.0, 2.0]]), np.array([[1.0], [0.3]]))
    gradcheck(lambda m: (ember.manual_seed(3), ember.normal(m, 2.0))[1], np.array([1.0, 2.0]))


def test_uniform_in_place_bounds_and_moments():
    x = ember.empty(N, dtype=ember.float64).uniform_(-2.0, 6.0)
    v = to_np(x)
    assert v.min() >= -2 and v.max() < 6 and abs(v.mean() - 2.0) < 0.05


def test_normal_and_exponential_in_place():
    ember.manual_seed(1)
    v = to_np(ember.empty(N).normal_(mean=1.0, std=2.0))
    assert abs(v.mean() - 1) < 0.03 and abs(v.std() - 2) < 0.03
    e = to_np(ember.empty(N, dtype=ember.float64).exponential_(lambd=4.0))
    assert e.min() >= 0 and abs(e.mean() - 0.25) < 0.005 and abs(e.std() - 0.25) < 0.005


@pytest.mark.parametrize("dtype", FLOATS)
def test_trunc_normal_in_place_bounds_and_moments(dtype):
    ember.manual_seed(12)
    t = ember.empty(N, dtype=dtype)
    ember._C._trunc_normal_(t, 1.0, 2.0, -1.0, 4.0)
    x = np_of(t)
    assert x.min() >= -1.0 and x.max() <= 4.0
    # moments of N(1, 4) truncated to [-1, 4] (scipy.stats.truncnorm: mean 1.2904, std 1.2895)
    assert abs(x.mean() - 1.2904) < 0.02 and abs(x.std() - 1.2895) < 0.02
    with pytest.raises(ValueError, match=r"\[trunc_normal_\] expected a < b"):
        ember._C._trunc_normal_(t, 0.0, 1.0, 2.0, 1.0)


def test_keras_truncated_normal():
    x = to_np(ember.random.truncated_normal([N], mean=3.0, stddev=0.5, dtype=ember.float64))
    assert x.min() >= 2.0 and x.max() <= 4.0
    assert abs(x.mean() - 3.0) < 0.01 and abs(x.std() - 0.5 * 0.8796) < 0.01


@pytest.mark.parametrize("dtype", [ember.int64, ember.int32, ember.uint8, ember.float32, ember.float64])
def test_randint_range_and_coverage(dtype):
    ember.manual_seed(2)
    x = np_of(ember.randint(-3 if dtype != ember.uint8 else 0, 7, (N,), dtype=dtype))
    lo = -3 if dtype != ember.uint8 else 0
    assert x.min() == lo and x.max() == 6
    counts = np.bincount((x - lo).astype(np.int64))
    expect = N / (7 - lo)
    assert np.all(np.abs(counts - expect) < 5 * np.sqrt(expect))


def test_randint_signatures():
    t = ember.randint(10, (3, 4))
    assert t.shape == (3, 4) and t.dtype == ember.int64 and to_np(t).max() < 10
    assert ember.randint(2, 5, size=(6,)).shape == (6,)
    assert ember.randint(low=2, high=5, size=(6,)).shape == (6,)
    assert ember.randint(0, 2, (4,), dtype=ember.bool).dtype == ember.bool
    huge = to_np(ember.randint(-2**63, 2**63 - 1, (1000,)))
    assert (huge < 0).any() and (huge > 0).any()


def test_like_functions():
    x = ember.from_numpy(np.zeros((3, 4), dtype=np.float64).T)
    for fn in (ember.rand_like, ember.randn_like):
        y = fn(x)
        assert y.shape == (4, 3) and y.dtype == ember.float64 and not y.requires_grad
    y = ember.randint_like(x, 5)
    assert y.dtype == ember.float64 and to_np(y).max() < 5
    y = ember.randint_like(x, 3, 5, dtype=ember.int32)
    assert y.dtype == ember.int32 and set(np.unique(to_np(y))) <= {3, 4}
    assert ember.rand_like(ember.ones(2, requires_grad=True)).requires_grad is False


def test_bernoulli_rate_tensor_and_scalar():
    ember.manual_seed(4)
    p = ember.full((N,), 0.3)
    b = to_np(ember.bernoulli(p))
    assert b.dtype == np.float32 and set(np.unique(b)) <= {0.0, 1.0}
    assert abs(b.mean() - 0.3) < 0.01
    assert abs(to_np(ember.bernoulli(ember.zeros(N), p=0.8)).mean() - 0.8) < 0.01
    assert to_np(ember.bernoulli(ember.ones(100))).min() == 1
    assert to_np(ember.bernoulli(ember.zeros(100))).max() == 0
    assert abs(to_np(p.bernoulli()).mean() - 0.3) < 0.01


def test_bernoulli_in_place_with_broadcast_probabilities():
    t = ember.zeros(N // 2, 2, dtype=ember.int64)
    t.bernoulli_(ember.tensor([0.1, 0.9]))
    v = to_np(t)
    assert abs(v[:, 0].mean() - 0.1) < 0.01 and abs(v[:, 1].mean() - 0.9) < 0.01
    f = ember.empty(N).bernoulli_(0.25)
    assert abs(to_np(f).mean() - 0.25) < 0.01


def test_random_in_place():
    t = ember.empty(N, dtype=ember.int32).random_(3, 9)
    v = to_np(t)
    assert v.min() == 3 and v.max() == 8
    u = to_np(ember.empty(1000, dtype=ember.uint8).random_())
    assert u.max() > 200
    w = to_np(ember.empty(1000).random_(10))
    assert w.min() >= 0 and w.max() <= 9 and (w == np.round(w)).all()


def test_randperm_is_permutation():
    for n in [0, 1, 2, 17, 1000]:
        p = to_np(ember.randperm(n))
        assert sorted(p.tolist()) == list(range(n))
    assert ember.randperm(5, dtype=ember.float32).dtype == ember.float32
    # every position is uniformly likely to hold 0
    ember.manual_seed(8)
    first = [int(to_np(ember.randperm(4))[0]) for _ in range(4000)]
    assert np.all(np.abs(np.bincount(first, minlength=4) - 1000) < 150)


def test_multinomial_with_and_without_replacement():
    ember.manual_seed(6)
    w = ember.tensor([1.0, 0.0, 3.0, 4.0])
    s = to_np(ember.multinomial(w, N, replacement=True))
    freq = np.bincount(s, minlength=4) / N
    np.testing.assert_allclose(freq, [0.125, 0.0, 0.375, 0.5], atol=0.01)
    rows = ember.tensor([[0.0, 1.0, 1.0, 0.0, 1.0], [5.0, 0.0, 0.0, 0.0, 1.0]])
    out = to_np(rows.multinomial(2))
    assert out.shape == (2, 2)
    assert set(out[0]) <= {1, 2, 4} and len(set(out[0])) == 2
    assert sorted(out[1]) == [0, 4]
    # without replacement: the heavier category comes first most of the time
    firsts = [int(to_np(ember.multinomial(ember.tensor([1.0, 9.0]), 1))[0]) for _ in range(2000)]
    assert abs(np.mean(firsts) - 0.9) < 0.03


# ---- autograd through in-place noise -------------------------------------------------------

def test_in_place_noise_on_non_leaf_cuts_history():
    a = ember.ones(3, requires_grad=True)
    b = a * 2
    b.normal_()
    (b * 3).backward(ember.ones(3))
    np.testing.assert_array_equal(to_np(a.grad), np.zeros(3))


def test_in_place_noise_on_leaf_requiring_grad_raises():
    a = ember.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"\[uniform_\] a leaf tensor that requires grad"):
        a.uniform_()
    with ember.no_grad():
        a.uniform_()
    assert a.requires_grad


# ---- errors ---------------------------------------------------------------------------------

@pytest.mark.parametrize("call,exc,match", [
    (lambda: ember.randint(5, 5, (3,)), ValueError, r"\[randint\] expected low < high, got low=5, high=5"),
    (lambda: ember.randint(0, 300, (3,), dtype=ember.uint8), ValueError, r"\[randint\] range .* uint8"),
    (lambda: ember.rand(2, dtype=ember.int64), TypeError, r"\[rand\] expected a floating dtype, got int64"),
    (lambda: ember.randn(2, -3), ValueError, r"\[randn\] negative dimension -3"),
    (lambda: ember.rand(2, dtype="nope"), Exception, r"nope"),
    (lambda: ember.normal(0.0, -1.0, size=(2,)), ValueError, r"\[normal\] expected a finite mean and std >= 0"),
    (lambda: ember.normal(ember.zeros(2), ember.full((2,), -1.0)), ValueError, r"\[normal\] expected all std >= 0"),
    (lambda: ember.normal(0.0, 1.0), TypeError, r"\[normal\] .*size= is required"),
    (lambda: ember.bernoulli(ember.full((3,), 1.5)), ValueError, r"\[bernoulli\] expected all probabilities in \[0, 1\]"),
    (lambda: ember.bernoulli(ember.zeros(3, dtype=ember.int64)), TypeError, r"\[bernoulli\] expected floating-point"),
    (lambda: ember.zeros(3).bernoulli_(2.0), ValueError, r"\[bernoulli_\] expected 0 <= p <= 1"),
    (lambda: ember.zeros(3).bernoulli_(ember.full((2,), 0.5)), ValueError, r"\[bernoulli_\] shapes \[3\] and \[2\]"),
    (lambda: ember.zeros(3).uniform_(2.0, 1.0), ValueError, r"\[uniform_\] expected finite bounds"),
    (lambda: ember.zeros(3, dtype=ember.int32).normal_(), TypeError, r"\[normal_\] expected a floating dtype"),
    (lambda: ember.zeros(3).exponential_(0.0), ValueError, r"\[exponential_\] expected lambd > 0"),
    (lambda: ember.randperm(-1), ValueError, r"\[randperm\] n must be non-negative"),
    (lambda: ember.randperm(2**25, dtype=ember.float16), ValueError, r"\[randperm\] n=.* too large for dtype float16"),
    (lambda: ember.multinomial(ember.zeros(3), 1), ValueError, r"\[multinomial\] invalid distribution"),
    (lambda: ember.multinomial(ember.tensor([1.0, -1.0]), 1), ValueError, r"\[multinomial\] .*negative"),
    (lambda: ember.multinomial(ember.ones(3), 4), ValueError, r"\[multinomial\] cannot draw 4 samples without replacement"),
    (lambda: ember.multinomial(ember.tensor([1.0, 0.0, 0.0]), 2), ValueError, r"\[multinomial\] .*too few non-zero"),
    (lambda: ember.multinomial(ember.ones(2, 2, 2), 1), ValueError, r"\[multinomial\] expected 1-D or 2-D"),
    (lambda: ember.multinomial(ember.ones(3, dtype=ember.int64), 1), TypeError, r"\[multinomial\] expected floating-point"),
])
def test_errors_name_the_op(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# ---- ember.random (TensorFlow / Keras style) ------------------------------------------------

def test_keras_style_module():
    ember.random.set_seed(10)
    a = to_np(ember.random.normal([5, 10]))
    ember.random.set_seed(10)
    np.testing.assert_array_equal(a, to_np(ember.random.normal([5, 10])))
    assert a.shape == (5, 10)
    u = ember.random.uniform((N,), minval=2, maxval=3)
    assert u.dtype == ember.float32 and 2 <= to_np(u).min() and to_np(u).max() < 3
    assert abs(to_np(ember.random.uniform([N])).mean() - 0.5) < 0.01
    i = ember.random.uniform([100], 0, 10, dtype="int32")
    assert i.dtype == ember.int32 and to_np(i).max() < 10
    with pytest.raises(ValueError, match=r"\[uniform\] maxval is required"):
        ember.random.uniform([3], dtype=ember.int64)
    n = to_np(ember.random.normal([N], mean=1.0, stddev=0.1, dtype=ember.float64))
    assert abs(n.mean() - 1) < 0.005 and abs(n.std() - 0.1) < 0.005
    r = to_np(ember.random.randint([50], 0, 3))
    assert set(np.unique(r)) <= {0, 1, 2}


def test_keras_style_seeds():
    np.testing.assert_array_equal(to_np(ember.random.normal([4], seed=3)),
                                  to_np(ember.random.normal([4], seed=3)))
    sg = ember.random.SeedGenerator(5)
    a, b = to_np(ember.random.uniform([4], seed=sg)), to_np(ember.random.uniform([4], seed=sg))
    assert not np.array_equal(a, b)
    with pytest.raises(TypeError, match=r"\[random\] seed must be an int"):
        ember.random.normal([2], seed="x")


def test_torch_random_aliases():
    ember.random.manual_seed(31)
    assert ember.random.initial_seed() == 31 == ember.initial_seed()
    st = ember.random.get_rng_state()
    a = to_np(ember.rand(3))
    ember.random.set_rng_state(st)
    np.testing.assert_array_equal(a, to_np(ember.rand(3)))


def test_fork_rng_restores_state():
    ember.manual_seed(4)
    with ember.random.fork_rng():
        inside = to_np(ember.rand(5))
    np.testing.assert_array_equal(inside, to_np(ember.rand(5)))


def test_top_level_exports():
    for name in ["manual_seed", "seed", "initial_seed", "get_rng_state", "set_rng_state", "Generator",
                 "rand", "randn", "randint", "randperm", "bernoulli", "multinomial", "normal"]:
        assert hasattr(ember, name), name


# ---- PyTorch parity (distribution properties; streams differ by design) ----------------------

@requires_torch
def test_torch_signature_parity():
    for e, t in [(ember.rand(2, 3), torch.rand(2, 3)), (ember.randn((4,)), torch.randn((4,))),
                 (ember.randint(3, 10, (2, 2)), torch.randint(3, 10, (2, 2))),
                 (ember.randperm(6), torch.randperm(6)),
                 (ember.normal(0.0, 1.0, size=(3,)), torch.normal(0.0, 1.0, size=(3,))),
                 (ember.bernoulli(ember.full((3,), 0.5)), torch.bernoulli(torch.full((3,), 0.5)))]:
        assert e.shape == tuple(t.shape)
        assert str(e.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]


@requires_torch
def test_torch_distribution_parity():
    ember.manual_seed(0)
    torch.manual_seed(0)
    e, t = to_np(ember.randn(N)), torch.randn(N).numpy()
    # same distribution: quantiles agree to sampling error
    qs = [0.01, 0.1, 0.5, 0.9, 0.99]
    np.testing.assert_allclose(np.quantile(e, qs), np.quantile(t, qs), atol=0.05)


def _noisy(x, g):
    return x + ember.randn(x.shape[0], generator=g) * ember.rand(x.shape[0], generator=g)


def test_traced_function_draws_from_its_explicit_generator():
    # Replays draw from the generator each op was recorded with, advancing it as eager calls
    # would; the thread's default generator is left alone.
    x = ember.zeros(6)
    g_eager = ember.Generator().manual_seed(11)
    want = [to_np(_noisy(x, g_eager)) for _ in range(4)]
    g = ember.Generator().manual_seed(11)
    f = ember.function(lambda t: _noisy(t, g))
    ember.manual_seed(3)
    default_before = to_np(ember.get_rng_state())
    got = [to_np(f(x)) for _ in range(4)]
    np.testing.assert_array_equal(to_np(ember.get_rng_state()), default_before)
    for w, v in zip(want, got):
        np.testing.assert_array_equal(v, w)
    assert len({v.tobytes() for v in got}) == len(got)  # fresh numbers every call
    np.testing.assert_array_equal(to_np(g.get_state()), to_np(g_eager.get_state()))


def test_traced_function_without_generator_uses_the_default_one():
    x = ember.zeros(5)
    f = ember.function(lambda t: t + ember.rand(5))
    ember.manual_seed(4)
    want = [to_np(x + ember.rand(5)) for _ in range(3)]
    ember.manual_seed(4)
    got = [to_np(f(x)) for _ in range(3)]
    for w, v in zip(want, got):
        np.testing.assert_array_equal(v, w)


def test_traced_integer_seed_repeats_like_eager():
    # seed=5 makes a generator for the call alone: eager draws the same numbers every call,
    # and so does every replay.
    x = ember.zeros(3)
    want = [to_np(x + ember.random.normal((3,), seed=5)) for _ in range(3)]
    f = ember.function(lambda t: t + ember.random.normal((3,), seed=5))
    for w in want + want:
        np.testing.assert_array_equal(to_np(f(x)), w)
