"""The C++ fast path of ember.Function calls (python/src/trace_function_entry.cpp): a call
like the last one replays without the Python front end; every change that the full path
sees (shapes, dtypes, requires_grad, grad mode, module modes, default dtype, non-tensor
arguments) still retraces, and replays equal eager execution exactly."""

import numpy as np

import ember
from ember import nn, optim


def _model_and_step(seed=0):
    ember.manual_seed(seed)
    model = nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Dropout(0.0), nn.Linear(8, 3))
    opt = optim.Adam(model.parameters(), lr=1e-2)
    loss_fn = nn.CrossEntropyLoss()

    def step(x, y):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    return model, step


def _data(n=5, seed=1):
    rng = np.random.default_rng(seed)
    x = ember.tensor(rng.standard_normal((n, 6)).astype(np.float32))
    y = ember.tensor(rng.integers(0, 3, n).astype(np.int64))
    return x, y


def test_replayed_training_equals_eager_exactly():
    m_eager, eager = _model_and_step()
    m_traced, step = _model_and_step()
    traced = ember.function(step)
    x, y = _data()
    for _ in range(12):
        a, b = eager(x, y).item(), traced(x, y).item()
        assert a == b
    for p, q in zip(m_eager.parameters(), m_traced.parameters()):
        np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy())
    assert traced.num_traces == 1


def test_changes_after_fast_replays_still_retrace_with_reasons():
    model, step = _model_and_step()
    f = ember.function(step)
    x, y = _data()
    for _ in range(4):
        f(x, y)
    assert f.num_traces == 1
    x2, y2 = _data(n=7)
    for _ in range(3):
        f(x2, y2)  # new shape: eager, trace, replay
    assert f.num_traces == 2
    assert "argument 0" in f.retrace_log()[-1] and "[5, 6]" in f.retrace_log()[-1]
    model.eval()
    for _ in range(3):
        f(x2, y2)
    assert f.num_traces == 3
    model.train()
    before = len(f.retrace_log())
    f(x2, y2)  # the train-mode signature is cached: a replay
    assert f.num_traces == 3 and len(f.retrace_log()) == before


def test_requires_grad_grad_mode_and_kwargs_take_the_full_path():
    w = ember.tensor(np.arange(6, dtype=np.float32).reshape(2, 3))

    @ember.function
    def f(a, b=None):
        return (a * 2 + 1).sum() if b is None else (a * b).sum()

    a = ember.tensor(np.ones((2, 3), np.float32))
    for _ in range(3):
        assert f(a).item() == 18.0
    traces = f.num_traces
    a2 = ember.tensor(np.ones((2, 3), np.float32), requires_grad=True)
    for _ in range(3):
        out = f(a2)
    out.backward()
    np.testing.assert_array_equal(a2.grad.numpy(), np.full((2, 3), 2.0, np.float32))
    assert f.num_traces > traces
    with ember.no_grad():
        for _ in range(3):
            assert f(a2).item() == 18.0
    assert f(a, b=w).item() == 15.0
    assert f(a).item() == 18.0


def test_default_dtype_change_is_seen():
    @ember.function
    def f(a):
        return a + ember.ones(3)

    a = ember.tensor(np.zeros(3, np.float64))
    for _ in range(3):
        f(a)
    n = f.num_traces
    ember.set_default_dtype(ember.float64)
    try:
        for _ in range(3):
            out = f(a)
        assert out.dtype == ember.float64
        assert f.num_traces == n + 1
    finally:
        ember.set_default_dtype(ember.float32)


def test_errors_from_a_fast_replay_keep_their_type():
    calls = []

    @ember.function(check=True)
    def f(a):
        calls.append(1)
        # Differs between the eager check run and the replay: check mode raises.
        return a * float(len(calls))

    a = ember.tensor(np.ones(2, np.float32))
    f(a)
    f(a)
    try:
        f(a)
    except Exception as e:  # noqa: BLE001 - the type is what the test checks
        assert "check" in str(e) and type(e).__name__ != "SystemError"
    else:
        raise AssertionError("check mode did not raise")
