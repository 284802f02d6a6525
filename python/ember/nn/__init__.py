"""ember.nn: modules, layers, losses (PyTorch's torch.nn)."""

from .parameter import Buffer, Parameter  # noqa: F401
from .modules.module import Module  # noqa: F401
from .modules.container import ModuleDict, ModuleList, Sequential  # noqa: F401
