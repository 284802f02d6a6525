"""torch.linalg for the cases training scripts meet: vector/matrix norms (composed from ember
ops), and inv, det, slogdet, solve (LAPACK through NumPy in the forward, gradients in ember
ops through custom autograd Functions, so they differentiate like PyTorch's; batched over
leading dims; the forward runs on the CPU)."""

from collections import namedtuple

import numpy as np

from . import _C
from .autograd.function import Function

__all__ = ["vector_norm", "matrix_norm", "norm", "inv", "det", "slogdet", "solve"]

_slogdet_result = namedtuple("slogdet", ["sign", "logabsdet"])


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    if dtype is not None:
        x = x.to(dtype)
    a = x.abs()
    if ord == float("inf"):
        return a.amax() if dim is None else a.amax(dim, keepdim=keepdim)
    if ord == float("-inf"):
        return a.amin() if dim is None else a.amin(dim, keepdim=keepdim)
    if ord == 0:
        nz = (x != 0).to(x.dtype)
        return nz.sum() if dim is None else nz.sum(dim, keepdim=keepdim)
    s = (a ** ord).sum() if dim is None else (a ** ord).sum(dim, keepdim=keepdim)
    return s.sqrt() if ord == 2 else s ** (1.0 / ord)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    if ord != "fro":
        raise NotImplementedError(f"[matrix_norm] ord={ord!r} is not supported; 'fro' is")
    if dtype is not None:
        A = A.to(dtype)
    return (A * A).sum(dim=tuple(dim), keepdim=keepdim).sqrt()


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None):
    """The 2-norm of the flattened input by default; ord and dim as in torch.linalg.norm
    (vector norms, and 'fro' for matrices)."""
    if isinstance(ord, str) or (dim is not None and not isinstance(dim, int) and len(dim) == 2):
        return matrix_norm(A, "fro" if ord is None else ord, dim if dim is not None
                           else (-2, -1), keepdim, dtype=dtype)
    if dim is None and ord is not None and A.ndim == 2:
        raise NotImplementedError(f"[norm] matrix norm ord={ord!r} is not supported")
    return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)


def _np(t):
    return t.detach().cpu().numpy()


def _back(a, like):
    # np.array, not ascontiguousarray: that one turns a 0-d result into shape (1,)
    return _C.from_numpy(np.array(a, order="C")).to(like.dtype).to(like.device)


def _check_square(A, op):
    if A.ndim < 2 or A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"[{op}] A must be batches of square matrices, but they are "
                           f"{' by '.join(str(d) for d in A.shape[-2:])} matrices")
    if not A.dtype.is_floating_point:
        raise TypeError(f"[{op}] expected a floating point tensor, got {A.dtype}")


def _mT(t):
    return t.transpose(-2, -1)


class _Inv(Function):
    @staticmethod
    def forward(ctx, A):
        try:
            Y = _back(np.linalg.inv(_np(A)), A)
        except np.linalg.LinAlgError:
            raise RuntimeError("[inv] the matrix is singular (not invertible)") from None
        ctx.save_for_backward(A)
        return Y

    @staticmethod
    def backward(ctx, g):
        # inv(A) again, through this Function: with create_graph the result stays
        # differentiable in A (second derivatives), which a saved output would not be.
        (A,) = ctx.saved_tensors
        Y = inv(A)
        return -(_mT(Y) @ g @ _mT(Y))


class _SlogDet(Function):
    @staticmethod
    def forward(ctx, A):
        sign, logabs = np.linalg.slogdet(_np(A))
        ctx.save_for_backward(A)
        s, la = _back(np.asarray(sign), A), _back(np.asarray(logabs), A)
        ctx.mark_non_differentiable(s)
        return s, la

    @staticmethod
    def backward(ctx, g_sign, g_logabs):
        (A,) = ctx.saved_tensors
        return g_logabs.unsqueeze(-1).unsqueeze(-1) * _mT(inv(A))


class _Solve(Function):
    @staticmethod
    def forward(ctx, A, B):
        try:
            X = _back(np.linalg.solve(_np(A), _np(B)), B)
        except np.linalg.LinAlgError:
            raise RuntimeError("[solve] the matrix A is singular") from None
        ctx.save_for_backward(A, B)
        return X

    @staticmethod
    def backward(ctx, g):
        A, B = ctx.saved_tensors
        X = solve(A, B)  # recomputed differentiably (see _Inv.backward)
        gB = solve(_mT(A), g)
        return -(gB @ _mT(X)), gB


def inv(A):
    _check_square(A, "inv")
    return _Inv.apply(A)


def slogdet(A):
    _check_square(A, "slogdet")
    return _slogdet_result(*_SlogDet.apply(A))


def det(A):
    """det(A) = sign * exp(logabsdet), differentiable wherever A is invertible."""
    _check_square(A, "det")
    sign, logabs = slogdet(A)
    return sign * logabs.exp()


def solve(A, B, *, left=True):
    """X with A @ X = B (B a matrix (..., n, k) or a vector (..., n))."""
    if not left:
        raise NotImplementedError("[solve] left=False is not supported; solve A^T X^T = B^T")
    _check_square(A, "solve")
    if B.shape[-2 if B.ndim == A.ndim else -1] != A.shape[-1]:
        raise RuntimeError(f"[solve] incompatible shapes: A is {tuple(A.shape)}, B is "
                           f"{tuple(B.shape)}")
    if B.ndim == A.ndim - 1:  # vectors
        return _Solve.apply(A, B.unsqueeze(-1)).squeeze(-1)
    return _Solve.apply(A, B)
