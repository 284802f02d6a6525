"""Reductions: forward against float64 NumPy on contiguous and non-contiguous inputs,
dtype rules, gradients (finite differences, double backward), PyTorch parity, errors."""

import math

import numpy as np
import pytest

import ember
from helpers import assert_close, gradcheck, rand, requires_torch, torch

DIMS = [None, 0, 1, -1, (0, 2), (2, 0), (0, 1, 2)]


def nc(a, dtype=None):
    """A non-contiguous ember tensor holding a's values (column-major strides)."""
    t = ember.from_numpy(np.asfortranarray(a))
    if a.ndim > 1:
        assert not t.is_contiguous()
    return t if dtype is None else t.to(dtype)


def np_dim(dim):
    return tuple(dim) if isinstance(dim, (tuple, list)) else dim


def second_order(f):
    """x -> d/dx sum(f(x) * w) with create_graph, so gradcheck checks the double backward."""
    def g(x):
        if not x.requires_grad:
            x = ember.tensor(x.numpy(), dtype=ember.float64, requires_grad=True)
        y = f(x)
        w = ember.tensor(np.linspace(0.5, 1.5, y.numel()).reshape(y.shape))
        (gx,) = ember.autograd.grad((y * w).sum(), [x], create_graph=True)
        return gx
    return g


