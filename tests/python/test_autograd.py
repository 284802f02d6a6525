"""Eager autograd: backward, accumulation, hooks, no_grad, higher order, in-place safety."""

import numpy as np
import pytest

import ember
from helpers import assert_close, gradcheck


def test_backward_simple_polynomial():
    x = ember.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = (x * x * 3 + x * 2).sum()
    y.backward()
    assert_close(x.grad, [8.0, 14.0, 20.0])


def test_grad_accumulates_until_zeroed():
    x = ember.tensor([1.0], requires_grad=True)
    (x * 2).sum().backward()
    (x * 3).sum().backward()
    assert x.grad.item() == 5.0
    x.grad = None
    (x * 4).sum().backward()
    assert x.grad.item() == 4.0


def test_is_leaf_and_grad_fn_names():
    x = ember.tensor([1.0], requires_grad=True)
    y = x * 2
    assert x.is_leaf and not y.is_leaf
    assert x.grad_fn is None
    assert y.grad_fn.name() == "MulBackward0"
    assert "grad_fn=<MulBackward0>" in repr(y)


def test_retain_grad_on_intermediate():
    x = ember.tensor([2.0], requires_grad=True)
    y = x * x
    y.retain_grad()
    (y * 3).sum().backward()
    assert y.grad.item() == 3.0
    assert x.grad.item() == 12.0


def test_hook_can_replace_gradient():
    x = ember.tensor([1.0, 1.0], requires_grad=True)
    seen = []
    x.register_hook(lambda g: seen.append(g.tolist()) or g * 10)
    (x * 2).sum().backward()
    assert seen == [[2.0, 2.0]]
    assert x.grad.tolist() == [20.0, 20.0]


def test_no_grad_and_enable_grad():
    x = ember.tensor([1.0], requires_grad=True)
    with ember.no_grad():
        y = x * 2
        with ember.enable_grad():
            z = x * 2
    assert not y.requires_grad
    assert z.requires_grad

    @ember.no_grad()
    def f(t):
        return t * 2

    assert not f(x).requires_grad
    assert ember.is_grad_enabled()


def test_backward_twice_needs_retain_graph():
    x = ember.tensor([1.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.item() == 4.0
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()


def test_nonscalar_backward_needs_gradient():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    with pytest.raises(RuntimeError, match="scalar"):
        y.backward()
    y.backward(ember.tensor([1.0, 0.5]))
    assert x.grad.tolist() == [2.0, 1.0]


def test_autograd_grad_and_double_backward():
    x = ember.tensor([3.0], requires_grad=True)
    y = (x * x * x).sum()
    (g,) = ember.autograd.grad(y, x, create_graph=True)
    assert g.item() == 27.0
    (g2,) = ember.autograd.grad(g.sum(), x)
    assert g2.item() == 18.0
    assert x.grad is None


def test_autograd_grad_unused_input():
    x = ember.tensor([1.0], requires_grad=True)
    z = ember.tensor([1.0], requires_grad=True)
    y = (x * 2).sum()
    with pytest.raises(RuntimeError, match="not used"):
        ember.autograd.grad(y, [x, z], retain_graph=True)
    gx, gz = ember.autograd.grad(y, [x, z], allow_unused=True)
    assert gx.item() == 2.0 and gz is None


def test_inplace_on_saved_tensor_is_detected():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    a = x * 2
    b = a * a
    a.add_(1)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        b.sum().backward()


def test_inplace_on_leaf_requiring_grad_is_an_error():
    w = ember.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        w.add_(1)
    with ember.no_grad():
        w.add_(1)
    assert w.item() == 2.0


def test_inplace_on_nonleaf_keeps_history():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    y.mul_(2)
    y.sum().backward()
    assert x.grad.tolist() == [6.0, 6.0]


def test_detach_shares_data_without_history():
    x = ember.tensor([1.0], requires_grad=True)
    d = (x * 2).detach()
    assert not d.requires_grad and d.grad_fn is None


def test_requires_grad_only_for_floats():
    with pytest.raises(TypeError, match="floating"):
        ember.tensor([1, 2]).requires_grad_()


def test_broadcast_gradients_are_summed():
    gradcheck(lambda a, b: a * b + a / (b + 3.0), np.random.rand(2, 3), np.random.rand(3))


def test_mixed_dtype_gradients_keep_input_dtypes():
    a = ember.tensor([1.0, 2.0], dtype=ember.float32, requires_grad=True)
    b = ember.tensor([3.0, 4.0], dtype=ember.float64, requires_grad=True)
    (a * b).sum().backward()
    assert a.grad.dtype == ember.float32
    assert b.grad.dtype == ember.float64


def test_anomaly_mode_names_the_function():
    x = ember.tensor([0.0], requires_grad=True)
    with ember.autograd.detect_anomaly():
        y = (x / x).sum()
        with pytest.raises(RuntimeError, match="DivBackward0"):
            y.backward()
