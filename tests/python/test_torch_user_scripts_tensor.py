"""Tensor idioms from everyday PyTorch scripts, run on `import ember as torch` and on real
PyTorch: every result is compared (values, shapes, dtypes by name)."""

import numpy as np
import pytest

import ember as torch
from helpers import requires_torch
from helpers import torch as real_torch


def idioms(lib):
    """A typical script's tensor manipulation; returns {name: result}."""
    out = {}
    x = lib.arange(12).reshape(3, 4).float()
    m = x > 5
    out["mask_select"] = x[m]
    x2 = x.clone()
    x2[m] = 0
    out["mask_assign"] = x2
    out["list_rows"], out["list_cols"] = x[[0, 2]], x[:, [1, 3]]
    out["pairs"] = x[[0, 1], [1, 2]]
    out["ellipsis"], out["none"] = x[..., -1], x[None].shape
    idx = lib.tensor([[0, 1], [2, 3], [1, 0]])
    out["gather"] = x.gather(1, idx)
    out["scatter_"] = lib.zeros(3, 5).scatter_(1, lib.tensor([[0], [2], [4]]), 1.0)
    out["scatter_reduce_add"] = lib.zeros(3, 5).scatter_(
        1, lib.tensor([[0, 1], [2, 2], [4, 0]]), lib.ones(3, 2), reduce="add")
    out["scatter_add"] = lib.zeros(5).scatter_add(0, lib.tensor([0, 1, 0, 4]),
                                                 lib.tensor([1.0, 2.0, 3.0, 4.0]))
    src = lib.tensor([1.0, 2.0, 3.0, 4.0])
    out["scatter_reduce_sum"] = lib.ones(5).scatter_reduce(0, lib.tensor([0, 1, 0, 4]), src,
                                                           "sum")
    out["scatter_reduce_mean"] = lib.ones(5).scatter_reduce(0, lib.tensor([0, 1, 0, 4]), src,
                                                            "mean", include_self=False)
    out["index_add_"] = lib.zeros(4, 2).index_add_(0, lib.tensor([0, 2, 0]), lib.ones(3, 2))
    out["cat"], out["stack"] = lib.cat([x, x], dim=0), lib.stack([x, x], dim=1)
    out["chunk"] = [c.shape[1] for c in x.chunk(3, dim=1)]
    out["split"] = [s.shape[1] for s in x.split([1, 3], dim=1)]
    out["tensor_split"] = [s.shape[1] for s in lib.tensor_split(x, 3, dim=1)]
    out["view"] = x.permute(1, 0).contiguous().view(12)
    out["expand"], out["repeat"] = x[:1].expand(3, 4), x.repeat(2, 1)
    out["topk"] = lib.topk(x.flatten(), 3)
    out["sort"] = lib.sort(lib.tensor([3, 1, 2]), descending=True)
    out["argsort"] = lib.argsort(lib.tensor([3.0, 1.0, 2.0]))
    a = lib.arange(24).float().reshape(2, 3, 4) / 10
    b = lib.arange(40).float().reshape(2, 4, 5) / 10
    out["einsum"] = lib.einsum("bij,bjk->bik", a, b)
    out["where3"] = lib.where(x > 5, x, lib.zeros_like(x))
    out["where1"] = lib.where(x > 9)
    y = x.clone()
    y.add_(1).mul_(2).clamp_(max=10)
    out["inplace"] = y
    out["dtypes"] = [str(t.dtype).split(".")[-1] for t in
                     (x.long(), x.int(), x.to(lib.float16), x.to(dtype=lib.bfloat16), x.bool(),
                      x.double(), x.type(lib.int32), x.type("torch.LongTensor"))]
    out["type_name"] = x.type().split(".")[-1]
    out["nested"] = lib.tensor([[1, 2], [3, 4]]).tolist()
    out["item"] = (x.sum().item(), type(x.max().item()).__name__, type(x.long()[0, 0].item()))
    out["max_dim"] = x.max(dim=1)
    out["median"] = lib.tensor([[3.0, 1.0, 2.0, 5.0], [4.0, 4.0, 0.0, 1.0]]).median(dim=1)
    out["median_all"] = lib.tensor([3.0, 1.0, 2.0, 5.0]).median()
    nan = lib.tensor([1.0, float("nan"), 3.0])
    out["nansum"], out["nanmean"] = lib.nansum(nan), lib.nanmean(nan)
    out["atan2_0d"] = lib.atan2(lib.tensor(1.0), lib.tensor(-1.0))
    out["atan2"] = lib.atan2(lib.tensor([1.0, -1.0, 0.0, 2.0]), lib.tensor([-1.0, -1.0, 1.0, 0.0]))
    out["argwhere"] = lib.argwhere(m)
    out["fliplr"] = lib.fliplr(x)
    out["isin"] = lib.isin(lib.tensor([1, 2, 3, 4]), lib.tensor([2, 4]))
    out["aminmax"] = lib.aminmax(x)
    out["histc"] = lib.histc(lib.tensor([0.0, 1.0, 1.5, 2.0, 3.9, 4.0]), bins=4, min=0, max=4)
    out["finfo"] = (lib.finfo(lib.float32).eps, lib.finfo(lib.float16).max,
                    lib.iinfo(lib.int32).max, lib.finfo().bits)
    out["is_fp"] = (lib.is_floating_point(x), lib.is_floating_point(x.long()))
    out["masked_fill"] = x.masked_fill(m, -1.0)
    out["nbytes"] = (x.nbytes, x.itemsize, x.element_size())
    out["unbind"] = x.unbind(0)[1]
    out["numpy"] = lib.from_numpy(np.arange(6, dtype=np.float32).reshape(2, 3)).numpy()
    return out


