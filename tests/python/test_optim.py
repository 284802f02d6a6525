"""Optimizers and schedules against PyTorch (same weights, same gradients, N steps) and
against hand-computed updates."""

import numpy as np
import pytest

import ember
from ember import nn, optim
from helpers import requires_torch, torch


def _pair(seed=0):
    rng = np.random.default_rng(seed)
    w = rng.standard_normal((3, 4)).astype(np.float32)
    x = rng.standard_normal((8, 4)).astype(np.float32)
    y = rng.standard_normal((8, 3)).astype(np.float32)
    return w, x, y


def _run_ember(make_opt, steps=5):
    w0, x, y = _pair()
    w = nn.Parameter(ember.tensor(w0))
    opt = make_opt([w])
    X, Y = ember.tensor(x), ember.tensor(y)
    for _ in range(steps):
        opt.zero_grad()
        loss = ((X @ w.t() - Y) ** 2).mean()
        loss.backward()
        opt.step()
    return w.detach().numpy()


def _run_torch(make_opt, steps=5):
    w0, x, y = _pair()
    w = torch.nn.Parameter(torch.tensor(w0))
    opt = make_opt([w])
    X, Y = torch.tensor(x), torch.tensor(y)
    for _ in range(steps):
        opt.zero_grad()
        loss = ((X @ w.t() - Y) ** 2).mean()
        loss.backward()
        opt.step()
    return w.detach().numpy()


CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9)),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("SGD", dict(lr=0.1, momentum=0.5, dampening=0.3)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.99), weight_decay=0.1, amsgrad=True)),
    ("AdamW", dict(lr=0.01, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, momentum=0.9, centered=True, weight_decay=0.01)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.01)),
]


@requires_torch
@pytest.mark.parametrize("name,kw", CASES)
def test_matches_pytorch(name, kw):
    ours = _run_ember(lambda p: getattr(optim, name)(p, **kw))
    theirs = _run_torch(lambda p: getattr(torch.optim, name)(p, **kw))
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


def test_sgd_step_by_hand():
    w = nn.Parameter(ember.tensor([1.0, 2.0]))
    opt = optim.SGD([w], lr=0.5)
    (w * ember.tensor([3.0, 4.0])).sum().backward()
    opt.step()
    assert w.tolist() == [1.0 - 1.5, 2.0 - 2.0]


def test_param_groups_and_lr_changes():
    a, b = nn.Parameter(ember.ones(1)), nn.Parameter(ember.ones(1))
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 1.0}], lr=0.1)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 1.0]
    opt.param_groups[0]["lr"] = 0.5
    (a + b).sum().backward()
    opt.step()
    assert a.item() == pytest.approx(0.5)
    assert b.item() == pytest.approx(0.0)


def test_state_dict_roundtrip_through_save(tmp_path):
    w = nn.Parameter(ember.ones(3))
    opt = optim.Adam([w], lr=0.1)
    for _ in range(3):
        opt.zero_grad()
        (w * w).sum().backward()
        opt.step()
    ember.save(opt.state_dict(), tmp_path / "opt")
    w2 = nn.Parameter(ember.tensor(w.detach().numpy()))
    opt2 = optim.Adam([w2], lr=0.1)
    opt2.load_state_dict(ember.load(tmp_path / "opt"))
    for o, p in ((opt, w), (opt2, w2)):
        o.zero_grad()
        (p * p).sum().backward()
        o.step()
    np.testing.assert_allclose(w.detach().numpy(), w2.detach().numpy(), rtol=1e-6)
    assert opt2.state_dict()["state"][0]["step"].item() == 4


def test_bad_arguments():
    with pytest.raises(ValueError, match="learning rate"):
        optim.SGD([nn.Parameter(ember.ones(1))], lr=-1)
    with pytest.raises(ValueError, match="empty"):
        optim.Adam([])
    with pytest.raises(ValueError, match="beta"):
        optim.Adam([nn.Parameter(ember.ones(1))], betas=(1.5, 0.9))


@requires_torch
@pytest.mark.parametrize("make", [
    lambda o: ("StepLR", dict(step_size=3, gamma=0.5)),
    lambda o: ("MultiStepLR", dict(milestones=[2, 5], gamma=0.1)),
    lambda o: ("ExponentialLR", dict(gamma=0.9)),
    lambda o: ("CosineAnnealingLR", dict(T_max=7, eta_min=0.01)),
    lambda o: ("LinearLR", dict(start_factor=0.25, total_iters=4)),
    lambda o: ("OneCycleLR", dict(max_lr=1.0, total_steps=12)),
])
def test_schedules_match_pytorch(make):
    name, kw = make(None)
    e_opt = optim.SGD([nn.Parameter(ember.ones(1))], lr=0.1)
    t_opt = torch.optim.SGD([torch.nn.Parameter(torch.ones(1))], lr=0.1)
    e_s = getattr(optim.lr_scheduler, name)(e_opt, **kw)
    t_s = getattr(torch.optim.lr_scheduler, name)(t_opt, **kw)
    for _ in range(10):
        assert e_s.get_last_lr() == pytest.approx(t_s.get_last_lr(), rel=1e-9)
        e_opt.step()
        t_opt.step()
        e_s.step()
        t_s.step()


def test_reduce_on_plateau():
    opt = optim.SGD([nn.Parameter(ember.ones(1))], lr=1.0)
    s = optim.lr_scheduler.ReduceLROnPlateau(opt, patience=1, factor=0.5)
    for metric in [1.0, 1.0, 1.0, 1.0]:
        s.step(metric)
    assert opt.param_groups[0]["lr"] == 0.5


