"""Binary arithmetic: add/sub/mul/div (+ rounding modes), pow, maximum/minimum, remainder,
fmod, floor_divide; broadcasting, strided views, dtypes, operators, gradients, errors."""

import numpy as np
import pytest

import ember
from helpers import assert_close, check_forward, gradcheck, rand, requires_torch, torch

# Tensor.sum is bound by the reduce family; gradcheck needs it, so stand in until it exists.
if not hasattr(ember.Tensor, "sum"):
    class _Summed:
        def __init__(self, t):
            self.t = t

        def backward(self):
            self.t.backward(ember.tensor(np.ones(self.t.shape), dtype=self.t.dtype))
    ember.Tensor.sum = lambda self: _Summed(self)

# name -> (ember fn, numpy reference); inputs for division-like ops avoid 0 divisors.
OPS = {
    "add": (ember.add, np.add),
    "sub": (ember.sub, np.subtract),
    "mul": (ember.mul, np.multiply),
    "div": (ember.div, np.divide),
    "pow": (ember.pow, np.power),
    "maximum": (ember.maximum, np.maximum),
    "minimum": (ember.minimum, np.minimum),
    "remainder": (ember.remainder, np.remainder),
    "fmod": (ember.fmod, np.fmod),
    "floor_divide": (ember.floor_divide, np.floor_divide),
    "div_trunc": (lambda a, b: ember.div(a, b, rounding_mode="trunc"),
                  lambda a, b: np.trunc(a / b)),
    "div_floor": (lambda a, b: ember.div(a, b, rounding_mode="floor"), np.floor_divide),
}
SHAPES = [((3, 4), (3, 4)), ((2, 1, 4), (3, 1)), ((5,), (1,)), ((1, 1), (2, 3))]


def _pair(name, sa, sb, dtype=np.float64, seed=0):
    a = rand(*sa, dtype=dtype, seed=seed)
    b = rand(*sb, dtype=dtype, seed=seed + 1)
    if name == "pow":
        a = np.abs(a) + 0.2
    if name in ("div", "remainder", "fmod", "floor_divide", "div_trunc", "div_floor", "pow"):
        b = np.where(np.abs(b) < 0.3, 0.7, b)
    return a, b


