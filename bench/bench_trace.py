"""Tracing: ember.function (traced) against Ember eager, PyTorch eager and torch.compile.

Rows: a small MLP training step (forward, backward, SGD update) and a chain of 8
elementwise ops on 1M floats (where fusion pays). In the ratio columns, below 1.00x means
the traced Ember call is faster."""

import numpy as np

from common import Case, Unavailable, need, need_ember

N_CHAIN = 1_000_000
BATCH, IN, HID, OUT = 64, 128, 256, 10


def _mlp_data():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((BATCH, IN)).astype(np.float32)
    y = rng.integers(0, OUT, size=BATCH).astype(np.int64)
    return x, y


def _ember_step(traced):
    def setup():
        ember = need_ember()
        from ember import nn, optim
        ember.manual_seed(0)
        model = nn.Sequential(nn.Linear(IN, HID), nn.ReLU(), nn.Linear(HID, HID), nn.ReLU(),
                              nn.Linear(HID, OUT))
        opt = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        loss_fn = nn.CrossEntropyLoss()
        x, y = (ember.from_numpy(a) for a in _mlp_data())

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


def _torch_step(compiled):
    def setup():
        torch = need("torch")
        if compiled and not hasattr(torch, "compile"):
            raise Unavailable("torch.compile not available")
        torch.manual_seed(0)
        model = torch.nn.Sequential(torch.nn.Linear(IN, HID), torch.nn.ReLU(),
                                    torch.nn.Linear(HID, HID), torch.nn.ReLU(),
                                    torch.nn.Linear(HID, OUT))
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        loss_fn = torch.nn.CrossEntropyLoss()
        x, y = (torch.from_numpy(a) for a in _mlp_data())

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


CASES = [
    Case("MLP 128-256-256-10 SGD step, batch 64",
         {"ember": _ember_step(True), "ember eager": _ember_step(False),
          "torch": _torch_step(False), "torch.compile": _torch_step(True)}),
    Case("8 elementwise ops on 1M float32",
         {"ember": _ember_chain(True), "ember eager": _ember_chain(False), "torch": _torch_chain},
         nbytes=2 * 4 * N_CHAIN),
]
