"""Creation functions: zeros/ones/full/empty (+ _like, new_*), arange, linspace, logspace,
eye, fill_/zero_; values against NumPy, dtypes, shapes and error messages."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from helpers import assert_close, requires_torch, to_np, torch

import ember

SHAPE_STYLES = [((2, 3),), ([2, 3],), (2, 3)]


@pytest.mark.parametrize("args", SHAPE_STYLES)
@pytest.mark.parametrize("fn,value", [(ember.zeros, 0), (ember.ones, 1)])
def test_zeros_ones_shape_styles(fn, value, args):
    t = fn(*args)
    assert t.shape == (2, 3) and t.dtype == ember.float32
    assert (to_np(t) == value).all()


def test_size_keyword_and_scalar_shape():
    assert ember.zeros(size=(4, 1)).shape == (4, 1)
    assert ember.ones(()).shape == ()
    assert ember.zeros(0, 3).numel() == 0


@pytest.mark.parametrize("dtype", [ember.int32, "int64", np.float64, np.dtype("float16"), "bool",
                                   ember.bfloat16, np.uint8])
def test_dtype_forms(dtype):
    t = ember.ones(3, dtype=dtype)
    assert t.dtype == ember.empty(0, dtype=dtype).dtype
    assert to_np(t.float()).tolist() == [1.0, 1.0, 1.0]


ALL_DTYPES = [ember.bool, ember.uint8, ember.int32, ember.int64, ember.float16, ember.bfloat16,
              ember.float32, ember.float64]


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_every_dtype(dtype):
    for t, ref in [(ember.zeros(2, 3, dtype=dtype), np.zeros((2, 3))),
                   (ember.ones(4, dtype=dtype), np.ones(4)),
                   (ember.full((3,), 1, dtype=dtype), np.ones(3)),
                   (ember.eye(3, 2, dtype=dtype), np.eye(3, 2))]:
        assert t.dtype == dtype
        assert_close(t.float(), ref)
    if dtype != ember.bool:
        assert ember.arange(5, dtype=dtype).dtype == dtype
        assert_close(ember.arange(5, dtype=dtype).float(), np.arange(5))
        assert_close(ember.linspace(0, 8, 5, dtype=dtype).float(), np.linspace(0, 8, 5))


def test_full_infers_dtype_from_value():
    assert ember.full((2,), 3).dtype == ember.int64
    assert ember.full((2,), 2.5).dtype == ember.float32
    assert ember.full((2,), True).dtype == ember.bool
    assert ember.full([2, 2], 7, dtype=ember.float64).dtype == ember.float64
    assert to_np(ember.full((2, 2), -1.5)).tolist() == [[-1.5, -1.5], [-1.5, -1.5]]


def test_requires_grad_and_device_kwargs():
    t = ember.zeros(2, requires_grad=True, device="cpu")
    assert t.requires_grad and t.is_leaf
    with pytest.raises(TypeError, match=r"\[requires_grad_\]"):
        ember.zeros(2, dtype=ember.int64, requires_grad=True)


def test_empty_has_shape_and_dtype():
    t = ember.empty(3, 4, dtype=ember.float64)
    assert t.shape == (3, 4) and t.dtype == ember.float64


def test_like_functions_follow_input():
    x = ember.from_numpy(np.arange(6, dtype=np.float64).reshape(2, 3).T)  # non-contiguous
    assert not x.is_contiguous()
    for fn, v in [(ember.zeros_like, 0), (ember.ones_like, 1)]:
        y = fn(x)
        assert y.shape == (3, 2) and y.dtype == ember.float64 and (to_np(y) == v).all()
    assert ember.zeros_like(x, dtype="int32").dtype == ember.int32
    assert ember.empty_like(x).shape == (3, 2)
    f = ember.full_like(x, 4, dtype=ember.int64)
    assert f.dtype == ember.int64 and (to_np(f) == 4).all()
    assert not ember.zeros_like(ember.ones(2, requires_grad=True)).requires_grad


def test_new_methods_inherit_dtype():
    x = ember.ones(2, dtype=ember.float64)
    assert x.new_zeros(3, 4).dtype == ember.float64 and x.new_zeros((3, 4)).shape == (3, 4)
    assert (to_np(x.new_ones(2)) == 1).all()
    assert to_np(x.new_full((2,), 5)).tolist() == [5.0, 5.0]
    assert x.new_empty((1, 2), dtype=ember.int32).dtype == ember.int32


def test_fill_and_zero_in_place():
    x = ember.zeros(2, 3)
    v = x._version
    x.fill_(2.5)
    assert (to_np(x) == 2.5).all() and x._version > v
    arr = np.ones((3, 4))
    view = ember.from_numpy(arr[:, ::2])  # shares memory with arr, non-contiguous
    view.zero_()
    assert arr.tolist() == [[0, 1, 0, 1]] * 3


def test_fill_on_non_leaf_cuts_gradient():
    a = ember.ones(3, requires_grad=True)
    b = a * 2
    b.fill_(1.0)
    (b * 3).backward(ember.ones(3))
    assert to_np(a.grad).tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize("args", [(5,), (2, 9), (10, 0, -3), (0, 10, 3), (-4, 4, 2), (3, 3), (7, 1, -1)])
def test_arange_integer_matches_numpy(args):
    t = ember.arange(*args)
    assert t.dtype == ember.int64
    assert to_np(t).tolist() == np.arange(*args).tolist()


@pytest.mark.parametrize("args", [(0.0, 1.0, 0.1), (1, 2.5, 0.5), (0, 1, 0.3), (-1.0, 1.0, 0.25),
                                  (2.0,), (10, 0, -1.5), (0, 5.5)])
def test_arange_float_lengths_and_values(args):
    t = ember.arange(*args)
    ref = np.arange(*args, dtype=np.float64)
    assert t.dtype == ember.float32
    assert t.shape == ref.shape
    assert_close(t, ref, rtol=1e-6, atol=1e-6)


def test_arange_keywords_and_dtype():
    assert to_np(ember.arange(start=2, end=5)).tolist() == [2, 3, 4]
    assert to_np(ember.arange(1, end=4, step=2)).tolist() == [1, 3]
    assert ember.arange(4, dtype=ember.float64).dtype == ember.float64
    assert ember.arange(4, dtype="float16").tolist() == [0.0, 1.0, 2.0, 3.0]
    assert ember.arange(np.int64(3)).tolist() == [0, 1, 2]
    assert ember.arange(ember.tensor(3)).tolist() == [0, 1, 2]


@pytest.mark.parametrize("args,match", [((0, 5, 0), r"\[arange\] step must be nonzero"),
                                        ((5, 0, 1), r"\[arange\] upper bound"),
                                        ((0, float("inf")), r"\[arange\] unsupported range")])
def test_arange_errors(args, match):
    with pytest.raises(ValueError, match=match):
        ember.arange(*args)


def test_arange_bad_types():
    with pytest.raises(TypeError, match=r"\[arange\] expected a number for end"):
        ember.arange("5")
    with pytest.raises(TypeError, match=r"\[arange\] does not support dtype bool"):
        ember.arange(3, dtype=ember.bool)


@pytest.mark.parametrize("start,end,steps", [(0, 1, 5), (-3.5, 2.0, 7), (1, 1, 3), (5, -5, 11),
                                             (0, 1, 1), (0, 1, 0), (0, 10, 100)])
def test_linspace_matches_numpy(start, end, steps):
    t = ember.linspace(start, end, steps, dtype=ember.float64)
    ref = np.linspace(start, end, steps)
    assert t.shape == ref.shape
    assert_close(t, ref, rtol=1e-12, atol=1e-12)
    if steps > 0:
        assert to_np(t)[0] == start and to_np(t)[-1] == (end if steps > 1 else start)
    assert ember.linspace(start, end, steps).dtype == ember.float32


def test_linspace_integer_dtype_and_errors():
    assert to_np(ember.linspace(0, 10, 4, dtype=ember.int64)).tolist() == [0, 3, 6, 10]
    with pytest.raises(ValueError, match=r"\[linspace\] number of steps must be non-negative"):
        ember.linspace(0, 1, -1)


def test_logspace_matches_numpy():
    assert_close(ember.logspace(0, 3, 4, dtype=ember.float64), np.logspace(0, 3, 4), rtol=1e-12)
    assert_close(ember.logspace(-1, 1, 5, base=2.0), np.logspace(-1, 1, 5, base=2.0), rtol=1e-6)
    with pytest.raises(ValueError, match=r"\[logspace\]"):
        ember.logspace(0, 1, -2)


@pytest.mark.parametrize("n,m", [(3, None), (2, 4), (4, 2), (0, 3), (1, 1)])
def test_eye_matches_numpy(n, m):
    t = ember.eye(n, m)
    assert t.dtype == ember.float32
    assert to_np(t).tolist() == np.eye(n, m).tolist()
    assert ember.eye(n, m, dtype="int32").dtype == ember.int32


def test_eye_errors():
    with pytest.raises(ValueError, match=r"\[eye\] n must be non-negative"):
        ember.eye(-1)
    with pytest.raises(ValueError, match=r"\[eye\] m must be non-negative"):
        ember.eye(2, -3)


@pytest.mark.parametrize("fn", [ember.zeros, ember.ones, ember.empty])
def test_negative_size_errors_name_the_op(fn):
    with pytest.raises(ValueError, match=r"negative dimension -1 in shape \[2, -1\]"):
        fn(2, -1)


def test_bad_shape_and_dtype_arguments():
    with pytest.raises(TypeError, match=r"\[zeros\]"):
        ember.zeros(2.5)
    with pytest.raises(TypeError, match=r"\[full\] expected a number for fill_value"):
        ember.full((2,), "x")
    with pytest.raises(Exception, match=r"dtype|float33"):
        ember.zeros(2, dtype="float33")
    with pytest.raises(TypeError, match=r"\[zeros\] got the shape both"):
        ember.zeros(2, size=(2,))


def test_scalar_tensor():
    t = ember.scalar_tensor(3)
    assert t.shape == () and t.dtype == ember.float32 and t.item() == 3.0


@requires_torch
@pytest.mark.parametrize("args", [(0, 1, 0.1), (1, 2.5, 0.5), (-7, 5, 3), (0.5, 5), (10, 0, -0.7)])
def test_arange_torch_parity(args):
    e, t = ember.arange(*args), torch.arange(*args)
    assert e.shape == tuple(t.shape)
    assert str(e.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
    np.testing.assert_allclose(to_np(e), t.numpy(), rtol=1e-6)


@requires_torch
@pytest.mark.parametrize("args", [(0, 1, 5), (-2, 3, 8), (3, 3, 1), (1, 1000, 7)])
def test_linspace_logspace_torch_parity(args):
    # float32 steps may differ from PyTorch's vectorized kernel in the last bit
    np.testing.assert_allclose(to_np(ember.linspace(*args)), torch.linspace(*args).numpy(),
                               rtol=2e-6, atol=2e-7)
    np.testing.assert_allclose(to_np(ember.linspace(*args, dtype=ember.float64)),
                               torch.linspace(*args, dtype=torch.float64).numpy(), rtol=1e-15)
    np.testing.assert_allclose(to_np(ember.logspace(0, 2, args[2])),
                               torch.logspace(0, 2, args[2]).numpy(), rtol=1e-6)
    np.testing.assert_array_equal(to_np(ember.linspace(*args, dtype=ember.int64)),
                                  torch.linspace(*args, dtype=torch.int64).numpy())


# ---- property tests: lengths follow ceil((end - start) / step), as NumPy and PyTorch ----------

@settings(max_examples=200, deadline=None)
@given(st.integers(-1000, 1000), st.integers(-1000, 1000), st.integers(-50, 50).filter(bool))
def test_arange_int_length_property(start, end, step):
    if (end - start) * step < 0:
        with pytest.raises(ValueError, match=r"\[arange\]"):
            ember.arange(start, end, step)
        return
    assert to_np(ember.arange(start, end, step)).tolist() == np.arange(start, end, step).tolist()


@settings(max_examples=200, deadline=None)
@given(st.floats(-100, 100), st.floats(-100, 100), st.floats(0.01, 10), st.booleans())
def test_arange_float_length_property(start, end, step, negate):
    step = -step if negate else step
    if (end > start and step < 0) or (end < start and step > 0):  # a product can underflow
        return
    ref = np.arange(start, end, step)
    t = ember.arange(start, end, step, dtype=ember.float64)
    assert t.shape == ref.shape
    assert_close(t, ref, rtol=1e-12, atol=1e-9)