# ---------------------------------------------------------------- forward vs NumPy
@pytest.mark.parametrize("dim", DIMS)
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("layout", ["contiguous", "strided"])
@pytest.mark.parametrize("name", ["sum", "mean", "prod", "amax", "amin", "logsumexp"])
def test_forward_matches_numpy(name, dim, keepdim, layout):
    a = rand(3, 4, 5, low=0.5, high=1.5) if name == "prod" else rand(3, 4, 5)
    x = ember.tensor(a) if layout == "contiguous" else nc(a)
    refs = {
        "sum": lambda v, d, k: v.sum(axis=d, keepdims=k),
        "mean": lambda v, d, k: v.mean(axis=d, keepdims=k),
        "prod": lambda v, d, k: v.prod(axis=d, keepdims=k),
        "amax": lambda v, d, k: v.max(axis=d, keepdims=k),
        "amin": lambda v, d, k: v.min(axis=d, keepdims=k),
        "logsumexp": lambda v, d, k: np.log(np.exp(v).sum(axis=d, keepdims=k)),
    }
    d = () if dim is None and name in ("amax", "amin") else dim
    if name == "logsumexp" and dim is None:
        d = (0, 1, 2)
    out = getattr(ember, name)(x, d, keepdim)
    assert_close(out, refs[name](a, np_dim(dim), keepdim), rtol=1e-12, atol=1e-12)
    # method form agrees
    assert_close(getattr(x, name)(d, keepdim=keepdim), refs[name](a, np_dim(dim), keepdim),
                 rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dim", DIMS)
@pytest.mark.parametrize("correction", [0, 1, 2])
@pytest.mark.parametrize("layout", ["contiguous", "strided"])
def test_var_std(dim, correction, layout):
    a = rand(3, 4, 5)
    x = ember.tensor(a) if layout == "contiguous" else nc(a)
    v = ember.var(x, dim, correction=correction)
    assert_close(v, a.var(axis=np_dim(dim), ddof=correction), rtol=1e-10)
    assert_close(x.std(dim, correction=correction, keepdim=True),
                 a.std(axis=np_dim(dim), ddof=correction, keepdims=True), rtol=1e-10)
    vm = ember.var_mean(x, dim, correction=correction)
    assert_close(vm[0], a.var(axis=np_dim(dim), ddof=correction), rtol=1e-10)
    assert_close(vm[1], a.mean(axis=np_dim(dim)), rtol=1e-10)
    sm = ember.std_mean(x, dim, correction=correction)
    assert_close(sm[0], a.std(axis=np_dim(dim), ddof=correction), rtol=1e-10)


def test_var_unbiased_kwarg_and_positional():
    a = rand(4, 6)
    x = ember.tensor(a)
    assert_close(ember.var(x, unbiased=False), a.var(), rtol=1e-12)
    assert_close(ember.var(x, True), a.var(ddof=1), rtol=1e-12)
    assert_close(x.std(1, unbiased=True), a.std(axis=1, ddof=1), rtol=1e-12)
    with pytest.raises(TypeError, match=r"\[var\]"):
        ember.var(x, 0, unbiased=True, correction=0)


@pytest.mark.parametrize("p", [2, "fro", 1, 3, 0.5, math.inf, -math.inf, 0])
@pytest.mark.parametrize("dim", [None, 1, (0, 2)])
def test_norm(p, dim):
    a = rand(3, 4, 5)
    a[0, 0, 0] = 0.0
    pv = 2 if p == "fro" else p
    axis = np_dim(dim)
    if pv == math.inf:
        ref = np.abs(a).max(axis=axis)
    elif pv == -math.inf:
        ref = np.abs(a).min(axis=axis)
    elif pv == 0:
        ref = (a != 0).sum(axis=axis).astype(np.float64)
    else:
        ref = (np.abs(a) ** pv).sum(axis=axis) ** (1.0 / pv)
    assert_close(ember.norm(nc(a), p, dim), ref, rtol=1e-10)
    kept = ember.tensor(a).norm(p, dim, keepdim=True)
    assert kept.ndim == 3
    assert_close(kept, np.asarray(ref).reshape(kept.shape), rtol=1e-10)


def test_norm_default_is_frobenius_and_dtype_kwarg():
    a = rand(5, 6)
    assert_close(ember.norm(ember.tensor(a)), np.linalg.norm(a), rtol=1e-12)
    out = ember.norm(ember.tensor(a, dtype=ember.float32), dtype=ember.float64)
    assert out.dtype == ember.float64


@pytest.mark.parametrize("dim", [0, 1, 2, -1])
@pytest.mark.parametrize("name", ["cumsum", "cumprod"])
def test_scans(name, dim):
    a = rand(3, 4, 5, low=0.5, high=1.5)
    ref = getattr(np, name)(a, axis=dim)
    assert_close(getattr(ember, name)(nc(a), dim), ref, rtol=1e-12)
    assert_close(getattr(ember.tensor(a), name)(dim), ref, rtol=1e-12)


def test_scan_dtypes():
    i = ember.tensor(np.array([[1, 2, 3], [4, 5, 6]], dtype=np.int32))
    c = ember.cumsum(i, 1)
    assert c.dtype == ember.int64
    np.testing.assert_array_equal(c.numpy(), [[1, 3, 6], [4, 9, 15]])
    assert ember.cumprod(i, 0).dtype == ember.int64
    assert ember.cumsum(i, 1, dtype=ember.float64).dtype == ember.float64
    b = ember.tensor(np.array([True, False, True]))
    np.testing.assert_array_equal(ember.cumsum(b, 0).numpy(), [1, 1, 2])


# ---------------------------------------------------------------- dtypes and accuracy
def test_integer_sum_and_prod_go_to_int64():
    a = np.arange(1, 13, dtype=np.int32).reshape(3, 4)
    x = ember.tensor(a)
    assert x.sum().dtype == ember.int64
    assert x.sum().item() == a.sum()
    assert ember.prod(x, 1).dtype == ember.int64
    np.testing.assert_array_equal(ember.prod(x, 1).numpy(), a.prod(axis=1))
    assert ember.tensor(np.array([True, True, False])).sum().item() == 2
    assert x.sum(dtype=ember.float64).dtype == ember.float64
    big = ember.tensor(np.full(10, 2**40, dtype=np.int64))
    assert big.sum().item() == 10 * 2**40


def test_mean_of_integers_raises_and_dtype_kwarg_casts():
    x = ember.tensor(np.arange(6).reshape(2, 3))
    with pytest.raises(TypeError, match=r"\[mean\].*int64"):
        ember.mean(x)
    assert_close(x.mean(1, dtype=ember.float64), [1.0, 4.0])


@pytest.mark.parametrize("dt", [ember.float16, ember.bfloat16, ember.float32])
def test_low_precision_reductions(dt):
    a = rand(16, 33, low=0, high=1)
    x = ember.tensor(a, dtype=dt)
    tol = 1e-2 if dt != ember.float32 else 1e-5
    for name, ref in [("sum", a.sum(axis=1)), ("mean", a.mean(axis=1)), ("amax", a.max(axis=1))]:
        out = getattr(ember, name)(x, 1)
        assert out.dtype == dt
        assert_close(out.to(ember.float64), ref, rtol=tol, atol=tol)


def test_float32_sum_is_accurate_on_large_inputs():
    n = 4_000_001  # above the parallel grain: both threads take part
    a = np.random.default_rng(0).uniform(0, 1, n).astype(np.float32)
    got = ember.tensor(a).sum().item()
    exact = a.astype(np.float64).sum()
    assert abs(got - exact) / exact < 1e-7
    # a float32 running sum would be off by ~1e-4 relative here
    assert_close(ember.tensor(a).mean(), a.astype(np.float64).mean(), rtol=1e-7)
    assert_close(ember.var(ember.tensor(a)), a.astype(np.float64).var(ddof=1), rtol=1e-6)


def test_large_row_and_column_reductions():
    a = np.random.default_rng(1).standard_normal((300, 2000))
    x = ember.tensor(a)
    assert_close(x.sum(0), a.sum(0), rtol=1e-10, atol=1e-10)
    assert_close(x.sum(1), a.sum(1), rtol=1e-10, atol=1e-10)
    assert_close(ember.amax(x, 0), a.max(0))
    assert_close(ember.logsumexp(x, 0), np.log(np.exp(a).sum(0)), rtol=1e-10)


# ---------------------------------------------------------------- max / min / arg*
def test_max_min_forms():
    a = np.array([[1.0, 5.0, 5.0], [7.0, -2.0, 7.0]])
    x = ember.tensor(a)
    assert ember.max(x).item() == 7.0 and ember.max(x).shape == ()
    assert x.min().item() == -2.0
    r = ember.max(x, 1)
    assert isinstance(r, tuple)
    assert_close(r.values, [5.0, 7.0])
    np.testing.assert_array_equal(r.indices.numpy(), [1, 0])  # first of the ties
    values, indices = x.min(dim=0, keepdim=True)
    assert values.shape == (1, 3)
    np.testing.assert_array_equal(indices.numpy(), [[0, 1, 0]])
    assert type(r).__name__ == "max"
    assert indices.dtype == ember.int64


def test_argmax_argmin():
    a = rand(3, 4, 5)
    x = nc(a)
    assert ember.argmax(x).item() == a.argmax()
    assert x.argmin().item() == a.argmin()
    np.testing.assert_array_equal(ember.argmax(x, 1).numpy(), a.argmax(1))
    np.testing.assert_array_equal(ember.argmin(x, -1, keepdim=True).numpy(),
                                  a.argmin(-1)[..., None])
    assert ember.argmax(x, keepdim=True).shape == (1, 1, 1)
    i = ember.tensor(np.array([3, 9, 2, 9], dtype=np.int32))
    assert ember.argmax(i).item() == 1 and ember.max(i).item() == 9


def test_nan_propagates_through_max():
    a = np.array([1.0, np.nan, 3.0])
    assert math.isnan(ember.max(ember.tensor(a)).item())
    assert ember.argmax(ember.tensor(a)).item() == 1
    v, i = ember.max(ember.tensor(a), 0)
    assert math.isnan(v.item()) and i.item() == 1


def test_logsumexp_is_stable():
    a = np.array([[1000.0, 1000.0], [-1000.0, -1000.0], [-np.inf, 0.0]])
    out = ember.logsumexp(ember.tensor(a), 1)
    assert_close(out, [1000 + math.log(2), -1000 + math.log(2), 0.0])
    assert ember.logsumexp(ember.tensor(np.arange(3)), 0).dtype == ember.float32


def test_all_any():
    a = np.array([[1.0, 0.0, 2.0], [3.0, 4.0, 5.0]])
    x = ember.tensor(a)
    assert ember.all(x).item() is False and ember.any(x).item() is True
    np.testing.assert_array_equal(x.all(1).numpy(), [False, True])
    np.testing.assert_array_equal(ember.any(x, 0, keepdim=True).numpy(), [[True, True, True]])
    assert x.all().dtype == ember.bool
    i = ember.tensor(np.array([0, 0, 3], dtype=np.int64))
    assert i.any().item() and not i.all().item()
    assert ember.all(ember.tensor(np.zeros((0, 3)))).item() is True


def test_empty_reductions():
    x = ember.tensor(np.zeros((0, 3)))
    assert_close(x.sum(0), np.zeros(3))
    assert_close(ember.prod(x, 0), np.ones(3))
    assert ember.sum(x).item() == 0.0


# ---------------------------------------------------------------- gradients
@pytest.mark.parametrize("dim", [None, 1, (0, 2)])
@pytest.mark.parametrize("keepdim", [False, True])
def test_gradients_sum_mean_prod_lse(dim, keepdim):
    a = rand(2, 3, 4, low=0.5, high=1.5)
    gradcheck(lambda x: ember.sum(x, dim, keepdim), a)
    gradcheck(lambda x: ember.mean(x, dim, keepdim), a)
    gradcheck(lambda x: ember.prod(x, dim, keepdim), a)
    gradcheck(lambda x: ember.logsumexp(x, dim if dim is not None else (0, 1, 2), keepdim), a)


@pytest.mark.parametrize("dim", [None, 1, (0, 2)])
def test_gradients_var_std_norm(dim):
    a = rand(2, 3, 4)
    gradcheck(lambda x: ember.var(x, dim), a)
    gradcheck(lambda x: ember.std(x, dim, keepdim=True), a)
    gradcheck(lambda x: ember.var(x, dim, correction=0), a)
    for p in [2, 1, 3, math.inf]:
        gradcheck(lambda x: ember.norm(x, p, dim), a)


def test_gradient_prod_with_zeros():
    a = np.array([[2.0, 0.0, 3.0], [1.0, 2.0, 4.0], [0.0, 0.0, 5.0]])
    gradcheck(lambda x: ember.prod(x, 1), a)
    x = ember.tensor(a, requires_grad=True)
    ember.prod(x, 1).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [[0, 6, 0], [8, 4, 2], [0, 0, 0]])
    x = ember.tensor(np.array([2.0, 0.0, 3.0]), requires_grad=True)
    ember.prod(x).backward()
    np.testing.assert_allclose(x.grad.numpy(), [0, 6, 0])


