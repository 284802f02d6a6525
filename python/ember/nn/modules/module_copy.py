"""copy.deepcopy for ember modules and tensors (what AveragedModel, EMA and target
networks need). The C++ objects cannot be pickled, so a copy is rebuilt: a C++ layer is
constructed again from its hyperparameters (read back from the attributes named like its
constructor's arguments), a Python module from its class and __dict__; then every
parameter, buffer and child is copied into it."""

import copy
import re

from ... import _C

__all__ = ["deepcopy_tensor", "deepcopy_module"]

_SKIP = {"_parameters", "_buffers", "_modules"}
_ARG = re.compile(r"(\w+): ([^=,]+?)(?: = [^,]+)?(?:, |\) ->)")


def deepcopy_tensor(t, memo):
    if id(t) in memo:
        return memo[id(t)]
    new = t.detach().clone()
    if getattr(t, "_is_parameter", False):
        new = type(t)(new, requires_grad=t.requires_grad)
    elif t.requires_grad:
        new.requires_grad_(True)
    memo[id(t)] = new
    return new


def _constructor_args(module):
    """kwargs for type(module)(...) from a pybind __init__ signature."""
    cls = type(module)
    doc = (cls.__init__.__doc__ or "").split("\n")[0]
    if not doc.startswith("__init__(") or "Overloaded" in doc:
        return None
    kwargs = {}
    for name, annotation in _ARG.findall(doc[len("__init__("):]):
        if name == "bias" and annotation.strip() == "bool":
            # bias=True/False: whether the layer holds bias parameters
            kwargs[name] = any("bias" in n for n, _ in module._named_parameters_direct())
        elif name not in ("self", "device", "dtype") and hasattr(module, name):
            kwargs[name] = getattr(module, name)
    return kwargs


def _blank_copy(module):
    cls = type(module)
    if cls.__module__.startswith("ember._C"):
        if module._named_children() and not module._named_parameters_direct():
            return cls()                        # a container: children are added below
        kwargs = _constructor_args(module)
        if kwargs is None:
            raise TypeError(f"[deepcopy] cannot rebuild a {cls.__name__}")
        return cls(**kwargs)
    new = cls.__new__(cls)
    _C.nn.Module.__init__(new)
    return new


def deepcopy_module(module, memo):
    if id(module) in memo:
        return memo[id(module)]
    reparametrized = bool(module.__dict__.get("_ember_reparametrizations"))
    if "forward" in module.__dict__ and not reparametrized:
        raise TypeError(f"[deepcopy] cannot copy a {type(module).__name__} whose forward was "
                        f"replaced by an instance attribute")
    new = _blank_copy(module)
    memo[id(module)] = new
    for k, v in module.__dict__.items():
        if k not in _SKIP and not (reparametrized and k == "forward"):
            object.__setattr__(new, k, copy.deepcopy(v, memo))
    persistent = {k for k in module.state_dict(keep_vars=True) if "." not in k}
    for name, p in module._named_parameters_direct():
        if p is None:
            new.register_parameter(name, None)
        else:
            setattr(new, name, deepcopy_tensor(p, memo))
    existing = {n for n, _ in new._named_buffers_direct()}
    for name, b in module._named_buffers_direct():
        b = None if b is None else deepcopy_tensor(b, memo)
        if name in existing:
            setattr(new, name, b)
        else:
            new.register_buffer(name, b, persistent=name in persistent)
    for name, child in module._named_children():
        setattr(new, name, deepcopy_module(child, memo))
    new.train(module.training)
    if reparametrized:   # weight_norm / spectral_norm / parametrizations: wrap the copy's forward
        from ..utils import _reparametrize
        _reparametrize.reinstall_on_copy(new)
    return new
