"""Training on CUDA matches training on the CPU from the same seed (skipped without a GPU)."""

import numpy as np
import pytest

import ember
from ember import nn

requires_cuda = pytest.mark.skipif(not ember.cuda.is_available(),
                                   reason="no CUDA device (ember.cuda.is_available() is False)")


def train(device, loss_name, opt_name, steps=20):
    ember.manual_seed(0)
    model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 4))
    model.to(device)
    rng = np.random.default_rng(0)
    x = ember.tensor(rng.normal(size=(64, 10)).astype(np.float32)).to(device)
    if loss_name == "mse":
        y = ember.tensor(rng.normal(size=(64, 4)).astype(np.float32)).to(device)
        loss_fn = nn.MSELoss()
    else:
        y = ember.tensor(rng.integers(0, 4, size=64)).to(device)
        loss_fn = nn.CrossEntropyLoss()
    opt = (ember.optim.Adam(model.parameters(), lr=1e-2) if opt_name == "adam"
           else ember.optim.SGD(model.parameters(), lr=0.1, momentum=0.9))
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return np.array(losses)


@requires_cuda
@pytest.mark.parametrize("loss_name", ["mse", "cross_entropy"])
@pytest.mark.parametrize("opt_name", ["sgd", "adam"])
def test_mlp_losses_match_cpu(loss_name, opt_name):
    cpu = train("cpu", loss_name, opt_name)
    gpu = train("cuda", loss_name, opt_name)
    assert cpu[-1] < cpu[0]
    np.testing.assert_allclose(gpu, cpu, rtol=2e-3, atol=1e-4)


@requires_cuda
def test_traced_step_on_cuda_matches_eager():
    def run(traced):
        ember.manual_seed(1)
        model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 1)).cuda()
        opt = ember.optim.SGD(model.parameters(), lr=0.05)
        rng = np.random.default_rng(1)
        x = ember.tensor(rng.normal(size=(32, 8)).astype(np.float32)).cuda()
        y = ember.tensor(rng.normal(size=(32, 1)).astype(np.float32)).cuda()

        def step(x, y):
            opt.zero_grad()
            loss = ((model(x) - y) ** 2).mean()
            loss.backward()
            opt.step()
            return loss

        f = ember.function(step) if traced else step
        return np.array([f(x, y).item() for _ in range(5)])

    np.testing.assert_allclose(run(True), run(False), rtol=1e-5, atol=1e-6)
