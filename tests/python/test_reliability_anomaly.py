"""Anomaly mode names the op that first produced NaN/Inf: in backward always, in forward
with check_forward=True (eager/engine.cpp, eager/autograd_hook.cpp)."""

import math

import pytest

import ember


def test_backward_names_the_function():
    x = ember.tensor([0.0, 4.0], requires_grad=True)
    with ember.autograd.detect_anomaly():
        y = ember.sqrt(x).sum()  # forward is finite; d sqrt/dx at 0 is inf
        with pytest.raises(RuntimeError, match=r"\[anomaly\] function 'SqrtBackward0'"):
            y.backward()


def test_forward_check_names_the_first_op():
    x = ember.tensor([0.0, 1.0], requires_grad=True)
    with ember.autograd.detect_anomaly(check_forward=True):
        h = x * 2  # finite
        with pytest.raises(RuntimeError, match=r"\[anomaly\] op 'log' produced nan or inf"):
            ember.log(h)  # log(0) = -inf from finite inputs: this op is to blame
    # Values that arrive already non-finite blame the op that made them, not later ones.
    with ember.autograd.detect_anomaly(check_forward=True):
        z = ember.tensor([math.inf], requires_grad=True)
        (z * 2 + 1).sum()


def test_forward_check_is_off_by_default_and_restored():
    x = ember.tensor([0.0], requires_grad=True)
    with ember.autograd.detect_anomaly():
        ember.log(x)  # masked computations make infinities on purpose: no error
    assert not ember.autograd.is_anomaly_enabled()
    ember.autograd.set_detect_anomaly(True, check_forward=True)
    try:
        with pytest.raises(RuntimeError, match="log"):
            ember.log(x)
    finally:
        ember.autograd.set_detect_anomaly(False)
    ember.log(x)  # off again


def test_anomaly_mode_off_never_checks():
    x = ember.tensor([0.0], requires_grad=True)
    y = (x / x).sum()
    y.backward()  # NaN gradient, no error when the mode is off
    assert math.isnan(x.grad.item())


def test_forward_check_in_no_grad_and_traced_code_is_silent():
    # Anomaly checks ride on autograd recording: no_grad code is not checked, and a traced
    # function's replays run without autograd, so they cost nothing.
    x = ember.tensor([0.0], requires_grad=True)
    with ember.autograd.detect_anomaly(check_forward=True), ember.no_grad():
        assert math.isinf(ember.log(x).item())
