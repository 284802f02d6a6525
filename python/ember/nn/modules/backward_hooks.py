"""Module backward hooks (register_full_backward_hook, register_full_backward_pre_hook), as
in torch.nn: the module's tensor inputs and outputs pass through identity autograd
Functions; the outputs' one sees grad_output (pre-hooks may replace it), the inputs' one
sees grad_input and calls the hooks, which may replace it."""

from ... import _C
from ...autograd.function import Function


class _Identity(Function):
    """Passes tensors through; its backward hands the incoming grads to ctx.on_grads."""

    @staticmethod
    def forward(ctx, on_grads, *tensors):
        ctx.on_grads = on_grads
        ctx.set_materialize_grads(False)
        return tensors

    @staticmethod
    def backward(ctx, *grads):
        return (None,) + tuple(ctx.on_grads(grads))


class BackwardHookState:
    """One forward call's link between the grads of the outputs and of the inputs."""

    def __init__(self, module, full_hooks, pre_hooks):
        self.module, self.full_hooks, self.pre_hooks = module, full_hooks, pre_hooks
        self.grad_outputs = None
        self.n_inputs = 0
        self.inputs_linked = False

    def wrap_inputs(self, args):
        idx = [i for i, a in enumerate(args) if isinstance(a, _C.Tensor)]
        self.n_inputs = len(idx)
        if not any(args[i].requires_grad for i in idx) or not _C.is_grad_enabled():
            return args
        self.inputs_linked = True
        wrapped = _Identity.apply(self._on_grad_inputs, *[args[i] for i in idx])
        out = list(args)
        for i, w in zip(idx, wrapped):
            out[i] = w
        return tuple(out)

    def wrap_outputs(self, out):
        single = isinstance(out, _C.Tensor)
        outs = (out,) if single else out
        if not isinstance(outs, tuple) or not all(isinstance(o, _C.Tensor) for o in outs):
            return out  # dicts and other structures: backward hooks are not called
        if not any(o.requires_grad for o in outs):
            return out
        wrapped = _Identity.apply(self._on_grad_outputs, *outs)
        return wrapped[0] if single else wrapped

    def _on_grad_outputs(self, grads):
        for hook in list(self.pre_hooks.values()):
            r = hook(self.module, grads)
            if r is not None:
                grads = r if isinstance(r, tuple) else (r,)
        self.grad_outputs = grads
        if not self.inputs_linked:  # no input needs grad: hooks see grad_input of None
            self._call_full_hooks((None,) * self.n_inputs)
        return grads

    def _on_grad_inputs(self, grads):
        return self._call_full_hooks(grads)

    def _call_full_hooks(self, grad_inputs):
        for hook in list(self.full_hooks.values()):
            r = hook(self.module, grad_inputs, self.grad_outputs)
            if r is not None:
                grad_inputs = r if isinstance(r, tuple) else (r,)
        return grad_inputs
