"""Ops that ran through the host before and have device kernels now (randperm, multinomial,
nonzero, truncated_normal, logspace, and the backward helpers of norm and cumprod), and fused Adam's device step count under CUDA graphs,
against the CPU. Each check_*(device) compares with the same computation on the CPU; the
GPU tests skip where ember.cuda.is_available() is False, and every check also runs with
device="cpu" so the checks themselves run on every machine."""

import numpy as np
import pytest

import ember
from ember import nn

requires_cuda = pytest.mark.skipif(not ember.cuda.is_available(),
                                   reason="no CUDA device (ember.cuda.is_available() is False)")


def host(t):
    return t.detach().cpu().numpy()


def generators(seed):
    gc, gd = ember.Generator(), ember.Generator()
    gc.manual_seed(seed)
    gd.manual_seed(seed)
    return gc, gd


def check_randperm(device):
    # The parallel replay of the CPU's Fisher-Yates swaps gives the same permutation.
    for n in (0, 1, 2, 3, 17, 1000, 65537):
        for dtype in (ember.int64, ember.int32, ember.float32):
            gc, gd = generators(n + 3)
            got = ember.randperm(n, dtype=dtype, device=device, generator=gd)
            want = ember.randperm(n, dtype=dtype, generator=gc)
            assert got.dtype == dtype and got.device.type == device
            np.testing.assert_array_equal(host(got), host(want))
            np.testing.assert_array_equal(np.sort(host(got)), np.arange(n))
            np.testing.assert_array_equal(host(gd.get_state()), host(gc.get_state()))


def check_multinomial(device):
    rng = np.random.default_rng(0)
    w = rng.random((5, 300))
    w[:, ::7] = 0.0  # zero weights are never drawn
    for replacement, k in ((True, 1000), (False, 40), (False, 1)):
        for weights in (w, w[2]):
            gc, gd = generators(21)
            got = ember.multinomial(ember.tensor(weights).to(device), k, replacement=replacement,
                                    generator=gd)
            want = ember.multinomial(ember.tensor(weights), k, replacement=replacement,
                                     generator=gc)
            np.testing.assert_array_equal(host(got), host(want))
            assert (host(got) % 7 != 0).all()
    with pytest.raises(ValueError, match="negative, inf or nan"):
        bad = w.copy()
        bad[3, 4] = -1.0
        host(ember.multinomial(ember.tensor(bad).to(device), 2))
    with pytest.raises(ValueError, match="sum to 0"):
        host(ember.multinomial(ember.zeros(2, 4, device=device), 1, replacement=True))
    with pytest.raises(ValueError, match="too few non-zero weights"):
        host(ember.multinomial(ember.tensor([[1.0, 0.0, 0.0]]).to(device), 2))


def check_nonzero(device):
    rng = np.random.default_rng(1)
    a = rng.integers(-2, 3, size=(4, 5, 6)).astype(np.float64)
    a[0, 0, 0] = np.nan   # counts
    a[1, 1, 1] = -0.0     # does not
    for dtype in (ember.float64, ember.float32, ember.float16, ember.int64, ember.int32,
                  ember.uint8, ember.bool):
        x = ember.tensor(np.abs(a) if dtype == ember.uint8 else a).to(dtype)
        got, want = ember.nonzero(x.to(device)), ember.nonzero(x)
        assert got.dtype == ember.int64 and tuple(got.shape) == tuple(want.shape)
        np.testing.assert_array_equal(host(got), host(want))
    for t in (ember.zeros(3, 4), ember.zeros(0, 2), ember.tensor(5.0), ember.tensor(0.0),
              ember.ones(7).t()):
        np.testing.assert_array_equal(host(ember.nonzero(t.to(device))), host(ember.nonzero(t)))
    x = ember.tensor(a).transpose(0, 2)  # a non-contiguous view
    np.testing.assert_array_equal(host(ember.nonzero(x.to(device))), host(ember.nonzero(x)))
    np.testing.assert_array_equal(host(x.to(device)[x.to(device) > 0]), host(x[x > 0]))


def check_truncated_normal(device):
    # erfinv uses CUDA's log / erf / exp: equal to the CPU up to the last bits of a double.
    for dtype, rtol in ((ember.float64, 1e-13), (ember.float32, 2e-7)):
        gc, gd = generators(8)
        got = ember._C._trunc_normal_(ember.empty(1001, dtype=dtype, device=device), 0.5, 2.0,
                                      -1.0, 3.0, generator=gd)
        want = ember._C._trunc_normal_(ember.empty(1001, dtype=dtype), 0.5, 2.0, -1.0, 3.0,
                                       generator=gc)
        np.testing.assert_allclose(host(got), host(want), rtol=rtol, atol=1e-12)
        assert host(got).min() >= -1.0 and host(got).max() <= 3.0
        np.testing.assert_array_equal(host(gd.get_state()), host(gc.get_state()))


def check_logspace(device):
    # pow is CUDA's: equal to the CPU up to its last bit.
    for dtype, rtol in ((ember.float64, 1e-15), (ember.float32, 3e-7)):
        for start, end, steps, base in ((-3, 5, 50, 10.0), (0, 1, 7, 2.0), (2, 2, 1, 3.0),
                                        (1, -4, 33, 0.5)):
            got = ember.logspace(start, end, steps, base=base, dtype=dtype, device=device)
            want = ember.logspace(start, end, steps, base=base, dtype=dtype)
            np.testing.assert_allclose(host(got), host(want), rtol=rtol)
    got = ember.logspace(0, 3, 4, dtype=ember.int64, device=device)
    np.testing.assert_array_equal(host(got), [1, 10, 100, 1000])


