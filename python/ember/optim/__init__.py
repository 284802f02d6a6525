"""ember.optim: SGD, Adam, AdamW, RMSprop, Adagrad (torch.optim). The update math is C++
ops on the parameters; this package gives the PyTorch signatures and param_groups dicts."""

from . import lr_scheduler  # noqa: F401
from .optimizer import Adagrad, Adam, AdamW, Optimizer, RMSprop, SGD  # noqa: F401
from .extra_optimizers import Adadelta, Adamax, NAdam, RAdam  # noqa: F401
from .lbfgs import LBFGS  # noqa: E402,F401
from . import swa_utils  # noqa: E402,F401
