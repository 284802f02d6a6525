"""torch.autograd.functional: Jacobians, Hessians and vector products of a function,
built from autograd.grad calls."""

from .. import _C
from .._grad_mode import enable_grad, no_grad

__all__ = ["jacobian", "hessian", "vjp", "jvp"]


def _tuple(x):
    return ((x,), True) if isinstance(x, _C.Tensor) else (tuple(x), False)


def _prepare(inputs, create_graph):
    return tuple(x if create_graph and x.requires_grad else x.detach().requires_grad_(True)
                 for x in inputs)


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False,
             strategy="reverse-mode"):
    """The Jacobian of func at inputs: for one input and one output a tensor of shape
    output.shape + input.shape; tuples of them otherwise (as in PyTorch)."""
    ins, one_in = _tuple(inputs)
    ins = _prepare(ins, create_graph)
    with enable_grad():
        outs, one_out = _tuple(func(*ins))
        table = []
        for o in outs:
            rows = [[] for _ in ins]
            flat = o.reshape(-1)
            for k in range(flat.numel()):
                gs = _C.autograd_grad([flat[k]], list(ins), None, True, create_graph, True)
                for j, (g, x) in enumerate(zip(gs, ins)):
                    rows[j].append(_C.zeros_like(x) if g is None else g)
            table.append(tuple(
                (_C.stack(r) if r else _C.zeros((0,) + tuple(x.shape), dtype=x.dtype))
                .reshape(tuple(o.shape) + tuple(x.shape)) for r, x in zip(rows, ins)))
    if not create_graph:
        table = [tuple(t.detach() for t in row) for row in table]
    if one_out:
        return table[0][0] if one_in else table[0]
    return tuple(row[0] for row in table) if one_in else tuple(table)


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False,
            outer_jacobian_strategy="reverse-mode"):
    """The Hessian of a scalar func: shape input.shape + input.shape for one input."""
    ins, one_in = _tuple(inputs)

    def grad_fn(*xs):
        out = func(*xs)
        if out.numel() != 1:
            raise RuntimeError("[hessian] the function must return a single-element tensor, "
                               f"got shape {tuple(out.shape)}")
        gs = _C.autograd_grad([out], list(xs), None, True, True, True)
        gs = tuple(_C.zeros_like(x) if g is None else g for g, x in zip(gs, xs))
        return gs[0] if one_in else gs

    return jacobian(grad_fn, ins[0] if one_in else ins, create_graph=create_graph)


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T J)."""
    ins, one_in = _tuple(inputs)
    ins = _prepare(ins, create_graph)
    with enable_grad():
        out = func(*ins)
        outs, _ = _tuple(out)
        vs = None if v is None else list(_tuple(v)[0])
        gs = _C.autograd_grad(list(outs), list(ins), vs, True, create_graph, True)
    gs = tuple(_C.zeros_like(x) if g is None else (g if create_graph else g.detach())
               for g, x in zip(gs, ins))
    out = out.detach() if isinstance(out, _C.Tensor) and not create_graph else out
    return out, (gs[0] if one_in else gs)


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), J v), from the Jacobian (small problems only)."""
    ins, one_in = _tuple(inputs)
    vs = _tuple(v)[0] if v is not None else tuple(_C.ones_like(x) for x in ins)
    J = jacobian(func, ins, create_graph=create_graph)
    with no_grad():
        out = func(*ins)
    outs, one_out = _tuple(out)
    J = [J] if one_out else list(J)
    res = []
    for o, row in zip(outs, J):
        acc = _C.zeros(tuple(o.shape), dtype=o.dtype)
        for Jx, x, vx in zip(row, ins, vs):
            n = x.numel()
            acc = acc + (Jx.reshape(o.numel(), n) @ vx.reshape(n, 1)).reshape(tuple(o.shape))
        res.append(acc)
    return out, (res[0] if one_out else tuple(res))

