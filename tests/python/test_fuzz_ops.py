"""Property-based fuzzing of the public ops: random shapes (0-d, zero-size, broadcast or
not), dtypes, dims, NaN/Inf. Each call returns what NumPy computes or raises a clear
exception (see fuzz_support). Quick profile in CI; `bash scripts/fuzz_api.sh` runs the long
one."""

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ember
from helpers import torch
from fuzz_support import arrays, assert_matches, attempt, fuzz_settings, report_tally, shapes


@pytest.fixture(scope="module", autouse=True)
def _report_tally():
    yield
    report_tally(__name__)


def np_ref(fn, *arrays):
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return fn(*[a.astype(np.float64) for a in arrays])


UNARY = {
    "neg": np.negative, "abs": np.abs, "exp": np.exp, "log": np.log, "sqrt": np.sqrt,
    "sin": np.sin, "cos": np.cos, "tanh": np.tanh, "floor": np.floor, "ceil": np.ceil,
    "sigmoid": lambda x: 1 / (1 + np.exp(-x)), "relu": lambda x: np.maximum(x, 0),
    "square": np.square, "sign": np.sign, "reciprocal": lambda x: 1 / x,
    "log1p": np.log1p, "expm1": np.expm1, "rsqrt": lambda x: 1 / np.sqrt(x),
}


@fuzz_settings
@given(st.sampled_from(sorted(UNARY)), arrays())
def test_unary_ops_match_numpy(name, a):
    ok, out = attempt(getattr(ember, name), ember.tensor(a))
    if not ok:
        return
    assert out.shape == a.shape
    expected = np_ref(UNARY[name], a)
    if out.dtype in (ember.float16, ember.float32):
        # The reference rounded to the result dtype, so overflow to inf agrees.
        expected = expected.astype(out.numpy().dtype)
    if a.dtype.kind in "iub" and out.dtype not in (ember.float16, ember.float32, ember.float64):
        expected = np.asarray(expected).astype(out.numpy().dtype)
    assert_matches(out, expected)


BINARY = {
    "add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.true_divide,
    "maximum": np.maximum, "minimum": np.minimum, "eq": np.equal, "ne": np.not_equal,
    "lt": np.less, "le": np.less_equal, "gt": np.greater, "ge": np.greater_equal,
}


@st.composite
def two_arrays(draw):
    if draw(st.booleans()):
        shp = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4,
                                                     max_side=4))
        sa, sb = shp.input_shapes
    else:  # independent shapes: mostly not broadcastable
        sa, sb = draw(shapes()), draw(shapes())
    return draw(arrays(shape=sa)), draw(arrays(shape=sb))


@fuzz_settings
@given(st.sampled_from(sorted(BINARY)), two_arrays())
def test_binary_ops_match_numpy(name, ab):
    a, b = ab
    ok, out = attempt(getattr(ember, name), ember.tensor(a), ember.tensor(b))
    try:
        shape = np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        assert not ok, f"{name} of shapes {a.shape} and {b.shape} should raise"
        assert isinstance(out, ValueError), out
        return
    if not ok:
        # bool arithmetic (sub of bools) is refused, as in PyTorch; nothing else may raise.
        assert name == "sub" and (a.dtype == np.bool_ or b.dtype == np.bool_), out
        return
    assert out.shape == shape
    rd = out.numpy().dtype
    if a.dtype != b.dtype and (a.ndim == 0 or b.ndim == 0) and torch is not None:
        # Mixed dtypes with a 0-d operand follow PyTorch's promotion (a 0-d int32 against
        # a uint8 tensor computes in uint8), not NumPy's: PyTorch is the reference.
        try:
            tb = getattr(torch, name)(torch.from_numpy(np.array(a)), torch.from_numpy(np.array(b)))
        except (RuntimeError, NotImplementedError):
            tb = None  # PyTorch refuses bool subtraction; Ember computes it in the promoted type
        if tb is not None:
            assert_matches(out, tb.numpy())
            return
    expected = np_ref(BINARY[name], a, b)
    if rd == np.bool_:
        expected = expected.astype(bool)  # bool + bool is logical or, as in PyTorch
    elif rd.kind == "f":
        expected = expected.astype(rd)
    elif rd.kind in "iu":
        # Integer results wrap like the C++ types do; the small inputs keep float64 exact.
        expected = expected.astype(np.int64).astype(rd)
    assert_matches(out, expected)


REDUCE = {"sum": np.sum, "mean": np.mean, "prod": np.prod, "amax": np.max, "amin": np.min}


@fuzz_settings
@given(st.sampled_from(sorted(REDUCE)), arrays(),
       st.one_of(st.none(), st.integers(-5, 5), st.lists(st.integers(-5, 5), max_size=3)),
       st.booleans())
