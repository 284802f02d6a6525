"""cuDNN convolutions, the pooling kernels and the NVRTC fused kernels of the CUDA backend,
each compared with the CPU result (forward and gradients), and a small CNN trained on both
devices from one seed. The device checks skip where ember.cuda.is_available() is False; the
host-side parts (NVRTC code generation and compilation) are tested in tests/cpp/cuda."""

import numpy as np
import pytest

import ember
from ember import nn
import ember.nn.functional as F

requires_cuda = pytest.mark.skipif(not ember.cuda.is_available(),
                                   reason="no CUDA device (ember.cuda.is_available() is False)")

DNN_OPS = ["conv2d", "conv_transpose2d", "conv2d_backward_weight", "max_pool2d",
           "max_pool2d_backward", "avg_pool2d", "avg_pool2d_backward", "adaptive_avg_pool2d",
           "adaptive_avg_pool2d_backward", "fused_elementwise"]


def test_dnn_kernels_registered_when_built():
    names = ember.cuda.kernel_names()
    if ember.cuda.is_built() and not ember._C._cuda_backend_error():
        for op in DNN_OPS:
            assert op in names
    else:
        assert names == []


def _arr(rng, shape, dtype=np.float32):
    return rng.standard_normal(shape).astype(dtype)


def _leaf(a, device):
    return ember.tensor(a, device=device, requires_grad=True)


def _host(t):
    return t.cpu().numpy()


def _run_both(fn, arrays, grad_seed=7):
    """fn(*tensors) -> tensor on each device; returns (cpu_out, cuda_out, cpu_grads, cuda_grads)
    with gradients of sum(out * g) for one fixed random g."""
    results = []
    for device in ("cpu", "cuda"):
        ts = [_leaf(a, device) for a in arrays]
        out = fn(*ts)
        g = np.random.default_rng(grad_seed).standard_normal(out.shape).astype(np.float32)
        (out * ember.tensor(g, device=device)).sum().backward()
        results.append((_host(out), [_host(t.grad) for t in ts]))
    (co, cg), (go, gg) = results
    return co, go, cg, gg


def _close(a, b, rtol=1e-4, atol=1e-4):
    np.testing.assert_allclose(b, a, rtol=rtol, atol=atol)


CONV_CASES = [
    # x shape, w shape, bias, stride, padding, dilation, groups
    ((2, 3, 9, 9), (4, 3, 3, 3), True, 1, 1, 1, 1),
    ((2, 4, 10, 8), (6, 2, 3, 2), False, (2, 1), (1, 0), 1, 2),
    ((1, 2, 11, 12), (3, 2, 3, 3), True, (1, 2), (2, 1), (2, 3), 1),
    ((3, 6, 7, 7), (6, 1, 3, 3), True, 1, 1, 1, 6),  # depthwise
    ((2, 8, 5, 5), (16, 8, 1, 1), False, 1, 0, 1, 1),  # pointwise
]


@requires_cuda
@pytest.mark.parametrize("case", CONV_CASES)
def test_conv2d_and_gradients_match_cpu(case):
    xs, ws, bias, stride, padding, dilation, groups = case
    rng = np.random.default_rng(0)
    arrays = [_arr(rng, xs), _arr(rng, ws)] + ([_arr(rng, (ws[0],))] if bias else [])

    def f(x, w, *b):
        return F.conv2d(x, w, b[0] if b else None, stride=stride, padding=padding,
                        dilation=dilation, groups=groups)

    co, go, cg, gg = _run_both(f, arrays)
    _close(co, go)
    for c, g in zip(cg, gg):  # input grad (backward data), weight grad, bias grad
        _close(c, g)


@requires_cuda
@pytest.mark.parametrize("groups", [1, 2])
def test_conv_transpose2d_and_gradients_match_cpu(groups):
    rng = np.random.default_rng(1)
    arrays = [_arr(rng, (2, 4, 6, 5)), _arr(rng, (4, 3, 3, 3)), _arr(rng, (3 * groups,))]

    def f(x, w, b):
        return F.conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1, groups=groups)

    co, go, cg, gg = _run_both(f, arrays)
    _close(co, go)
    for c, g in zip(cg, gg):
        _close(c, g)


