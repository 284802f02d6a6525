"""torch.nn.utils.weight_norm / remove_weight_norm: weight = g * v / ||v||, the norm taken
over every dim except `dim`; parameters <name>_g and <name>_v as in PyTorch."""

from ..._grad_mode import no_grad
from ..parameter import Parameter
from . import _reparametrize

__all__ = ["weight_norm", "remove_weight_norm", "norm_except_dim", "weight_from_g_v"]


def norm_except_dim(v, pow=2, dim=0):
    """The p-norm of v over all dims but `dim` (kept with size 1 elsewhere); dim=-1 (or None)
    takes the norm of the whole tensor (0-d)."""
    if dim is None or dim == -1:
        return v.norm(pow)
    dim = dim % v.dim()
    moved = v.movedim(dim, 0).reshape(v.shape[dim], -1)
    shape = [1] * v.dim()
    shape[dim] = v.shape[dim]
    return moved.norm(pow, dim=1).reshape(shape)


def weight_from_g_v(g, v, dim):
    return v * (g / norm_except_dim(v, 2, dim))


def weight_norm(module, name="weight", dim=0):
    """Replaces module.<name> by <name>_g (magnitude) and <name>_v (direction); the weight
    is recomputed at each forward call."""
    dim = -1 if dim is None else dim
    weight = getattr(module, name)
    if weight is None:
        raise ValueError(f"[weight_norm] {type(module).__name__} has no {name!r} parameter")
    with no_grad():
        g, v = norm_except_dim(weight, 2, dim).detach(), weight.detach()
    delattr(module, name)
    setattr(module, name + "_g", Parameter(g.clone()))
    setattr(module, name + "_v", Parameter(v.clone()))
    _reparametrize.install(module, name, lambda m: weight_from_g_v(
        getattr(m, name + "_g"), getattr(m, name + "_v"), dim))
    module.__dict__.setdefault("_ember_weight_norm", {})[name] = dim
    return module


def remove_weight_norm(module, name="weight"):
    dims = module.__dict__.get("_ember_weight_norm", {})
    if name not in dims:
        raise ValueError(f"[remove_weight_norm] weight_norm of {name!r} not found in "
                         f"{type(module).__name__}")
    with no_grad():
        weight = weight_from_g_v(getattr(module, name + "_g"), getattr(module, name + "_v"),
                                 dims.pop(name)).detach()
    _reparametrize.uninstall(module, name, "remove_weight_norm")
    delattr(module, name + "_g")
    delattr(module, name + "_v")
    setattr(module, name, Parameter(weight))
    return module
