"""ember.function replay internals: memory plan, arena reuse, vectorized fused loops and
fused optimizer updates, each checked against eager / NumPy float64 numbers."""

import numpy as np
import pytest

import ember
from ember import nn, optim


def _chain_np(x, b):
    y = x * 1.5 + 0.5
    y = np.tanh(y) * x
    y = y - 0.25
    y = np.maximum(y, 0.0) + b
    return 1.0 / (1.0 + np.exp(-(y * 0.5)))


def _chain(x, b):
    y = x * 1.5 + 0.5
    y = ember.tanh(y) * x
    y = y - 0.25
    y = ember.relu(y) + b
    return ember.sigmoid(y * 0.5)


@pytest.mark.parametrize("shape", [(1,), (7,), (3, 5), (64, 256), (3, 2049), (1000, 1001)])
def test_fused_vectorized_chain_matches_numpy(shape):
    # Sizes below, at and past a tile, a partial last tile, and a bias row broadcast.
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(np.float32) * 3
    b = rng.standard_normal(shape[-1:]).astype(np.float32)
    f = ember.function(_chain)
    tx, tb = ember.from_numpy(x), ember.from_numpy(b)
    for _ in range(3):
        got = f(tx, tb).numpy()
    assert "fused_elementwise" in f.graph(tx, tb).op_names
    want = _chain_np(x.astype(np.float64), b.astype(np.float64))
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(got, _chain(tx, tb).numpy(), rtol=1e-6, atol=1e-7)


def test_fused_comparisons_and_where_match_numpy():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((50, 300)).astype(np.float32)
    g = rng.standard_normal((50, 300)).astype(np.float32)

    def f(x, g):
        m = (x > 0.1).logical_and(x < 1.0)
        return ember.where(m, g * 2.0, ember.exp(g) - 1.0) + ember.maximum(x, g)

    tf = ember.function(f)
    tx, tg = ember.from_numpy(x), ember.from_numpy(g)
    for _ in range(3):
        got = tf(tx, tg).numpy()
    x64, g64 = x.astype(np.float64), g.astype(np.float64)
    want = np.where((x64 > 0.1) & (x64 < 1.0), g64 * 2, np.exp(g64) - 1) + np.maximum(x64, g64)
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)


def test_outputs_are_not_overwritten_by_the_next_call():
    f = ember.function(lambda x: ember.exp(ember.tanh(x * 2.0) @ x) + 1.0)
    x1, x2 = ember.randn(32, 32), ember.randn(32, 32)
    f(x1)
    f(x1)
    y1 = f(x1)
    y1_values = y1.numpy().copy()
    y2 = f(x2)
    np.testing.assert_array_equal(y1.numpy(), y1_values)
    x64 = x2.numpy().astype(np.float64)
    np.testing.assert_allclose(y2.numpy(), np.exp(np.tanh(x64 * 2) @ x64) + 1, rtol=1e-5)


def test_memory_plan_reuses_buffers():
    def f(x, w):
        h = ember.tanh(x @ w)
        h = ember.tanh(h @ w)
        h = ember.tanh(h @ w)
        return h.sum()

    tf = ember.function(f)
    x, w = ember.randn(64, 64), ember.randn(64, 64)
    plan = tf.memory_plan(x, w)
    last = plan.splitlines()[-1]
    # "arena A B for N values (S B without reuse)"
    words = last.split()
    arena, naive = int(words[1]), int(words[6][1:])
    assert words[0] == "arena" and arena < naive
    assert arena >= 2 * 64 * 64 * 4  # a product reads one buffer while writing another
    np.testing.assert_allclose(tf(x, w).item(), f(x, w).item(), rtol=1e-5)


def _mlp_pair(opt_cls, **opt_kw):
    models, opts = [], []
    for _ in range(2):
        ember.manual_seed(0)
        m = nn.Sequential(nn.Linear(12, 32), nn.ReLU(), nn.Linear(32, 5))
        models.append(m)
        opts.append(opt_cls(m.parameters(), **opt_kw))
    return models, opts


@pytest.mark.parametrize("fused", [False, True])
@pytest.mark.parametrize("opt_cls,kw", [(optim.SGD, dict(lr=0.05, momentum=0.9)),
                                        (optim.Adam, dict(lr=0.01)),
                                        (optim.AdamW, dict(lr=0.01, weight_decay=0.1))])
