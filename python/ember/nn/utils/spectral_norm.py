"""torch.nn.utils.spectral_norm / remove_spectral_norm: weight = weight_orig / sigma, sigma
estimated by power iteration on buffers <name>_u and <name>_v (updated in training mode
only), as in PyTorch."""

from ... import _C
from ..._grad_mode import no_grad
from .. import functional as F
from ..parameter import Parameter
from . import _reparametrize

__all__ = ["spectral_norm", "remove_spectral_norm", "weight_as_matrix"]

_TRANSPOSED = ("ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d")


def weight_as_matrix(weight, dim):
    """weight with `dim` moved first and the other dims flattened: (shape[dim], -1)."""
    if dim != 0:
        weight = weight.movedim(dim, 0)
    return weight.reshape(weight.shape[0], -1)


def default_dim(module):
    return 1 if type(module).__name__ in _TRANSPOSED else 0


class _SpectralNormState:
    def __init__(self, name, n_power_iterations, dim, eps):
        if n_power_iterations <= 0:
            raise ValueError(f"[spectral_norm] expected n_power_iterations to be positive, got "
                             f"{n_power_iterations}")
        self.name, self.n, self.dim, self.eps = name, n_power_iterations, dim, eps

    def compute(self, module):
        weight = getattr(module, self.name + "_orig")
        u, v = getattr(module, self.name + "_u"), getattr(module, self.name + "_v")
        mat = weight_as_matrix(weight, self.dim)
        if module.training:
            with no_grad():
                for _ in range(self.n):
                    v.copy_(F.normalize(_C.mv(mat.t(), u), dim=0, eps=self.eps))
                    u.copy_(F.normalize(_C.mv(mat, v), dim=0, eps=self.eps))
        u, v = u.clone(), v.clone()
        sigma = _C.dot(u, _C.mv(mat, v))
        return weight / sigma


def spectral_norm(module, name="weight", n_power_iterations=1, eps=1e-12, dim=None):
    if dim is None:
        dim = default_dim(module)
    state = _SpectralNormState(name, n_power_iterations, dim, eps)
    weight = getattr(module, name)
    with no_grad():
        mat = weight_as_matrix(weight, dim)
        h, w = mat.shape
        u = F.normalize(_C.randn(h, dtype=weight.dtype, device=weight.device), dim=0, eps=eps)
        v = F.normalize(_C.randn(w, dtype=weight.dtype, device=weight.device), dim=0, eps=eps)
    delattr(module, name)
    setattr(module, name + "_orig", Parameter(weight.detach()))
    module.register_buffer(name + "_u", u)
    module.register_buffer(name + "_v", v)
    _reparametrize.install(module, name, state.compute)
    module.__dict__.setdefault("_ember_spectral_norm", {})[name] = state
    return module


def remove_spectral_norm(module, name="weight"):
    states = module.__dict__.get("_ember_spectral_norm", {})
    if name not in states:
        raise ValueError(f"[remove_spectral_norm] spectral_norm of {name!r} not found in "
                         f"{type(module).__name__}")
    state = states.pop(name)
    training = module.training
    module.training = False   # no power iteration for the final weight
    with no_grad():
        weight = state.compute(module).detach()
    module.training = training
    _reparametrize.uninstall(module, name, "remove_spectral_norm")
    for suffix in ("_orig", "_u", "_v"):
        delattr(module, name + suffix)
    setattr(module, name, Parameter(weight))
    return module
