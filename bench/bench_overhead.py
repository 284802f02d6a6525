"""Overhead: Python-to-result latency of tiny ops (dispatch + binding cost, no real work)"""

import numpy as np

from common import Case, need, need_ember


def _data(n):
    rng = np.random.default_rng(0)
    return rng.standard_normal(n).astype(np.float32), rng.standard_normal(n).astype(np.float32)


def _add(n, requires_grad=False):
    def ember_impl():
        ember = need_ember()
        a, b = (ember.tensor(x, requires_grad=requires_grad) for x in _data(n))
        return lambda: a + b

    def torch_impl():
        torch = need("torch")
        a, b = (torch.tensor(x, requires_grad=requires_grad) for x in _data(n))
        return lambda: a + b

    def numpy_impl():
        a, b = _data(n)
        return lambda: a + b

    impls = {"ember": ember_impl, "torch": torch_impl}
    if not requires_grad:
        impls["numpy"] = numpy_impl
    return impls


def _call_floor():
    """The cheapest call into each library: a method that reads one field. For Ember this
    is a bare pybind11 method call, the floor under any op's latency."""

    def ember_impl():
        ember = need_ember()
        a = ember.tensor(_data(10)[0])
        return a.numel

    def torch_impl():
        torch = need("torch")
        a = torch.tensor(_data(10)[0])
        return a.numel

    def numpy_impl():
        a = _data(10)[0]
        return a.__len__

    def python_impl():
        a = [0.0] * 10
        return a.__len__

    return {"ember": ember_impl, "torch": torch_impl, "numpy": numpy_impl,
            "python list": python_impl}


CASES = [
    Case("a + b, 1 element", _add(1)),
    Case("a + b, 10 elements", _add(10)),
    Case("a + b, 10 elements, requires_grad", _add(10, requires_grad=True)),
    Case("call floor: t.numel() / len(a)", _call_floor()),
]