def _grads(fn, device, a, dtype):
    x = ember.tensor(a, dtype=dtype).to(device).detach().requires_grad_()
    out = fn(x)
    weights = ember.arange(out.numel(), dtype=dtype, device=device).reshape(out.shape)
    (out * weights).sum().backward()
    return host(x.grad)


def check_backward_helpers(device):
    rng = np.random.default_rng(4)
    a = rng.standard_normal((4, 6, 5))
    a[1, 2, :] = 0.0       # cumprod's first-zero rule: one zero, then more
    a[2, 4, 3] = 0.0
    a[0, 0, 1] = -0.0
    for dtype in (ember.float64, ember.float32):
        for dim in (0, 1, 2):
            # cumprod_backward: the CPU's arithmetic in double, so identical values.
            np.testing.assert_array_equal(_grads(lambda x: ember.cumprod(x, dim), device, a, dtype),
                                          _grads(lambda x: ember.cumprod(x, dim), "cpu", a, dtype))
        rtol = 1e-13 if dtype == ember.float64 else 1e-6
        for p in (1, 3.0, 0.5, float("inf"), float("-inf")):
            for dims in ([2], [0, 1]):
                # norm_backward: CUDA's pow for the general p, so to its rounding.
                np.testing.assert_allclose(
                    _grads(lambda x: ember.norm(x, p, dims), device, a, dtype),
                    _grads(lambda x: ember.norm(x, p, dims), "cpu", a, dtype), rtol=rtol, atol=1e-12)


CHECKS = [check_randperm, check_multinomial, check_nonzero, check_truncated_normal,
          check_logspace, check_backward_helpers]


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
def test_checks_run_against_the_cpu_itself(check):
    check("cpu")


@requires_cuda
@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
def test_cuda_matches_cpu(check):
    check("cuda")
    ember.cuda.synchronize()


def test_former_host_path_ops_have_device_kernels_when_built():
    names = ember.cuda.kernel_names()
    if not (ember.cuda.is_built() and not ember._C._cuda_backend_error()):
        assert names == []
        return
    for op in ["randperm", "multinomial", "nonzero", "truncated_normal", "logspace",
               "norm_backward", "cumprod_backward"]:
        assert op in names, op


def _adam_step(device, opt_cls, cuda_graph, **kw):
    ember.manual_seed(0)
    model = nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 1)).to(device)
    opt = opt_cls(model.parameters(), lr=0.01, fused=True, **kw)

    def step(x, y):
        opt.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        opt.step()
        return loss
    return model, ember.function(step, cuda_graph=cuda_graph)


@requires_cuda
@pytest.mark.parametrize("opt_cls,kw", [(ember.optim.Adam, {}),
                                        (ember.optim.AdamW, {"weight_decay": 0.1}),
                                        (ember.optim.Adam, {"amsgrad": True})])
def test_fused_adam_cuda_graph_replays_the_current_bias_correction(opt_cls, kw):
    # The step count is a device tensor updated inside the graph: a replayed graph must give
    # the plain replay's parameters step after step (a frozen count would drift at once).
    m1, graphed = _adam_step("cuda", opt_cls, True, **kw)
    m2, plain = _adam_step("cuda", opt_cls, False, **kw)
    m3, on_cpu = _adam_step("cpu", opt_cls, False, **kw)
    rng = np.random.default_rng(3)
    for _ in range(10):
        x = rng.standard_normal((8, 16), dtype=np.float32)
        y = rng.standard_normal((8, 1), dtype=np.float32)
        xd, yd = ember.tensor(x).cuda(), ember.tensor(y).cuda()
        np.testing.assert_allclose(host(graphed(xd, yd)), host(plain(xd, yd)), rtol=1e-6,
                                   atol=1e-7)
        on_cpu(ember.tensor(x), ember.tensor(y))
    assert graphed.cuda_graph_log() == [], graphed.cuda_graph_log()
    for p1, p2, p3 in zip(m1.parameters(), m2.parameters(), m3.parameters()):
        np.testing.assert_allclose(host(p1), host(p2), rtol=1e-6, atol=1e-7)
        np.testing.assert_allclose(host(p1), host(p3), rtol=1e-4, atol=1e-5)


@requires_cuda
def test_non_fused_adam_keeps_a_cpu_step_and_replays_op_by_op():
    # Without fused=True the step count is a CPU scalar updated in place: the graph is not
    # captured (a replay could not update it), and the results stay the plain replay's.
    def make():
        ember.manual_seed(0)
        model = nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 1)).cuda()
        opt = ember.optim.Adam(model.parameters(), lr=0.01, fused=False)

        def step(x, y):
            opt.zero_grad()
            loss = ((model(x) - y) ** 2).mean()
            loss.backward()
            opt.step()
            return loss
        return model, step

    (m1, s1), (m2, s2) = make(), make()
    graphed, plain = ember.function(s1, cuda_graph=True), ember.function(s2)
    rng = np.random.default_rng(5)
    for _ in range(5):
        x = ember.tensor(rng.standard_normal((8, 16), dtype=np.float32)).cuda()
        y = ember.tensor(rng.standard_normal((8, 1), dtype=np.float32)).cuda()
        np.testing.assert_array_equal(host(graphed(x, y)), host(plain(x, y)))
    assert any("CPU scalar in place" in line for line in graphed.cuda_graph_log()), \
        graphed.cuda_graph_log()
    for p1, p2 in zip(m1.parameters(), m2.parameters()):
        np.testing.assert_array_equal(host(p1), host(p2))
