"""Data-pipeline and utility idioms of PyTorch scripts under `import ember as torch`:
samplers, DataLoader options, ConcatDataset, IterableDataset, testing.assert_close,
nn.init, legacy tensor types, elementwise max/min, inplace activations, checkpoint."""

import numpy as np
import pytest

import ember as torch
import ember.nn as nn
import ember.nn.functional as F
from ember.utils import data as D
from ember.utils.checkpoint import checkpoint
from helpers import requires_torch
from helpers import torch as real_torch


def _ds(n=10):
    return D.TensorDataset(torch.arange(n * 2).float().reshape(n, 2), torch.arange(n))


def test_samplers_cover_their_indices_and_are_seeded():
    ds = _ds()
    assert list(D.SequentialSampler(ds)) == list(range(10))
    torch.manual_seed(0)
    a = list(D.RandomSampler(ds))
    torch.manual_seed(0)
    b = list(D.RandomSampler(ds))
    assert a == b and sorted(a) == list(range(10)) and a != list(range(10))
    g = torch.Generator().manual_seed(3)
    assert sorted(D.SubsetRandomSampler([1, 4, 7], generator=g)) == [1, 4, 7]
    assert len(list(D.RandomSampler(ds, replacement=True, num_samples=25))) == 25
    w = [0.0] * 9 + [1.0]
    assert set(D.WeightedRandomSampler(w, 6)) == {9}
    with pytest.raises(ValueError, match="non-negative"):
        D.WeightedRandomSampler([-1.0, 1.0], 2)
    batches = list(D.BatchSampler(D.SequentialSampler(ds), 4, drop_last=False))
    assert batches == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert len(D.BatchSampler(D.SequentialSampler(ds), 4, drop_last=True)) == 2


def test_dataloader_with_sampler_batch_sampler_and_torch_kwargs():
    ds = _ds()
    dl = D.DataLoader(ds, batch_size=2, sampler=D.SubsetRandomSampler([1, 2, 3]),
                      num_workers=2, pin_memory=True, persistent_workers=True,
                      worker_init_fn=lambda i: None, prefetch_factor=2)
    labels = sorted(sum((y.tolist() for _, y in dl), []))
    assert labels == [1, 2, 3] and len(dl) == 2
    bs = D.BatchSampler(D.SequentialSampler(ds), 3, drop_last=True)
    dl = D.DataLoader(ds, batch_sampler=bs)
    assert len(dl) == 3 and [y.tolist() for _, y in dl][-1] == [6, 7, 8]
    with pytest.raises(ValueError, match="mutually exclusive"):
        D.DataLoader(ds, batch_size=4, batch_sampler=bs)
    with pytest.raises(ValueError, match="mutually exclusive with shuffle"):
        D.DataLoader(ds, shuffle=True, sampler=D.SequentialSampler(ds))
    unbatched = list(D.DataLoader(ds, batch_size=None))
    assert len(unbatched) == 10 and unbatched[3][1].item() == 3
    assert D.get_worker_info() is None


def test_concat_and_iterable_datasets():
    cat = D.ConcatDataset([_ds(3), _ds(4)])
    assert len(cat) == 7 and cat[3][1].item() == 0 and cat[-1][1].item() == 3
    with pytest.raises(IndexError):
        cat[7]

    class Stream(D.IterableDataset):
        def __iter__(self):
            for i in range(7):
                yield torch.tensor([float(i)]), i

    batches = list(D.DataLoader(Stream(), batch_size=3))
    assert [b[1].tolist() for b in batches] == [[0, 1, 2], [3, 4, 5], [6]]
    assert len(list(D.DataLoader(Stream(), batch_size=3, drop_last=True))) == 2
    with pytest.raises(ValueError, match="IterableDataset cannot be used with shuffle"):
        D.DataLoader(Stream(), shuffle=True)


