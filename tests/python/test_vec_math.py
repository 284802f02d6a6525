"""The vectorized float32 math (core/cpu/vec_math-inl.h) behind eager exp, log, tanh, ... and
trace's fused loops: error against float64 numpy over wide ranges, and special values exactly
as numpy and PyTorch give them."""

import numpy as np
import pytest

import ember

F32 = np.float32
TINY = np.finfo(F32).tiny  # smallest normal float32


def _silu64(x):
    with np.errstate(all="ignore"):
        return x / (1 + np.exp(-x))


def _sigmoid64(x):
    with np.errstate(all="ignore"):
        return 1 / (1 + np.exp(-x))


def _gelu_tanh64(x):
    with np.errstate(all="ignore"):
        return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))


def _elu64(x, alpha=1.5):
    with np.errstate(all="ignore"):
        return np.where(x > 0, x, alpha * np.expm1(x))


def _softplus64(x, beta=2.0, threshold=20.0):
    with np.errstate(all="ignore"):
        return np.where(x * beta > threshold, x, np.log1p(np.exp(x * beta)) / beta)


# name -> (float64 reference, max error in float32 ulps, input range worth sweeping). The
# bounds are those documented in core/cpu/vec_math-inl.h (measured maxima, rounded up).
FUNCS = {
    "exp": (np.exp, 1.5, (-104, 89)),
    "expm1": (np.expm1, 4, (-104, 89)),
    "log": (np.log, 1.5, None),
    "log1p": (np.log1p, 2.5, None),
    "tanh": (np.tanh, 3, (-20, 20)),
    "sigmoid": (_sigmoid64, 3, (-104, 104)),
    "silu": (_silu64, 3.5, (-104, 104)),
    "sin": (np.sin, 2.5, (-39000, 39000)),
    "cos": (np.cos, 2.5, (-39000, 39000)),
    "gelu_tanh": (_gelu_tanh64, 4, (-20, 20)),
    "elu": (_elu64, 5, (-104, 89)),
    "softplus": (_softplus64, 4, (-60, 60)),
}

# Ember calls for names that are not plain ember functions.
CALLS = {
    "gelu_tanh": lambda t: ember.gelu(t, approximate="tanh"),
    "elu": lambda t: ember.elu(t, 1.5),
    "softplus": lambda t: ember.softplus(t, 2.0, 20.0),
}
# gelu's 1 + tanh(u) cancels for negative x (in PyTorch too): its error is counted in ulps
# of x instead of the result.
ULP_OF_INPUT = {"gelu_tanh"}


def _call(name):
    return CALLS.get(name) or getattr(ember, name)


def _torch_fn(torch, name):
    f = torch.nn.functional
    return {"silu": f.silu, "gelu_tanh": lambda t: f.gelu(t, approximate="tanh"),
            "elu": lambda t: f.elu(t, 1.5),
            "softplus": lambda t: f.softplus(t, 2.0, 20.0)}.get(name) or getattr(torch, name)


SPECIALS = np.array(
    [0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, 2.0, 0.5, 1e-45, -1e-45, 1e-40, -1e-40,
     TINY, -TINY, 1e-30, -1e-30, 1e-8, -1e-8, 88.72, 88.73, 89.0, 100.0, 104.0, 105.0, 1e10,
     3.4e38, -3.4e38, -1e10, -87.3, -88.0, -100.0, -103.9, -104.0, -105.0, -0.9999999, -0.5,
     -2.0, 18.7, 18.8, -18.8, 0.34, -0.34, 0.35, -0.35],
    dtype=F32)


def _eager(name, x):
    return _call(name)(ember.from_numpy(x)).numpy()


def _ref32(name, x):
    with np.errstate(all="ignore"):
        return FUNCS[name][0](x.astype(np.float64)).astype(F32)


def _ulp_error(got, x, name):
    """|got - ref| in units of the float32 spacing at the float64 reference (the spacing
    of the smallest normal for subnormal results)."""
    with np.errstate(all="ignore"):
        ref = FUNCS[name][0](x.astype(np.float64))
    ok = np.isfinite(ref) & (np.abs(ref) < np.finfo(F32).max)
    scale = np.abs(x[ok]).astype(np.float64) if name in ULP_OF_INPUT else np.abs(ref[ok])
    ulp = np.spacing(np.maximum(scale, TINY).astype(F32)).astype(np.float64)
    return np.abs(got[ok].astype(np.float64) - ref[ok]) / ulp, x[ok]


def _sweep(name):
    rng = np.random.default_rng(1)
    lohi = FUNCS[name][2]
    if lohi is None:  # log-like: positive magnitudes over the whole float range, and near 0
        mags = np.exp2(rng.uniform(-149, 127.9, 200_001)).astype(F32)
        parts = [mags, rng.uniform(-0.999, 2, 100_003).astype(F32)]
    else:
        lo, hi = lohi
        parts = [rng.uniform(lo, hi, 200_001).astype(F32),
                 np.linspace(-1, 1, 50_001, dtype=F32),
                 (np.exp2(rng.uniform(-149, 0, 50_001)) * rng.choice([-1, 1], 50_001)).astype(F32)]
    return np.concatenate(parts + [SPECIALS])