def test_clip_grad_norm():
    p = nn.Parameter(ember.ones(4))
    (p * ember.tensor([3.0, 4.0, 0.0, 0.0])).sum().backward()
    total = nn.utils.clip_grad_norm_([p], 1.0)
    assert total.item() == pytest.approx(5.0)
    np.testing.assert_allclose(p.grad.numpy(), [0.6, 0.8, 0, 0], rtol=1e-4)
    nn.utils.clip_grad_value_([p], 0.7)
    np.testing.assert_allclose(p.grad.numpy(), [0.6, 0.7, 0, 0], rtol=1e-4)


# ---- fused updates (the default) against the op-by-op form and float64 references ----

FUSED_CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9)),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("SGD", dict(lr=0.1, momentum=0.5, dampening=0.3, maximize=True)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.99), weight_decay=0.1, amsgrad=True)),
    ("Adam", dict(lr=0.01, maximize=True)),
    ("AdamW", dict(lr=0.01, weight_decay=0.1)),
]


@pytest.mark.parametrize("name,kw", FUSED_CASES)
def test_fused_matches_unfused(name, kw):
    fused = _run_ember(lambda p: getattr(optim, name)(p, fused=True, **kw), steps=7)
    plain = _run_ember(lambda p: getattr(optim, name)(p, fused=False, **kw), steps=7)
    np.testing.assert_allclose(fused, plain, rtol=1e-5, atol=1e-7)


def _adam_f64(w, grads, lr, b1, b2, eps, wd=0.0, decoupled=False):
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    for t, g in enumerate(grads, start=1):
        if wd and decoupled:
            w = w * (1 - lr * wd)
        elif wd:
            g = g + wd * w
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        denom = np.sqrt(v) / np.sqrt(1 - b2 ** t) + eps
        w = w - lr / (1 - b1 ** t) * m / denom
    return w


@pytest.mark.parametrize("cls,decoupled", [("Adam", False), ("AdamW", True)])
@pytest.mark.parametrize("shape", [(3,), (1000,), (70000,)])  # 70000: the threaded loop
def test_fused_adam_against_float64(cls, decoupled, shape):
    rng = np.random.default_rng(5)
    w0 = rng.standard_normal(shape)
    grads = [rng.standard_normal(shape) for _ in range(4)]
    w = nn.Parameter(ember.tensor(w0.astype(np.float32)))
    opt = getattr(optim, cls)([w], lr=0.01, betas=(0.9, 0.99), weight_decay=0.05)
    for g in grads:
        w.grad = ember.tensor(g.astype(np.float32))
        opt.step()
    ref = _adam_f64(w0.astype(np.float32).astype(np.float64),
                    [g.astype(np.float32).astype(np.float64) for g in grads],
                    0.01, 0.9, 0.99, 1e-8, 0.05, decoupled)
    np.testing.assert_allclose(w.detach().numpy(), ref, rtol=1e-5, atol=1e-6)


def test_fused_sgd_momentum_float64_and_strided_grad():
    # float64 params take the generic loop; a transposed .grad the strided one.
    rng = np.random.default_rng(6)
    w0 = rng.standard_normal((5, 4))
    grads = [rng.standard_normal((4, 5)) for _ in range(3)]
    w = nn.Parameter(ember.tensor(w0))
    opt = optim.SGD([w], lr=0.1, momentum=0.9, dampening=0.1)
    buf, ref = None, w0.copy()
    for g in grads:
        w.grad = ember.tensor(g).t()
        opt.step()
        gt = g.T
        buf = gt.copy() if buf is None else 0.9 * buf + 0.9 * gt
        ref = ref - 0.1 * buf
    np.testing.assert_allclose(w.detach().numpy(), ref, rtol=1e-12)


def test_fused_option_in_param_groups_and_lr_change():
    w = nn.Parameter(ember.tensor([1.0, -2.0]))
    opt = optim.Adam([w], lr=0.1, fused=False)
    assert opt.param_groups[0]["fused"] is False
    opt.add_param_group({"params": [nn.Parameter(ember.tensor([0.5]))]})
    assert opt.param_groups[1]["fused"] is False
    assert optim.SGD([w], lr=0.1).param_groups[0]["fused"] is True
    # lr is read from the option tensor on every step, also by the fused ops
    opt = optim.SGD([w], lr=0.1)
    w.grad = ember.tensor([1.0, 1.0])
    opt.step()
    opt.param_groups[0]["lr"] = 1.0
    opt.step()
    np.testing.assert_allclose(w.detach().numpy(), [1.0 - 1.1, -2.0 - 1.1], rtol=1e-6)


def test_fused_step_traced_follows_lr():
    w = nn.Parameter(ember.tensor([1.0, 2.0, 3.0]))
    opt = optim.Adam([w], lr=0.1)

    @ember.function
    def step(x):
        opt.zero_grad()
        loss = (w * x).sum()
        loss.backward()
        opt.step()
        return loss

    ref_w = nn.Parameter(ember.tensor([1.0, 2.0, 3.0]))
    ref_opt = optim.Adam([ref_w], lr=0.1, fused=False)
    x = ember.tensor([1.0, -1.0, 0.5])
    for i in range(4):
        if i == 2:
            opt.param_groups[0]["lr"] = 0.01
            ref_opt.param_groups[0]["lr"] = 0.01
        step(x)
        ref_opt.zero_grad()
        (ref_w * x).sum().backward()
        ref_opt.step()
    np.testing.assert_allclose(w.detach().numpy(), ref_w.detach().numpy(), rtol=1e-6)
