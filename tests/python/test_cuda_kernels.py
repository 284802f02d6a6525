"""Native CUDA kernels (random, indexing and joining, statistics and scans, fused Adam,
pinned host-to-device copies) against the CPU: values, gradients where the op has one, and
bad indices raising IndexError. Every check is written as check_*(device) and compared with
the same computation on the CPU; the GPU tests skip where ember.cuda.is_available() is False,
and test_checks_run_against_the_cpu_itself runs each check with device="cpu", so the checks
themselves are exercised on every machine."""

import numpy as np
import pytest

import ember
from helpers import rand

requires_cuda = pytest.mark.skipif(not ember.cuda.is_available(),
                                   reason="no CUDA device (ember.cuda.is_available() is False)")


def host(t):
    t = t.detach().cpu()
    return (t.float() if t.dtype == ember.bfloat16 else t).numpy()


def same(got, want):
    """Bit-for-bit equal values (NaNs in the same places), same dtype and shape."""
    assert got.dtype == want.dtype and tuple(got.shape) == tuple(want.shape)
    g, w = host(got), host(want)
    if g.dtype.kind == "f":
        g, w = g.astype(np.float64), w.astype(np.float64)
    np.testing.assert_array_equal(g, w)


def close(got, want, rtol=1e-5, atol=1e-6):
    assert got.dtype == want.dtype and tuple(got.shape) == tuple(want.shape)
    np.testing.assert_allclose(host(got).astype(np.float64), host(want).astype(np.float64),
                               rtol=rtol, atol=atol)


def on(device, a, dtype=ember.float32, requires_grad=False):
    t = ember.tensor(a, dtype=dtype).to(device)
    if requires_grad:
        t = t.detach().requires_grad_()
    return t


# ---- random: the same numbers for the same generator state ------------------------------

RANDOM_DTYPES = [ember.float32, ember.float64, ember.float16, ember.bfloat16]


def check_random_draws(device):
    for dtype in RANDOM_DTYPES:
        for n in (1, 7, 1000, 4097):  # partial Philox blocks at both layouts
            gc, gd = ember.Generator(), ember.Generator()
            gc.manual_seed(11)
            gd.manual_seed(11)
            same(ember.rand(n, dtype=dtype, device=device, generator=gd),
                 ember.rand(n, dtype=dtype, generator=gc))
            same(ember.randn(n, dtype=dtype, device=device, generator=gd),
                 ember.randn(n, dtype=dtype, generator=gc))
            # In-place initializers on a non-contiguous target: row-major element order.
            td = ember.zeros(n, 3, dtype=dtype, device=device).t()
            tc = ember.zeros(n, 3, dtype=dtype).t()
            same(td.normal_(1.5, 0.5, generator=gd), tc.normal_(1.5, 0.5, generator=gc))
            same(td.uniform_(-2, 3, generator=gd), tc.uniform_(-2, 3, generator=gc))
            same(td.exponential_(0.7, generator=gd), tc.exponential_(0.7, generator=gc))
            np.testing.assert_array_equal(host(gd.get_state()), host(gc.get_state()))


def check_random_integer_and_bernoulli(device):
    ember.manual_seed(5)
    want = [ember.randint(-3, 1000, (513,)), ember.randint(0, 7, (3, 5), dtype=ember.int32),
            ember.bernoulli(ember.full((301,), 0.25)), ember.rand(66, dtype=ember.float64)]
    want.append(ember.bernoulli(want[-1]))
    ember.manual_seed(5)
    got = [ember.randint(-3, 1000, (513,), device=device),
           ember.randint(0, 7, (3, 5), dtype=ember.int32, device=device),
           ember.bernoulli(ember.full((301,), 0.25, device=device)),
           ember.rand(66, dtype=ember.float64, device=device)]
    got.append(ember.bernoulli(got[-1]))
    for g, w in zip(got, want):
        same(g, w)
    x = ember.ones(4, 5, device=device)
    with pytest.raises(ValueError, match="bernoulli"):
        ember.bernoulli(x * 1.5)