def test_traced_training_step_matches_eager(opt_cls, kw, fused):
    kw = dict(kw, fused=fused)
    (m_eager, m_traced), (o_eager, o_traced) = _mlp_pair(opt_cls, **kw)
    loss_fn = nn.CrossEntropyLoss()

    def make_step(model, opt):
        def step(x, y):
            opt.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
            return loss
        return step

    eager, traced = make_step(m_eager, o_eager), ember.function(make_step(m_traced, o_traced))
    rng = np.random.default_rng(0)
    for _ in range(6):
        x = ember.from_numpy(rng.standard_normal((16, 12)).astype(np.float32))
        y = ember.from_numpy(rng.integers(0, 5, size=16).astype(np.int64))
        np.testing.assert_allclose(traced(x, y).item(), eager(x, y).item(), rtol=1e-5)
    for pe, pt in zip(m_eager.parameters(), m_traced.parameters()):
        np.testing.assert_allclose(pt.detach().numpy(), pe.detach().numpy(), rtol=1e-5, atol=1e-6)
    names = traced.graph(x, y).op_names
    if fused:  # the optimizer's own fused update ops (axpby_, adam_update_)
        assert any(n in names for n in ("axpby_", "adam_update_")), names
    else:  # op-by-op updates become fused in-place loops in the graph
        assert "fused_elementwise_" in names, names


def test_state_created_while_tracing_is_an_error():
    # With warmup=0 the first call traces, so Adam makes its moments inside the trace: a
    # replay would remake them every step. That must be an error, not silent wrong numbers.
    ember.manual_seed(0)
    m = nn.Linear(4, 2)
    opt = optim.Adam(m.parameters(), lr=0.1)

    def step(x):
        opt.zero_grad()
        loss = (m(x) ** 2).sum()
        loss.backward()
        opt.step()
        return loss

    f = ember.function(step, warmup=0)
    with pytest.raises(RuntimeError, match=r"created while tracing[^$]*warmup=1"):
        f(ember.ones(3, 4))


def test_local_tensors_written_in_place_are_not_state():
    def f(x):
        acc = ember.zeros(3)
        acc.add_(x)
        acc.mul_(2.0)
        return acc.sum()

    tf = ember.function(f, warmup=0)
    x = ember.tensor([1.0, 2.0, 3.0])
    assert [tf(x).item() for _ in range(3)] == [12.0, 12.0, 12.0]


def test_arguments_requiring_grad_replay_differentiably():
    f = ember.function(lambda t: (t * t).sum())
    x = ember.tensor([1.0, 2.0, 3.0], requires_grad=True)
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no eager fallback warning any more
        for _ in range(3):
            y = f(x)
            assert y.requires_grad
            y.backward()
    assert type(y.grad_fn).__name__ == "TracedFunctionBackward" or "TracedFunctionBackward" in repr(y.grad_fn)
    np.testing.assert_allclose(x.grad.numpy(), 3 * 2 * np.array([1.0, 2.0, 3.0]))
    assert f.num_traces == 1
    with ember.no_grad():  # no gradients wanted: its own signature, traced and replayed
        for _ in range(3):
            assert f(x).item() == 14.0
    assert f.num_traces == 2


_UNARY = ["neg", "abs", "relu", "exp", "tanh", "sigmoid", "square", "silu"]
_BINARY = ["add", "sub", "mul", "maximum", "minimum"]


@pytest.mark.parametrize("seed", range(12))
def test_random_fused_chains_match_eager(seed):
    # Random chains over the vectorized op set, with scalar (float and int) and bias-row
    # operands and comparisons feeding where / casts, against eager op by op.
    rng = np.random.default_rng(seed)
    shape = [(5,), (33, 70), (4, 3000), (2, 3, 1500)][seed % 4]
    n_ops = int(rng.integers(3, 9))
    plan = []
    for _ in range(n_ops):
        kind = rng.choice(["unary", "binary", "scalar", "row", "where", "cast"])
        plan.append((kind, rng.choice(_UNARY), rng.choice(_BINARY), float(rng.uniform(-2, 2)),
                     int(rng.integers(-3, 4))))
    x_np = rng.standard_normal(shape).astype(np.float32)
    row_np = rng.standard_normal(shape[-1:]).astype(np.float32)

    def chain(x, row):
        y = x
        for kind, un, bi, s, k in plan:
            if kind == "unary":
                y = getattr(ember, un)(y * 0.5)
            elif kind == "binary":
                y = getattr(ember, bi)(y, x)
            elif kind == "scalar":
                y = (y * s + k) if bi != "sub" else (y - s)
            elif kind == "row":
                y = getattr(ember, bi)(y, row)
            elif kind == "where":
                y = ember.where(y > s, y, x * 0.25)
            else:
                y = y + (x < s).to(ember.float32)
        return y

    x, row = ember.from_numpy(x_np), ember.from_numpy(row_np)
    f = ember.function(chain)
    for _ in range(3):
        got = f(x, row).numpy()
    np.testing.assert_allclose(got, chain(x, row).numpy(), rtol=2e-6, atol=2e-6)