def test_testing_assert_close():
    torch.testing.assert_close(torch.ones(3), torch.ones(3) + 1e-7)
    torch.testing.assert_close({"a": [torch.zeros(2)]}, {"a": [torch.zeros(2)]})
    with pytest.raises(AssertionError, match=r"Mismatched elements: 1 / 3"):
        torch.testing.assert_close(torch.tensor([1.0, 2.0, 3.0]), torch.tensor([1.0, 2.0, 3.1]))
    with pytest.raises(AssertionError, match="dtype"):
        torch.testing.assert_close(torch.ones(2), torch.ones(2, dtype=torch.float64))
    with pytest.raises(AssertionError, match="shape"):
        torch.testing.assert_close(torch.ones(2), torch.ones(3))
    torch.testing.assert_close(torch.tensor([1.0]), torch.tensor([1.05]), rtol=0.1, atol=0.0)


def test_init_trunc_normal_and_eye():
    torch.manual_seed(0)
    w = nn.init.trunc_normal_(torch.empty(200, 50), std=0.02, a=-0.04, b=0.04)
    x = w.numpy()
    assert x.min() >= -0.04 and x.max() <= 0.04 and 0.013 < x.std() < 0.02
    assert abs(x.mean()) < 1e-3
    assert torch.equal(nn.init.eye_(torch.empty(2, 3)), torch.eye(2, 3))
    with pytest.raises(ValueError, match="2 dimensions"):
        nn.init.eye_(torch.empty(2))


def test_elementwise_max_min_legacy_types_and_inplace_activations():
    a, b = torch.tensor([1.0, 5.0]), torch.tensor([3.0, 2.0])
    assert torch.max(a, b).tolist() == [3.0, 5.0] and torch.min(a, b).tolist() == [1.0, 2.0]
    assert a.max(b).tolist() == [3.0, 5.0] and a.max().item() == 5.0
    assert torch.max(torch.tensor([[1.0, 5.0]]), 1).indices.tolist() == [1]
    assert torch.LongTensor([1, 2]).dtype == torch.int64
    assert torch.FloatTensor(2, 3).shape == (2, 3)
    assert torch.Size([2, 3]) == torch.randn(2, 3).shape and torch.Size([2, 3]).numel() == 6
    y = torch.tensor([-1.0, 2.0])
    assert F.relu(y, inplace=True) is y and y.tolist() == [0.0, 2.0]  # no autograd: in place
    x = torch.tensor([-1.0, 2.0], requires_grad=True)
    h = x * 1
    F.leaky_relu(h, 0.1, inplace=True).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [0.1, 1.0], rtol=1e-6)


def test_checkpoint_gives_the_plain_forward():
    lin = nn.Linear(3, 3)
    x = torch.randn(2, 3, requires_grad=True)
    checkpoint(lin, x, use_reentrant=False).sum().backward()
    g = x.grad.clone()
    x.grad = None
    lin(x).sum().backward()
    assert torch.equal(g, x.grad)


@requires_torch
def test_assert_close_default_tolerances_match_pytorch():
    for dt, eps in (("float32", 2e-6), ("float64", 2e-7), ("float16", 2e-3)):
        base = np.array([1.0, 2.0])
        for delta in (eps / 4, eps * 8):
            outs = []
            for lib in (torch, real_torch):
                t = lib.tensor(base).to(getattr(lib, dt))
                try:
                    lib.testing.assert_close(t, t + delta)
                    outs.append(True)
                except AssertionError:
                    outs.append(False)
            assert outs[0] == outs[1], (dt, delta)


def test_manual_seed_makes_shuffling_and_splits_reproducible():
    def run():
        torch.manual_seed(123)
        train, val = D.random_split(_ds(20), [15, 5])
        dl = D.DataLoader(train, batch_size=5, shuffle=True)
        return [val.indices] + [[y.tolist() for _, y in dl] for _ in range(2)]

    a, b = run(), run()
    assert a == b
    assert a[1] != a[2]  # each epoch a new order
