"""Tracing: ember.function (traced) against Ember eager, PyTorch eager and torch.compile.

Rows: an MLP training step (forward, backward, SGD-momentum update; GEMM-bound), a small
and a tiny MLP step with Adam (per-op overhead and the optimizer's elementwise chains
dominate; the tiny one is almost pure per-node cost), and a chain of 8 elementwise ops on 1M
floats (where fusion pays). In the ratio columns, below 1.00x means the traced Ember call is
faster; the summary after the table says how many times faster traced Ember is than each
other column, from the same run.

Instruction counts (what the machine's load does not disturb): bench/profile_trace_step.py
replays one step under callgrind."""

import numpy as np

from common import Case, Unavailable, need, need_ember

N_CHAIN = 1_000_000
MLP = dict(batch=64, sizes=(128, 256, 256, 10), opt="sgd")
SMALL = dict(batch=32, sizes=(32, 64, 64, 10), opt="adam")
TINY = dict(batch=16, sizes=(16, 32, 32, 4), opt="adam")


def _mlp_data(cfg):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((cfg["batch"], cfg["sizes"][0])).astype(np.float32)
    y = rng.integers(0, cfg["sizes"][-1], size=cfg["batch"]).astype(np.int64)
    return x, y


def _layers(nn, sizes):
    i, h1, h2, o = sizes
    return nn.Sequential(nn.Linear(i, h1), nn.ReLU(), nn.Linear(h1, h2), nn.ReLU(), nn.Linear(h2, o))


def _optimizer(optim, params, cfg):
    if cfg["opt"] == "adam":
        return optim.Adam(params, lr=0.001)
    return optim.SGD(params, lr=0.01, momentum=0.9)


def _ember_step(traced, cfg=MLP):
    def setup():
        ember = need_ember()
        from ember import nn, optim
        ember.manual_seed(0)
        model = _layers(nn, cfg["sizes"])
        opt = _optimizer(optim, model.parameters(), cfg)
        loss_fn = nn.CrossEntropyLoss()
        x, y = (ember.from_numpy(a) for a in _mlp_data(cfg))

        def step(xb, yb):
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            return loss

        fn = ember.function(step) if traced else step
        fn(x, y)
        fn(x, y)
        return lambda: fn(x, y)
    return setup


def _torch_step(compiled, cfg=MLP):
    def setup():
        torch = need("torch")
        if compiled and not hasattr(torch, "compile"):
            raise Unavailable("torch.compile not available")
        torch.manual_seed(0)
        model = _layers(torch.nn, cfg["sizes"])
        opt = _optimizer(torch.optim, model.parameters(), cfg)
        loss_fn = torch.nn.CrossEntropyLoss()
        x, y = (torch.from_numpy(a) for a in _mlp_data(cfg))

        def step(xb, yb):
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            return loss

        fn = step
        if compiled:
            try:
                fn = torch.compile(step)
                fn(x, y)
            except Exception as e:  # no C compiler / inductor backend here
                raise Unavailable(f"torch.compile failed: {type(e).__name__}") from None
        fn(x, y)
        return lambda: fn(x, y)
    return setup


def _ember_outside_backward(traced, cfg=MLP):
    """The torch.compile pattern: the model's forward is traced (model = function(model)),
    loss, backward and the optimizer step run outside, so gradients flow through the
    replay (trace/differentiable_replay.h)."""
    def setup():
        ember = need_ember()
        from ember import nn, optim
        ember.manual_seed(0)
        model = _layers(nn, cfg["sizes"])
        opt = _optimizer(optim, model.parameters(), cfg)
        loss_fn = nn.CrossEntropyLoss()
        x, y = (ember.from_numpy(a) for a in _mlp_data(cfg))
        forward = ember.function(model) if traced else model

        def step():
            opt.zero_grad()
            loss = loss_fn(forward(x), y)
            loss.backward()
            opt.step()
            return loss

        step()
        step()
        return step
    return setup


def _torch_outside_backward(compiled, cfg=MLP):
    def setup():
        torch = need("torch")
        torch.manual_seed(0)
        model = _layers(torch.nn, cfg["sizes"])
        opt = _optimizer(torch.optim, model.parameters(), cfg)
        loss_fn = torch.nn.CrossEntropyLoss()
        x, y = (torch.from_numpy(a) for a in _mlp_data(cfg))
        forward = model
        if compiled:
            if not hasattr(torch, "compile"):
                raise Unavailable("torch.compile not available")
            forward = torch.compile(model)

        def step():
            opt.zero_grad()
            loss = loss_fn(forward(x), y)
            loss.backward()
            opt.step()
            return loss

        try:
            step()
        except Exception as e:  # no C compiler / inductor backend here
            raise Unavailable(f"torch.compile failed: {type(e).__name__}") from None
        step()
        return step
    return setup


def _chain(e, x):
    y = x * 1.5 + 0.5
    y = e.tanh(y) * x
    y = y - 0.25
    y = e.relu(y) + x
    return y * 0.5


def _ember_chain(traced):
    def setup():
        ember = need_ember()
        x = ember.from_numpy(np.random.default_rng(0).standard_normal(N_CHAIN).astype(np.float32))
        fn = ember.function(lambda t: _chain(ember, t)) if traced else (lambda t: _chain(ember, t))
        fn(x)
        fn(x)
        return lambda: fn(x)
    return setup


def _torch_chain():
    torch = need("torch")
    x = torch.from_numpy(np.random.default_rng(0).standard_normal(N_CHAIN).astype(np.float32))
    return lambda: _chain(torch, x)


