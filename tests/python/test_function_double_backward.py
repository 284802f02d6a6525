"""Double backward (create_graph=True) through replays of traced functions
(trace/forward_recompute.h): first and second derivatives equal eager Ember's and PyTorch's;
in-place changes before backward name the tensor they hit."""
import numpy as np
import pytest

import ember
from ember import nn
from helpers import torch

RTOL, ATOL = 1e-10, 1e-12  # float64 throughout


def _is_traced_backward(t):
    return "TracedFunctionBackward" in repr(t.grad_fn)


def _replayed(f, *args):
    """f(*args) on its third call (the first runs eagerly, the second traces)."""
    for _ in range(2):
        f(*args)
    out = f(*args)
    first = out[0] if isinstance(out, tuple) else out
    assert _is_traced_backward(first)
    return out


def _first_and_second(fn, x_np):
    x = ember.tensor(x_np, dtype=ember.float64, requires_grad=True)
    y = fn(x)
    y = y[0] if isinstance(y, tuple) else y
    g, = ember.autograd.grad([y.sum()], [x], create_graph=True)
    g2, = ember.autograd.grad([g.sum()], [x])
    return g.detach().numpy(), g2.numpy()


@pytest.mark.parametrize("name", ["cube", "tanh"])
def test_second_derivatives_through_a_function_equal_eager_torch_and_the_formula(name):
    x_np = np.array([0.5, -1.25, 2.0, 0.1])
    body = {"cube": lambda x: x ** 3, "tanh": lambda x: x.tanh()}[name]
    f = ember.function(body)
    x = ember.tensor(x_np, dtype=ember.float64, requires_grad=True)
    _replayed(f, x)
    g, g2 = _first_and_second(lambda t: _replayed(f, t), x_np)
    ge, g2e = _first_and_second(body, x_np)
    np.testing.assert_allclose(g, ge, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(g2, g2e, rtol=RTOL, atol=ATOL)
    if name == "cube":
        want, want2 = 3 * x_np ** 2, 6 * x_np
    else:
        t = np.tanh(x_np)
        want, want2 = 1 - t * t, -2 * t * (1 - t * t)
    np.testing.assert_allclose(g, want, rtol=1e-12)
    np.testing.assert_allclose(g2, want2, rtol=1e-12)
    if torch is not None:
        xt = torch.tensor(x_np, requires_grad=True)
        yt = xt ** 3 if name == "cube" else xt.tanh()
        gt, = torch.autograd.grad(yt.sum(), xt, create_graph=True)
        g2t, = torch.autograd.grad(gt.sum(), xt)
        np.testing.assert_allclose(g2, g2t.numpy(), rtol=1e-12)


def _critic():
    ember.manual_seed(3)
    return nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 8), nn.Softplus(),
                         nn.Linear(8, 1)).double()


def _wgan_gp_step(critic, real, fake, eps):
    """Critic loss with a gradient penalty: E[D(fake)] - E[D(real)] + 10 E[(|grad D(x_hat)| - 1)^2]."""
    x_hat = (eps * real + (1 - eps) * fake).detach().requires_grad_(True)
    out = critic(x_hat)
    g, = ember.autograd.grad([out.sum()], [x_hat], create_graph=True)
    gp = (((g * g).sum(1).sqrt() - 1.0) ** 2).mean()
    loss = critic(fake).mean() - critic(real).mean() + 10.0 * gp
    loss.backward()
    return out, loss


