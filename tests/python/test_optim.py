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