def test_gradient_max_min_with_dim_goes_to_index():
    a = np.array([[1.0, 5.0, 5.0], [7.0, -2.0, 0.5]])
    x = ember.tensor(a, requires_grad=True)
    v, _ = ember.max(x, 1)
    (v * ember.tensor(np.array([2.0, 3.0]))).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [[0, 2, 0], [3, 0, 0]])
    gradcheck(lambda t: ember.min(t, 0).values, rand(3, 4))
    gradcheck(lambda t: ember.max(t, -1, keepdim=True).values, rand(3, 4))


def test_gradient_full_max_and_amax_split_ties_evenly():
    a = np.array([[1.0, 4.0], [4.0, 4.0]])
    x = ember.tensor(a, requires_grad=True)
    ember.max(x).backward()
    np.testing.assert_allclose(x.grad.numpy(), [[0, 1 / 3], [1 / 3, 1 / 3]])
    x = ember.tensor(a, requires_grad=True)
    ember.amin(x, 1).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [[1, 0], [0.5, 0.5]])
    gradcheck(lambda t: ember.amax(t, (0, 2)), rand(2, 3, 4))


def test_gradient_cumprod_with_zeros():
    a = np.array([[2.0, 0.0, 3.0, 0.5], [0.0, 0.0, 1.5, 2.0], [1.0, 2.0, 3.0, 0.0]])
    for dim in (0, 1):
        gradcheck(lambda x: ember.cumprod(x, dim), a)
    x = ember.tensor(np.array([2.0, 0.0, 3.0]), requires_grad=True)
    ember.cumprod(x, 0).sum().backward()
    # y = [2, 0, 0]: dy/dx0 = [1, 0, 0], dy/dx1 = [0, 2, 6], dy/dx2 = [0, 0, 0]
    np.testing.assert_allclose(x.grad.numpy(), [1.0, 8.0, 0.0])


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_gradient_scans(dim):
    a = rand(3, 4, low=0.5, high=1.5)
    gradcheck(lambda x: ember.cumsum(x, dim), a)
    gradcheck(lambda x: ember.cumprod(x, dim), a)


