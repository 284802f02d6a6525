"""PyTorch autograd scripts under `import ember as torch`: custom autograd.Function with
ctx.save_for_backward, gradcheck/gradgradcheck, autograd.functional, and hooks (module
forward/backward hooks, tensor.register_hook, retain_grad), compared with PyTorch."""

import numpy as np
import pytest

import ember as torch
import ember.nn as nn
from ember.autograd import Function, gradcheck, gradgradcheck
from helpers import requires_torch
from helpers import torch as real_torch


class MyExp(Function):
    @staticmethod
    def forward(ctx, x):
        y = x.exp()
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_out):
        (y,) = ctx.saved_tensors
        return grad_out * y


class MulAdd(Function):
    @staticmethod
    def forward(ctx, a, b, alpha=2.0):
        ctx.save_for_backward(a, b)
        ctx.alpha = alpha
        return a * b + alpha * a

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        ga = g * (b + ctx.alpha) if ctx.needs_input_grad[0] else None
        gb = g * a if ctx.needs_input_grad[1] else None
        return ga, gb, None


class Square(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 2 * x * g


class WrongGrad(Function):
    @staticmethod
    def forward(ctx, x):
        return x ** 2

    @staticmethod
    def backward(ctx, g):
        return g


def _double(*shape, seed=0):
    rng = np.random.default_rng(seed)
    return torch.tensor(rng.standard_normal(shape), dtype=torch.float64, requires_grad=True)


def test_custom_function_forward_backward_and_grad_fn():
    x = _double(5)
    y = MyExp.apply(x)
    assert type(y.grad_fn).__name__ == "Node" and "MyExpBackward" in repr(y.grad_fn)
    (y * torch.arange(5).double()).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.exp(x.detach().numpy()) * np.arange(5),
                               rtol=1e-12)


def test_custom_function_inside_a_model_trains():
    class ExpLayer(nn.Module):
        def forward(self, t):
            return MyExp.apply(t)

    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), ExpLayer(), nn.Linear(4, 1))
    opt = torch.optim.Adam(model.parameters(), lr=0.05)
    x, y = torch.randn(32, 3), torch.randn(32, 1)
    losses = []
    for _ in range(50):
        opt.zero_grad()
        loss = nn.functional.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.7 * losses[0]
    assert all(p.grad is not None for p in model.parameters())


def test_gradcheck_passes_for_correct_and_fails_for_wrong_backward():
    a, b = _double(3, 4), _double(3, 4, seed=1)
    assert gradcheck(MyExp.apply, (a,), eps=1e-6, atol=1e-4)
    assert gradcheck(MulAdd.apply, (a, b))
    assert gradcheck(lambda u, v: MulAdd.apply(u, v, 3.0), (a, b))
    assert torch.autograd.gradcheck(torch.sigmoid, (a,))
    with pytest.raises(torch.autograd.GradcheckError, match="Jacobian mismatch"):
        gradcheck(WrongGrad.apply, (a,))
    assert gradcheck(WrongGrad.apply, (a,), raise_exception=False) is False
    with pytest.raises(ValueError, match="at least one input tensor to require gradient"):
        gradcheck(MyExp.apply, (a.detach(),))


def test_double_backward_through_custom_function_and_gradgradcheck():
    z = torch.tensor([3.0], requires_grad=True)
    (g1,) = torch.autograd.grad(Square.apply(z).sum(), z, create_graph=True)
    (g2,) = torch.autograd.grad(g1.sum(), z)
    assert g1.item() == 6.0 and g2.item() == 2.0
    assert gradgradcheck(Square.apply, (_double(4),))
    assert gradgradcheck(lambda t: (t ** 3).sum(), (_double(4),))


