"""PyTorch parity for the torch-named API: run the same function on ember and torch float64
tensors, compare the outputs and the gradients of sum(out * w) for a fixed random w."""

import numpy as np

import ember
from helpers import torch


def _leaves(arrays, grad_mask):
    em, th = [], []
    for a, g in zip(arrays, grad_mask):
        a = np.asarray(a)
        floating = a.dtype.kind == "f"
        em.append(ember.tensor(a, dtype=ember.float64 if floating else None,
                               requires_grad=g and floating))
        th.append(torch.tensor(a, dtype=torch.float64 if floating else None,
                               requires_grad=g and floating))
    return em, th


def _outs(o):
    return list(o) if isinstance(o, (tuple, list)) else [o]


def compare(ember_fn, torch_fn, *arrays, grad=True, rtol=1e-6, atol=1e-8, seed=1):
    """Asserts ember_fn(*ember tensors) == torch_fn(*torch tensors) in value, and (grad)
    that the gradients of every floating input agree."""
    mask = grad if isinstance(grad, (list, tuple)) else [grad] * len(arrays)
    em, th = _leaves(arrays, mask)
    eo, to = _outs(ember_fn(*em)), _outs(torch_fn(*th))
    assert len(eo) == len(to)
    for e, t in zip(eo, to):
        tn = t.detach().numpy()
        assert tuple(e.shape) == tuple(tn.shape), f"shape {tuple(e.shape)} != torch {tn.shape}"
        np.testing.assert_allclose(e.detach().numpy().astype(np.float64), tn.astype(np.float64),
                                   rtol=rtol, atol=atol)
    if not any(x.requires_grad for x in th):
        return
    rng = np.random.default_rng(seed)
    e_loss, t_loss = None, None
    for e, t in zip(eo, to):
        if not t.requires_grad:
            continue
        w = rng.uniform(0.5, 1.5, size=tuple(t.shape))
        el = (e * ember.tensor(w, dtype=ember.float64)).sum()
        tl = (t * torch.tensor(w)).sum()
        e_loss = el if e_loss is None else e_loss + el
        t_loss = tl if t_loss is None else t_loss + tl
    if t_loss is None:
        return
    e_loss.backward()
    t_loss.backward()
    for i, (e, t) in enumerate(zip(em, th)):
        if t.requires_grad:
            assert e.grad is not None, f"no gradient reached input {i}"
            np.testing.assert_allclose(e.grad.numpy(), t.grad.numpy(), rtol=rtol * 10,
                                       atol=atol * 10, err_msg=f"gradient of input {i}")