def _flat(v):
    if hasattr(v, "_fields"):  # namedtuples (values, indices) of both libraries
        return [_flat(t) for t in v]
    if isinstance(v, (list, tuple)):
        return [_flat(t) for t in v]
    if hasattr(v, "detach"):
        return v.detach().float().numpy() if str(v.dtype).endswith(("float16", "bfloat16")) \
            else v.detach().numpy()
    return v


def _compare(e, t, key):
    if isinstance(e, list):
        assert isinstance(t, list) and len(e) == len(t), key
        for a, b in zip(e, t):
            _compare(a, b, key)
    elif isinstance(e, np.ndarray):
        assert e.shape == t.shape, f"{key}: shape {e.shape} != torch {t.shape}"
        assert e.dtype == t.dtype, f"{key}: dtype {e.dtype} != torch {t.dtype}"
        np.testing.assert_allclose(e, t, rtol=1e-6, err_msg=key)
    elif isinstance(e, float):
        assert e == pytest.approx(t, rel=1e-6), key
    else:
        assert tuple(e) == tuple(t) if isinstance(e, tuple) else e == t, key


@requires_torch
@pytest.mark.filterwarnings("ignore:The reduce argument of torch.scatter")
def test_tensor_idioms_match_pytorch():
    e, t = idioms(torch), idioms(real_torch)
    assert e.keys() == t.keys()
    for key in e:
        _compare(_flat(e[key]), _flat(t[key]), key)


@requires_torch
@pytest.mark.parametrize("name", ["atan2", "atan", "asin", "acos", "hypot", "logaddexp",
                                  "median", "nanmean"])
def test_composed_ops_gradients_match_pytorch(name):
    rng = np.random.default_rng(0)
    a = rng.uniform(-0.9, 0.9, (3, 4))
    b = rng.uniform(-0.9, 0.9, (3, 4))
    two = name in ("atan2", "hypot", "logaddexp")
    grads = []
    for lib in (torch, real_torch):
        xa = lib.tensor(a, requires_grad=True)
        xb = lib.tensor(b, requires_grad=True)
        fn = getattr(lib, name)
        out = fn(xa, xb) if two else fn(xa)
        out = out[0] if isinstance(out, tuple) else out
        (out * lib.tensor(np.arange(out.numel()).reshape(tuple(out.shape)) + 1.0)).sum() \
            .backward()
        grads.append((out.detach().numpy(), xa.grad.numpy(),
                      xb.grad.numpy() if two else None))
    for e, t in zip(*grads):
        if e is not None:
            np.testing.assert_allclose(e, t, rtol=1e-10, atol=1e-12)


