"""gradcheck and gradgradcheck (torch.autograd.gradcheck): compare the gradients autograd
computes with central finite differences, one input element at a time."""

import numpy as np

from .. import _C

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    """Raised by gradcheck when an analytical gradient differs from the numerical one."""


def _as_tuple(x):
    return x if isinstance(x, tuple) else (x,)


def _outputs(fn, inputs):
    return [o for o in _as_tuple(fn(*inputs))
            if isinstance(o, _C.Tensor) and o.dtype.is_floating_point]


def _numerical(fn, inputs, i, eps):
    """d(outputs)/d(inputs[i]) by central differences: one row per input element."""
    x = inputs[i]
    flat = x.detach().numpy().astype(np.float64).reshape(-1)
    rows = []
    for k in range(flat.size):
        plus, minus = flat.copy(), flat.copy()
        plus[k] += eps
        minus[k] -= eps
        vals = []
        for pert in (plus, minus):
            args = list(inputs)
            # still requiring grad: gradgradcheck's func differentiates inside
            args[i] = _C.from_numpy(pert.reshape(x.shape).astype(
                x.detach().numpy().dtype)).requires_grad_(True)
            vals.append(np.concatenate([o.detach().numpy().astype(np.float64).reshape(-1)
                                            for o in _outputs(fn, args)] or [np.zeros(0)]))
        rows.append((vals[0] - vals[1]) / (2 * eps))
    return np.stack(rows) if rows else np.zeros((0, 0))


def _analytical(fn, inputs, i, create_graph=False):
    """The same Jacobian from autograd: one vector-Jacobian product per output element."""
    outs = _outputs(fn, inputs)
    x = inputs[i]
    cols = []
    for o in outs:
        for k in range(o.numel()):
            seed = np.zeros(o.numel(), dtype=o.detach().numpy().dtype)
            seed[k] = 1
            g, = _C.autograd_grad([o], [x], [_C.from_numpy(seed.reshape(o.shape))], True,
                                  create_graph, True)
            cols.append(np.zeros(x.numel()) if g is None
                        else g.detach().numpy().astype(np.float64).reshape(-1))
    return np.stack(cols, axis=1) if cols else np.zeros((x.numel(), 0))


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True,
              nondet_tol=0.0, check_undefined_grad=True, fast_mode=False, **kwargs):
    """True when autograd's gradient of `func` at `inputs` matches finite differences for
    every input that requires grad. Use float64 inputs: float32 rounding swamps eps."""
    inputs = _as_tuple(inputs)
    wanted = [i for i, t in enumerate(inputs) if isinstance(t, _C.Tensor) and t.requires_grad]
    if not wanted:
        raise ValueError("[gradcheck] expected at least one input tensor to require gradient")
    for i in wanted:
        if inputs[i].dtype != _C.dtype.float64:
            import warnings
            warnings.warn(f"[gradcheck] input {i} is {inputs[i].dtype}, not float64: the "
                          "check may fail from rounding alone", stacklevel=2)
        num = _numerical(func, inputs, i, eps)
        ana = _analytical(func, inputs, i)
        if num.shape != ana.shape or not np.allclose(ana, num, rtol=rtol, atol=atol):
            if not raise_exception:
                return False
            raise GradcheckError(
                f"[gradcheck] Jacobian mismatch for output 0 with respect to input {i},\n"
                f"numerical:{num}\nanalytical:{ana}\n")
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  gen_non_contig_grad_outputs=False, raise_exception=True, **kwargs):
    """gradcheck of the gradient: checks second derivatives of `func` (its backward must be
    differentiable)."""
    inputs = _as_tuple(inputs)
    wanted = [t for t in inputs if isinstance(t, _C.Tensor) and t.requires_grad]
    outs = _outputs(func, inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = [_C.from_numpy(np.asarray(rng.standard_normal(tuple(o.shape))).astype(
            o.detach().numpy().dtype)) for o in outs]
    grad_outputs = list(grad_outputs) if isinstance(grad_outputs, (list, tuple)) \
        else [grad_outputs]

    def first_grads(*xs):
        os = _outputs(func, xs)
        ins = [x for x in xs if isinstance(x, _C.Tensor) and x.requires_grad]
        gs = _C.autograd_grad(os, ins, grad_outputs, True, True, True)
        return tuple(g for g in gs if g is not None)

    if not wanted:
        raise ValueError("[gradgradcheck] expected at least one input tensor to require "
                         "gradient")
    return gradcheck(first_grads, inputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)

