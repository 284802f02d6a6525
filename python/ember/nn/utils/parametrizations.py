"""torch.nn.utils.parametrizations.weight_norm and spectral_norm: the same math as the
hook-based nn.utils.weight_norm / spectral_norm, stored as parametrizations (state-dict
names parametrizations.weight.original0/1, or .original and .0._u / .0._v)."""

from ... import _C
from ..._grad_mode import no_grad
from .. import functional as F
from ..modules.module import Module
from . import parametrize
from .spectral_norm import default_dim, weight_as_matrix
from .weight_norm import norm_except_dim, weight_from_g_v

__all__ = ["weight_norm", "spectral_norm"]


class _WeightNorm(Module):
    def __init__(self, dim=0):
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g, weight_v):
        return weight_from_g_v(weight_g, weight_v, self.dim)

    def right_inverse(self, weight):
        return norm_except_dim(weight, 2, self.dim), weight


class _SpectralNorm(Module):
    def __init__(self, weight, n_power_iterations=1, dim=0, eps=1e-12):
        super().__init__()
        if n_power_iterations <= 0:
            raise ValueError(f"[spectral_norm] expected n_power_iterations to be positive, got "
                             f"{n_power_iterations}")
        self.ndim = weight.dim()
        self.dim = dim % self.ndim if self.ndim else 0
        self.eps, self.n_power_iterations = eps, n_power_iterations
        if self.ndim > 1:
            with no_grad():
                mat = weight_as_matrix(weight, self.dim)
                h, w = mat.shape
                kw = dict(dtype=weight.dtype, device=weight.device)
                self.register_buffer("_u", F.normalize(_C.randn(h, **kw), dim=0, eps=eps))
                self.register_buffer("_v", F.normalize(_C.randn(w, **kw), dim=0, eps=eps))
            self._power_method(mat, 15)

    def _power_method(self, mat, n):
        with no_grad():
            for _ in range(n):
                self._u.copy_(F.normalize(_C.mv(mat, self._v), dim=0, eps=self.eps))
                self._v.copy_(F.normalize(_C.mv(mat.t(), self._u), dim=0, eps=self.eps))

    def forward(self, weight):
        if self.ndim == 1:
            return F.normalize(weight, dim=0, eps=self.eps)
        mat = weight_as_matrix(weight, self.dim)
        if self.training:
            self._power_method(mat, self.n_power_iterations)
        u, v = self._u.clone(), self._v.clone()
        return weight / _C.dot(u, _C.mv(mat, v))

    def right_inverse(self, value):
        return value


def weight_norm(module, name="weight", dim=0):
    return parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)


def spectral_norm(module, name="weight", n_power_iterations=1, eps=1e-12, dim=None):
    weight = getattr(module, name, None)
    if weight is None:
        raise ValueError(f"[spectral_norm] {type(module).__name__} has no parameter {name!r}")
    if dim is None:
        dim = default_dim(module)
    return parametrize.register_parametrization(
        module, name, _SpectralNorm(weight, n_power_iterations, dim, eps))