def test_unsupported_forms_raise_clearly():
    x = torch.zeros(3, 1)
    with pytest.raises(NotImplementedError, match=r"use x = x.squeeze\(...\)"):
        x.squeeze_()
    with pytest.raises(NotImplementedError, match="reduce='amax' is not supported"):
        torch.zeros(3).scatter_reduce(0, torch.tensor([0, 1]), torch.ones(2), "amax")
    with pytest.raises(TypeError, match="unknown tensor type"):
        x.type("torch.ComplexTensor")
    with pytest.raises(TypeError, match=r"where\(condition\) or where\(condition, input, "):
        torch.where(x > 0, x)
    with pytest.raises(TypeError, match="expected a floating dtype"):
        torch.finfo(torch.int32)


def test_tensor_register_hook_handle_removes():
    x = torch.ones(2, requires_grad=True)
    h = x.register_hook(lambda g: g * 10)
    (x * 1).sum().backward()
    assert x.grad.tolist() == [10.0, 10.0]
    h.remove()
    x.grad = None
    (x * 1).sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]


def test_repr_reads_like_torch():
    assert repr(torch.tensor([[1.5, 2.0]], dtype=torch.float64)) == \
        "tensor([[1.5000, 2.0000]], dtype=ember.float64)"
    assert repr(torch.tensor([1, 2])) == "tensor([1, 2])"
    assert repr(torch.tensor([True, False])) == "tensor([ True, False])"
    x = torch.tensor([1.0], requires_grad=True)
    assert repr(x * 2) == "tensor([2.], grad_fn=<MulBackward0>)"


_RNG = np.random.default_rng(0)
_A = _RNG.standard_normal((2, 3, 3)) + 3 * np.eye(3)
_B = _RNG.standard_normal((2, 3, 2))
_b = _RNG.standard_normal((2, 3))
_LINALG = {
    "inv": (lambda m, a: m.linalg.inv(a), [_A]),
    "det": (lambda m, a: m.linalg.det(a), [_A]),
    "slogdet": (lambda m, a: m.linalg.slogdet(a)[1], [_A]),
    "solve": (lambda m, a, b: m.linalg.solve(a, b), [_A, _B]),
    "solve-vector": (lambda m, a, b: m.linalg.solve(a, b), [_A, _b]),
    "norm": (lambda m, a: m.linalg.norm(a), [_A]),
    "vector_norm-3": (lambda m, a: m.linalg.vector_norm(a, ord=3, dim=-1), [_A]),
    "matrix_norm": (lambda m, a: m.linalg.matrix_norm(a), [_A]),
    "Tensor.inverse": (lambda m, a: a.inverse(), [_A]),
    "torch.det": (lambda m, a: m.det(a), [_A]),
}


@requires_torch
@pytest.mark.parametrize("name", sorted(_LINALG))
def test_linalg_values_and_gradients_match_pytorch(name):
    fn, arrays = _LINALG[name]
    results = []
    for lib in (torch, real_torch):
        ts = [lib.tensor(a, requires_grad=True) for a in arrays]
        out = fn(lib, *ts)
        w = lib.tensor(np.arange(out.numel()).reshape(tuple(out.shape)) * 0.1 + 1)
        (out * w).sum().backward()
        results.append([out.detach().numpy()] + [t.grad.numpy() for t in ts])
    for e, t in zip(*results):
        np.testing.assert_allclose(e, t, rtol=1e-10, atol=1e-12)


def test_linalg_gradcheck_and_errors():
    A = torch.tensor(_A[0], requires_grad=True)
    assert torch.autograd.gradcheck(torch.linalg.inv, (A,))
    assert torch.autograd.gradcheck(torch.linalg.det, (A,))
    assert torch.autograd.gradgradcheck(torch.linalg.inv, (A,))
    with pytest.raises(RuntimeError, match="singular"):
        torch.linalg.inv(torch.zeros(2, 2))
    with pytest.raises(RuntimeError, match="square matrices, but they are 2 by 3"):
        torch.linalg.det(torch.ones(2, 3))
    with pytest.raises(RuntimeError, match="incompatible shapes"):
        torch.linalg.solve(torch.eye(3), torch.ones(2, 1))