def test_double_backward():
    a = rand(3, 4, low=0.5, high=1.5)
    gradcheck(second_order(lambda x: ember.var(x, 1)), a)
    gradcheck(second_order(lambda x: ember.std(x)), a)
    gradcheck(second_order(lambda x: ember.logsumexp(x, 1)), a)
    gradcheck(second_order(lambda x: ember.prod(x, 0)), a)
    gradcheck(second_order(lambda x: ember.norm(x, 2, 1)), a)
    gradcheck(second_order(lambda x: ember.cumprod(x, 1)), a)
    gradcheck(second_order(lambda x: ember.max(x, 1).values * ember.sum(x * x, 1)), a)


# ---------------------------------------------------------------- PyTorch parity
@requires_torch
@pytest.mark.parametrize("name,kwargs", [
    ("sum", {"dim": (0, 2)}), ("mean", {"dim": 1, "keepdim": True}), ("prod", {"dim": 1}),
    ("amax", {"dim": (1, 2)}), ("amin", {"dim": 0}), ("logsumexp", {"dim": 2}),
    ("var", {"dim": 1, "correction": 0}), ("std", {"dim": (0, 1)}), ("cumsum", {"dim": 1}),
    ("cumprod", {"dim": 2}), ("norm", {"p": 3, "dim": 1}), ("argmax", {"dim": 1}),
    ("argmin", {}), ("all", {"dim": 1}), ("any", {}),
])
def test_torch_parity(name, kwargs):
    a = rand(3, 4, 5)
    a[0, 1, 2] = 0.0
    ours = getattr(ember, name)(ember.tensor(a), **kwargs)
    theirs = getattr(torch, name)(torch.tensor(a), **kwargs)
    assert_close(ours, theirs.numpy(), rtol=1e-10)
    if name not in ("argmax", "argmin", "all", "any"):
        x = ember.tensor(a, requires_grad=True)
        tx = torch.tensor(a, requires_grad=True)
        getattr(ember, name)(x, **kwargs).sum().backward()
        getattr(torch, name)(tx, **kwargs).sum().backward()
        assert_close(x.grad, tx.grad.numpy(), rtol=1e-8, atol=1e-10)


