"""Activation functions under their PyTorch names, composed from existing ops (so autograd
and tracing come for free)."""

from .. import _C

__all__ = ["mish", "hardswish", "hardsigmoid", "softsign", "tanhshrink", "logsigmoid",
           "selu", "celu", "glu", "softmin", "threshold", "prelu", "softshrink", "hardshrink"]

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def mish(input, inplace=False):
    return input * _C.tanh(_C.softplus(input))


def hardsigmoid(input, inplace=False):
    return _C.relu6(input + 3.0) / 6.0


def hardswish(input, inplace=False):
    return input * (_C.relu6(input + 3.0) / 6.0)


def softsign(input):
    return input / (input.abs() + 1.0)


def tanhshrink(input):
    return input - _C.tanh(input)


def logsigmoid(input):
    return -_C.softplus(-input)


def selu(input, inplace=False):
    return _C.elu(input, _SELU_ALPHA) * _SELU_SCALE


def celu(input, alpha=1.0, inplace=False):
    if alpha == 0:
        raise ValueError("[celu] alpha must not be 0")
    return _C.elu(input / alpha, 1.0) * alpha


def glu(input, dim=-1):
    """a * sigmoid(b), where a and b are the two halves of `input` along `dim`."""
    if input.dim() == 0 or input.shape[dim] % 2:
        raise ValueError(f"[glu] dim {dim} of shape {tuple(input.shape)} must have an even size")
    a, b = _C.chunk(input, 2, dim)
    return a * _C.sigmoid(b)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = 0 if input.dim() in (0, 1, 3) else 1  # PyTorch's legacy implicit choice
    if dtype is not None:
        input = input._to_dtype(dtype)
    return _C.softmax(-input, dim)


def threshold(input, threshold, value, inplace=False):
    """input where input > threshold, else value."""
    return _C.where(input > threshold, input, _C.full_like(input, value))


def prelu(input, weight):
    """max(0, x) + weight * min(0, x), weight per channel (dim 1) or a single value."""
    w = weight
    if weight.numel() > 1:
        if input.dim() < 2 or input.shape[1] != weight.numel():
            raise ValueError(f"[prelu] weight of {weight.numel()} values needs input with that "
                             f"many channels (dim 1), got shape {tuple(input.shape)}")
        w = weight.reshape(-1, *[1] * (input.dim() - 2))
    return _C.where(input >= 0, input, input * w)


def softshrink(input, lambd=0.5):
    """x - lambd above lambd, x + lambd below -lambd, 0 between."""
    zero = _C.zeros_like(input)
    return _C.where(input > lambd, input - lambd, _C.where(input < -lambd, input + lambd, zero))


def hardshrink(input, lambd=0.5):
    """x where |x| > lambd, else 0."""
    return _C.where(input.abs() > lambd, input, _C.zeros_like(input))