def test_gradient_penalty_through_a_compiled_module_matches_eager_and_torch():
    critic = _critic()
    ref = _critic()
    compiled = ember.compile(critic)
    rng = np.random.default_rng(0)
    for step in range(4):
        real, fake = rng.standard_normal((6, 4)), rng.standard_normal((6, 4))
        eps = rng.uniform(size=(6, 1))
        em = [ember.tensor(a, dtype=ember.float64) for a in (real, fake, eps)]
        for m in (critic, ref):
            for p in m.parameters():
                p.grad = None
        out, loss = _wgan_gp_step(compiled, *em)
        _, loss_ref = _wgan_gp_step(ref, *em)
        assert step < 2 or _is_traced_backward(out)
        np.testing.assert_allclose(loss.item(), loss_ref.item(), rtol=1e-12)
        for (name, p), p_ref in zip(critic.named_parameters(), ref.parameters()):
            np.testing.assert_allclose(p.grad.numpy(), p_ref.grad.numpy(), rtol=1e-9, atol=1e-12,
                                       err_msg=name)
    if torch is None:
        return
    tc = torch.nn.Sequential(torch.nn.Linear(4, 16), torch.nn.Tanh(), torch.nn.Linear(16, 8),
                             torch.nn.Softplus(), torch.nn.Linear(8, 1)).double()
    with torch.no_grad():
        for pt, p in zip(tc.parameters(), critic.parameters()):
            pt.copy_(torch.tensor(p.detach().numpy()))
    x_hat = torch.tensor(eps * real + (1 - eps) * fake, requires_grad=True)
    g, = torch.autograd.grad(tc(x_hat).sum(), x_hat, create_graph=True)
    gp = (((g * g).sum(1).sqrt() - 1.0) ** 2).mean()
    loss_t = tc(torch.tensor(fake)).mean() - tc(torch.tensor(real)).mean() + 10.0 * gp
    loss_t.backward()
    np.testing.assert_allclose(loss.item(), loss_t.item(), rtol=1e-12)
    for pt, p in zip(tc.parameters(), critic.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), pt.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_hessian_vector_product_through_a_function_matches_eager_and_torch():
    rng = np.random.default_rng(1)
    w_np, x_np, v_np = rng.standard_normal((3, 5)), rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    w = ember.tensor(w_np, dtype=ember.float64, requires_grad=True)

    def energy(x):
        return ((x @ w).tanh() ** 2).sum() + (x * x * x).sum()

    f = ember.function(energy)
    x = ember.tensor(x_np, dtype=ember.float64, requires_grad=True)
    v = ember.tensor(v_np, dtype=ember.float64)

    def hvp(fn):
        g, = ember.autograd.grad([fn(x)], [x], create_graph=True)
        hv, hw = ember.autograd.grad([(g * v).sum()], [x, w])
        return hv.numpy(), hw.numpy()

    hv, hw = hvp(lambda t: _replayed(f, t))
    hv_e, hw_e = hvp(energy)
    np.testing.assert_allclose(hv, hv_e, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(hw, hw_e, rtol=1e-10, atol=1e-12)
    if torch is not None:
        wt, xt = torch.tensor(w_np, requires_grad=True), torch.tensor(x_np, requires_grad=True)
        gt, = torch.autograd.grad(((xt @ wt).tanh() ** 2).sum() + (xt ** 3).sum(), xt,
                                  create_graph=True)
        hvt, hwt = torch.autograd.grad((gt * torch.tensor(v_np)).sum(), [xt, wt])
        np.testing.assert_allclose(hv, hvt.numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(hw, hwt.numpy(), rtol=1e-10, atol=1e-12)


def test_backward_with_create_graph_leaves_a_differentiable_grad():
    f = ember.function(lambda x: (x.sin() * x).sum())
    x_np = np.array([0.3, -1.1, 2.2])
    x = ember.tensor(x_np, dtype=ember.float64, requires_grad=True)
    _replayed(f, x)
    x.grad = None
    f(x).backward(create_graph=True)
    gx = x.grad
    assert gx.requires_grad
    x.grad = None
    gx.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.cos(x_np) - x_np * np.sin(x_np), rtol=1e-12)


def test_create_graph_reuses_the_replays_dropout_mask():
    def body(x):
        d = nn.functional.dropout(x, 0.5, training=True)
        return d ** 3, d

    f = ember.function(body)
    x = ember.tensor([0.5, -1.5, 2.0, 0.25, 1.0, -0.75, 3.0, 0.6], dtype=ember.float64,
                     requires_grad=True)
    y, d = _replayed(f, x)
    g, = ember.autograd.grad([y.sum()], [x], create_graph=True)
    g2, = ember.autograd.grad([g.sum()], [x])
    d, xs = d.detach().numpy(), x.detach().numpy()
    scale = d / xs  # 0 or 1 / (1 - p): the mask this replay drew
    assert set(np.round(scale, 12)) <= {0.0, 2.0}
    np.testing.assert_allclose(g.detach().numpy(), 3 * d * d * scale, rtol=1e-12)
    np.testing.assert_allclose(g2.numpy(), 6 * d * scale * scale, rtol=1e-12)


def test_dynamic_sizes_support_create_graph():
    w = ember.tensor(np.linspace(-1, 1, 3), dtype=ember.float64, requires_grad=True)
    body = lambda x: ((x * w).tanh() ** 2).sum()  # noqa: E731
    f = ember.function(body, dynamic=True)
    for n in (4, 4, 4, 2, 7):
        x = ember.tensor(np.linspace(0.1, 2, 3 * n).reshape(n, 3), dtype=ember.float64,
                         requires_grad=True)
        got = _first_and_second(f, x.detach().numpy())
        want = _first_and_second(body, x.detach().numpy())
        for a, b in zip(got, want):
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    assert f.num_traces == 1


def test_create_graph_that_cannot_be_recomputed_raises_clearly_and_first_order_still_works():
    def body(x, b):
        c = b * 2.0
        b.add_(1.0)  # the live b no longer holds what c was computed from
        return (x + c).tanh().sum()

    f = ember.function(body)
    x = ember.tensor([0.5, -0.5], dtype=ember.float64, requires_grad=True)
    b = ember.zeros(2, dtype=ember.float64)
    out = _replayed(f, x, b)
    with pytest.raises(RuntimeError, match=r"create_graph=True.*argument 1 \('b'\)"):
        ember.autograd.grad([out], [x], create_graph=True)
    out = f(x, b)
    g, = ember.autograd.grad([out], [x])
    c = 2.0 * (b.numpy() - 1.0)  # b before this call's add_
    np.testing.assert_allclose(g.numpy(), 1 - np.tanh(x.detach().numpy() + c) ** 2, rtol=1e-12)


def test_in_place_change_of_a_parameter_before_backward_names_it():
    ember.manual_seed(5)
    m = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
    compiled = ember.compile(m)
    x = ember.randn(2, 3)
    out = _replayed(compiled, x)
    before = m[2].weight._version
    with ember.no_grad():
        m[2].weight.add_(1.0)  # what opt.step() does
    # The backward reads 2.weight through a view (its transpose), saved by the forward.
    with pytest.raises(RuntimeError, match=rf"captured tensor '2\.weight' \(shape \[4, 1\], "
                                           rf"float32\).*in-place operation: it is at version "
                                           rf"{before + 1}, expected version {before}\."):
        out.sum().backward()


def test_in_place_change_of_an_argument_before_backward_names_it():
    w = ember.randn(3, requires_grad=True)
    f = ember.function(lambda inp: (inp * w).sum())  # the gradient for w reads inp
    x = ember.randn(3)
    out = _replayed(f, x)
    x.mul_(2.0)
    with pytest.raises(RuntimeError, match=r"argument 0 \('inp'\).*at version 1, expected "
                                           r"version 0"):
        out.backward()


def test_in_place_change_of_a_returned_output_before_backward_names_it():
    w = ember.randn(3, 3, requires_grad=True)
    f = ember.function(lambda x: (x @ w).tanh())  # tanh's backward reads its output
    out = _replayed(f, ember.randn(2, 3))
    out.add_(1.0)
    with pytest.raises(RuntimeError, match="output 0 of the traced function.*modified by an "
                                           "in-place operation"):
        out.sum().backward()


def test_graphs_name_the_parameters_they_capture():
    m = nn.Sequential(nn.Linear(3, 2))
    f = ember.function(m)
    x = ember.randn(4, 3)
    text = str(f.graph(x))
    assert "0.weight" in text and "0.bias" in text, text


def test_values_made_under_no_grad_stay_constants_in_the_second_derivative():
    def body(x):
        with ember.no_grad():
            s = (x * x).sum()  # a constant for autograd, in eager and in the replay
        return x ** 3 / s + (x * s).sin()

    f = ember.function(body)
    x_np = np.array([0.4, -0.9, 1.3])
    x = ember.tensor(x_np, dtype=ember.float64, requires_grad=True)
    _replayed(f, x)
    got = _first_and_second(lambda t: _replayed(f, t), x_np)
    want = _first_and_second(body, x_np)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
    s = (x_np * x_np).sum()
    np.testing.assert_allclose(got[1], 6 * x_np / s - s ** 2 * np.sin(x_np * s), rtol=1e-10)


def test_batchnorm_training_create_graph_matches_eager_and_updates_running_stats_once():
    def make():
        ember.manual_seed(1)
        return nn.Sequential(nn.Linear(3, 6), nn.BatchNorm1d(6), nn.Tanh(),
                             nn.Linear(6, 1)).double()

    m, ref = make(), make()
    compiled = ember.compile(m)
    x_np = np.random.default_rng(0).standard_normal((5, 3))
    for step in range(4):
        for module, call in ((m, compiled), (ref, ref)):
            for p in module.parameters():
                p.grad = None
            x = ember.tensor(x_np, dtype=ember.float64, requires_grad=True)
            out = call(x)
            g, = ember.autograd.grad([out.sum()], [x], create_graph=True)
            (g * g).sum().backward()
            if module is m:
                assert step < 2 or _is_traced_backward(out)
        for (name, p), p_ref in zip(m.named_parameters(), ref.parameters()):
            if p_ref.grad is None:
                assert p.grad is None, name
                continue
            np.testing.assert_allclose(p.grad.numpy(), p_ref.grad.numpy(), rtol=1e-10,
                                       atol=1e-12, err_msg=name)
        np.testing.assert_allclose(m[1].running_mean.numpy(), ref[1].running_mean.numpy(),
                                   rtol=1e-12)
        np.testing.assert_allclose(m[1].running_var.numpy(), ref[1].running_var.numpy(),
                                   rtol=1e-12)