def check_dropout(device):
    x = rand(8, 16)
    ember.manual_seed(2)
    want = ember.nn.functional.dropout(on("cpu", x), p=0.3, training=True)
    ember.manual_seed(2)
    got = ember.nn.functional.dropout(on(device, x), p=0.3, training=True)
    same(got, want)


# ---- indexing and joining -----------------------------------------------------------------

def grads(fn, device, *arrays, dtype=ember.float64):
    ts = [on(device, a, dtype=dtype, requires_grad=True) for a in arrays]
    out = fn(*ts)
    (out * ember.arange(out.numel(), dtype=dtype, device=device).reshape(out.shape)).sum().backward()
    return out, [t.grad for t in ts]


def check_against_cpu(fn, device, *arrays, rtol=1e-12, atol=1e-12, dtype=ember.float64):
    want, wg = grads(fn, "cpu", *arrays, dtype=dtype)
    got, gg = grads(fn, device, *arrays, dtype=dtype)
    close(got, want, rtol, atol)
    for g, w in zip(gg, wg):
        close(g, w, rtol, atol)


def ix(a, like, dtype=ember.int64):
    """Index array `a` as a tensor on the device of tensor `like`."""
    return ember.tensor(np.asarray(a), dtype=dtype).to(like.device)


def check_gather_scatter(device):
    idx = [[0, 4, 2], [-1, 1, 3], [2, 2, 2]]  # -1 wraps; repeats accumulate
    check_against_cpu(lambda x: ember.gather(x, 1, ix(idx, x)), device, rand(3, 5))
    check_against_cpu(lambda x, s: ember.scatter_add(x, 1, ix(idx, x), s), device,
                      rand(3, 5), rand(3, 3))
    uniq = [[0, 4], [3, 1]]
    check_against_cpu(lambda x, s: ember.scatter(x, 1, ix(uniq, x), s), device,
                      rand(2, 5), rand(2, 2))
    # int32 indices and integer, half and bool data
    for dtype in (ember.int64, ember.int32, ember.uint8, ember.float16, ember.bool):
        x = ember.tensor(rand(3, 5) * 4).to(dtype)
        i32 = ember.tensor(idx, dtype=ember.int32)
        same(ember.gather(x.to(device), 1, i32.to(device)), ember.gather(x, 1, i32))
        if dtype != ember.bool:
            same(ember.scatter_add(x.to(device), 1, i32.to(device), x[:, :3].to(device)),
                 ember.scatter_add(x, 1, i32, x[:, :3]))


def check_advanced_indexing(device):
    a = rand(4, 5, 6)
    rows = [3, 0, -1, 0]  # repeats and a negative
    cols = [[1], [4]]
    check_against_cpu(lambda x: x[ix(rows, x)], device, a)
    check_against_cpu(lambda x: x[:, ix(cols, x), ix(rows, x)], device, a)  # broadcast
    check_against_cpu(lambda x: x[ix(rows, x), :, ix(rows, x)], device, a)  # non-adjacent
    check_against_cpu(lambda x: x[1:, ix(cols, x)], device, a)
    check_against_cpu(lambda x: ember.index_select(x, 2, ix(rows, x)), device, a)

    def put_add(x, v):
        y = x * 1.0
        return y.index_put_((ix(rows, x),), v, accumulate=True)

    check_against_cpu(put_add, device, rand(5, 3), rand(4, 3))

    def assign(x, v):
        y = x * 1.0
        y[ix([4, 0, 2], x)] = v
        return y

    check_against_cpu(assign, device, rand(5, 3), rand(3, 3))
    check_against_cpu(assign, device, rand(5, 3), rand(3))  # broadcast value

    def slice_assign(x, v):
        y = x * 1.0
        y[1:, 0] = v
        return y

    check_against_cpu(slice_assign, device, rand(5, 3), rand(4))