def test_reductions_match_numpy(name, a, dims, keepdim):
    t = ember.tensor(a)
    args = () if dims is None else (dims,)
    ok, out = attempt(getattr(ember, name), t, *args, keepdim=keepdim)
    axis = None if dims is None else (tuple(dims) if isinstance(dims, list) else dims)
    if axis == ():
        axis = None  # an empty dim list reduces everything, as in PyTorch
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            # Integer sums and products wrap in int64, as Ember's (and PyTorch's) do.
            ref_dtype = np.int64 if a.dtype.kind in "biu" and name != "mean" else np.float64
            expected = REDUCE[name](a.astype(ref_dtype), axis=axis, keepdims=keepdim)
    except (ValueError, TypeError, np.exceptions.AxisError):
        if ok and a.ndim == 0:
            # PyTorch (and Ember) let 0-d tensors reduce over dim 0 / -1: the value itself.
            assert_matches(out, np.asarray(a).astype(out.numpy().dtype), dtype=ember.float64)
            return
        assert not ok, f"{name}{a.shape} over {dims} should raise"
        return
    if not ok:
        # Ember refuses some combinations NumPy takes (mean of integers, as in PyTorch).
        assert name == "mean" and a.dtype.kind in "biu", out
        return
    rd = out.numpy().dtype
    expected = np.asarray(expected)
    expected = expected.astype(rd) if rd.kind == "f" else expected
    if rd.kind in "iub":
        expected = expected.astype(np.int64).astype(rd) if rd.kind != "b" else expected.astype(bool)
    assert_matches(out, expected, dtype=out.dtype if rd.kind == "f" else ember.float64)


@fuzz_settings
@given(arrays(max_dims=3), st.lists(st.integers(-2, 7), max_size=4))
def test_reshape_matches_numpy(a, shape):
    ok, out = attempt(ember.reshape, ember.tensor(a), shape)
    try:
        if any(s < -1 for s in shape):
            raise ValueError("NumPy reads any negative size as -1; Ember and PyTorch refuse")
        expected = a.reshape(shape)
    except ValueError:
        assert not ok, f"reshape {a.shape} -> {shape} should raise"
        return
    if not ok:
        # NumPy takes [0, -1] style shapes on empty arrays; PyTorch and Ember refuse them.
        assert a.size == 0 and -1 in shape, out
        return
    assert_matches(out, expected, dtype=ember.float64)


def _refused():
    raise ValueError("refused")


def _expand_ref(a, sizes):
    lead = len(sizes) - a.ndim
    return np.broadcast_to(a, [a.shape[i - lead] if s == -1 else s for i, s in enumerate(sizes)])


def _distinct_dims(ints, nd):
    return len({i % max(nd, 1) for i in ints}) == len(ints)


# name -> (arguments from the drawn ints, NumPy reference(a, *arguments)).
VIEWS = {
    "transpose": (lambda ints: (ints + [0, 0])[:2], np.swapaxes),
    "permute": (lambda ints: (ints,),
                lambda a, p: np.transpose(a, p) if len(p) == a.ndim else _refused()),
    "squeeze": (lambda ints: tuple(ints[:1]),
                lambda a, *d: (np.squeeze(a, d[0]) if a.shape[d[0]] == 1 else a) if d
                else np.squeeze(a)),
    "unsqueeze": (lambda ints: (ints[0] if ints else 0,), np.expand_dims),
    "flip": (lambda ints: (ints,),
             lambda a, d: np.flip(a, tuple(d)) if _distinct_dims(d, a.ndim) else _refused()),
    "movedim": (lambda ints: ((ints + [0, 0])[0], (ints + [0, 0])[1]), np.moveaxis),
    "expand": (lambda ints: ([abs(i) if i != -1 else -1 for i in ints],), _expand_ref),
}


@fuzz_settings
@given(st.sampled_from(sorted(VIEWS)), arrays(max_dims=4), st.lists(st.integers(-6, 6), max_size=5))
def test_view_ops_match_numpy(name, a, ints):
    t = ember.tensor(a)
    make_args, ref = VIEWS[name]
    args = make_args(ints)
    fn = getattr(ember, name, None)
    ok, out = attempt(fn, t, *args) if fn is not None else attempt(getattr(t, name), *args)
    try:
        expected = ref(a, *args)
    except (ValueError, IndexError, TypeError, np.exceptions.AxisError):
        if ok and a.ndim == 0:
            # PyTorch (and Ember) let 0-d tensors take dims -1 and 0, as if 1-d.
            assert out.numel() == 1
            assert_matches(out, a.reshape(out.shape), dtype=ember.float64)
            return
        assert not ok, f"{name}{a.shape} with {args} should raise, got {out.shape}"
        return
    if not ok:
        # Ember (like PyTorch) refuses dims outside -ndim..ndim-1 on 0-d tensors, where
        # NumPy is laxer in a few places; nothing else may raise.
        assert a.ndim == 0 or name == "flip", out
        return
    assert_matches(out, expected, dtype=ember.float64)


