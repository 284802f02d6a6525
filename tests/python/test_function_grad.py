"""Gradients through replays of traced functions (trace/differentiable_replay.h): the traced
forward plus a backward outside the function match eager, for parameters and arguments."""
import warnings

import numpy as np
import pytest

import ember
from ember import nn

RTOL, ATOL = 1e-6, 1e-6


def _grads(module):
    return [None if p.grad is None else p.grad.numpy().copy() for p in module.parameters()]


def _zero(module):
    for p in module.parameters():
        p.grad = None


def _assert_grads_equal(got, want):
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert g is not None and w is not None
        np.testing.assert_allclose(g, w, rtol=RTOL, atol=ATOL)


def _is_traced_backward(t):
    return "TracedFunctionBackward" in repr(t.grad_fn)


def _mlp():
    return nn.Sequential(nn.Linear(5, 16), nn.ReLU(), nn.Linear(16, 8), nn.Tanh(),
                         nn.Linear(8, 3))


def test_linear_replays_are_differentiable_and_match_eager():
    ember.manual_seed(0)
    m = nn.Linear(3, 2)
    f = ember.function(m)
    x = ember.randn(4, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(4):
            _zero(m)
            y = f(x)
            y.sum().backward()
            got = _grads(m)
            _zero(m)
            m(x).sum().backward()
            _assert_grads_equal(got, _grads(m))
    assert _is_traced_backward(y)
    assert f.num_traces == 1


def test_mlp_replays_match_eager_values_and_grads_with_new_data_each_call():
    ember.manual_seed(1)
    model = _mlp()
    f = ember.function(model)
    for step in range(5):
        x, target = ember.randn(6, 5), ember.randn(6, 3)
        _zero(model)
        out = f(x)
        loss = nn.functional.mse_loss(out, target)
        loss.backward()
        got, got_out = _grads(model), out.detach().numpy().copy()
        _zero(model)
        eager = model(x)
        nn.functional.mse_loss(eager, target).backward()
        np.testing.assert_allclose(got_out, eager.detach().numpy(), rtol=RTOL, atol=ATOL)
        _assert_grads_equal(got, _grads(model))
    assert _is_traced_backward(out)
    assert f.num_traces == 1


def test_gradients_accumulate_across_replays_like_eager():
    ember.manual_seed(2)
    m = nn.Linear(4, 2)
    f = ember.function(m)
    x = ember.randn(3, 4)
    _zero(m)
    for _ in range(5):
        (f(x) ** 2).sum().backward()
    traced = _grads(m)
    _zero(m)
    for _ in range(5):
        (m(x) ** 2).sum().backward()
    _assert_grads_equal(traced, _grads(m))


def test_argument_gradients_equal_eager():
    ember.manual_seed(3)
    w = ember.randn(3, 3, requires_grad=True)

    def fn(a, b):
        return (a @ w).tanh() * b, (a * a).sum()

    f = ember.function(fn)
    a_np, b_np = np.random.RandomState(0).randn(2, 3).astype(np.float32), \
        np.random.RandomState(1).randn(2, 3).astype(np.float32)
    for _ in range(3):
        a = ember.tensor(a_np, requires_grad=True)
        b = ember.tensor(b_np)  # not differentiated by
        w.grad = None
        y, s = f(a, b)
        (y.sum() + 2 * s).backward()
        got_a, got_w = a.grad.numpy().copy(), w.grad.numpy().copy()
        a2 = ember.tensor(a_np, requires_grad=True)
        w.grad = None
        y2, s2 = fn(a2, b)
        (y2.sum() + 2 * s2).backward()
        np.testing.assert_allclose(got_a, a2.grad.numpy(), rtol=RTOL, atol=ATOL)
        np.testing.assert_allclose(got_w, w.grad.numpy(), rtol=RTOL, atol=ATOL)
        assert b.grad is None
    assert _is_traced_backward(y)


def test_unused_output_gets_zero_gradient():
    ember.manual_seed(4)
    m = nn.Linear(3, 3)
    f = ember.function(lambda x: (m(x).relu(), m(x).sigmoid()))
    x = ember.randn(2, 3)
    for _ in range(3):
        _zero(m)
        a, b = f(x)
        b.sum().backward()  # `a` takes no part in the loss
    got = _grads(m)
    _zero(m)
    m(x).sigmoid().sum().backward()
    _assert_grads_equal(got, _grads(m))


def test_gradient_tape_around_a_traced_call():
    ember.manual_seed(5)
    model = _mlp()
    f = ember.function(model)
    x = ember.randn(4, 5)
    params = list(model.parameters())
    for _ in range(3):
        with ember.GradientTape() as tape:
            loss = (f(x) ** 2).mean()
        grads = tape.gradient(loss, params)
    with ember.GradientTape() as tape:
        eager_loss = (model(x) ** 2).mean()
    want = tape.gradient(eager_loss, params)
    assert _is_traced_backward(loss) or loss.grad_fn is not None
    for g, w in zip(grads, want):
        np.testing.assert_allclose(g.numpy(), w.numpy(), rtol=RTOL, atol=ATOL)


def test_dynamic_batch_gradients_match_eager_without_retracing():
    ember.manual_seed(6)
    model = _mlp()
    f = ember.function(model, input_signature=[ember.TensorSpec(shape=[None, 5])])
    for n in (8, 8, 8, 3, 5, 3):
        x = ember.randn(n, 5)
        _zero(model)
        f(x).sum().backward()
        got = _grads(model)
        _zero(model)
        model(x).sum().backward()
        _assert_grads_equal(got, _grads(model))
    assert _is_traced_backward(f(ember.randn(7, 5)))  # a size never traced: specialized
    assert f.num_traces == 1, f.retrace_log()


def test_no_grad_calls_keep_the_plain_fast_path():
    m = nn.Linear(3, 2)
    f = ember.function(m)
    x = ember.randn(4, 3)
    with ember.no_grad():
        for _ in range(3):
            y = f(x)
    assert not y.requires_grad and y.grad_fn is None
    np.testing.assert_allclose(y.numpy(), m(x).detach().numpy(), rtol=RTOL, atol=ATOL)


def test_second_backward_needs_retain_graph():
    m = nn.Linear(3, 2)
    f = ember.function(m)
    x = ember.randn(4, 3)
    for _ in range(2):
        f(x)
    y = f(x).sum()
    assert _is_traced_backward(f(x))
    y.backward()
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()
    _zero(m)
    y = f(x).sum()
    y.backward(retain_graph=True)
    y.backward()
    got = _grads(m)
    _zero(m)
    m(x).sum().backward()
    _assert_grads_equal(got, [2 * g for g in _grads(m)])


def test_double_backward_through_a_replay_matches_eager():
    # More in test_function_double_backward.py.
    ember.manual_seed(6)
    m = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    f = ember.function(m)
    x = ember.randn(4, 3)
    for _ in range(3):
        y = f(x)
    assert _is_traced_backward(y)
    got = ember.autograd.grad([(y * y).sum()], [m[0].weight], create_graph=True)[0]
    want = ember.autograd.grad([(m(x) * m(x)).sum()], [m[0].weight], create_graph=True)[0]
    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-5, atol=1e-6)
    g2 = ember.autograd.grad([(got * got).sum()], [m[2].weight])[0]
    g2_want = ember.autograd.grad([(want * want).sum()], [m[2].weight])[0]
    np.testing.assert_allclose(g2.numpy(), g2_want.numpy(), rtol=1e-5, atol=1e-6)


