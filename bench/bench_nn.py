"""nn: an eager training step (forward, backward, Adam) against PyTorch eager, same model
and data: MLP 784-256-128-10 at batch 128 (target: Ember at least as fast)."""

import numpy as np

from common import Case, need, need_ember

BATCH = 128


def _data():
    rng = np.random.default_rng(0)
    return (rng.standard_normal((BATCH, 784)).astype(np.float32),
            rng.integers(0, 10, size=BATCH).astype(np.int64))


def _ember(traced):
    def setup():
        ember = need_ember()
        from ember import nn, optim
        ember.manual_seed(0)
        model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                              nn.Linear(128, 10))
        opt = optim.Adam(model.parameters(), lr=1e-3)
        loss_fn = nn.CrossEntropyLoss()
        x, y = (ember.from_numpy(a) for a in _data())

        def step(xb, yb):
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            return loss

        fn = ember.function(step) if traced else step
        for _ in range(3):
            fn(x, y)
        return lambda: fn(x, y)
    return setup


def _torch():
    torch = need("torch")
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(),
                                torch.nn.Linear(256, 128), torch.nn.ReLU(),
                                torch.nn.Linear(128, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    x, y = (torch.from_numpy(a) for a in _data())

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    step()
    return step


CASES = [
    Case("MLP 784-256-128-10 Adam step, batch 128 (eager)",
         {"ember": _ember(False), "torch": _torch, "ember traced": _ember(True)},
         flops=6 * BATCH * (784 * 256 + 256 * 128 + 128 * 10)),
]