@requires_torch
def test_torch_parity_max_min_dim():
    a = rand(4, 6)
    ours, theirs = ember.max(ember.tensor(a), 1), torch.max(torch.tensor(a), 1)
    assert_close(ours.values, theirs.values.numpy())
    np.testing.assert_array_equal(ours.indices.numpy(), theirs.indices.numpy())
    x, tx = ember.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    ember.max(x).backward()
    torch.max(tx).backward()
    assert_close(x.grad, tx.grad.numpy())


# ---------------------------------------------------------------- errors
def test_errors_name_the_op():
    x = ember.tensor(rand(2, 3))
    with pytest.raises(IndexError, match=r"\[sum\]"):
        ember.sum(x, 5)
    with pytest.raises(IndexError, match=r"\[amax\]"):
        ember.amax(x, (0, 3))
    with pytest.raises(IndexError, match=r"\[max\]"):
        ember.max(x, 2)
    with pytest.raises(IndexError, match=r"\[argmin\]"):
        ember.argmin(x, -3)
    with pytest.raises(IndexError, match=r"\[cumsum\]"):
        ember.cumsum(x, 2)
    with pytest.raises(TypeError, match=r"\[var\].*int64"):
        ember.var(ember.tensor(np.arange(4)))
    with pytest.raises(TypeError, match=r"\[norm\].*int64"):
        ember.norm(ember.tensor(np.arange(4)))
    with pytest.raises(ValueError, match=r"\[norm\].*nuc"):
        ember.norm(x, "nuc")


