"""ember.function: tracing, replay, retrace reasons, training steps, errors."""

import warnings

import numpy as np
import pytest

import ember
from ember import nn, optim


def test_replay_equals_eager_and_traces_once():
    calls = []

    @ember.function
    def f(x, y):
        calls.append(1)
        return ember.exp(x) * y + x

    x, y = ember.randn(4, 3), ember.randn(4, 3)
    expected = (ember.exp(x) * y + x).numpy()
    for _ in range(4):
        np.testing.assert_allclose(f(x, y).numpy(), expected, rtol=1e-6)
    assert len(calls) == 2  # eager warm-up + trace; then replays run no Python
    assert f.num_traces == 1


def test_retrace_log_explains_why():
    f = ember.function(lambda x: x * 2)
    f(ember.ones(2, 3))
    f(ember.ones(2, 3))
    f(ember.ones(5, 3))
    log = f.retrace_log()
    assert log[0] == "first call"
    assert "shape float32[2, 3] -> float32[5, 3]" in log[1]


def test_python_values_are_part_of_the_signature():
    f = ember.function(lambda x, k: x * k)
    assert f(ember.ones(2), 3).tolist() == [3.0, 3.0]
    assert f(ember.ones(2), 3).tolist() == [3.0, 3.0]
    assert f(ember.ones(2), 4).tolist() == [4.0, 4.0]
    assert "non-tensor arguments" in f.retrace_log()[-1]


def test_input_signature_makes_batch_dim_dynamic():
    model = nn.Linear(6, 2)
    f = ember.function(model, input_signature=[ember.TensorSpec(shape=[None, 6])])
    for n in (8, 8, 8, 3):
        x = ember.randn(n, 6)
        np.testing.assert_allclose(f(x).detach().numpy(), model(x).detach().numpy(), rtol=1e-6)
    assert f.num_traces == 1
    with pytest.raises(ValueError, match="input_signature"):
        f(ember.randn(3, 5))


def test_graph_prints_readably():
    f = ember.function(lambda x: ember.relu(x * 2 + 1), disable_passes=["fuse"])
    text = str(f.graph(ember.ones(3)))
    assert "graph(" in text and "mul(" in text and "relu(" in text and "return" in text
    fused = str(ember.function(lambda x: ember.relu(x * 2 + 1)).graph(ember.ones(3)))
    assert "fused_elementwise" in fused and "ops='mul,add,relu'" in fused


def test_item_inside_trace_is_a_clear_error():
    @ember.function(warmup=0)
    def f(x):
        if x.sum() > 0:
            return x
        return -x

    with pytest.raises(RuntimeError, match="ember.where"):
        f(ember.ones(3))


def test_cond_is_graph_level_and_differentiable():
    x = ember.tensor([2.0], requires_grad=True)
    y = ember.cond(x.sum() > 0, lambda: x * 3, lambda: x * -1)
    y.sum().backward()
    assert y.item() == 6.0 and x.grad.item() == 3.0


def _mlp():
    ember.manual_seed(0)
    return nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 3))


@pytest.mark.parametrize("make_opt", [
    lambda p: optim.SGD(p, lr=0.1, momentum=0.9),
    lambda p: optim.Adam(p, lr=0.01),
])
def test_traced_training_step_matches_eager(make_opt):
    x = ember.randn(32, 8)
    y = ember.randint(0, 3, (32,))
    models, opts = [_mlp(), _mlp()], []
    for m in models:
        opts.append(make_opt(m.parameters()))
    loss_fn = nn.CrossEntropyLoss()

    def step(model, opt, xb, yb):
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
        return loss

    traced = ember.function(lambda xb, yb: step(models[1], opts[1], xb, yb))
    for _ in range(6):
        eager_loss = step(models[0], opts[0], x, y)
        traced_loss = traced(x, y)
        np.testing.assert_allclose(traced_loss.item(), eager_loss.item(), rtol=1e-5)
    for (n, a), (_, b) in zip(models[0].named_parameters(), models[1].named_parameters()):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-5,
                                   atol=1e-6, err_msg=n)
    assert traced.num_traces == 1


def test_learning_rate_change_does_not_retrace():
    model = nn.Linear(4, 1)
    opt = optim.SGD(model.parameters(), lr=0.1)

    @ember.function
    def step(x):
        opt.zero_grad()
        loss = model(x).sum()
        loss.backward()
        opt.step()
        return loss

    x = ember.ones(2, 4)
    step(x)
    step(x)
    w = model.weight.detach().numpy().copy()
    opt.param_groups[0]["lr"] = 0.0
    step(x)
    np.testing.assert_array_equal(model.weight.detach().numpy(), w)
    assert step.num_traces == 1


def test_dropout_like_randomness_is_fresh_on_every_replay():
    f = ember.function(lambda x: x * ember.rand_like(x))
    x = ember.ones(1000)
    outs = [f(x).numpy() for _ in range(4)]
    assert not np.array_equal(outs[2], outs[3])


def test_check_mode_passes_for_consistent_functions():
    f = ember.function(lambda x: (x * 3).sum(), check=True)
    for _ in range(4):
        f(ember.ones(3))


def test_cache_bound_warns_and_runs_eagerly():
    f = ember.function(lambda x: x + 1, max_cache_size=2, warmup=0)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        for n in range(1, 5):
            assert f(ember.ones(n)).shape == (n,)
    assert any("cache is full" in str(m.message) for m in w)


def test_too_many_retraces_warn_with_reasons():
    f = ember.function(lambda x: x + 1, warmup=0, max_cache_size=100)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        for n in range(1, 9):
            f(ember.ones(n))
    assert any("traced 6 times" in str(m.message) for m in w)


def test_module_mode_is_part_of_the_signature():
    model = nn.Sequential(nn.Linear(3, 3))
    f = ember.function(model)
    f(ember.ones(1, 3))
    model.eval()
    f(ember.ones(1, 3))
    assert "non-tensor arguments or modes" in f.retrace_log()[-1]


def test_dump_graphs_shows_each_pass():
    stages = []
    f = ember.function(lambda x: x * 1 + 0, dump_graphs=lambda stage, text: stages.append(stage),
                       warmup=0)
    f(ember.ones(2))
    assert stages[0] == "traced" and "simplify" in stages and "dce" in stages
