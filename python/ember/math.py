"""``tf.math``-style names (``import ember as tf; tf.math.reduce_sum(x)``), mapped onto
Ember's ops."""

from . import _C
from ._tf_compat import (reduce_all, reduce_any, reduce_logsumexp, reduce_max,  # noqa: F401
                         reduce_mean, reduce_min, reduce_prod, reduce_std, reduce_sum,
                         reduce_variance, convert_to_tensor as _t)


def _binary(fn):
    def op(x, y, name=None):
        return fn(_t(x), y)
    return op


def _unary(fn):
    def op(x, name=None):
        return fn(_t(x))
    return op


add = _binary(_C.add)
subtract = _binary(_C.sub)
multiply = _binary(_C.mul)
divide = _binary(_C.div)
truediv = divide
pow = _binary(_C.pow)  # noqa: A001 - TF's name
maximum = _binary(_C.maximum)
minimum = _binary(_C.minimum)
equal = _binary(_C.eq)
not_equal = _binary(_C.ne)
greater = _binary(_C.gt)
greater_equal = _binary(_C.ge)
less = _binary(_C.lt)
less_equal = _binary(_C.le)
logical_and = _binary(_C.logical_and)
logical_or = _binary(_C.logical_or)
atan2 = _binary(_C.atan2)
squared_difference = _binary(lambda x, y: (x - y) * (x - y))

negative = _unary(_C.neg)
abs = _unary(_C.abs)  # noqa: A001
exp = _unary(_C.exp)
log = _unary(_C.log)
log1p = _unary(_C.log1p)
sqrt = _unary(_C.sqrt)
rsqrt = _unary(_C.rsqrt)
square = _unary(_C.square)
sign = _unary(_C.sign)
floor = _unary(_C.floor)
ceil = _unary(_C.ceil)
round = _unary(_C.round)  # noqa: A001
sin = _unary(_C.sin)
cos = _unary(_C.cos)
tanh = _unary(_C.tanh)
sigmoid = _unary(_C.sigmoid)
softplus = _unary(_C.softplus)
logical_not = _unary(_C.logical_not)
is_nan = _unary(_C.isnan)
is_finite = _unary(_C.isfinite)
is_inf = _unary(_C.isinf)


def argmax(input, axis=None, output_type=None, name=None):  # noqa: A002
    return _C.argmax(_t(input), 0 if axis is None else int(axis))


def argmin(input, axis=None, output_type=None, name=None):  # noqa: A002
    return _C.argmin(_t(input), 0 if axis is None else int(axis))


def cumsum(x, axis=0, name=None):
    return _C.cumsum(_t(x), int(axis))


def reduce_euclidean_norm(input_tensor, axis=None, keepdims=False, name=None):
    return sqrt(reduce_sum(square(input_tensor), axis, keepdims))
