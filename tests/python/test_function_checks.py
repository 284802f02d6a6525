"""Safety checks of traced functions: check mode compares gradients of differentiable
replays with eager (trace/gradient_check.h); an in-place change of a captured parameter
between a replay's forward and its backward raises as in eager."""
import numpy as np
import pytest

import ember
from ember import nn, optim


def _grads(module):
    return [p.grad.numpy().copy() for p in module.parameters()]


def _zero(module):
    for p in module.parameters():
        p.grad = None


def _is_traced_backward(t):
    return "TracedFunctionBackward" in repr(t.grad_fn)


@pytest.mark.parametrize("batchnorm", [False, True])
def test_check_mode_passes_correct_differentiable_replays_and_keeps_grads_once(batchnorm):
    ember.manual_seed(3)
    layers = [nn.Linear(5, 8)] + ([nn.BatchNorm1d(8)] if batchnorm else []) + \
        [nn.Tanh(), nn.Linear(8, 2)]
    m, ref = nn.Sequential(*layers), None
    ref_layers = [nn.Linear(5, 8)] + ([nn.BatchNorm1d(8)] if batchnorm else []) + \
        [nn.Tanh(), nn.Linear(8, 2)]
    ref = nn.Sequential(*ref_layers)
    ref.load_state_dict(m.state_dict())
    f = ember.function(m, check=3)
    for _ in range(5):
        x = ember.randn(6, 5, requires_grad=True)
        x_ref = ember.tensor(x.detach().numpy(), requires_grad=True)
        _zero(m)
        _zero(ref)
        y, y_ref = f(x), ref(x_ref)
        (y * y).sum().backward()
        (y_ref * y_ref).sum().backward()
        np.testing.assert_allclose(y.detach().numpy(), y_ref.detach().numpy(), rtol=1e-5, atol=1e-6)
        for g, w in zip(_grads(m), _grads(ref)):  # checks did not add to .grad
            np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(x.grad.numpy(), x_ref.grad.numpy(), rtol=1e-5, atol=1e-6)
        if batchnorm:  # checks restored the running stats they changed
            np.testing.assert_allclose(m[1].running_mean.numpy(), ref[1].running_mean.numpy(),
                                       rtol=1e-5, atol=1e-6)
    assert _is_traced_backward(y)
    assert f.num_traces == 1


def test_check_mode_from_the_environment_covers_gradients(monkeypatch):
    monkeypatch.setenv("EMBER_FUNCTION_CHECK", "2")
    w = ember.randn(3, 3, requires_grad=True)
    f = ember.function(lambda x: (x @ w).exp().sum())
    x = ember.randn(2, 3)
    for _ in range(4):
        f(x).backward()
    w2 = ember.tensor(w.detach().numpy(), requires_grad=True)
    (x @ w2).exp().sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), 4 * w2.grad.numpy(), rtol=1e-5, atol=1e-5)


def test_optimizer_step_between_forward_and_backward_raises_like_eager():
    ember.manual_seed(4)
    m = nn.Linear(3, 2)
    opt = optim.SGD(m.parameters(), lr=0.1)
    f = ember.function(m)
    x = ember.randn(4, 3, requires_grad=True)  # d/dx reads the weight: captured, not saved
    for _ in range(2):
        f(x).sum().backward()
    y = f(x)
    assert _is_traced_backward(y)
    opt.step()  # updates the weight in place
    with pytest.raises(RuntimeError, match=r"shape \[3, 2\].*modified by an in-place operation: it is at version"):
        y.sum().backward()
    y_eager = m(x)
    opt.step()
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y_eager.sum().backward()
    # Forward, backward, then step: fine.
    y = f(x)
    y.sum().backward()
    opt.step()


def _train_step(opt_factory, warmup):
    ember.manual_seed(5)
    m = nn.Linear(3, 2)
    opt = opt_factory(m.parameters())

    @ember.function(warmup=warmup)
    def step(x):
        opt.zero_grad()
        loss = m(x).pow(2).sum()
        loss.backward()
        opt.step()
        return loss
    return m, opt, step


@pytest.mark.parametrize("make_opt", [
    lambda ps: optim.Adam(ps, lr=0.1),
    lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9),  # the buffer is a clone, never updated
])
def test_optimizer_state_made_on_the_first_traced_step_raises(make_opt):
    _, _, step = _train_step(make_opt, warmup=0)
    with pytest.raises(RuntimeError, match=r"created while tracing .* kept after the call as state"):
        step(ember.randn(4, 3))