def test_empty_extreme_errors_name_the_shape():
    e = ember.tensor(np.zeros((0, 3)))
    with pytest.raises(ValueError, match=r"\[max\].*\[0, 3\]"):
        ember.max(e)
    with pytest.raises(ValueError, match=r"\[amin\].*\[0, 3\]"):
        ember.amin(e, 0)
    with pytest.raises(ValueError, match=r"\[argmax\].*\[0, 3\]"):
        ember.argmax(e)
    with pytest.raises(ValueError, match=r"\[min\].*\[0, 3\]"):
        ember.min(e, 0)
    assert ember.max(e, 1).values.shape == (0,)


def test_norm_gradient_at_zero_is_zero():
    x = ember.tensor(np.zeros((2, 3)), requires_grad=True)
    ember.norm(x, 2, 1).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.zeros((2, 3)))
    if torch is not None:
        tx = torch.zeros((2, 3), dtype=torch.float64, requires_grad=True)
        torch.norm(tx, 2, 1).sum().backward()
        np.testing.assert_array_equal(tx.grad.numpy(), np.zeros((2, 3)))


def _random_case(seed):
    """A random array (1-4 dims, sizes 1-5), a random view layout of it, random dims."""
    rng = np.random.default_rng(seed)
    ndim = int(rng.integers(1, 5))
    shape = tuple(int(s) for s in rng.integers(1, 6, ndim))
    a = rng.uniform(0.5, 1.5, shape)
    layout = seed % 3
    if layout == 0:
        x = ember.tensor(a)
    elif layout == 1:  # permuted strides
        x = ember.from_numpy(np.asfortranarray(a))
    else:  # a strided slice of a bigger buffer
        big = rng.uniform(0.5, 1.5, shape[:-1] + (shape[-1] * 2,))
        a = big[..., ::2]
        x = ember.from_numpy(np.lib.stride_tricks.as_strided(big, a.shape, a.strides))
    k = int(rng.integers(0, ndim + 1))
    dims = tuple(int(d) for d in rng.choice(ndim, size=k, replace=False)) if k else None
    return a, x, dims, bool(rng.integers(0, 2))


@pytest.mark.parametrize("seed", range(40))
def test_random_shapes_and_views(seed):
    a, x, dims, keepdim = _random_case(seed)
    ax = dims if dims is not None else tuple(range(a.ndim))
    checks = [
        (ember.sum(x, dims, keepdim), a.sum(axis=ax, keepdims=keepdim)),
        (ember.mean(x, dims, keepdim), a.mean(axis=ax, keepdims=keepdim)),
        (ember.prod(x, dims, keepdim), a.prod(axis=ax, keepdims=keepdim)),
        (ember.amax(x, dims if dims else (), keepdim), a.max(axis=ax, keepdims=keepdim)),
        (ember.logsumexp(x, ax, keepdim), np.log(np.exp(a).sum(axis=ax, keepdims=keepdim))),
        (ember.norm(x, 2, dims, keepdim), np.sqrt((a * a).sum(axis=ax, keepdims=keepdim))),
        (ember.var(x, dims, correction=0, keepdim=keepdim), a.var(axis=ax, keepdims=keepdim)),
    ]
    for got, want in checks:
        assert_close(got, want, rtol=1e-12, atol=1e-12)
    d = int(np.random.default_rng(seed).integers(0, a.ndim))
    assert_close(ember.cumsum(x, d), np.cumsum(a, axis=d), rtol=1e-12)
    assert_close(ember.softmax(x, d), np.exp(a) / np.exp(a).sum(axis=d, keepdims=True), rtol=1e-12)
    np.testing.assert_array_equal(ember.argmax(x, d).numpy(), a.argmax(axis=d))
