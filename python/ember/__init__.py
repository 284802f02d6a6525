"""Ember: a deep-learning framework with an eager mode (autograd, like PyTorch) and a
tracing mode (graphs, like tf.function), over one set of ops written in C++."""

from . import _C
from ._C import Tensor, device, dtype, from_dlpack, from_numpy  # noqa: F401
from ._C import is_grad_enabled  # noqa: F401
from ._dtypes import *  # noqa: F401,F403
from ._tensor_api import *  # noqa: F401,F403
from ._grad_mode import (enable_grad, inference_mode, is_inference_mode_enabled,  # noqa: F401
                         no_grad, set_grad_enabled)
from . import autograd  # noqa: F401
from .serialization import load, save  # noqa: F401
from ._function import Function, TensorSpec, cond, function, load_function  # noqa: F401
from . import random  # noqa: F401
from . import cuda  # noqa: F401

__version__ = "0.1.0"


def _export_ops():
    """Expose every op function the C++ extension binds as ember.<name>."""
    g = globals()
    for name in dir(_C):
        obj = getattr(_C, name)
        if name.startswith("_") or name in g or type(obj).__name__ == "module":
            continue
        g[name] = getattr(_C, name)


_export_ops()
del _export_ops
# PyTorch names composed in Python (einsum, compile, autocast, kron, meshgrid, ...).
from .torch_names import *  # noqa: E402,F401,F403
from . import amp  # noqa: E402,F401  (torch.amp: autocast, GradScaler as float32 no-ops)
# Everyday torch names (where(cond), median, finfo, atan2, ...) and torch.backends switches.
from .script_ops import *  # noqa: E402,F401,F403
from .script_ops import torch_max as max, torch_min as min  # noqa: E402,F401,A001
from . import backends, distributions, linalg, testing  # noqa: E402,F401
from .linalg import det, inv as inverse, slogdet  # noqa: E402,F401
from . import _tensor_script_methods  # noqa: E402,F401
cuda.amp = amp  # torch.cuda.amp.autocast / GradScaler

from . import nn  # noqa: E402,F401  (after the ops: nn builds on them)
from . import optim  # noqa: E402,F401
from . import utils  # noqa: E402,F401
from . import datasets  # noqa: E402,F401
from . import keras  # noqa: E402,F401  (after nn, optim: keras builds on them)
# TensorFlow-style names (tf.constant, tf.GradientTape, tf.reduce_mean, tf.math, tf.data).
from ._tf_compat import *  # noqa: E402,F401,F403
from . import data, math  # noqa: E402,F401
from ._printoptions import get_printoptions, set_printoptions  # noqa: E402,F401