@pytest.mark.parametrize("name", list(FUNCS))
def test_error_against_float64_within_bound(name):
    x = _sweep(name)
    got = _eager(name, x)
    err, xs = _ulp_error(got, x, name)
    bound = FUNCS[name][1]
    if name == "silu":
        # Below -87 e^x is subnormal, so x * sigmoid(x) loses bits: absolute error only there.
        deep = xs < -87
        with np.errstate(all="ignore"):
            ref = _silu64(xs[deep].astype(np.float64))
        got_deep = _eager(name, xs[deep]).astype(np.float64)
        assert np.max(np.abs(got_deep - ref)) <= 2e-43
        err, xs = err[~deep], xs[~deep]
    worst = int(np.argmax(err))
    assert err[worst] <= bound, f"{name}({xs[worst]!r}): {err[worst]:.2f} ulp > {bound}"


@pytest.mark.parametrize("name", list(FUNCS))
def test_special_values_as_numpy(name):
    x = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, -1.0, -2.0, 1e-45, -1e-45, 3.4e38,
                  -3.4e38, 1e10, -1e10, 200.0, -200.0], dtype=F32)
    # Repeat so every special value lands both in full vectors and in the tail.
    x = np.concatenate([x] * 3 + [x[:5]])
    got = _eager(name, x)
    ref = _ref32(name, x)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(ref), err_msg=f"{name} NaN at {x}")
    fin = ~np.isnan(ref)
    # Exact where the reference is inf or zero (sign of zero included); tiny elsewhere.
    exact = fin & (np.isinf(ref) | (ref == 0))
    np.testing.assert_array_equal(got[exact], ref[exact], err_msg=f"{name} at {x[exact]}")
    np.testing.assert_array_equal(np.signbit(got[exact]), np.signbit(ref[exact]),
                                  err_msg=f"{name} zero sign at {x[exact]}")
    err, _ = _ulp_error(got[fin], x[fin], name)
    assert err.max() <= FUNCS[name][1]


@pytest.mark.parametrize("name", list(FUNCS))
def test_special_values_as_torch(name):
    torch = pytest.importorskip("torch")
    x = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, -1.0, 1e-45, 3.4e38, -3.4e38, 90.0],
                 dtype=F32)
    want = _torch_fn(torch, name)(torch.from_numpy(x)).numpy()
    got = _eager(name, x)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    big = ~np.isnan(want) & (np.abs(want) > 1e-30)
    np.testing.assert_allclose(got[big], want[big], rtol=1e-6)
    zero = want == 0
    np.testing.assert_array_equal(np.abs(got[zero]) < 1e-30, True)


@pytest.mark.parametrize("name", list(FUNCS))
@pytest.mark.parametrize("n", [1, 3, 7, 8, 15, 16, 17, 33, 100_003])
def test_every_length_and_layout_agrees(name, n):
    """Tails (any length), the strided path and the fused path give the same values."""
    rng = np.random.default_rng(n)
    x = (rng.standard_normal(n) * 4).astype(F32)
    if name in ("log", "log1p"):
        x = np.abs(x)
    got = _eager(name, x)
    err, _ = _ulp_error(got, x, name)
    assert err.max() <= FUNCS[name][1]
    # Every other element of a doubled buffer: the strided loop (scalar: libm, fast_tanh; up to ~10 ulp).
    wide = ember.from_numpy(np.repeat(x, 2))[::2]
    strided_err, _ = _ulp_error(_call(name)(wide).numpy(), x, name)
    assert strided_err.max() <= 16


@pytest.mark.parametrize("name", list(FUNCS))
def test_fused_loop_matches_eager_bit_for_bit(name):
    rng = np.random.default_rng(7)
    x = (rng.standard_normal(4099) * 4).astype(F32)
    if name in ("log", "log1p"):
        x = np.abs(x)
    x = np.concatenate([x, SPECIALS])
    fn = _call(name)
    traced = ember.function(lambda t: fn(t * 1.0 + 0.0))
    a = ember.from_numpy(x)
    eager = fn(a * 1.0 + 0.0).numpy()
    for _ in range(3):  # warm-up calls, then replays
        fused = traced(a).numpy()
    np.testing.assert_array_equal(fused, eager)


def test_float64_and_float16_keep_their_paths():
    x = np.linspace(-5, 5, 1001)
    np.testing.assert_allclose(ember.exp(ember.from_numpy(x)).numpy(), np.exp(x), rtol=1e-15)
    h = ember.tanh(ember.from_numpy(x.astype(np.float16))).numpy()
    np.testing.assert_allclose(h.astype(np.float64), np.tanh(x), atol=1e-3)
