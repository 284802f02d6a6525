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