def test_custom_function_errors_are_clear():
    z = torch.tensor([3.0], requires_grad=True)
    w = Square.apply(z)
    w.sum().backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        w.sum().backward()

    class WrongCount(Function):
        @staticmethod
        def forward(ctx, a, b):
            return a + b

        @staticmethod
        def backward(ctx, g):
            return g

    with pytest.raises(RuntimeError, match=r"returned 1 gradients, but forward took 2"):
        WrongCount.apply(z, z).sum().backward()

    class WrongShape(Function):
        @staticmethod
        def forward(ctx, a):
            return a.sum()

        @staticmethod
        def backward(ctx, g):
            return g

    with pytest.raises(RuntimeError, match=r"gradient of shape \[\] for input 0, expected "
                                           r"shape \[3\]"):
        WrongShape.apply(torch.ones(3, requires_grad=True)).backward()
    with pytest.raises(TypeError, match="can only save tensors"):
        class SavesNumber(Function):
            @staticmethod
            def forward(ctx, a):
                ctx.save_for_backward(2.0)
                return a
        SavesNumber.apply(z)


def test_custom_function_multiple_outputs_no_grad_and_non_differentiable():
    class Two(Function):
        @staticmethod
        def forward(ctx, a):
            idx = a.argmax()
            ctx.mark_non_differentiable(idx)
            return a * 2, a * 3, idx

        @staticmethod
        def backward(ctx, g1, g2, g_idx):
            return g1 * 2 + g2 * 3

    z = torch.tensor([1.0, 5.0], requires_grad=True)
    p, q, idx = Two.apply(z)
    assert not idx.requires_grad and idx.item() == 1
    p.sum().backward()  # q got no gradient: its grad arrives as zeros
    assert z.grad.tolist() == [2.0, 2.0]
    with torch.no_grad():
        assert not Square.apply(z).requires_grad
    assert not Square.apply(torch.ones(2)).requires_grad


@requires_torch
def test_autograd_functional_matches_pytorch():
    from ember.autograd.functional import hessian, jacobian, jvp, vjp
    xn = np.random.default_rng(3).standard_normal(3)
    xe, xt = torch.tensor(xn), real_torch.tensor(xn)
    tf = real_torch.autograd.functional

    def f(lib):
        return lambda t: t.sin() * t.sum()

    def h(lib):
        return lambda t: (t ** 3).sum() * t[0]

    np.testing.assert_allclose(jacobian(f(torch), xe).numpy(), tf.jacobian(f(real_torch), xt),
                               rtol=1e-12)
    np.testing.assert_allclose(hessian(h(torch), xe).numpy(), tf.hessian(h(real_torch), xt),
                               rtol=1e-12)
    v = np.ones(3)
    np.testing.assert_allclose(vjp(f(torch), xe, torch.tensor(v))[1].numpy(),
                               tf.vjp(f(real_torch), xt, real_torch.tensor(v))[1], rtol=1e-12)
    np.testing.assert_allclose(jvp(f(torch), xe, torch.tensor(v))[1].numpy(),
                               tf.jvp(f(real_torch), xt, real_torch.tensor(v))[1], rtol=1e-12)
    je = jacobian(lambda a, b: (a * b, a + b), (xe, xe))
    jt = tf.jacobian(lambda a, b: (a * b, a + b), (xt, xt))
    for row_e, row_t in zip(je, jt):
        for e, t in zip(row_e, row_t):
            np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-12)


# ---------------------------------------------------------------- (g) hooks

