"""Several Python threads running eager ops, autograd and traced functions at once get the
same results as running alone: grad mode, the tracer and the random generator are per
thread (eager/grad_mode.cpp, core/dispatch.cpp, core/random/generator.cpp)."""

import threading

import numpy as np

import ember

THREADS = 4
ROUNDS = 60


def run_threads(target):
    errors = []

    def guarded(i):
        try:
            target(i)
        except BaseException as e:  # noqa: BLE001 - reported to the main thread
            errors.append((i, e))

    ts = [threading.Thread(target=guarded, args=(i,)) for i in range(THREADS)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in ts), "a thread hung"
    assert not errors, errors


def test_eager_ops_and_autograd_in_threads_match_numpy():
    def work(i):
        rng = np.random.default_rng(i)
        for _ in range(ROUNDS):
            a = rng.standard_normal((16, 8))
            b = rng.standard_normal((8, 4))
            x = ember.tensor(a, requires_grad=True)
            w = ember.tensor(b, requires_grad=True)
            loss = ember.tanh(x @ w).sum()
            loss.backward()
            t = np.tanh(a @ b)
            np.testing.assert_allclose(loss.item(), t.sum(), rtol=1e-10)
            np.testing.assert_allclose(w.grad.numpy(), a.T @ (1 - t ** 2), rtol=1e-9)

    run_threads(work)


def test_grad_mode_is_per_thread():
    barrier = threading.Barrier(THREADS)

    def work(i):
        x = ember.ones(3, requires_grad=True)
        with (ember.enable_grad() if i % 2 == 0 else ember.no_grad()):
            barrier.wait()  # every thread inside its own mode at once
            for _ in range(ROUNDS):
                y = x * 2
                assert y.requires_grad == (i % 2 == 0)
                assert ember.is_grad_enabled() == (i % 2 == 0)

    run_threads(work)


def test_random_state_is_per_thread():
    def draw(seed):
        ember.manual_seed(seed)
        return np.concatenate([ember.randn(64).numpy() for _ in range(ROUNDS)])

    expected = [draw(100 + i) for i in range(THREADS)]
    results = {}

    def work(i):
        results[i] = draw(100 + i)

    run_threads(work)
    for i in range(THREADS):
        np.testing.assert_array_equal(results[i], expected[i])


def test_traced_functions_in_threads():
    # One ember.function per thread, plus one shared by all: tracing in one thread must not
    # record ops that another thread runs at the same time.
    shared = ember.function(lambda x, y: ember.relu(x * y) + ember.exp(-x))

    def work(i):
        own = ember.function(lambda x: (x * (i + 1)).sum(0) - x.mean())
        rng = np.random.default_rng(i)
        for r in range(ROUNDS):
            n = 3 + (r % 3)  # a few shapes: traces and replays interleave across threads
            a = rng.standard_normal((n, 5)).astype(np.float32)
            b = rng.standard_normal((n, 5)).astype(np.float32)
            got = shared(ember.tensor(a), ember.tensor(b)).numpy()
            np.testing.assert_allclose(got, np.maximum(a * b, 0) + np.exp(-a), rtol=1e-5,
                                       atol=1e-6)
            got = own(ember.tensor(a)).numpy()
            np.testing.assert_allclose(got, (a * (i + 1)).sum(0) - a.mean(), rtol=1e-4,
                                       atol=1e-5)
            # Eager work between calls, with grad, in the same thread.
            x = ember.tensor(a, requires_grad=True)
            (x * x).sum().backward()
            np.testing.assert_allclose(x.grad.numpy(), 2 * a, rtol=1e-6)

    run_threads(work)
