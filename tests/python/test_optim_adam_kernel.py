"""The fused Adam kernel (core/cpu/optim_kernels.cpp) against PyTorch's formula evaluated in
float32 with NumPy (every operation correctly rounded), counted in ulps: the kernel replaces
PyTorch's divide by sqrt(bias correction 2) with a reciprocal multiply and an FMA correction
that must give the same quotient."""

import numpy as np
import pytest

import ember
from ember import nn, optim


def _ulps(a, b, p, update):
    """|a - b| in units of the last place of the larger of the parameter and the update
    (float32): where p - update cancels, the result's own ulp is no measure of the error."""
    unit = np.spacing(np.maximum(np.abs(p), np.abs(update))).astype(np.float64)
    return np.abs(a.astype(np.float64) - b.astype(np.float64)) / unit


def _first_step_reference(p, g, lr, b1, b2, eps):
    """torch.optim.Adam's first step (foreach/fused formula) in float32."""
    f = np.float32
    m = f(1 - b1) * g
    v = f(1 - b2) * (g * g)
    step_size = f(lr / (1 - b1))
    bc2_sqrt = f(np.sqrt(1 - b2))
    denom = np.sqrt(v) / bc2_sqrt + f(eps)
    update = step_size * (m / denom)
    return p - update, update


@pytest.mark.parametrize("scale", [1.0, 1e-3])
def test_first_step_within_ulps_of_pytorch_formula(scale):
    rng = np.random.default_rng(3)
    n = 20000
    p0 = (rng.standard_normal(n) * scale).astype(np.float32)
    g = (rng.standard_normal(n) * np.exp(rng.uniform(-8, 3, n))).astype(np.float32)
    lr, b1, b2, eps = 1e-3, 0.9, 0.999, 1e-8
    w = nn.Parameter(ember.tensor(p0))
    opt = optim.Adam([w], lr=lr, betas=(b1, b2), eps=eps, fused=True)
    w.grad = ember.tensor(g)
    opt.step()
    ours = w.detach().numpy()
    ref, update = _first_step_reference(p0, g, lr, b1, b2, eps)
    ulps = _ulps(ours, ref, p0, update)
    # Equal up to the contraction of p * decay - step_size * q into one FMA: 1 ulp at most.
    assert ulps.max() <= 1, (scale, ulps.max())
    assert np.isfinite(ours).all()


def test_many_steps_track_float64_adam():
    rng = np.random.default_rng(4)
    n = 4096
    p = rng.standard_normal(n).astype(np.float32)
    w = nn.Parameter(ember.tensor(p))
    opt = optim.Adam([w], lr=1e-2, fused=True)
    p64, m, v = p.astype(np.float64), np.zeros(n), np.zeros(n)
    for t in range(1, 31):
        g = rng.standard_normal(n).astype(np.float32)
        w.grad = ember.tensor(g)
        opt.step()
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g.astype(np.float64) ** 2
        p64 = p64 - 1e-2 / (1 - 0.9 ** t) * m / (np.sqrt(v) / np.sqrt(1 - 0.999 ** t) + 1e-8)
    np.testing.assert_allclose(w.detach().numpy(), p64, rtol=1e-5, atol=1e-6)


def test_infinite_second_moment_leaves_parameter_as_pytorch():
    # g * g overflows: v is inf, m finite, PyTorch's m / (inf + eps) is 0 (no NaN).
    w = nn.Parameter(ember.tensor(np.array([1.0, 2.0, 3.0], np.float32)))
    opt = optim.Adam([w], lr=0.1, fused=True)
    w.grad = ember.tensor(np.array([3e19, 1.0, -3e19], np.float32))
    opt.step()
    out = w.detach().numpy()
    assert out[0] == 1.0 and out[2] == 3.0
    np.testing.assert_allclose(out[1], 1.9, rtol=1e-6)