def test_dynamic_batch_sizes_replay_from_their_own_arenas():
    w = ember.randn(16, 8)

    def f(x):
        return ember.tanh(ember.relu(x @ w) * 2.0 - 1.0).sum(dim=1)

    tf = ember.function(f, dynamic=True)
    rng = np.random.default_rng(0)
    results = []
    for b in [8, 8, 5, 8, 5, 3, 8]:
        x = ember.from_numpy(rng.standard_normal((b, 16)).astype(np.float32))
        y = tf(x)
        results.append((y, y.numpy().copy(), f(x).numpy()))
    for y, first_seen, want in results:
        np.testing.assert_array_equal(y.numpy(), first_seen)  # later calls did not overwrite it
        np.testing.assert_allclose(first_seen, want, rtol=1e-6, atol=1e-6)
    assert tf.num_traces == 1


def test_inplace_update_reading_another_view_of_its_target():
    # buf[1:] += 2 * buf[:-1]: the product reads memory the update writes (shifted by one),
    # so it must be computed before buf changes, fused or not. Large enough for many tiles.
    b0 = np.linspace(-1, 1, 10_000).astype(np.float32)

    def run(traced):
        buf = ember.from_numpy(b0.copy())

        def step(x):
            buf[1:].add_(buf[:-1] * 0.5 + x)
            return buf.sum()

        f = ember.function(step) if traced else step
        for _ in range(4):
            f(ember.ones(9_999) * 0.01)
        return buf.numpy()

    np.testing.assert_allclose(run(True), run(False), rtol=1e-6)


def test_traced_step_graph_has_no_gradient_copies_and_matches_eager_steps():
    # Linear's weight gradient leaves clone(permute(permute(matmul))) in the trace; the
    # view-chain pass turns it into the product alone. N replays then leave the weights N
    # eager steps leave.
    (m_eager, m_traced), (o_eager, o_traced) = _mlp_pair(optim.Adam, lr=0.01)
    loss_fn = nn.CrossEntropyLoss()

    def make_step(model, opt):
        def step(x, y):
            opt.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
            return loss
        return step

    eager, traced = make_step(m_eager, o_eager), ember.function(make_step(m_traced, o_traced))
    rng = np.random.default_rng(1)
    x = ember.from_numpy(rng.standard_normal((16, 12)).astype(np.float32))
    y = ember.from_numpy(rng.integers(0, 5, size=16).astype(np.int64))
    for _ in range(8):
        np.testing.assert_allclose(traced(x, y).item(), eager(x, y).item(), rtol=1e-6)
    for pe, pt in zip(m_eager.parameters(), m_traced.parameters()):
        np.testing.assert_allclose(pt.detach().numpy(), pe.detach().numpy(), rtol=1e-6, atol=1e-7)
        np.testing.assert_allclose(pt.grad.numpy(), pe.grad.numpy(), rtol=1e-6, atol=1e-7)
    names = traced.graph(x, y).op_names
    # Left: the bias gradients' copies (a reshaped sum); the weight gradients copy nothing.
    assert names.count("clone") <= 2, names
    # Per layer: the weight's transpose (forward) and one read by a gradient product; none
    # is undone by a second permute (the trace had 4 more of those).
    assert names.count("permute") <= 4, names


def test_views_of_intermediates_read_this_calls_values():
    # Views of arena values are made once per arena; a returned view is made per call.
    def f(x, w):
        h = ember.relu(x * 2.0)
        return (h.t() @ w).sum(), h.t()

    tf = ember.function(f)
    rng = np.random.default_rng(3)
    seen = []
    for _ in range(4):
        x = rng.standard_normal((5, 3)).astype(np.float32)
        w = rng.standard_normal((5, 2)).astype(np.float32)
        s, ht = tf(ember.from_numpy(x), ember.from_numpy(w))
        h = np.maximum(x * 2.0, 0.0)
        np.testing.assert_allclose(s.item(), (h.T @ w).sum(), rtol=1e-5, atol=1e-5)
        seen.append((ht, h.T.copy()))
    for ht, want in seen:  # earlier results were not overwritten by later calls
        np.testing.assert_array_equal(ht.numpy(), want)