GP = dict(batch=64, sizes=(64, 256, 256, 1))


def _gp_step(lib, critic, real, fake, eps):
    """A WGAN-GP critic step: E[D(fake)] - E[D(real)] + 10 E[(|grad D(x_hat)| - 1)^2], the
    penalty's gradient by create_graph=True (double backward through the critic)."""
    x_hat = (eps * real + (1 - eps) * fake).detach().requires_grad_(True)
    g, = lib.autograd.grad([critic(x_hat).sum()], [x_hat], create_graph=True)
    gp = (((g * g).sum(1).sqrt() - 1) ** 2).mean()
    loss = critic(fake).mean() - critic(real).mean() + 10 * gp
    loss.backward()
    return loss


def _gp_data(lib):
    rng = np.random.default_rng(0)
    b, d = GP["batch"], GP["sizes"][0]
    shapes = ((b, d), (b, d), (b, 1))
    return [lib.from_numpy(rng.standard_normal(s).astype(np.float32)) for s in shapes]


def _ember_gradient_penalty(traced):
    """Double backward through a replay (trace/forward_recompute.h) against eager."""
    def setup():
        ember = need_ember()
        from ember import nn
        ember.manual_seed(0)
        model = _layers(nn, GP["sizes"])
        critic = ember.compile(model) if traced else model
        real, fake, eps = _gp_data(ember)
        step = lambda: _gp_step(ember, critic, real, fake, eps)  # noqa: E731
        step()
        step()
        return step
    return setup


def _torch_gradient_penalty():
    def setup():
        torch = need("torch")
        torch.manual_seed(0)
        model = _layers(torch.nn, GP["sizes"])
        real, fake, eps = _gp_data(torch)
        return lambda: _gp_step(torch, model, real, fake, eps)
    return setup


CASES = [
    Case("MLP 128-256-256-10 SGD step, batch 64",
         {"ember": _ember_step(True), "ember eager": _ember_step(False),
          "torch": _torch_step(False), "torch.compile": _torch_step(True)}),
    Case("MLP 32-64-64-10 Adam step, batch 32",
         {"ember": _ember_step(True, SMALL), "ember eager": _ember_step(False, SMALL),
          "torch": _torch_step(False, SMALL), "torch.compile": _torch_step(True, SMALL)}),
    Case("MLP 16-32-32-4 Adam step, batch 16",
         {"ember": _ember_step(True, TINY), "ember eager": _ember_step(False, TINY),
          "torch": _torch_step(False, TINY), "torch.compile": _torch_step(True, TINY)}),
    Case("MLP 128-256-256-10 traced forward, backward + SGD outside, batch 64",
         {"ember": _ember_outside_backward(True), "ember eager": _ember_outside_backward(False),
          "torch": _torch_outside_backward(False), "torch.compile": _torch_outside_backward(True)}),
    Case("MLP 32-64-64-10 traced forward, backward + Adam outside, batch 32",
         {"ember": _ember_outside_backward(True, SMALL),
          "ember eager": _ember_outside_backward(False, SMALL),
          "torch": _torch_outside_backward(False, SMALL)}),
    Case("WGAN-GP critic 64-256-256-1 step with gradient penalty (create_graph), batch 64",
         {"ember": _ember_gradient_penalty(True), "ember eager": _ember_gradient_penalty(False),
          "torch": _torch_gradient_penalty()}),
    Case("8 elementwise ops on 1M float32",
         {"ember": _ember_chain(True), "ember eager": _ember_chain(False), "torch": _torch_chain},
         nbytes=2 * 4 * N_CHAIN),
]


def summary(cases_results):
    """run.py prints this after the table: traced Ember's speed-up over each other column."""
    print("\ntraced Ember is N times faster than (min times of this run; below 1 it is slower):")
    for case, res in cases_results:
        e = res.get("ember")
        if e is None or e.error:
            continue
        cells = [f"{impl} {r.seconds_min / e.seconds_min:.2f}x" for impl, r in res.items()
                 if impl != "ember" and not r.error]
        print(f"  {case.name}: " + ", ".join(cells))


def _cpu_time_table(min_time=0.5):
    """CPU time per call (process time, which a busy shared machine disturbs far less than
    wall-clock time), with traced Ember's ratios to each peer: run this file directly."""
    import time

    rows = []
    for case in CASES:
        times = {}
        for impl, setup in case.impls.items():
            try:
                fn = setup()
            except Unavailable as e:
                times[impl] = f"n/a ({e})"
                continue
            n, spent = 1, 0.0
            while spent < min_time:
                n *= 2
                t0 = time.process_time()
                for _ in range(n):
                    fn()
                spent = time.process_time() - t0
            times[impl] = spent / n
        rows.append((case.name, times))
    for name, times in rows:
        print(name)
        base = times.get("ember")
        for impl, t in times.items():
            if isinstance(t, str):
                print(f"  {impl:14s} {t}")
            elif impl == "ember" or not isinstance(base, float):
                print(f"  {impl:14s} {t * 1e6:10.1f} us")
            else:
                print(f"  {impl:14s} {t * 1e6:10.1f} us   traced ember is {t / base:.2f}x faster")


if __name__ == "__main__":
    # OMP_NUM_THREADS=1 PYTHONPATH=python python3 bench/bench_trace.py
    import os

    os.environ.setdefault("OPENBLAS_CORETYPE", "Haswell")
    try:
        import torch
        torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
    except ImportError:
        pass
    _cpu_time_table()
