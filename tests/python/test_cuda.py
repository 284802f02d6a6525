"""CUDA backend: what runs everywhere (no GPU needed) and the GPU checks, which compare each
CUDA op against the CPU result and skip cleanly where ember.cuda.is_available() is False."""

import numpy as np
import pytest

import ember
from helpers import rand

requires_cuda = pytest.mark.skipif(not ember.cuda.is_available(),
                                   reason="no CUDA device (ember.cuda.is_available() is False)")


# ---- runs on every machine ---------------------------------------------------------------

def test_queries_do_not_crash_without_gpu():
    assert isinstance(ember.cuda.is_available(), bool)
    assert isinstance(ember.cuda.is_built(), bool)
    n = ember.cuda.device_count()
    assert n >= 0
    assert ember.cuda.is_available() == (n > 0)
    ember.cuda.empty_cache()  # a no-op without a GPU
    if not ember.cuda.is_available():
        assert ember.cuda.unavailable_reason()


def test_kernel_registry_lists_core_ops_when_built():
    names = ember.cuda.kernel_names()
    if ember.cuda.is_built() and not ember._C._cuda_backend_error():
        for op in ["add", "mul", "exp", "where", "sum", "amax", "softmax", "matmul", "cast"]:
            assert op in names
    else:
        assert names == []


def test_device_parsing():
    assert str(ember.device("cuda")) == "cuda:0"
    assert str(ember.device("cuda:1")) == "cuda:1"
    assert ember.device("cuda", 2).index == 2
    assert ember.device("cpu").type == "cpu"
    assert ember.device("cuda:0").type == "cuda"
    assert ember.device("cuda:0") == "cuda:0"
    with pytest.raises(ValueError, match="device"):
        ember.device("gpu")
    with pytest.raises(ValueError, match="device"):
        ember.device("cuda:x")


@pytest.mark.skipif(ember.cuda.is_available(), reason="checks the no-GPU error path")
def test_to_cuda_without_gpu_raises_clear_error():
    t = ember.ones(3)
    for move in (lambda: t.to("cuda"), lambda: t.cuda(), lambda: ember.zeros(2, device="cuda"),
                 lambda: ember.tensor([1.0], device="cuda")):
        with pytest.raises(RuntimeError, match="CUDA is not available"):
            move()
    with pytest.raises(RuntimeError, match="CUDA is not available"):
        ember.cuda.memory_allocated()
    with pytest.raises(RuntimeError, match="CUDA is not available"):
        ember.nn.Linear(2, 2).cuda()


def test_to_cpu_is_identity_on_cpu():
    t = ember.ones(3)
    assert t.cpu() is t
    assert t.to("cpu") is t
    m = ember.nn.Linear(2, 2)
    assert m.cpu() is m


# ---- GPU checks: CUDA vs CPU -------------------------------------------------------------

def cuda_vs_cpu(fn, *arrays, rtol=1e-5, atol=1e-6, dtype=ember.float32):
    cpu = [ember.tensor(a, dtype=dtype) for a in arrays]
    gpu = [t.cuda() for t in cpu]
    want, got = fn(*cpu), fn(*gpu)
    if not isinstance(want, (tuple, list)):
        want, got = [want], [got]
    for w, g in zip(want, got):
        assert g.device == ember.device("cuda:0")
        assert g.dtype == w.dtype and g.shape == w.shape
        np.testing.assert_allclose(g.cpu().numpy().astype(np.float64),
                                   w.numpy().astype(np.float64), rtol=rtol, atol=atol)


@requires_cuda
def test_round_trip_and_metadata():
    a = rand(3, 4)
    g = ember.tensor(a).to("cuda")
    assert g.is_cuda and not g.is_cpu and g.device.index == 0
    np.testing.assert_allclose(g.cpu().numpy(), a.astype(np.float32))
    # non-contiguous sources and dtype changes on the way
    t = ember.tensor(a).t()
    np.testing.assert_allclose(t.cuda().cpu().numpy(), a.T.astype(np.float32))
    np.testing.assert_allclose(g.t().cpu().numpy(), a.T.astype(np.float32))
    assert g.to(ember.float64).cpu().dtype == ember.float64
    assert g.to("cuda") is g


