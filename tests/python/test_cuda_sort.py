"""sort / argsort / topk and the creation ops (arange, linspace, eye, tril / triu) on CUDA:
values and indices identical to the CPU's (stable ties, NaN placement, every dtype). The
GPU checks skip where ember.cuda.is_available() is False; the registry check runs everywhere."""

import numpy as np
import pytest

import ember

requires_cuda = pytest.mark.skipif(not ember.cuda.is_available(),
                                   reason="no CUDA device (ember.cuda.is_available() is False)")


def test_sort_and_creation_kernels_are_registered_when_built():
    names = ember.cuda.kernel_names()
    if not (ember.cuda.is_built() and not ember._C._cuda_backend_error()):
        assert names == []
        return
    for op in ["sort", "topk", "arange", "linspace", "eye", "tri"]:
        assert op in names


def _with_ties_and_nans(shape, dtype, seed):
    rng = np.random.default_rng(seed)
    a = rng.integers(-3, 4, size=shape).astype(np.float64) * 0.5   # many ties
    if np.issubdtype(np.dtype(dtype), np.floating):
        a[rng.random(shape) < 0.1] = np.nan
        a[rng.random(shape) < 0.05] = -0.0
    return a


def _on_both(a, dtype):
    cpu = ember.tensor(a, dtype=dtype)
    return cpu, cpu.to("cuda")


def _same(gpu, cpu):
    g, c = gpu.cpu(), cpu
    assert g.dtype == c.dtype and g.shape == c.shape
    gv = g.to(ember.float64).numpy() if g.dtype in (ember.float16, ember.bfloat16) else g.numpy()
    cv = c.to(ember.float64).numpy() if c.dtype in (ember.float16, ember.bfloat16) else c.numpy()
    np.testing.assert_array_equal(gv, cv)


DTYPES = [ember.float32, ember.float64, ember.float16, ember.bfloat16, ember.int64, ember.int32,
          ember.uint8]


@requires_cuda
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,dim", [((37,), 0), ((5, 300), -1), ((4, 33, 6), 1),
                                       ((3, 2, 5), 0), ((1, 4097), 1), ((2, 40000), 1)])
@pytest.mark.parametrize("descending", [False, True])
def test_sort_matches_cpu(dtype, shape, dim, descending):
    a = _with_ties_and_nans(shape, dtype.name if hasattr(dtype, "name") else np.float32, 1)
    if dtype == ember.uint8:
        a = np.nan_to_num(a) * 2 + 8
    elif dtype in (ember.int64, ember.int32):
        a = np.nan_to_num(a) * 2
    cpu, gpu = _on_both(a, dtype)
    rc, rg = ember.sort(cpu, dim, descending), ember.sort(gpu, dim, descending)
    _same(rg.values, rc.values)
    _same(rg.indices, rc.indices)
    _same(ember.argsort(gpu, dim, descending), ember.argsort(cpu, dim, descending))


@requires_cuda
@pytest.mark.parametrize("dtype", [ember.float32, ember.float64, ember.int64, ember.bfloat16])
@pytest.mark.parametrize("largest", [True, False])
@pytest.mark.parametrize("k", [0, 1, 5, 40])
def test_topk_matches_cpu(dtype, largest, k):
    a = _with_ties_and_nans((6, 40), np.float64, 2)
    if dtype == ember.int64:
        a = np.nan_to_num(a) * 2
    cpu, gpu = _on_both(a, dtype)
    for dim in (1, 0):
        if k > a.shape[dim]:
            continue
        rc, rg = ember.topk(cpu, k, dim, largest), ember.topk(gpu, k, dim, largest)
        _same(rg.values, rc.values)
        _same(rg.indices, rc.indices)


@requires_cuda
def test_sort_special_cases():
    cpu, gpu = _on_both(np.array(3.5), ember.float32)            # 0-dim
    _same(ember.sort(gpu).values, ember.sort(cpu).values)
    _same(ember.sort(gpu).indices, ember.sort(cpu).indices)
    cpu, gpu = _on_both(np.zeros((3, 0)), ember.float32)          # empty
    assert ember.sort(gpu, 1).values.shape == (3, 0)
    x = ember.randn(8, 16, device="cuda").transpose(0, 1)        # strided input
    _same(ember.sort(x, 0, True).values, ember.sort(x.cpu(), 0, True).values)
    b = np.array([True, False, True, True, False])
    cpu, gpu = _on_both(b, ember.bool)
    _same(ember.sort(gpu).indices, ember.sort(cpu).indices)


@requires_cuda
def test_sort_gradient_matches_cpu():
    a = np.random.default_rng(3).standard_normal((4, 9))
    grads = []
    for dev in ("cpu", "cuda"):
        x = ember.tensor(a, device=dev, requires_grad=True)
        v = ember.topk(x, 3, 1).values
        (v * ember.arange(3, dtype=ember.float64, device=dev)).sum().backward()
        grads.append(x.grad.cpu().numpy())
    np.testing.assert_array_equal(grads[1], grads[0])


# ---- creation ----------------------------------------------------------------------------

CREATION_DTYPES = [ember.float32, ember.float64, ember.float16, ember.bfloat16, ember.int64,
                   ember.int32, ember.uint8]


@requires_cuda
@pytest.mark.parametrize("dtype", CREATION_DTYPES)
def test_arange_linspace_eye_match_cpu(dtype):
    is_float = dtype in (ember.float32, ember.float64, ember.float16, ember.bfloat16)
    cases = [(0, 100, 1), (3, 250, 7)] + ([(-1.5, 2.25, 0.1), (0.0, 1.0, 1 / 3)] if is_float else [])
    for s, e, st in cases:
        _same(ember.arange(s, e, st, dtype=dtype, device="cuda"), ember.arange(s, e, st, dtype=dtype))
    spaces = [(0, 1, 1), (0, 1, 7), (0, 200, 0), (2.5, 17.9, 1001)]
    if dtype != ember.uint8:   # a negative value cast to uint8 is undefined in C++
        spaces += [(-3.3, 17.9, 1001), (5, -5, 64)]
    for s, e, n in spaces:
        _same(ember.linspace(s, e, n, dtype=dtype, device="cuda"), ember.linspace(s, e, n, dtype=dtype))
    for n, m in [(1, 1), (5, 3), (3, 7), (0, 4)]:
        _same(ember.eye(n, m, dtype=dtype, device="cuda"), ember.eye(n, m, dtype=dtype))
    _same(ember.logspace(-2, 3, 50, dtype=dtype, device="cuda") if is_float else ember.zeros(1),
          ember.logspace(-2, 3, 50, dtype=dtype) if is_float else ember.zeros(1))


@requires_cuda
@pytest.mark.parametrize("dtype", [ember.float32, ember.float16, ember.float64, ember.int64,
                                   ember.bool, ember.uint8])
def test_tril_triu_match_cpu(dtype):
    a = np.random.default_rng(4).standard_normal((2, 3, 5, 7)) * 4
    cpu, gpu = _on_both(a, dtype)
    for k in (-2, 0, 1, 9):
        _same(ember.tril(gpu, k), ember.tril(cpu, k))
        _same(ember.triu(gpu, k), ember.triu(cpu, k))
    _same(ember.triu(gpu.transpose(-1, -2), 1), ember.triu(cpu.transpose(-1, -2), 1))