def _hooked_run(lib, weights):
    """Registers the usual hooks on a small MLP; returns what they saw."""
    lnn = lib.nn
    model = lnn.Sequential(lnn.Linear(4, 8), lnn.ReLU(), lnn.Linear(8, 2))
    model.load_state_dict({k: lib.tensor(v) for k, v in weights.items()})
    acts, seen = {}, {}
    h1 = model[0].register_forward_hook(lambda m, i, o: acts.__setitem__("fc1", o.detach()))

    def on_backward(module, grad_input, grad_output):
        seen["gin"] = [None if g is None else g.detach().numpy().copy() for g in grad_input]
        seen["gout"] = [g.detach().numpy().copy() for g in grad_output]

    h2 = model[2].register_full_backward_hook(on_backward)
    h3 = model[0].register_forward_pre_hook(lambda m, inp: (inp[0] * 2,))
    h4 = model[1].register_full_backward_pre_hook(lambda m, gout: (gout[0] * 0.5,))
    x = lib.tensor(np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4), requires_grad=True)
    y = model(x)
    y.retain_grad()
    xg = []
    hx = x.register_hook(lambda g: xg.append(g.detach().numpy().copy()))
    (y * lib.tensor([[1.0, -2.0]])).sum().backward()
    out = {"acts": acts["fc1"].numpy(), "x.grad": x.grad.numpy(), "y.grad": y.grad.numpy(),
           "hook_x": xg[0], **{k: v for k, v in seen.items()}}
    for h in (h1, h2, h3, h4, hx):
        h.remove()
    acts.clear()
    x.grad = None
    model(x).sum().backward()
    out["after_remove"] = (len(acts), len(xg), x.grad.numpy())
    return out


@requires_torch
def test_hooks_match_pytorch():
    rng = np.random.default_rng(0)
    weights = {"0.weight": rng.standard_normal((8, 4)), "0.bias": rng.standard_normal(8),
               "2.weight": rng.standard_normal((2, 8)), "2.bias": rng.standard_normal(2)}
    weights = {k: v.astype(np.float32) for k, v in weights.items()}
    e, t = _hooked_run(torch, weights), _hooked_run(real_torch, weights)
    for key in ("acts", "x.grad", "y.grad", "hook_x"):
        np.testing.assert_allclose(e[key], t[key], rtol=1e-5, atol=1e-6, err_msg=key)
    assert len(e["gin"]) == len(t["gin"]) == 1 and len(e["gout"]) == 1
    np.testing.assert_allclose(e["gin"][0], t["gin"][0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(e["gout"][0], t["gout"][0], rtol=1e-5)
    assert e["after_remove"][:2] == t["after_remove"][:2] == (0, 1)
    np.testing.assert_allclose(e["after_remove"][2], t["after_remove"][2], rtol=1e-5)


def test_backward_hook_on_first_layer_sees_none_grad_input_and_can_replace_grads():
    lin = nn.Linear(3, 2)
    calls = []
    lin.register_full_backward_hook(lambda m, gi, go: calls.append((gi, go)))
    lin(torch.ones(1, 3)).sum().backward()  # the input needs no grad
    (gi, go), = calls
    assert gi == (None,) and go[0].shape == (1, 2)

    x = torch.ones(1, 3, requires_grad=True)
    lin2 = nn.Linear(3, 2)
    lin2.register_full_backward_hook(lambda m, gi, go: (gi[0] * 0,))
    lin2(x).sum().backward()
    assert x.grad.abs().sum().item() == 0


def test_retain_grad_and_leaf_flags():
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    b = a * 3
    b.retain_grad()
    (b ** 2).sum().backward()
    assert b.grad.tolist() == [6.0, 12.0] and a.grad.tolist() == [18.0, 36.0]
    assert a.is_leaf and not b.is_leaf and b.grad_fn is not None


def test_custom_function_in_a_traced_training_step_matches_eager():
    def run(traced):
        torch.manual_seed(0)
        lin = nn.Linear(3, 1)
        opt = torch.optim.SGD(lin.parameters(), lr=0.1)
        x, y = torch.randn(8, 3), torch.randn(8, 1)

        def step(x, y):
            opt.zero_grad()
            loss = Square.apply(lin(x) - y).mean()
            loss.backward()
            opt.step()
            return loss

        step = torch.function(step) if traced else step
        return [step(x, y).item() for _ in range(5)]

    eager, traced = run(False), run(True)
    assert traced == pytest.approx(eager, rel=1e-6) and eager[-1] < eager[0]
