"""ember.nn.functional (torch.nn.functional): the C++ functional forms of layers and
losses, and the activation ops."""

from .. import _C

_F = _C.nn.functional
globals().update({k: getattr(_F, k) for k in dir(_F) if not k.startswith("_")})

relu = _C.relu
relu6 = _C.relu6
gelu = _C.gelu
silu = _C.silu
sigmoid = _C.sigmoid
tanh = _C.tanh
softplus = _C.softplus
leaky_relu = _C.leaky_relu
elu = _C.elu
hardtanh = _C.hardtanh
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
