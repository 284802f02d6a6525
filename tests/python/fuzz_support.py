"""Shared pieces of the property-based API fuzz suites (tests/python/test_fuzz_*.py).

Every fuzzed call goes through `attempt`: it either returns (and the test then checks the
value against NumPy) or raises one of the exception types Ember documents, with a message
that says what went wrong. Anything else (another exception type, an empty message, a
crash of the process) fails the run. `TALLY` counts the outcomes; `scripts/fuzz_api.sh`
prints it after the long profile.

Profiles (EMBER_FUZZ_PROFILE):
  quick (default, CI): a few dozen derandomized examples per property.
  long:                EMBER_FUZZ_EXAMPLES (default 1000) random examples per property.
"""

import collections
import json
import math
import os
import re

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ember

PROFILE = os.environ.get("EMBER_FUZZ_PROFILE", "quick")
LONG = PROFILE == "long"
EXAMPLES = int(os.environ.get("EMBER_FUZZ_EXAMPLES", "1000")) if LONG else 30

fuzz_settings = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not LONG,
    database=None,
    suppress_health_check=list(HealthCheck),
)

# The exception types a bad call may raise (see core/error.h for the mapping).
ALLOWED = (TypeError, ValueError, IndexError, RuntimeError, NotImplementedError,
           OverflowError, MemoryError)
# Messages Ember writes start with "[op]"; pybind11's argument errors and NumPy's own
# conversion errors (ember.tensor of ragged lists) are clear too.
_CLEAR = re.compile(r"^\[[^\]]+\] \S|incompatible function arguments|"
                    r"inhomogeneous shape|object cannot be interpreted|"
                    r"takes \d+ positional argument|got an unexpected keyword|"
                    r"missing \d+ required|must be|expected|not supported", re.S)

TALLY = collections.Counter()


def attempt(fn, *args, **kwargs):
    """(True, result) or (False, exception) for an allowed exception with a clear message."""
    TALLY["cases"] += 1
    try:
        out = fn(*args, **kwargs)
    except ALLOWED as e:
        msg = str(e)
        assert msg.strip(), f"{type(e).__name__} raised with an empty message"
        assert _CLEAR.search(msg), f"unclear {type(e).__name__} message: {msg[:300]!r}"
        TALLY[f"raised {type(e).__name__}"] += 1
        return False, e
    TALLY["returned"] += 1
    return True, out


def checked(ok_value):
    """Counts a returned result that was then compared against a reference."""
    TALLY["checked against NumPy"] += 1
    return ok_value


# ---- strategies

# NumPy dtypes with an Ember equivalent (bfloat16 has none in NumPy).
NP_DTYPES = [np.bool_, np.uint8, np.int32, np.int64, np.float16, np.float32, np.float64]
FLOAT_SPECIALS = [math.nan, math.inf, -math.inf, 0.0, -0.0]


def shapes(max_dims=4, max_side=5):
    return hnp.array_shapes(min_dims=0, max_dims=max_dims, min_side=0, max_side=max_side)


def elements(dtype):
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return st.booleans()
    if dtype.kind in "iu":
        lo = 0 if dtype.kind == "u" else -100
        return st.integers(lo, 100)
    width = {2: 16, 4: 32, 8: 64}[dtype.itemsize]
    finite = st.floats(-50, 50, width=width)
    return st.one_of(finite, finite, finite, st.sampled_from(FLOAT_SPECIALS))


@st.composite
def arrays(draw, dtypes=NP_DTYPES, shape=None, max_dims=4):
    dt = draw(st.sampled_from(dtypes))
    sh = draw(shapes(max_dims)) if shape is None else shape
    return draw(hnp.arrays(dt, sh, elements=elements(dt)))


def to_ember(a):
    return ember.tensor(a) if a.ndim else ember.tensor(a.item(), dtype=ember_dtype(a.dtype))


def ember_dtype(np_dtype):
    return getattr(ember, {"bool": "bool"}.get(np.dtype(np_dtype).name, np.dtype(np_dtype).name))


def tolerance(dtype):
    return {"float16": (2e-3, 2e-3), "bfloat16": (1e-2, 1e-2),
            "float32": (2e-5, 1e-5)}.get(str(dtype).replace("ember.", ""), (1e-9, 1e-12))


def assert_matches(actual, expected, dtype=None):
    """actual (an ember Tensor) equals expected (a NumPy array), NaNs in the same places."""
    actual = actual.detach()
    a = actual.numpy() if actual.dtype != ember.bfloat16 else actual.float().numpy()
    e = np.asarray(expected)
    assert a.shape == e.shape, f"shape {a.shape} != NumPy's {e.shape}"
    if a.dtype == np.bool_ or e.dtype == np.bool_:
        np.testing.assert_array_equal(a.astype(e.dtype) if e.dtype == np.bool_ else a, e)
        return
    rtol, atol = tolerance(dtype if dtype is not None else actual.dtype)
    np.testing.assert_allclose(a.astype(np.float64), e.astype(np.float64), rtol=rtol,
                               atol=atol, equal_nan=True)
    checked(True)


def report_tally(module):
    """After a long-profile run, prints the outcome counts and appends them to
    $EMBER_FUZZ_TALLY (read by scripts/fuzz_api.sh)."""
    if not LONG:
        return
    print(f"\n[fuzz tally {module}] {json.dumps(dict(TALLY), sort_keys=True)}")
    path = os.environ.get("EMBER_FUZZ_TALLY")
    if path:
        with open(path, "a") as f:
            f.write(json.dumps({"module": module, **TALLY}) + "\n")