def check_masks_one_hot_cat_flip(device):
    a, m = rand(4, 6), rand(4, 6) > 0
    check_against_cpu(lambda x: x.masked_fill(ix(m, x, ember.bool), -3.0), device, a)
    check_against_cpu(lambda x: x.masked_fill(ix(m[0], x, ember.bool), 2.0), device, a)
    labels = np.array([[0, 3], [2, 1]])
    same(ember.nn.functional.one_hot(ember.tensor(labels).to(device), 5),
         ember.nn.functional.one_hot(ember.tensor(labels), 5))
    check_against_cpu(lambda x, y: ember.cat([x, y, x], 1), device, rand(3, 2), rand(3, 4))
    check_against_cpu(lambda x, y: ember.cat([x.t(), y], 0), device, rand(2, 3), rand(1, 2))
    check_against_cpu(lambda x: ember.flip(x, [0, 2]), device, rand(3, 4, 5))
    check_against_cpu(lambda x: ember.flip(x.transpose(0, 1), [1]), device, rand(3, 4))
    # max along a dim: its backward scatters through index_one_hot
    check_against_cpu(lambda x: x.max(1)[0], device, rand(4, 7))
    # cross_entropy gathers the targets' log-probabilities
    check_against_cpu(lambda x: ember.nn.functional.cross_entropy(x, ix([1, 0, 4], x))
                      .reshape(1), device, rand(3, 5))


def check_bad_indices(device):
    x = ember.ones(3, 4, device=device)
    bad = ember.tensor([[0, 4]]).to(device)
    for call in (lambda: ember.gather(x, 1, bad), lambda: x[ember.tensor([3]).to(device)],
                 lambda: ember.scatter_add(x, 1, bad, ember.ones(1, 2, device=device)),
                 lambda: ember.nn.functional.one_hot(ember.tensor([0, 5]).to(device), 5)):
        with pytest.raises(IndexError, match="out of"):
            call().cpu()  # CPU: raises in the op; CUDA: at the next sync, the read here
        # The error is reported once: later work is unaffected.
        np.testing.assert_array_equal(host(x.sum(1)), [4, 4, 4])
    with pytest.raises(IndexError, match="out of"):
        y = x * 1.0
        y[ember.tensor([-4]).to(device)] = 2.0
        ember.cuda.synchronize() if device != "cpu" else y.cpu()


# ---- statistics and scans -------------------------------------------------------------------

def check_statistics_and_scans(device):
    a = rand(5, 7, 3)
    for dims in ([1], [0, 2], []):
        check_against_cpu(lambda x: ember.var(x, dims).reshape(-1), device, a)
        check_against_cpu(lambda x: ember.std(x, dims, correction=0).reshape(-1), device, a)
        check_against_cpu(lambda x: ember.logsumexp(x, dims).reshape(-1), device, a)
        for p in (1, 2, 3.5, float("inf")):
            check_against_cpu(lambda x: ember.norm(x, p, dims).reshape(-1), device, a)
    for dtype in (ember.float32, ember.float64, ember.int64, ember.int32):
        x = ember.tensor(rand(4, 9) * 5).to(dtype)
        same(ember.cumsum(x.to(device), 1), ember.cumsum(x, 1))
        same(ember.cumsum(x.to(device).t(), 1), ember.cumsum(x.t(), 1))
    check_against_cpu(lambda x: ember.cumsum(x, 0), device, a)
    check_against_cpu(lambda x: ember.cumprod(x, 2), device, a, rtol=1e-10, atol=1e-12)
    # special values follow the CPU reducers
    s = np.array([[-np.inf, -np.inf], [np.inf, 1.0], [np.nan, 0.0], [1000.0, 1000.0]])
    close(ember.logsumexp(on(device, s, ember.float64), [1]),
          ember.logsumexp(on("cpu", s, ember.float64), [1]))


