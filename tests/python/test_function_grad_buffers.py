"""A traced training step writes each new gradient into the parameter's previous .grad
when nothing else can see that tensor (no allocation per step), and into fresh memory when
something can: a Python reference to the old gradient or a view of it. Weights and
gradients always match eager steps."""

import numpy as np

import ember
from ember import nn, optim


def _setup():
    ember.manual_seed(0)
    model = nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 3))
    opt = optim.Adam(model.parameters(), lr=1e-2)
    loss_fn = nn.CrossEntropyLoss()
    rng = np.random.default_rng(0)
    x = ember.from_numpy(rng.standard_normal((5, 6)).astype(np.float32))
    y = ember.from_numpy(rng.integers(0, 3, size=5).astype(np.int64))

    def step(xb, yb):
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
        return loss
    return model, step, x, y


def _weights(model):
    return [p.numpy().copy() for p in model.parameters()]


def test_traced_steps_match_eager_steps():
    model_e, step_e, x, y = _setup()
    model_t, step_t, _, _ = _setup()
    f = ember.function(step_t)
    for _ in range(6):
        le, lt = step_e(x, y), f(x, y)
        assert np.array_equal(le.numpy(), lt.numpy())
        for a, b in zip(_weights(model_e), _weights(model_t)):
            assert np.array_equal(a, b)
        for pe, pt in zip(model_e.parameters(), model_t.parameters()):
            assert np.array_equal(pe.grad.numpy(), pt.grad.numpy())


def test_unreferenced_gradients_are_rewritten_in_place():
    model, step, x, y = _setup()
    f = ember.function(step)
    for _ in range(3):
        f(x, y)
    w = next(iter(model.parameters()))
    before = w.grad.data_ptr()
    f(x, y)
    assert w.grad.data_ptr() == before


def test_referenced_gradients_are_never_overwritten():
    model, step, x, y = _setup()
    f = ember.function(step)
    for _ in range(3):
        f(x, y)
    params = list(model.parameters())
    held = [p.grad for p in params]
    held_values = [g.numpy().copy() for g in held]
    view = params[1].grad[1:3]  # a view keeps the memory visible, too
    view_values = view.numpy().copy()
    del held[1]
    del held_values[1]
    x2 = ember.from_numpy(np.random.default_rng(3).standard_normal((5, 6)).astype(np.float32))
    f(x2, y)
    for g, v in zip(held, held_values):
        assert np.array_equal(g.numpy(), v)
    assert np.array_equal(view.numpy(), view_values)
    assert not np.array_equal(params[0].grad.numpy(), held_values[0])