@pytest.mark.parametrize("make_opt", [
    lambda ps: optim.Adam(ps, lr=0.1),
    lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9),
])
def test_optimizer_state_made_eagerly_first_trains_like_eager(make_opt):
    m, _, step = _train_step(make_opt, warmup=1)
    ref = nn.Linear(3, 2)
    ref.load_state_dict(m.state_dict())
    ref_opt = make_opt(ref.parameters())
    for _ in range(5):
        x = ember.randn(4, 3)
        step(x)
        ref_opt.zero_grad()
        ref(x).pow(2).sum().backward()
        ref_opt.step()
    for p, q in zip(m.parameters(), ref.parameters()):
        np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=1e-5, atol=1e-6)
    assert step.num_traces == 1


def test_temporaries_updated_in_place_inside_the_function_do_not_raise():
    w = ember.randn(3, requires_grad=True)

    @ember.function(warmup=0)
    def f(x):
        t = ember.zeros(3)
        t.add_(x).mul_(2.0)            # updated in place, then saved by mul's backward
        u = ember.ones(3)
        u.mul_(3.0)                    # not computed from the arguments, saved too
        return (t * w).sum() + (u * w).exp().sum()

    x = ember.randn(3)
    for _ in range(3):
        f(x).backward()
    want = 3 * (2 * x.numpy() + 3 * np.exp(3 * w.detach().numpy()))
    np.testing.assert_allclose(w.grad.numpy(), want, rtol=1e-5)
    assert f.num_traces == 1


def test_kept_activation_that_requires_grad_is_not_state():
    w = ember.randn(3, requires_grad=True)
    kept = []

    @ember.function(warmup=0)
    def f(x):
        t = ember.zeros(3)
        t.add_(x)
        h = (t * w).tanh()
        kept.append(h)                 # the caller keeps an activation (and its history)
        return h.sum()

    f(ember.randn(3)).backward()
    assert f.num_traces == 1


def test_state_stashed_in_a_dict_on_the_first_traced_call_raises():
    state = {}

    @ember.function(warmup=0)
    def f(x):
        if "buf" not in state:
            state["buf"] = ember.zeros(3)
        state["buf"].add_(x)
        return x * 2

    with pytest.raises(RuntimeError, match=r"1 tensor\(s\) created while tracing \(f32\[3\]\)"):
        f(ember.ones(3))


def test_dynamic_batch_with_an_argument_that_requires_grad_fits_both_graphs():
    ember.manual_seed(7)
    m = nn.Sequential(nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 2))
    f = ember.function(m, input_signature=[ember.TensorSpec(shape=[None, 5])])
    for n in (8, 8, 8, 3, 5, 11):
        x = ember.randn(n, 5, requires_grad=True)
        x_ref = ember.tensor(x.detach().numpy(), requires_grad=True)
        _zero(m)
        y = f(x)
        (y * y).sum().backward()
        got = _grads(m)
        _zero(m)
        y_ref = m(x_ref)
        (y_ref * y_ref).sum().backward()
        for g, w in zip(got, _grads(m)):
            np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(x.grad.numpy(), x_ref.grad.numpy(), rtol=1e-5, atol=1e-6)
    assert _is_traced_backward(y)
    assert f.num_traces == 1, f.retrace_log()


def test_unused_blend_of_state_in_a_traced_training_step_is_not_state():
    # An unused where(mask, h, x) (a masked RNN's last-step cell-state blend) still holds
    # its mask in its autograd node while the tracer keeps it: history, not state.
    w = ember.randn(4, requires_grad=True)

    @ember.function(warmup=0)
    def step(x):
        h = (x * w).tanh()
        mask = x != 0
        ember.where(mask, h, x)  # computed, never used
        loss = (h * h).sum()
        loss.backward()
        return loss

    x = ember.tensor([1.0, 0.0, 2.0, 0.0])
    want = float(((x * w).tanh() ** 2).sum())
    for _ in range(3):
        w.grad = None
        got = float(step(x))
        assert abs(got - want) < 1e-6
        assert w.grad is not None
    assert step.num_traces == 1
