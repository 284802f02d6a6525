"""Every crash the fuzzers found, as a plain test (docs/reliability.md lists them). Each of
these used to kill the interpreter (segfault, SIGFPE, abort) or silently allocate a tiny
buffer for a huge shape; now each gives a result or a clear exception."""

import numpy as np
import pytest

import ember


def test_int_list_from_a_tensor_does_not_read_freed_rows():
    # A Tensor is a sequence whose items are new objects: the binding read them after they
    # were freed (segfault in Tensor::item).
    with pytest.raises(TypeError, match=r"\[sum\] expected an int, got Tensor"):
        ember.sum(ember.ones(2, 3), ember.ones(2, 3))
    with pytest.raises(TypeError, match=r"\[cat\]"):
        ember.cat(ember.ones(2, 3))
    assert ember.sum(ember.ones(2, 3), ember.tensor([1])).shape == (2,)


@pytest.mark.parametrize("shape", [(2**31, 2**31, 2**31), (2**62, 4), (2**63 - 1,)])
def test_shapes_whose_size_overflows_are_refused(shape):
    for make in (ember.zeros, ember.empty, lambda s: ember.full(s, 1.0)):
        with pytest.raises(ValueError, match=r"^\[(shape|empty)\]"):
            make(shape)


def test_zero_sized_huge_shape_is_fine():
    assert ember.zeros(2**62, 2**62, 0).numel() == 0


def test_diag_with_a_huge_offset_is_refused():
    with pytest.raises(ValueError, match=r"too many elements"):
        ember.diag(ember.ones(3), 2**62)


def test_expand_to_a_negative_size_is_refused():
    with pytest.raises(ValueError, match=r"\[expand\] invalid size -5"):
        ember.ones(3).expand(-5, 3)


def test_dims_of_0d_tensors():
    t = ember.tensor(1.5)
    # movedim, roll, take_along_dim wrote or read past their per-dim arrays (abort).
    assert ember.movedim(t, -1, -1).item() == 1.5
    assert ember.movedim(t, 0, 0).shape == ()
    assert ember.roll(t, -1, -1).item() == 1.5
    assert ember.take_along_dim(t, ember.tensor(0), -1).item() == 1.5
    with pytest.raises(IndexError, match=r"\[unflatten\]"):
        ember.unflatten(t, -1, [1])


def test_tril_triu_with_zero_columns():
    # [2, 0] divided by zero columns (SIGFPE).
    for fn in (ember.tril, ember.triu):
        out = fn(ember.ones(2, 0), -2)
        assert out.shape == (2, 0)
    np.testing.assert_array_equal(ember.tril(ember.ones(0, 3)).numpy(), np.zeros((0, 3)))


def test_linear_with_zero_inputs_initializes():
    # kaiming_uniform_ on a [3, 0] weight computed a bound of inf and refused.
    layer = ember.nn.Linear(0, 3)
    out = layer(ember.ones(2, 0))
    assert out.shape == (2, 3)
    np.testing.assert_allclose(out.detach().numpy(), np.broadcast_to(layer.bias.detach().numpy(), (2, 3)))


def test_conv2d_with_an_empty_kernel_is_refused():
    # A 0x0 kernel made an output larger than the input.
    with pytest.raises(ValueError, match=r"\[conv2d\] .*empty kernel"):
        ember.nn.functional.conv2d(ember.ones(2, 1, 1, 1), ember.ones(2, 1, 0, 0))
    with pytest.raises(ValueError, match=r"empty kernel"):
        ember.nn.functional.conv_transpose2d(ember.ones(2, 1, 1, 1), ember.ones(1, 2, 0, 0))


def test_pooling_an_empty_spatial_input_is_refused():
    # A window made only of padding returned -inf.
    for fn in (ember.nn.functional.max_pool2d, ember.nn.functional.avg_pool2d):
        with pytest.raises(ValueError, match=r"empty spatial dim"):
            fn(ember.ones(1, 1, 0, 0), 2, 1, 1)


def test_sizes_past_64_bits_are_a_clear_error():
    # pybind11's own message was "Unable to cast Python instance of type int to C++ type '?'".
    with pytest.raises(ValueError, match=r"\[zeros\] integer 1180591620717411303424 does not fit"):
        ember.zeros(2**70)
    with pytest.raises(ValueError, match=r"\[reshape\] .*does not fit in int64"):
        ember.ones(3).reshape(2**64)


def test_non_integer_sizes_are_a_clear_type_error():
    # NumPy's own "only 0-dimensional arrays can be converted to Python scalars" leaked out.
    with pytest.raises(TypeError, match=r"\[zeros\] expected an int, got ndarray"):
        ember.zeros(np.array([1.0, 1.0]), 3)
