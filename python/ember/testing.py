"""ember.testing.assert_close (torch.testing.assert_close): closeness with PyTorch's default
tolerances for the dtype, and a message that says where and by how much values differ."""

import numpy as np

from . import _C

__all__ = ["assert_close", "assert_allclose"]

# (rtol, atol) by dtype, as in PyTorch.
_TOLERANCES = {"float16": (1e-3, 1e-5), "bfloat16": (1.6e-2, 1e-5), "float32": (1.3e-6, 1e-5),
               "float64": (1e-7, 1e-7)}


def _as_array(x):
    if isinstance(x, _C.Tensor):
        x = x.detach()
        if str(x.dtype).endswith(("float16", "bfloat16")):
            return x.to(_C.dtype.float32).cpu().numpy(), str(x.dtype).split(".")[-1]
        return x.cpu().numpy(), str(x.dtype).split(".")[-1]
    a = np.asarray(x)
    return a, a.dtype.name


def assert_close(actual, expected, *, allow_subclasses=True, rtol=None, atol=None,
                 equal_nan=False, check_device=True, check_dtype=True, check_layout=True,
                 check_stride=False, msg=None):
    """Raises AssertionError unless |actual - expected| <= atol + rtol * |expected|
    elementwise (and shapes and, with check_dtype, dtypes agree). Sequences and dicts are
    compared item by item."""
    if isinstance(actual, (list, tuple)) and not isinstance(expected, _C.Tensor):
        if len(actual) != len(expected):
            raise AssertionError(f"The length of the sequences mismatch: {len(actual)} != "
                                 f"{len(expected)}")
        for a, e in zip(actual, expected):
            assert_close(a, e, rtol=rtol, atol=atol, equal_nan=equal_nan,
                         check_dtype=check_dtype, msg=msg)
        return
    if isinstance(actual, dict):
        if set(actual) != set(expected):
            raise AssertionError(f"The keys of the mappings mismatch: {sorted(actual)} != "
                                 f"{sorted(expected)}")
        for k in actual:
            assert_close(actual[k], expected[k], rtol=rtol, atol=atol, equal_nan=equal_nan,
                         check_dtype=check_dtype, msg=msg)
        return
    a, adt = _as_array(actual)
    e, edt = _as_array(expected)
    if (rtol is None) != (atol is None):
        raise ValueError("[assert_close] both 'rtol' and 'atol' must be given, or neither")
    if rtol is None:
        rtol, atol = _TOLERANCES.get(adt, (0.0, 0.0))
    if a.shape != e.shape:
        raise AssertionError(msg or f"The values for attribute 'shape' do not match: {a.shape} "
                                    f"!= {e.shape}.")
    both_tensors = isinstance(actual, _C.Tensor) and isinstance(expected, _C.Tensor)
    if check_dtype and both_tensors and adt != edt:
        raise AssertionError(msg or f"The values for attribute 'dtype' do not match: {adt} != "
                                    f"{edt}.")
    a64, e64 = a.astype(np.float64), e.astype(np.float64)
    ok = np.isclose(a64, e64, rtol=rtol, atol=atol, equal_nan=equal_nan)
    if not ok.all():
        bad = int((~ok).sum())
        diff = np.abs(a64 - e64)
        worst = np.unravel_index(np.nanargmax(np.where(ok, -np.inf, diff)), a.shape) \
            if a.ndim else ()
        raise AssertionError(msg or (
            f"Tensor-likes are not close!\n\nMismatched elements: {bad} / {a.size} "
            f"({100.0 * bad / max(a.size, 1):.1f}%)\nGreatest absolute difference: "
            f"{np.nanmax(np.where(ok, 0, diff))} at index {tuple(int(i) for i in worst)} "
            f"(up to {atol} allowed)\n(rtol={rtol}, atol={atol})"))


def assert_allclose(actual, expected, rtol=None, atol=None, equal_nan=True, msg=""):
    """The older torch.testing.assert_allclose (no dtype check)."""
    assert_close(actual, expected, rtol=rtol, atol=atol, equal_nan=equal_nan,
                 check_dtype=False, msg=msg or None)