@requires_cuda
def test_host_reads_synchronize():
    g = ember.arange(6, device="cuda").reshape(2, 3)
    assert g.sum().item() == 15
    assert "device='cuda:0'" in repr(g)
    assert g.tolist() == [[0, 1, 2], [3, 4, 5]]
    with pytest.raises(TypeError, match=r"cpu\(\)"):
        g.numpy()


@requires_cuda
def test_mixing_devices_is_a_clear_error():
    with pytest.raises(ValueError, match="cuda:0 and cpu|cpu and cuda:0"):
        ember.ones(3).cuda() + ember.ones(3)
    # Python numbers (CPU scalars) ride along
    np.testing.assert_allclose((ember.ones(3).cuda() * 2.5).cpu().numpy(), [2.5] * 3)


@requires_cuda
@pytest.mark.parametrize("name", ["neg", "abs", "exp", "log", "sqrt", "sin", "cos", "tanh",
                                  "sigmoid", "relu", "floor", "square", "erf", "expm1", "log1p"])
def test_unary(name):
    a = rand(5, 7, low=0.1, high=3.0)
    cuda_vs_cpu(getattr(ember, name), a, rtol=1e-5, atol=1e-6)


@requires_cuda
@pytest.mark.parametrize("dtype", [ember.float32, ember.float64, ember.float16, ember.bfloat16,
                                   ember.int64, ember.int32])
def test_binary_broadcast_and_promotion(dtype):
    a, b = rand(4, 1, 3) * 5, rand(5, 1) * 5 + 7
    tol = 1e-2 if dtype in (ember.float16, ember.bfloat16) else 1e-6
    for fn in (ember.add, ember.sub, ember.mul, ember.maximum, ember.minimum, ember.div,
               ember.eq, ember.lt, ember.ge):
        cuda_vs_cpu(fn, a, b, dtype=dtype, rtol=tol, atol=tol)
    cuda_vs_cpu(lambda x, y: x + y.to(ember.float64), a, b, dtype=dtype, rtol=tol, atol=tol)


@requires_cuda
def test_strided_and_where():
    a, b = rand(6, 8), rand(8, 6)
    cuda_vs_cpu(lambda x, y: x.t() * y + x.t()[0], a, b)
    cuda_vs_cpu(lambda x, y: ember.where(x > 0, x, y.t()), a, b)
    cuda_vs_cpu(lambda x, y: ember.where(x > 0, x, 0.0), a, b)


@requires_cuda
def test_reductions():
    a = rand(4, 5, 6)
    cuda_vs_cpu(lambda x, _: x.sum(), a, a, rtol=1e-5, atol=1e-5)
    for dims in ([0], [1], [2], [0, 2], [-1]):
        cuda_vs_cpu(lambda x, _: x.sum(dims), a, a, rtol=1e-5, atol=1e-5)
        cuda_vs_cpu(lambda x, _: x.mean(dims, keepdim=True), a, a, rtol=1e-5, atol=1e-5)
        cuda_vs_cpu(lambda x, _: x.amax(dims), a, a)
        cuda_vs_cpu(lambda x, _: x.amin(dims), a, a)
    cuda_vs_cpu(lambda x, _: x.argmax(1), a, a)
    cuda_vs_cpu(lambda x, _: x.max(2), a, a)
    cuda_vs_cpu(lambda x, _: (x > 0).all(1), a, a)
    cuda_vs_cpu(lambda x, _: (x > 0).any(), a, a)


@requires_cuda
def test_softmax():
    a = rand(7, 9) * 4
    for dim in (0, 1, -1):
        cuda_vs_cpu(lambda x: ember.softmax(x, dim), a)
        cuda_vs_cpu(lambda x: ember.log_softmax(x, dim), a, atol=1e-5)