@pytest.mark.parametrize("name", sorted(OPS))
@pytest.mark.parametrize("shapes", SHAPES)
def test_forward_broadcasting(name, shapes):
    fn, ref = OPS[name]
    a, b = _pair(name, *shapes)
    check_forward(fn, ref, a, b, rtol=1e-5, atol=1e-5)
    check_forward(fn, ref, a, b, dtype=ember.float64, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", sorted(OPS))
def test_forward_on_strided_views(name):
    fn, ref = OPS[name]
    a, b = _pair(name, (6, 4), (4, 6), seed=5)
    stride0 = np.lib.stride_tricks.as_strided(b[:1], shape=(4, 6), strides=(0, b.strides[1]))
    for x, y in [(a.T, b), (a[::2, ::-1], b.T[::2]), (a.T, stride0)]:
        assert_close(fn(ember.from_numpy(x), ember.from_numpy(y)), ref(x, y), rtol=1e-12,
                     atol=1e-12)


INT_OPS = ["add", "sub", "mul", "maximum", "minimum", "remainder", "fmod", "floor_divide",
           "div_trunc", "div_floor"]


@pytest.mark.parametrize("name", INT_OPS)
@pytest.mark.parametrize("dtype", [np.int32, np.int64])
def test_integer_ops_stay_integer_and_match_numpy(name, dtype):
    fn, ref = OPS[name]
    a = np.array([[-7, -6, -1, 0, 1, 6, 7]], dtype=dtype).T.repeat(4, 1)
    b = np.array([-3, -2, 2, 3], dtype=dtype)
    out = fn(ember.from_numpy(a), ember.from_numpy(b))
    assert out.numpy().dtype == dtype
    np.testing.assert_array_equal(out.numpy(), ref(a, b).astype(dtype))


def test_uint8_and_bool_arithmetic():
    u = ember.tensor([250, 3, 7], dtype=ember.uint8)
    assert ember.add(u, ember.tensor([10, 1, 1], dtype=ember.uint8)).tolist() == [4, 4, 8]
    assert ember.remainder(u, ember.tensor([7, 2, 4], dtype=ember.uint8)).tolist() == [5, 1, 3]
    t = ember.tensor([True, False, True])
    assert (t + ember.tensor([True, False, False])).tolist() == [True, False, True]
    assert (t * ember.tensor([True, False, False])).tolist() == [True, False, False]
    with pytest.raises(TypeError, match=r"\[sub\] does not support dtype bool"):
        t - t
    assert ember.maximum(t, ember.tensor([False, False, True])).tolist() == [True, False, True]
    assert ember.minimum(t, ember.tensor([False, True, True])).tolist() == [False, False, True]


def test_true_division_of_ints_gives_float():
    out = ember.tensor([7, -7]) / ember.tensor([2, 2])
    assert out.dtype == ember.float32 and out.tolist() == [3.5, -3.5]


def test_mixed_promotion():
    i = ember.tensor([1, 2, 3])
    f = ember.tensor([0.5, 0.5, 0.5], dtype=ember.float16)
    assert (i * f).dtype == ember.float16
    assert (i * 2.5).dtype == ember.float32
    assert (i * 2).dtype == ember.int64
    assert (f * 2.5).dtype == ember.float16
    d = ember.tensor([1.0], dtype=ember.float64)
    assert (d * 0.1).item() == 0.1  # Python floats are not rounded through float32


def test_float_floor_division_and_remainder_follow_python():
    a = [5.5, -5.5, 5.5, -5.5, -2.0, 2.0, 0.3, 1e-20]
    b = [2.0, 2.0, -2.0, -2.0, 2.0, -2.0, 0.1, -1.0]
    ta, tb = ember.tensor(a, dtype=ember.float64), ember.tensor(b, dtype=ember.float64)
    assert (ta // tb).tolist() == [x // y for x, y in zip(a, b)]
    r = (ta % tb).tolist()
    expected = [x % y for x, y in zip(a, b)]
    np.testing.assert_allclose(r, expected, rtol=1e-12)
    assert [np.copysign(1, v) for v in r] == [np.copysign(1, v) for v in expected]


def test_division_by_zero_floats():
    a = ember.tensor([1.0, -1.0, 0.0])
    z = ember.tensor([0.0, 0.0, 0.0])
    out = (a / z).tolist()
    assert out[0] == np.inf and out[1] == -np.inf and np.isnan(out[2])
    assert np.isnan((a % z).tolist()).all()
    assert (a // z).tolist()[:2] == [np.inf, -np.inf]


@pytest.mark.parametrize("fn,name", [(ember.floor_divide, "floor_divide"),
                                     (ember.remainder, "remainder"), (ember.fmod, "fmod"),
                                     (lambda a, b: ember.div(a, b, rounding_mode="trunc"),
                                      "trunc_divide")])
def test_error_integer_division_by_zero(fn, name):
    with pytest.raises(RuntimeError, match=rf"\[{name}\] integer division by zero.*int64"):
        fn(ember.tensor([1, 2]), ember.tensor([1, 0]))


def test_integer_division_by_minus_one_does_not_trap():
    imin = np.iinfo(np.int64).min
    t = ember.tensor(np.array([imin, 5]))
    assert (t // -1).tolist() == [imin, -5]
    assert (t % -1).tolist() == [0, 0]
    assert ember.fmod(t, -1).tolist() == [0, 0]


# ---- pow ----

@pytest.mark.parametrize("e", [2, 3, 0.5, -1, -2, -0.5, 0, 1, 1.7, -2.3])
def test_pow_scalar_exponents(e):
    x = rand(4, 5, low=0.2, high=3.0)
    check_forward(lambda t: t ** e, lambda a: np.power(a, e), x, rtol=1e-6)
    check_forward(lambda t: ember.pow(t, e), lambda a: np.power(a, e), x, dtype=ember.float64,
                  rtol=1e-13)
    if e != 0:
        gradcheck(lambda t: t ** e, x)


def test_square_is_exact():
    x = rand(1000, dtype=np.float32, seed=3)
    np.testing.assert_array_equal((ember.tensor(x) ** 2).numpy(), x * x)
    np.testing.assert_array_equal(ember.from_numpy(x[::3]).pow(2).numpy(), x[::3] * x[::3])


def test_pow_integer_dtypes():
    i = ember.tensor([-3, -1, 0, 2, 5])
    out = i ** 2
    assert out.dtype == ember.int64 and out.tolist() == [9, 1, 0, 4, 25]
    assert (i ** 3).tolist() == [-27, -1, 0, 8, 125]
    assert (i ** 2.0).dtype == ember.float32
    e = ember.tensor([2, 3, 0, 10, 1])
    assert (i ** e).tolist() == [9, -1, 1, 1024, 5]
    assert (ember.tensor([1, -1, -1, 2]) ** ember.tensor([-2, -3, -2, -1])).tolist() == [1, -1, 1, 0]
    assert (2 ** ember.tensor([0, 3])).tolist() == [1, 8]
    assert (2 ** ember.tensor([0, 3])).dtype == ember.int64


def test_float_power_and_sub_alpha():
    x = rand(3, 4, low=0.5, high=2.0, dtype=np.float32)
    out = ember.float_power(ember.tensor(x), 2.5)
    assert out.dtype == ember.float64
    assert_close(out, np.power(x.astype(np.float64), 2.5), rtol=1e-12)
    assert ember.tensor([2, 3]).float_power(ember.tensor([2, 0])).tolist() == [4.0, 1.0]
    a, b = ember.tensor([5.0, 6.0]), ember.tensor([1.0, 2.0])
    assert ember.sub(a, b, alpha=2).tolist() == [3.0, 2.0]
    assert a.sub(b, alpha=0.5).tolist() == [4.5, 5.0]
    assert ember.add(a, b, alpha=-1).tolist() == [4.0, 4.0]


def test_rpow_and_scalar_base():
    x = rand(3, 4)
    check_forward(lambda t: 2.0 ** t, lambda a: 2.0 ** a, x)
    check_forward(lambda t: ember.pow(3, t), lambda a: 3.0 ** a, x)
    gradcheck(lambda t: 1.5 ** t, x)


def test_pow_tensor_tensor_gradients_with_broadcast():
    a = np.abs(rand(3, 4)) + 0.2
    b = rand(4, seed=2)
    gradcheck(ember.pow, a, b)


def test_pow_gradient_at_zero_base_like_torch():
    x = ember.tensor([0.0, 0.0, 2.0], dtype=ember.float64, requires_grad=True)
    y = ember.tensor([2.0, 0.0, 0.0], dtype=ember.float64, requires_grad=True)
    (x ** y).backward(ember.tensor([1.0, 1.0, 1.0], dtype=ember.float64))
    assert x.grad.tolist() == [0.0, 0.0, 0.0]
    assert y.grad.tolist()[:2] == [0.0, 0.0]
    assert abs(y.grad.tolist()[2] - np.log(2.0)) < 1e-12


def test_error_int_pow_negative_scalar():
    with pytest.raises(ValueError, match=r"\[pow\] integers to negative integer powers.*int64"):
        ember.tensor([2, 3]) ** -1


def test_inplace_pow_and_operators():
    t = ember.tensor([1.0, 2.0, 3.0])
    r = t.pow_(2)
    assert r is t and t.tolist() == [1.0, 4.0, 9.0]
    t **= 0.5
    assert t.tolist() == [1.0, 2.0, 3.0]
    t.pow_(ember.tensor([2.0, 2.0, 1.0]))
    assert t.tolist() == [1.0, 4.0, 3.0]
    u = ember.tensor([7, -7, 9])
    u //= 2
    assert u.tolist() == [3, -4, 4]
    u %= 3
    assert u.tolist() == [0, 2, 1]
    assert (7 // ember.tensor([2, -2])).tolist() == [3, -4]
    assert (7 % ember.tensor([3, -3])).tolist() == [1, -2]
    assert ember.tensor([5.0]).div(2, rounding_mode="floor").tolist() == [2.0]
    v = ember.tensor([-5.0, 5.0])
    assert v.div_(2, rounding_mode="trunc") is v and v.tolist() == [-2.0, 2.0]


# ---- gradients ----

GRAD_OPS = ["add", "sub", "mul", "div", "maximum", "minimum", "remainder", "fmod"]


@pytest.mark.parametrize("name", GRAD_OPS)
@pytest.mark.parametrize("shapes", [((3, 4), (3, 4)), ((2, 3, 1), (4,))])
def test_gradcheck(name, shapes):
    fn, _ = OPS[name]
    a, b = _pair(name, *shapes, seed=4)
    if name in ("remainder", "fmod"):  # stay away from the jumps
        a = np.floor(a * 3) / 3 + 0.15
        b = np.where(b > 0, 0.9, -0.9)
    gradcheck(fn, a, b)


def test_rounded_division_has_zero_gradient():
    x = ember.tensor([1.5, -2.5], dtype=ember.float64, requires_grad=True)
    y = ember.tensor([0.7, 0.9], dtype=ember.float64, requires_grad=True)
    ember.floor_divide(x, y).backward(ember.tensor([1.0, 1.0], dtype=ember.float64))
    assert x.grad.tolist() == [0.0, 0.0] and y.grad.tolist() == [0.0, 0.0]


def test_maximum_minimum_split_gradient_on_ties():
    for fn in (ember.maximum, ember.minimum):
        x = ember.tensor([1.0, 2.0, 3.0], dtype=ember.float64, requires_grad=True)
        y = ember.tensor([1.0, 5.0, 0.0], dtype=ember.float64, requires_grad=True)
        fn(x, y).backward(ember.tensor([1.0, 1.0, 1.0], dtype=ember.float64))
        if fn is ember.maximum:
            assert x.grad.tolist() == [0.5, 0.0, 1.0] and y.grad.tolist() == [0.5, 1.0, 0.0]
        else:
            assert x.grad.tolist() == [0.5, 1.0, 0.0] and y.grad.tolist() == [0.5, 0.0, 1.0]


def test_maximum_propagates_nan():
    out = ember.maximum(ember.tensor([np.nan, 1.0]), ember.tensor([0.0, np.nan]))
    assert np.isnan(out.tolist()).all()
    out = ember.minimum(ember.tensor([np.nan, 1.0]), ember.tensor([0.0, np.nan]))
    assert np.isnan(out.tolist()).all()


def _first_derivatives(fn):
    def d(x, y):
        x = x if x.requires_grad else x.detach().requires_grad_(True)
        y = y if y.requires_grad else y.detach().requires_grad_(True)
        ones = ember.tensor(np.ones(fn(x, y).shape), dtype=x.dtype)
        gx, gy = ember.autograd.grad(fn(x, y), (x, y), grad_outputs=ones, create_graph=True)
        return gx * 1.3 + gy
    return d


@pytest.mark.parametrize("name", ["mul", "div", "pow"])
def test_second_order(name):
    fn, _ = OPS[name]
    a, b = _pair(name, (2, 3), (2, 3), seed=9)
    gradcheck(_first_derivatives(fn), a, b, rtol=1e-4, atol=1e-5)


# ---- errors ----

def test_error_broadcast_names_op_and_shapes():
    with pytest.raises(ValueError, match=r"\[maximum\].*\[2, 3\].*\[4\]"):
        ember.maximum(ember.tensor(np.ones((2, 3))), ember.tensor(np.ones(4)))


def test_error_bad_rounding_mode():
    with pytest.raises(ValueError, match=r"\[div\] rounding_mode.*'round'"):
        ember.div(ember.tensor([1.0]), ember.tensor([2.0]), rounding_mode="round")


def test_error_non_tensor_operand():
    with pytest.raises(TypeError, match=r"\[remainder\].*str"):
        ember.remainder(ember.tensor([1.0]), "a")


def test_error_inplace_result_does_not_fit():
    t = ember.tensor([1, 2])
    with pytest.raises(TypeError, match=r"\[pow_\].*float32.*int64"):
        t.pow_(0.5)


# ---- PyTorch parity ----

TORCH = {
    "add": torch.add if torch else None, "sub": torch.sub if torch else None,
    "mul": torch.mul if torch else None, "div": torch.div if torch else None,
    "pow": torch.pow if torch else None, "maximum": torch.maximum if torch else None,
    "minimum": torch.minimum if torch else None, "remainder": torch.remainder if torch else None,
    "fmod": torch.fmod if torch else None, "floor_divide": torch.floor_divide if torch else None,
}


@requires_torch
@pytest.mark.parametrize("name", sorted(TORCH))
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
def test_torch_parity(name, dtype):
    if dtype == "int64" and name in ("div", "pow"):
        a = np.array([[3, -4, 5], [2, 7, -1]], dtype=dtype)
        b = np.array([2, 3, 1], dtype=dtype)
    elif dtype == "int64":
        a = np.array([[7, -7, 5], [-6, 0, 9]], dtype=dtype)
        b = np.array([2, -3, 4], dtype=dtype)
    else:
        a, b = _pair(name, (2, 3), (3,), dtype=np.dtype(dtype), seed=13)
    ours = OPS[name][0](ember.from_numpy(a), ember.from_numpy(b))
    theirs = TORCH[name](torch.from_numpy(a), torch.from_numpy(b))
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    tol = 1e-6 if dtype == "float32" else 1e-12
    assert_close(ours, theirs.numpy(), rtol=tol, atol=tol)


@requires_torch
@pytest.mark.parametrize("name", GRAD_OPS + ["pow"])
def test_torch_gradient_parity(name):
    a, b = _pair(name, (3, 4), (4,), seed=21)
    if name in ("maximum", "minimum"):
        b[1] = a[0, 1]  # a tie
    g = rand(3, 4, seed=22)
    ta = ember.tensor(a, dtype=ember.float64, requires_grad=True)
    tb = ember.tensor(b, dtype=ember.float64, requires_grad=True)
    OPS[name][0](ta, tb).backward(ember.tensor(g, dtype=ember.float64))
    xa, xb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    TORCH[name](xa, xb).backward(torch.tensor(g))
    assert_close(ta.grad, xa.grad.numpy(), rtol=1e-10, atol=1e-12)
    assert_close(tb.grad, xb.grad.numpy(), rtol=1e-10, atol=1e-12)
