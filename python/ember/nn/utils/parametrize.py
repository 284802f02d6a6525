"""torch.nn.utils.parametrize: register_parametrization, remove_parametrizations,
is_parametrized. The parametrized tensor's originals live in
module.parametrizations.<name>.original (or original0, original1, ... when the first
parametrization's right_inverse returns a tuple), PyTorch's state-dict names; the tensor
is recomputed at each forward call (see _reparametrize for why not at each access)."""

from ..._grad_mode import no_grad
from ..modules.container import ModuleDict
from ..modules.module import Module
from ..parameter import Parameter
from . import _reparametrize

__all__ = ["register_parametrization", "remove_parametrizations", "is_parametrized",
           "ParametrizationList"]


class ParametrizationList(Module):
    """The chain of parametrizations of one tensor (children "0", "1", ...) and its
    original tensor(s)."""

    def __init__(self, modules, original):
        super().__init__()
        self._count = 0
        for m in modules:
            self.append(m)
        self._n_originals = len(original) if isinstance(original, tuple) else 0
        if self._n_originals:
            for i, t in enumerate(original):
                setattr(self, f"original{i}", Parameter(t.detach().clone(),
                                                        requires_grad=t.requires_grad))
        else:
            self.original = Parameter(original.detach().clone(),
                                      requires_grad=original.requires_grad)

    def append(self, module):
        self.add_module(str(self._count), module)
        self._count += 1

    def __len__(self):
        return self._count

    def __getitem__(self, i):
        return getattr(self, str(range(self._count)[i]))

    def forward(self):
        if self._n_originals:
            x = self[0](*(getattr(self, f"original{i}") for i in range(self._n_originals)))
        else:
            x = self[0](self.original)
        for i in range(1, self._count):
            x = self[i](x)
        return x


def is_parametrized(module, tensor_name=None):
    plists = module.__dict__.get("_ember_parametrized", set())
    return bool(plists) if tensor_name is None else tensor_name in plists


def register_parametrization(module, tensor_name, parametrization, *, unsafe=False):
    if is_parametrized(module, tensor_name):
        module.parametrizations[tensor_name].append(parametrization)
        return module
    original = getattr(module, tensor_name, None)
    if original is None or tensor_name not in dict(module.named_parameters(recurse=False)):
        raise ValueError(f"[register_parametrization] {type(module).__name__} has no parameter "
                         f"{tensor_name!r}")
    with no_grad():
        inverse = getattr(parametrization, "right_inverse", None)
        value = inverse(original) if inverse is not None else original
    if isinstance(value, tuple):
        value = tuple(v.requires_grad_(original.requires_grad) if v.is_leaf else v
                      for v in value)
    plist = ParametrizationList([parametrization], value)
    delattr(module, tensor_name)
    if "parametrizations" not in dict(module.named_children()):
        module.parametrizations = ModuleDict()
    module.parametrizations[tensor_name] = plist
    module.__dict__.setdefault("_ember_parametrized", set()).add(tensor_name)
    _reparametrize.install(module, tensor_name,
                           lambda m: m.parametrizations[tensor_name]())
    return module


def remove_parametrizations(module, tensor_name, leave_parametrized=True):
    if not is_parametrized(module, tensor_name):
        raise ValueError(f"[remove_parametrizations] {type(module).__name__} has no "
                         f"parametrization on {tensor_name!r}")
    plist = module.parametrizations[tensor_name]
    with no_grad():
        if leave_parametrized:
            value = plist().detach()
        elif plist._n_originals:
            raise ValueError("[remove_parametrizations] cannot leave_parametrized=False when "
                             "the parametrization has several original tensors")
        else:
            value = plist.original.detach()
    _reparametrize.uninstall(module, tensor_name, "remove_parametrizations")
    module.__dict__["_ember_parametrized"].discard(tensor_name)
    delattr(module.parametrizations, tensor_name)
    if not module.__dict__["_ember_parametrized"]:
        delattr(module, "parametrizations")
    setattr(module, tensor_name, Parameter(value))
    return module
