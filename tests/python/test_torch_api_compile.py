"""ember.compile (torch.compile) on functions and modules, and ember.autocast."""

import numpy as np
import pytest

import ember
import ember.nn as nn


class SmallNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 8)
        self.act = nn.Mish()
        self.drop = nn.Dropout(0.5)
        self.fc2 = nn.Linear(8, 2)
        self.scale = 2.0

    def forward(self, x):
        return self.fc2(self.drop(self.act(self.fc1(x)))) * self.scale


def test_compile_function_matches_eager_and_traces_once():
    def f(x, y):
        return ember.einsum("ij,jk->ik", x, y).relu() + 1

    g = ember.compile(f, mode="reduce-overhead", fullgraph=True, backend="inductor")
    x, y = ember.randn(3, 4), ember.randn(4, 5)
    for _ in range(3):
        np.testing.assert_allclose(g(x, y).numpy(), f(x, y).numpy(), rtol=1e-6)
    assert g.num_traces == 1


def test_compile_decorator_forms():
    @ember.compile
    def a(x):
        return x * 2

    @ember.compile(dynamic=True)
    def b(x):
        return x + 1

    x = ember.ones(3)
    assert a(x).tolist() == [2.0] * 3 and b(x).tolist() == [2.0] * 3
    assert ember.compile(a, disable=True) is a


def test_compiled_module_behaves_like_the_module():
    ember.manual_seed(0)
    net = SmallNet()
    cnet = ember.compile(net)
    assert cnet._orig_mod is net
    assert [p is q for p, q in zip(cnet.parameters(), net.parameters())] == [True] * 4
    assert list(cnet.state_dict()) == list(net.state_dict())
    assert cnet.fc1 is net.fc1 and cnet.scale == 2.0
    cnet.scale = 3.0
    assert net.scale == 3.0
    assert cnet.eval() is cnet and not net.training
    x = ember.randn(5, 4)
    expected = net(x)
    with ember.no_grad():  # no gradient needed: the traced replay runs
        for _ in range(3):
            np.testing.assert_allclose(cnet(x).numpy(), expected.numpy(), rtol=1e-6)
    assert cnet._traced.num_traces == 1
    out = cnet(x)  # parameters require grad: the replay is differentiable
    assert out.grad_fn is not None and cnet._traced.num_traces == 1
    np.testing.assert_allclose(out.detach().numpy(), expected.detach().numpy(), rtol=1e-6)
    assert cnet.train() is cnet and net.training
    assert cnet.to(ember.float32) is cnet and cnet.requires_grad_(True) is cnet
    assert "SmallNet" in repr(cnet)


def test_compiled_train_step_traces():
    ember.manual_seed(0)
    net = nn.Sequential(nn.Linear(3, 16), nn.Mish(), nn.Linear(16, 1))
    opt = ember.optim.SGD(net.parameters(), lr=0.05)
    x = ember.randn(32, 3)
    y = x.sum(1, keepdim=True)

    @ember.compile
    def step(x, y):
        opt.zero_grad()
        loss = ((net(x) - y) ** 2).mean()
        loss.backward()
        opt.step()
        return loss
    losses = [step(x, y).item() for _ in range(40)]
    assert step.num_traces == 1 and losses[-1] < 0.2 * losses[0]


def test_compiled_module_trains():
    ember.manual_seed(0)
    net = nn.Sequential(nn.Linear(3, 16), nn.Hardswish(), nn.Linear(16, 1))
    cnet = ember.compile(net)
    opt = ember.optim.SGD(cnet.parameters(), lr=0.05)
    x = ember.randn(32, 3)
    y = x.sum(1, keepdim=True)
    losses = []
    for _ in range(40):
        opt.zero_grad()
        loss = ((cnet(x) - y) ** 2).mean()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.2 * losses[0]
    assert cnet._traced.num_traces == 1  # training replays the traced forward and backward


def test_compile_rejects_non_callable():
    with pytest.raises(TypeError, match=r"\[compile\] expects a Module or a callable"):
        ember.compile(3)


def test_autocast_is_a_float32_noop():
    x = ember.randn(2, 3)
    w = ember.randn(3, 4)
    with ember.autocast(device_type="cpu", dtype=ember.bfloat16, enabled=True) as ac:
        y = x @ w
    assert ac.device_type == "cpu" and y.dtype == ember.float32
    np.testing.assert_allclose(y.numpy(), (x @ w).numpy())

    @ember.autocast("cpu")
    def f(a):
        return a * 2
    assert f(x).dtype == ember.float32
    with pytest.raises(TypeError, match=r"\[autocast\] device_type"):
        ember.autocast(device_type=3)


def test_amp_grad_scaler_boilerplate_trains_in_float32():
    ember.manual_seed(0)
    model = nn.Linear(3, 1)
    opt = ember.optim.SGD(model.parameters(), lr=0.1)
    scaler = ember.amp.GradScaler()
    x = ember.randn(16, 3)
    y = x.sum(1, keepdim=True)
    losses = []
    for _ in range(30):
        opt.zero_grad()
        with ember.amp.autocast("cuda", dtype=ember.float16):
            loss = ((model(x) - y) ** 2).mean()
        assert loss.dtype == ember.float32
        scaler.scale(loss).backward()
        scaler.unscale_(opt)
        scaler.step(opt)
        scaler.update()
        losses.append(loss.item())
    assert losses[-1] < 0.1 * losses[0] and scaler.get_scale() == 1.0


def test_compiled_module_inside_a_compiled_step():
    ember.manual_seed(0)
    net = ember.compile(nn.Sequential(nn.Linear(3, 8), nn.SELU(), nn.Linear(8, 1)))
    opt = ember.optim.SGD(net.parameters(), lr=0.05)
    x = ember.randn(32, 3)
    y = x.sum(1, keepdim=True)

    @ember.compile
    def step(x, y):
        opt.zero_grad()
        loss = ((net(x) - y) ** 2).mean()
        loss.backward()
        opt.step()
        return loss
    losses = [step(x, y).item() for _ in range(40)]
    assert step.num_traces == 1 and net._traced.num_traces == 0
    assert losses[-1] < 0.2 * losses[0]