@fuzz_settings
@given(st.sampled_from(["zeros", "ones", "empty", "full", "rand", "randn", "arange"]),
       st.lists(st.one_of(st.integers(-3, 6), st.sampled_from(
           [2**31, 2**32, 2**40, 2**62, 2**63 - 1, -2**63])), max_size=4))
def test_creation_with_hostile_shapes(name, shape):
    """Shapes that are negative, overflow int64 when multiplied, or need terabytes: a clear
    error, never a crash, a silent wrap to a small buffer, or an attempt to fill the RAM."""
    if name == "full":
        call = lambda: ember.full(shape, 2.5)  # noqa: E731
    elif name == "arange":
        call = lambda: ember.arange(*shape[:3])  # noqa: E731
    else:
        call = lambda: getattr(ember, name)(shape)  # noqa: E731
    n = 1
    for s in shape:
        n *= s
    if name != "arange" and all(s >= 0 for s in shape) and 0 < n * 4 < (1 << 44) and n > 1 << 26:
        return  # allocatable in principle but large enough to swap: not a fuzz case
    if name == "arange" and len(shape) >= 1:
        lo, hi, step = (shape + [None, None])[:3] if len(shape) > 1 else (0, shape[0], None)
        step = 1 if step is None else step
        if step and 0 < (hi - lo) / step > 1 << 26:
            return
    ok, out = attempt(call)
    if not ok:
        return
    if name == "arange":
        if any(abs(s) > 2**24 for s in shape[:3]):
            return  # NumPy computes such lengths in float64 and is itself off by one
        expected = np.arange(*shape[:3]) if shape else None
        assert expected is not None, "arange() with no arguments should raise"
        assert_matches(out, expected, dtype=ember.float64)
        return
    assert tuple(out.shape) == tuple(shape)
    assert all(s >= 0 for s in shape) and n < 1 << 26
    if n == 0:
        assert out.numel() == 0  # NumPy itself refuses shapes like [0, 2**31, 2**31]
    elif name in ("zeros", "ones", "full"):
        assert_matches(out, np.full(shape, {"zeros": 0.0, "ones": 1.0, "full": 2.5}[name]))


@fuzz_settings
@given(st.data())
def test_indexing_matches_numpy(data):
    a = data.draw(arrays(dtypes=[np.float32, np.int64, np.bool_], max_dims=3))
    t = ember.tensor(a)

    def index_part(size):
        return st.one_of(
            st.integers(-size - 2, size + 2),
            st.builds(slice, st.one_of(st.none(), st.integers(-6, 6)),
                      st.one_of(st.none(), st.integers(-6, 6)),
                      st.one_of(st.none(), st.integers(1, 3))),
            st.lists(st.integers(-size - 1, size + 1), min_size=0, max_size=3).map(
                lambda v: np.array(v, dtype=np.int64)),
            st.just(None), st.just(Ellipsis))

    sizes = list(a.shape) + [1, 1, 1]
    key = tuple(data.draw(index_part(sizes[i])) for i in range(data.draw(st.integers(0, 3))))
    if sum(isinstance(k, np.ndarray) for k in key) > 1:
        key = tuple(k for k in key if not isinstance(k, np.ndarray)) + (key[-1],)
    if data.draw(st.booleans()) and a.ndim:
        key = (a > 0) if a.dtype == np.bool_ else (a > a.flat[0] if a.size else a.astype(bool))
    ek = tuple(ember.tensor(k) if isinstance(k, np.ndarray) else k for k in key) \
        if isinstance(key, tuple) else ember.tensor(key)
    ok, out = attempt(lambda: t[ek])
    try:
        expected = a[key]
    except (IndexError, ValueError, TypeError):
        assert not ok, f"{a.shape}[{key!r}] should raise"
        return
    if not ok:
        return  # refusing is allowed (e.g. an empty integer-array index); a wrong value is not
    assert_matches(out, np.asarray(expected), dtype=ember.float64)
    # Writing through the same key updates the same elements as NumPy.
    b = a.copy()
    b[key] = 7
    t2 = ember.tensor(a)
    ok, _ = attempt(t2.__setitem__, ek, 7)
    if ok:
        assert_matches(t2, b, dtype=ember.float64)


JUNK = [None, "x", b"x", 1.5, True, -3, 2**70, [1, [2]], [], {}, object(), (1, 2), np.ones(2),
        np.array(["a"]), complex(1, 2), float("nan"), slice(1), ember.float32]


@fuzz_settings
@given(st.sampled_from(sorted(UNARY) + sorted(BINARY) + ["matmul", "sum", "reshape", "cat",
                                                          "stack", "softmax", "where",
                                                          "gather", "index_select", "tensor",
                                                          "full", "zeros", "clamp", "pow"]),
       st.lists(st.one_of(st.sampled_from(JUNK),
                          st.builds(lambda: ember.ones(2, 3)),
                          st.builds(lambda: ember.tensor([1, 0])),
                          st.builds(lambda: ember.ones(0))), max_size=4))
def test_wrong_argument_types_raise_clearly(name, args):
    attempt(getattr(ember, name), *args)