@requires_cuda
@pytest.mark.parametrize("dtype,tol", [(ember.float32, 1e-4), (ember.float64, 1e-10),
                                       (ember.float16, 3e-2), (ember.bfloat16, 1e-1)])
def test_matmul(dtype, tol):
    a, b = rand(5, 7), rand(7, 3)
    cuda_vs_cpu(ember.matmul, a, b, dtype=dtype, rtol=tol, atol=tol)
    cuda_vs_cpu(lambda x, y: x.t().matmul(y.t()), b.T.copy(), a.T.copy(), dtype=dtype, rtol=tol, atol=tol)
    ba, bb = rand(2, 3, 5, 7), rand(7, 4)
    cuda_vs_cpu(ember.matmul, ba, bb, dtype=dtype, rtol=tol, atol=tol)
    cuda_vs_cpu(ember.matmul, rand(3, 1, 4, 5), rand(2, 5, 6), dtype=dtype, rtol=tol, atol=tol)


@requires_cuda
def test_gradients_match_cpu():
    a, b = rand(4, 5), rand(5, 3)

    def run(device):
        x = ember.tensor(a, requires_grad=True)
        w = ember.tensor(b, requires_grad=True)
        y = ember.log_softmax(ember.relu(x.to(device) @ w.to(device)), 1).sum()
        y.backward()
        return y.item(), x.grad.numpy(), w.grad.numpy()

    (yc, xc, wc), (yg, xg, wg) = run("cpu"), run("cuda")
    np.testing.assert_allclose(yg, yc, rtol=1e-5)
    np.testing.assert_allclose(xg, xc, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(wg, wc, rtol=1e-4, atol=1e-5)


@requires_cuda
def test_random_matches_cpu_for_a_seed():
    ember.manual_seed(3)
    c = ember.randn(100)
    ember.manual_seed(3)
    g = ember.randn(100, device="cuda")
    np.testing.assert_array_equal(g.cpu().numpy(), c.numpy())


@requires_cuda
def test_memory_stats_and_caching():
    ember.cuda.synchronize()
    base = ember.cuda.memory_allocated()
    t = ember.empty(1 << 20, device="cuda")  # 4 MiB
    assert ember.cuda.memory_allocated() >= base + (4 << 20)
    assert ember.cuda.max_memory_allocated() >= ember.cuda.memory_allocated()
    del t
    assert ember.cuda.memory_allocated() == base
    before = ember.cuda.memory_stats()["num_device_allocs"]
    for _ in range(10):
        ember.empty(1 << 20, device="cuda")
    assert ember.cuda.memory_stats()["num_device_allocs"] == before  # served from the cache
    assert ember.cuda.memory_reserved() >= 4 << 20
    ember.cuda.empty_cache()


@requires_cuda
def test_out_of_memory_is_an_exception():
    with pytest.raises(RuntimeError, match="out of memory"):
        ember.empty(1 << 50, dtype=ember.uint8, device="cuda")
    ember.ones(3, device="cuda")  # still usable


@requires_cuda
def test_module_to_cuda_keeps_parameter_identity():
    m = ember.nn.Linear(3, 2)
    w = m.weight
    assert m.cuda() is m
    assert m.weight is w and w.device == ember.device("cuda:0")
    out = m(ember.ones(4, 3, device="cuda"))
    assert out.device == ember.device("cuda:0")
    m.cpu()
    assert w.device == ember.device("cpu")


@requires_cuda
def test_state_dict_round_trip_between_devices():
    cpu = ember.nn.Linear(3, 2)
    gpu = ember.nn.Linear(3, 2).cuda()
    gpu.load_state_dict(cpu.state_dict())
    np.testing.assert_array_equal(gpu.weight.cpu().detach().numpy(), cpu.weight.detach().numpy())
    back = ember.nn.Linear(3, 2)
    back.load_state_dict({k: v.cpu() for k, v in gpu.state_dict().items()})
    np.testing.assert_array_equal(back.bias.detach().numpy(), cpu.bias.detach().numpy())
