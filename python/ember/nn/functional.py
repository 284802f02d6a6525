"""ember.nn.functional (torch.nn.functional): the C++ functional forms of layers and
losses, and the activation ops."""

from .. import _C

_F = _C.nn.functional
globals().update({k: getattr(_F, k) for k in dir(_F) if not k.startswith("_")})



def _with_inplace(op, name):
    """op plus PyTorch's `inplace=` flag: True writes the result into the input, unless the
    input records autograd history (some of these ops keep their input for backward, and
    overwriting it would break the gradient): then the result is returned out of place."""
    def fn(input, *args, inplace=False, **kwargs):
        out = op(input, *args, **kwargs)
        if inplace and not (input.requires_grad and _C.is_grad_enabled()):
            return input.copy_(out)
        return out
    fn.__name__, fn.__doc__ = name, op.__doc__
    return fn


relu = _with_inplace(_C.relu, "relu")
relu6 = _with_inplace(_C.relu6, "relu6")
gelu = _C.gelu
silu = _with_inplace(_C.silu, "silu")
sigmoid = _C.sigmoid
tanh = _C.tanh
softplus = _C.softplus
leaky_relu = _with_inplace(_C.leaky_relu, "leaky_relu")
elu = _with_inplace(_C.elu, "elu")
hardtanh = _with_inplace(_C.hardtanh, "hardtanh")
softmax = _C.softmax
log_softmax = _C.log_softmax
one_hot = _C.one_hot
pad = _C.pad

# PyTorch names composed in Python, grouped by theme.
from .functional_activation import *  # noqa: E402,F401,F403
from .functional_attention import *  # noqa: E402,F401,F403
from .functional_distance import *  # noqa: E402,F401,F403
from .functional_losses import *  # noqa: E402,F401,F403
from .functional_vision import *  # noqa: E402,F401,F403


def relu_(x):
    return x.relu_()
from .functional_conv import *  # noqa: E402,F401,F403
from .functional_sparse import *  # noqa: E402,F401,F403
