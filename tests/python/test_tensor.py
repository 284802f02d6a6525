"""Tensor basics: construction, dtypes, views, printing, NumPy and DLPack interop."""

import numpy as np
import pytest

import ember
from helpers import assert_close, requires_torch, torch


def test_tensor_from_lists_infers_pytorch_dtypes():
    assert ember.tensor([1.0, 2.0]).dtype == ember.float32
    assert ember.tensor([1, 2]).dtype == ember.int64
    assert ember.tensor([True, False]).dtype == ember.bool
    assert ember.tensor(3.5).shape == ()
    assert ember.tensor([[1, 2], [3, 4]], dtype=ember.float64).dtype == ember.float64


def test_tensor_copies_numpy_but_from_numpy_shares():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    t = ember.tensor(a)
    s = ember.from_numpy(a)
    a[0, 0] = 42
    assert t.numpy()[0, 0] == 0
    assert s.numpy()[0, 0] == 42


def test_numpy_view_shares_memory_and_keeps_tensor_alive():
    t = ember.tensor([1.0, 2.0, 3.0])
    n = t.numpy()
    del t
    n[1] = 7.0
    assert n.tolist() == [1.0, 7.0, 3.0]


def test_negative_and_odd_numpy_strides():
    a = np.arange(12, dtype=np.float64).reshape(3, 4)[::-1, ::2]
    t = ember.from_numpy(a)
    assert t.shape == (3, 2)
    assert_close(t + 0, a)


def test_metadata():
    t = ember.tensor(np.zeros((2, 3, 4), dtype=np.float32))
    assert t.shape == (2, 3, 4)
    assert t.size() == (2, 3, 4)
    assert t.size(-1) == 4
    assert t.ndim == 3 and t.dim() == 3
    assert t.numel() == 24
    assert t.stride() == (12, 4, 1)
    assert t.is_contiguous()
    assert str(t.device) == "cpu"
    assert t.device == ember.device("cpu")
    assert t.dtype.is_floating_point


def test_repr_matches_pytorch_style():
    assert repr(ember.tensor([1.0, 2.0])) == "tensor([1., 2.])"
    assert repr(ember.tensor([1, 2])) == "tensor([1, 2])"
    assert repr(ember.tensor([1.5, 2.25])) == "tensor([1.5000, 2.2500])"
    assert repr(ember.tensor([1, 2], dtype=ember.int32)) == "tensor([1, 2], dtype=ember.int32)"
    assert repr(ember.tensor([[1.0, 2.0], [3.0, 4.0]])) == (
        "tensor([[1., 2.],\n        [3., 4.]])")
    assert repr(ember.tensor([True, False])) == "tensor([ True, False])"
    t = ember.tensor([1.0], requires_grad=True)
    assert repr(t) == "tensor([1.], requires_grad=True)"


def test_item_and_python_conversions():
    assert ember.tensor([2.5]).item() == 2.5
    assert ember.tensor(3).item() == 3
    assert isinstance(ember.tensor(3).item(), int)
    assert float(ember.tensor(1.5)) == 1.5
    assert int(ember.tensor(7)) == 7
    assert bool(ember.tensor(1.0))
    with pytest.raises(ValueError, match="item"):
        ember.tensor([1.0, 2.0]).item()
    with pytest.raises(ValueError, match="ambiguous"):
        bool(ember.tensor([1.0, 2.0]))


def test_dtype_conversion_methods():
    t = ember.tensor([1.7, -2.2])
    assert t.int().dtype == ember.int32
    assert t.long().tolist() == [1, -2]
    assert t.double().dtype == ember.float64
    assert t.half().dtype == ember.float16
    assert t.bfloat16().float().dtype == ember.float32
    assert t.to(ember.float64).dtype == ember.float64
    assert t.to("cpu") is t
    assert t.bool().tolist() == [True, True]


def test_tolist_and_float16_rounding():
    t = ember.tensor([0.1, 1000.5], dtype=ember.float16)
    np.testing.assert_allclose(t.tolist(), np.array([0.1, 1000.5], dtype=np.float16))


def test_bfloat16_to_numpy_is_a_clear_error():
    with pytest.raises(TypeError, match="bfloat16"):
        ember.tensor([1.0]).bfloat16().numpy()


def test_unsupported_numpy_dtype_is_a_clear_error():
    with pytest.raises(TypeError, match="from_numpy"):
        ember.from_numpy(np.array([1 + 2j]))


def test_bad_argument_type_raises_type_error():
    with pytest.raises(TypeError):
        ember.tensor([1.0]) + "a"


def test_dlpack_roundtrip_with_numpy():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    t = ember.from_dlpack(a)
    a[1, 1] = -1
    assert t.numpy()[1, 1] == -1
    back = np.from_dlpack(t)
    assert back.shape == (2, 3)
    assert back[1, 1] == -1


@requires_torch
def test_dlpack_roundtrip_with_torch():
    x = torch.arange(6, dtype=torch.float32).reshape(2, 3).t()
    t = ember.from_dlpack(x)
    assert t.shape == (3, 2)
    assert t.stride() == (1, 3)
    y = torch.from_dlpack(t)
    x[0, 1] = 99
    assert y[0, 1].item() == 99
    assert t.numpy()[0, 1] == 99


def test_views_share_storage():
    t = ember.tensor(np.zeros((2, 3), dtype=np.float32))
    v = t.transpose(0, 1)
    assert not v.is_contiguous()
    v.add_(1)
    assert t.numpy().sum() == 6
    assert t.reshape(3, 2).shape == (3, 2)
    assert t.t().contiguous().is_contiguous()
