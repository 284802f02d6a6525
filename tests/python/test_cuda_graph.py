"""ember.function(fn, cuda_graph=True): on CPU tensors the option is accepted and replays
normally, with the reason in f.cuda_graph_log(); on a GPU, graph replays give the plain
replay's results call after call with changing inputs (forward and a training step), and
graphs that cannot be captured (random ops) replay normally, saying why. GPU checks skip
where ember.cuda.is_available() is False."""

import numpy as np
import pytest

import ember
from ember import nn

requires_cuda = pytest.mark.skipif(not ember.cuda.is_available(),
                                   reason="no CUDA device (ember.cuda.is_available() is False)")


def _np(t):
    return t.detach().cpu().numpy()


def test_cuda_graph_option_on_cpu_replays_normally_and_says_why():
    def fn(x, w):
        return ember.tanh(x @ w) * 2.0

    f = ember.function(fn, cuda_graph=True)
    plain = ember.function(fn)
    rng = np.random.default_rng(0)
    w = ember.tensor(rng.standard_normal((4, 3)))
    for _ in range(5):
        x = ember.tensor(rng.standard_normal((2, 4)))
        np.testing.assert_allclose(_np(f(x, w)), _np(plain(x, w)), rtol=0, atol=0)
        np.testing.assert_allclose(_np(f(x, w)), np.tanh(x.numpy() @ w.numpy()) * 2.0, rtol=1e-12)
    log = f.cuda_graph_log()
    assert len(log) == 1, log
    assert "not captured" in log[0] and "CPU tensor" in log[0]
    assert plain.cuda_graph_log() == []
    assert f.retrace_log() == ["first call"]


def test_cuda_graph_option_survives_method_binding():
    class M:
        @ember.function(cuda_graph=True)
        def f(self, x):
            return x + 1

    m = M()
    for _ in range(3):
        assert _np(m.f(ember.ones(2))).tolist() == [2.0, 2.0]
    assert any("CPU tensor" in line for line in m.f.cuda_graph_log())


@requires_cuda
def test_forward_graph_matches_plain_replay_with_changing_inputs():
    model = nn.Sequential(nn.Linear(32, 64), nn.ReLU(), nn.Linear(64, 8)).cuda()

    def fn(x):
        return ember.softmax(model(x), -1)

    g, plain = ember.function(fn, cuda_graph=True), ember.function(fn)
    rng = np.random.default_rng(1)
    outs = []
    with ember.no_grad():
        for i in range(6):
            x = ember.tensor(rng.standard_normal((16, 32), dtype=np.float32)).cuda()
            a, b = g(x), plain(x)
            np.testing.assert_array_equal(_np(a), _np(b))
            outs.append(a)
        # Earlier results are copies: the next launch did not overwrite them.
        for o, i in zip(outs, range(6)):
            assert np.isfinite(_np(o)).all()
        assert not np.array_equal(_np(outs[-1]), _np(outs[-2]))
    assert g.cuda_graph_log() == [], g.cuda_graph_log()


@requires_cuda
def test_training_step_graph_matches_plain_replay():
    def make():
        ember.manual_seed(0)
        model = nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 1)).cuda()
        opt = ember.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)

        def step(x, y):
            opt.zero_grad()
            loss = ((model(x) - y) ** 2).mean()
            loss.backward()
            opt.step()
            return loss
        return model, step

    m1, s1 = make()
    m2, s2 = make()
    g, plain = ember.function(s1, cuda_graph=True), ember.function(s2)
    rng = np.random.default_rng(2)
    for _ in range(8):
        x = ember.tensor(rng.standard_normal((8, 16), dtype=np.float32)).cuda()
        y = ember.tensor(rng.standard_normal((8, 1), dtype=np.float32)).cuda()
        np.testing.assert_allclose(_np(g(x, y)), _np(plain(x, y)), rtol=1e-6, atol=1e-7)
    for p1, p2 in zip(m1.parameters(), m2.parameters()):
        np.testing.assert_allclose(_np(p1), _np(p2), rtol=1e-6, atol=1e-7)
        np.testing.assert_allclose(_np(p1.grad), _np(p2.grad), rtol=1e-6, atol=1e-7)


@requires_cuda
def test_steady_state_graph_replay_allocates_no_device_memory():
    w = ember.randn(64, 64, device="cuda")
    f = ember.function(lambda x: ember.relu(x @ w) + 1.0, cuda_graph=True)
    x = ember.randn(32, 64, device="cuda")
    for _ in range(4):
        f(x)
    ember.cuda.synchronize()
    before = ember.cuda.memory_stats()["num_device_allocs"]
    for _ in range(20):
        f(x)
    ember.cuda.synchronize()
    assert ember.cuda.memory_stats()["num_device_allocs"] == before


@requires_cuda
def test_random_graph_is_not_captured_and_keeps_drawing():
    f = ember.function(lambda x: ember.nn.functional.dropout(x, 0.5, training=True),
                       cuda_graph=True)
    x = ember.ones(1000, device="cuda")
    outs = [_np(f(x)) for _ in range(5)]
    assert not np.array_equal(outs[-1], outs[-2])   # fresh masks on every call
    assert any("random op" in line for line in f.cuda_graph_log()), f.cuda_graph_log()


@requires_cuda
def test_changed_host_scalar_is_captured_again():
    scale = ember.tensor(2.0)             # a 0-dim CPU tensor, like a learning rate
    w = ember.randn(8, 8, device="cuda")
    f = ember.function(lambda x: (x @ w) * scale, cuda_graph=True)
    x = ember.randn(4, 8, device="cuda")
    expect = _np(x) @ _np(w)
    for value in (2.0, 2.0, 2.0, 3.0, 3.0, 0.5):
        scale.fill_(value)
        np.testing.assert_allclose(_np(f(x)), expect * value, rtol=1e-5, atol=1e-5)
    assert f.cuda_graph_log() == [], f.cuda_graph_log()