def check_normalization_layers(device):
    F = ember.nn.functional
    c = 3
    check_against_cpu(lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True), device,
                      rand(4, c, 5), rand(c), rand(c), rtol=1e-10, atol=1e-10)
    check_against_cpu(lambda x: F.batch_norm(x, None, None, training=True), device,
                      rand(6, c), rtol=1e-10, atol=1e-10)
    check_against_cpu(lambda x, w, b: F.layer_norm(x, [5], w, b), device,
                      rand(4, 3, 5), rand(5), rand(5), rtol=1e-10, atol=1e-10)
    check_against_cpu(lambda x, w, b: F.group_norm(x, 2, w, b), device,
                      rand(2, 4, 3), rand(4), rand(4), rtol=1e-10, atol=1e-10)
    # running statistics follow the batch moments
    rm, rv = ember.zeros(c, device=device), ember.ones(c, device=device)
    F.batch_norm(on(device, rand(8, c)), rm, rv, training=True, momentum=0.5)
    rmc, rvc = ember.zeros(c), ember.ones(c)
    F.batch_norm(on("cpu", rand(8, c)), rmc, rvc, training=True, momentum=0.5)
    close(rm, rmc)
    close(rv, rvc)


# ---- fused optimizer --------------------------------------------------------------------------

def check_fused_adam(device):
    rng = np.random.default_rng(0)
    w0, x0 = rng.normal(size=(6, 4)), rng.normal(size=(8, 6))

    def train(dev, fused, opt_cls, **kw):
        w = ember.tensor(w0, dtype=ember.float32).to(dev).requires_grad_()
        x = ember.tensor(x0, dtype=ember.float32).to(dev)
        opt = opt_cls([w], lr=0.01, fused=fused, **kw)
        for _ in range(5):
            opt.zero_grad()
            ((x @ w) ** 2).mean().backward()
            opt.step()
        return w

    for cls, kw in ((ember.optim.Adam, {}), (ember.optim.AdamW, {"weight_decay": 0.1}),
                    (ember.optim.Adam, {"amsgrad": True, "weight_decay": 0.01})):
        want = train("cpu", True, cls, **kw)
        close(train(device, True, cls, **kw), want, rtol=1e-5, atol=1e-6)
        close(train(device, False, cls, **kw), want, rtol=1e-5, atol=1e-6)


# ---- copies -----------------------------------------------------------------------------------

def check_host_to_device_copies(device):
    # Many small and a few large copies from temporaries that die at once: the pinned
    # staging blocks must not be reused before their copy ran.
    parts = [ember.tensor(np.full(1000, i, dtype=np.float32)).to(device) for i in range(200)]
    big = np.arange(3 << 20, dtype=np.float32)
    g = ember.tensor(big).to(device)
    for i, p in enumerate(parts):
        assert host(p)[0] == i and host(p)[-1] == i
    np.testing.assert_array_equal(host(g), big)
    t = ember.tensor(rand(50, 40)).t()  # non-contiguous source
    np.testing.assert_array_equal(host(t.to(device)), host(t))


CHECKS = [check_random_draws, check_random_integer_and_bernoulli, check_dropout,
          check_gather_scatter, check_advanced_indexing, check_masks_one_hot_cat_flip,
          check_bad_indices, check_statistics_and_scans, check_normalization_layers,
          check_fused_adam,
          check_host_to_device_copies]


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
def test_checks_run_against_the_cpu_itself(check):
    check("cpu")


@requires_cuda
@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
def test_cuda_matches_cpu(check):
    check("cuda")
    ember.cuda.synchronize()


def test_native_kernels_are_registered_when_built():
    names = ember.cuda.kernel_names()
    if not (ember.cuda.is_built() and not ember._C._cuda_backend_error()):
        assert names == []
        return
    for op in ["uniform", "normal", "exponential", "randint", "bernoulli", "gather", "scatter",
               "index", "index_put", "masked_fill", "one_hot", "index_one_hot", "cat", "flip",
               "var", "std", "logsumexp", "norm", "cumsum", "cumprod", "normalize_moments",
               "axpby", "adam_update"]:
        assert op in names, op
