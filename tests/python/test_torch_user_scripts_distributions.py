"""torch.distributions as RL and VAE scripts use it, under `import ember as torch`: values of
log_prob / entropy / cdf / kl_divergence against PyTorch, sample statistics, and the
reparameterized gradient of rsample."""

import numpy as np
import pytest

import ember as torch
from helpers import requires_torch
from helpers import torch as real_torch

_MU, _SD = np.array([0.5, -1.0]), np.array([1.5, 0.3])
_LOGITS = np.array([[0.1, 2.0, -1.0], [0.5, 0.5, 0.0]])


def _cases():
    def normal(m):
        return m.distributions.Normal(m.tensor(_MU), m.tensor(_SD))

    def cat(m):
        return m.distributions.Categorical(logits=m.tensor(_LOGITS))

    def cat_probs(m):
        return m.distributions.Categorical(probs=m.tensor([[0.2, 0.3, 0.5], [0.6, 0.2, 0.2]]))

    def bern(m):
        return m.distributions.Bernoulli(logits=m.tensor([0.3, -2.0]))

    def bern_probs(m):
        return m.distributions.Bernoulli(probs=m.tensor([0.3, 0.9]))

    def unif(m):
        return m.distributions.Uniform(m.tensor([0.0, 1.0]), m.tensor([2.0, 5.0]))

    def wide(m):
        return m.distributions.Normal(m.tensor([0.0, 0.2]), m.tensor([1.0, 2.0]))

    return {
        "normal.log_prob": lambda m: normal(m).log_prob(m.tensor([0.1, 0.2])),
        "normal.entropy": lambda m: normal(m).entropy(),
        "normal.cdf": lambda m: normal(m).cdf(m.tensor([0.1, 0.2])),
        "kl(normal, normal)": lambda m: m.distributions.kl_divergence(normal(m), wide(m)),
        "categorical.log_prob": lambda m: cat(m).log_prob(m.tensor([1, 2])),
        "categorical.entropy": lambda m: cat(m).entropy(),
        "categorical(probs).log_prob": lambda m: cat_probs(m).log_prob(m.tensor([2, 0])),
        "kl(cat, cat)": lambda m: m.distributions.kl_divergence(cat(m), cat_probs(m)),
        "bernoulli.log_prob": lambda m: bern(m).log_prob(m.tensor([1.0, 0.0])),
        "bernoulli.entropy": lambda m: bern(m).entropy(),
        "bernoulli(probs).log_prob": lambda m: bern_probs(m).log_prob(m.tensor([1.0, 0.0])),
        "uniform.log_prob": lambda m: unif(m).log_prob(m.tensor([1.0, 3.0])),
        "uniform.entropy": lambda m: unif(m).entropy(),
    }


@requires_torch
@pytest.mark.parametrize("name", sorted(_cases()))
def test_distribution_values_match_pytorch(name):
    fn = _cases()[name]
    np.testing.assert_allclose(fn(torch).detach().numpy(), fn(real_torch).detach().numpy(),
                               rtol=1e-6, atol=1e-7)


def test_sampling_statistics_and_shapes():
    torch.manual_seed(0)
    cat = torch.distributions.Categorical(logits=torch.tensor(_LOGITS))
    s = cat.sample((4000,))
    assert s.shape == (4000, 2) and s.dtype == torch.int64
    freq = [(s[:, 0] == k).float().mean().item() for k in range(3)]
    np.testing.assert_allclose(freq, cat.probs[0].numpy(), atol=0.03)
    assert cat.sample().shape == (2,) and cat.log_prob(cat.sample((7,))).shape == (7, 2)
    normal = torch.distributions.Normal(torch.tensor(_MU), torch.tensor(_SD))
    x = normal.sample((8000,))
    np.testing.assert_allclose(x.mean(0).numpy(), _MU, atol=0.05)
    np.testing.assert_allclose(x.std(0).numpy(), _SD, rtol=0.05)
    assert not x.requires_grad
    b = torch.distributions.Bernoulli(probs=torch.tensor([0.2, 0.9])).sample((5000,))
    np.testing.assert_allclose(b.mean(0).numpy(), [0.2, 0.9], atol=0.03)


def test_rsample_is_differentiable_and_policy_gradient_runs():
    mu = torch.tensor(_MU, requires_grad=True)
    torch.distributions.Normal(mu, torch.tensor(_SD)).rsample((3,)).sum().backward()
    assert mu.grad.tolist() == [3.0, 3.0]
    logits = torch.zeros(3, requires_grad=True)
    dist = torch.distributions.Categorical(logits=logits)
    action = dist.sample()
    (-dist.log_prob(action) * 2.0).backward()
    assert logits.grad.abs().sum().item() > 0
    with pytest.raises(ValueError, match="either `probs` or `logits`"):
        torch.distributions.Categorical()
    with pytest.raises(NotImplementedError, match="no reparameterized sample"):
        dist.rsample()