@requires_cuda
@pytest.mark.parametrize("dtype", ["float64", "float16", "bfloat16"])
def test_conv2d_other_dtypes_match_cpu(dtype):
    rng = np.random.default_rng(2)
    x, w = _arr(rng, (2, 3, 8, 8)), _arr(rng, (5, 3, 3, 3))
    dt = getattr(ember, dtype)
    cpu = F.conv2d(ember.tensor(x).to(dt), ember.tensor(w).to(dt), padding=1)
    gpu = F.conv2d(ember.tensor(x).to("cuda", dt), ember.tensor(w).to("cuda", dt), padding=1)
    assert gpu.dtype == dt
    tol = 1e-10 if dtype == "float64" else (2e-2 if dtype == "float16" else 1e-1)
    _close(_host(cpu.float()), _host(gpu.float()), rtol=tol, atol=tol)


@requires_cuda
def test_conv2d_non_contiguous_input_matches_cpu():
    rng = np.random.default_rng(3)
    x = _arr(rng, (2, 3, 8, 10))
    w = _arr(rng, (4, 3, 3, 3))
    cpu = F.conv2d(ember.tensor(x).transpose(2, 3), ember.tensor(w))
    gpu = F.conv2d(ember.tensor(x, device="cuda").transpose(2, 3), ember.tensor(w, device="cuda"))
    _close(_host(cpu), _host(gpu))


@requires_cuda
def test_conv2d_bad_shapes_raise_naming_the_op():
    x = ember.zeros((1, 3, 8, 8), device="cuda")
    w = ember.zeros((4, 2, 3, 3), device="cuda")
    with pytest.raises(ValueError, match="conv2d"):
        F.conv2d(x, w)


POOL_CASES = [
    # kernel, stride, padding, dilation, ceil_mode
    (2, None, 0, 1, False),
    (3, 2, 1, 1, False),
    (3, 2, 1, 1, True),
    ((3, 2), (2, 1), (1, 0), (2, 1), False),
]


@requires_cuda
@pytest.mark.parametrize("case", POOL_CASES)
def test_max_pool2d_values_indices_and_gradient_match_cpu(case):
    k, s, p, d, cm = case
    rng = np.random.default_rng(4)
    # Distinct values: ties would make the argmax (and so the gradient) depend on order.
    x = rng.permutation(2 * 3 * 11 * 9).reshape(2, 3, 11, 9).astype(np.float32)
    res = {}
    for device in ("cpu", "cuda"):
        t = _leaf(x, device)
        v, i = F.max_pool2d(t, k, s, p, d, cm, True)
        (v * v).sum().backward()
        res[device] = (_host(v), _host(i), _host(t.grad))
    for c, g in zip(res["cpu"], res["cuda"]):
        np.testing.assert_array_equal(g, c)


@requires_cuda
def test_max_pool2d_propagates_nan_like_cpu():
    x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
    x[0, 0, 1, 1] = np.nan
    cpu = F.max_pool2d(ember.tensor(x), 2, None, 0, 1, False, True)
    gpu = F.max_pool2d(ember.tensor(x, device="cuda"), 2, None, 0, 1, False, True)
    np.testing.assert_array_equal(_host(gpu[0]), _host(cpu[0]))
    np.testing.assert_array_equal(_host(gpu[1]), _host(cpu[1]))


AVG_CASES = [
    # kernel, stride, padding, ceil_mode, count_include_pad, divisor_override
    (2, None, 0, False, True, None),
    (3, 2, 1, False, True, None),
    (3, 2, 1, True, False, None),
    ((3, 2), (1, 2), (1, 1), False, False, None),
    (3, 1, 1, False, True, 5),
]


@requires_cuda
@pytest.mark.parametrize("case", AVG_CASES)
def test_avg_pool2d_and_gradient_match_cpu(case):
    k, s, p, cm, cip, dov = case
    rng = np.random.default_rng(5)
    co, go, cg, gg = _run_both(lambda x: F.avg_pool2d(x, k, s, p, cm, cip, dov),
                               [_arr(rng, (2, 3, 10, 9))])
    _close(co, go, 1e-5, 1e-6)
    _close(cg[0], gg[0], 1e-5, 1e-6)