def test_freezing_a_parameter_after_tracing():
    ember.manual_seed(7)
    m = nn.Linear(3, 2)
    f = ember.function(m)
    x = ember.randn(4, 3)
    for _ in range(3):
        f(x).sum().backward()
    m.weight.requires_grad_(False)
    _zero(m)
    for _ in range(2):
        _zero(m)
        f(x).sum().backward()
    assert m.weight.grad is None
    np.testing.assert_allclose(m.bias.grad.numpy(), np.full(2, 4.0), rtol=RTOL)
    m.weight.requires_grad_(True)
    _zero(m)
    f(x).sum().backward()
    assert m.weight.grad is not None


def test_training_step_with_backward_inside_keeps_replaying_its_updates():
    ember.manual_seed(8)
    m = nn.Linear(3, 1)
    opt = ember.optim.SGD(m.parameters(), lr=0.1)
    x, t = ember.randn(8, 3), ember.randn(8, 1)

    @ember.function
    def step(x, t):
        opt.zero_grad()
        loss = nn.functional.mse_loss(m(x), t)
        loss.backward()
        opt.step()
        return loss

    losses = [step(x, t).item() for _ in range(6)]
    assert losses[-1] < losses[0]
    assert step.num_traces == 1


def test_returning_an_argument_itself_falls_back_to_eager_with_one_warning():
    f = ember.function(lambda a: (a, (a * 3).sum()))
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    with pytest.warns(RuntimeWarning, match="gradients cannot flow through replays"):
        for _ in range(4):
            a, s = f(x)
            (a.sum() + s).backward()
    np.testing.assert_allclose(x.grad.numpy(), np.full(2, 4 * 4.0))


def test_batchnorm_training_mode_values_grads_and_running_stats_match_eager():
    ember.manual_seed(9)
    m = nn.Sequential(nn.Linear(4, 6), nn.BatchNorm1d(6), nn.ReLU(), nn.Linear(6, 2))
    ref = nn.Sequential(nn.Linear(4, 6), nn.BatchNorm1d(6), nn.ReLU(), nn.Linear(6, 2))
    ref.load_state_dict(m.state_dict())
    f = ember.function(m)
    for _ in range(4):
        x = ember.randn(8, 4)
        _zero(m)
        _zero(ref)
        y, y_ref = f(x), ref(x)
        (y * y).sum().backward()
        (y_ref * y_ref).sum().backward()
        np.testing.assert_allclose(y.detach().numpy(), y_ref.detach().numpy(), rtol=RTOL, atol=ATOL)
        _assert_grads_equal(_grads(m), _grads(ref))
        np.testing.assert_allclose(m[1].running_mean.numpy(), ref[1].running_mean.numpy(),
                                   rtol=RTOL, atol=ATOL)
    assert _is_traced_backward(y)


def test_in_place_change_of_a_saved_output_before_backward_raises_like_eager():
    w = ember.randn(3, 3, requires_grad=True)
    f = ember.function(lambda x: (x @ w).tanh())  # tanh's backward reads its output
    x = ember.randn(2, 3)
    for _ in range(2):
        f(x)
    y = f(x)
    assert _is_traced_backward(y)
    y.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.sum().backward()