@requires_cuda
@pytest.mark.parametrize("out", [(1, 1), (3, 3), (4, 5), (7, 2)])
def test_adaptive_avg_pool2d_and_gradient_match_cpu(out):
    rng = np.random.default_rng(6)
    co, go, cg, gg = _run_both(lambda x: F.adaptive_avg_pool2d(x, out), [_arr(rng, (2, 3, 10, 9))])
    _close(co, go, 1e-5, 1e-6)
    _close(cg[0], gg[0], 1e-5, 1e-6)


@requires_cuda
def test_pooling_half_precision_matches_cpu():
    rng = np.random.default_rng(8)
    x = _arr(rng, (2, 3, 8, 8))
    for dt in (ember.float16, ember.bfloat16):
        c = F.avg_pool2d(ember.tensor(x).to(dt), 2)
        g = F.avg_pool2d(ember.tensor(x).to("cuda", dt), 2)
        _close(_host(c.float()), _host(g.float()), 1e-2, 1e-2)


# ---- NVRTC fused elementwise kernels -----------------------------------------------------

FUSED_CHAINS = {
    "unary": lambda x, y, b: F.sigmoid((x * 2.0).exp().log1p().tanh()) - x.abs().sqrt(),
    "binary_broadcast": lambda x, y, b: ember.maximum(x * b + y, x - b).relu() / (1.0 + y * y),
    "compare_where": lambda x, y, b: (ember.where(ember.logical_and(x > y, y >= 0.0), x * b, -y)
                                      + (x != y).float()),
    # bitwise_and has no fused opcode: the CUDA kernel runs the chain op by op.
    "op_by_op_fallback": lambda x, y, b: ember.where((x > y) & (y >= 0.0), x, y).exp() * 2.0,
    "silu_minimum": lambda x, y, b: ember.minimum(F.silu(x), y.reciprocal()) * x.square(),
}


@requires_cuda
@pytest.mark.parametrize("name", sorted(FUSED_CHAINS))
def test_fused_chain_on_cuda_matches_cpu(name):
    chain = FUSED_CHAINS[name]
    rng = np.random.default_rng(9)
    x, y = _arr(rng, (33, 65)), _arr(rng, (33, 65))
    b = _arr(rng, (65,))  # a broadcast row
    outs = {}
    for device in ("cpu", "cuda"):
        f = ember.function(chain)
        args = [ember.tensor(a, device=device) for a in (x, y, b)]
        for _ in range(3):  # trace, then replays through the fused kernel
            r = f(*args)
        assert "fused_elementwise" in str(f.graph(*args)), device
        outs[device] = _host(r)
    np.testing.assert_allclose(outs["cuda"], outs["cpu"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(outs["cuda"], _host(chain(*[ember.tensor(a) for a in (x, y, b)])),
                               rtol=1e-5, atol=1e-6)


@requires_cuda
def test_fused_chain_with_host_scalar_and_strided_input():
    rng = np.random.default_rng(10)
    x = _arr(rng, (16, 40))

    def chain(x, s):
        return (x.t() * s + 1.0).exp().sqrt() - s

    outs = {}
    for device in ("cpu", "cuda"):
        f = ember.function(chain)
        xt = ember.tensor(x, device=device)
        s = ember.tensor(np.float32(0.5))  # a CPU scalar even for the CUDA call
        for _ in range(3):
            r = f(xt, s)
        assert "fused_elementwise" in str(f.graph(xt, s)), device
        outs[device] = _host(r)
    np.testing.assert_allclose(outs["cuda"], outs["cpu"], rtol=1e-5, atol=1e-6)


# ---- a small CNN trained on both devices -------------------------------------------------

def _train_cnn(device, steps=8):
    ember.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1, groups=2), nn.ReLU(), nn.AvgPool2d(2),
        nn.Conv2d(16, 16, 3, stride=2, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d((1, 1)),
        nn.Flatten(), nn.Linear(16, 10))
    model.to(device)
    rng = np.random.default_rng(0)
    x = ember.tensor(rng.standard_normal((16, 3, 16, 16)).astype(np.float32)).to(device)
    y = ember.tensor(rng.integers(0, 10, size=16)).to(device)
    opt = ember.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return np.array(losses)


@requires_cuda
def test_small_cnn_training_matches_cpu():
    cpu = _train_cnn("cpu")
    gpu = _train_cnn("cuda")
    assert cpu[-1] < cpu[0]
    np.testing.assert_allclose(gpu, cpu, rtol=2e-3, atol=1e-4)
