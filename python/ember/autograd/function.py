"""Custom differentiable functions (torch.autograd.Function): a forward and a backward
written by the user with ember ops. forward runs with grad recording off; its outputs are
then linked to its tensor inputs by one autograd node (C++ FunctionNode) whose backward
calls the user's backward with the output gradients."""

from .. import _C
from .._grad_mode import no_grad as _NoGrad

__all__ = ["Function", "FunctionCtx", "once_differentiable"]


class FunctionCtx:
    """The `ctx` handed to forward and backward: saved tensors and flags."""

    def __init__(self):
        self.needs_input_grad = ()
        self._saved = None
        self._non_differentiable = set()
        self._materialize_grads = True

    def save_for_backward(self, *tensors):
        for t in tensors:
            if t is not None and not isinstance(t, _C.Tensor):
                raise TypeError("[save_for_backward] can only save tensors (or None), got "
                                f"{type(t).__name__}")
        self._saved = tensors

    @property
    def saved_tensors(self):
        return tuple(self._saved or ())

    def mark_non_differentiable(self, *tensors):
        self._non_differentiable.update(id(t) for t in tensors)

    def mark_dirty(self, *tensors):
        """Accepted for compatibility: in-place forwards are linked like any other (the
        modified input's earlier history is not rewritten)."""

    def set_materialize_grads(self, value):
        self._materialize_grads = bool(value)


class _FunctionMeta(type):
    def __init__(cls, name, bases, attrs):
        super().__init__(name, bases, attrs)
        cls._backward_name = f"{name}Backward"


class Function(metaclass=_FunctionMeta):
    """Subclass with static `forward(ctx, *args)` and `backward(ctx, *grad_outputs)`, then
    call `MyFn.apply(*args)`. backward returns one gradient (or None) per forward argument."""

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("[Function] subclasses must implement forward(ctx, ...)")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("[Function] subclasses must implement backward(ctx, ...) "
                                  "to be differentiated")

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError  # forward(ctx, ...) style is the one supported

    @classmethod
    def apply(cls, *args, **kwargs):
        ctx = FunctionCtx()
        tensor_args = [a if isinstance(a, _C.Tensor) else None for a in args]
        ctx.needs_input_grad = tuple(a is not None and a.requires_grad for a in tensor_args)
        with _NoGrad():
            result = cls.forward(ctx, *args, **kwargs)
        single = not isinstance(result, tuple)
        outputs = (result,) if single else result
        # detach: an input returned as is becomes a new alias, so linking it to the node
        # leaves the input's own history alone.
        linked = [o.detach() if isinstance(o, _C.Tensor) and
                  id(o) not in ctx._non_differentiable else None for o in outputs]
        metas = [(o.shape, o.dtype) if o is not None else None for o in linked]
        backward = _backward_caller(cls, ctx, metas, len(args))
        if _C._attach_function_node(cls._backward_name, tensor_args, linked, backward):
            outputs = tuple(l if l is not None else o for l, o in zip(linked, outputs))
        return outputs[0] if single else outputs


def _backward_caller(cls, ctx, metas, n_args):
    def call(grads):
        if ctx._materialize_grads:
            grads = tuple(g if g is not None or m is None else _C.zeros(m[0], dtype=m[1])
                          for g, m in zip(grads, metas))
        result = cls.backward(ctx, *grads)
        result = result if isinstance(result, tuple) else (result,)
        if len(result) > n_args and all(r is None for r in result[n_args:]):
            result = result[:n_args]
        if len(result) != n_args:
            raise RuntimeError(f"[{cls.__name__}.backward] returned {len(result)} gradients, "
                               f"but forward took {n_args} arguments (return None for the "
                               "ones that need no gradient)")
        for i, r in enumerate(result):
            if r is not None and not isinstance(r, _C.Tensor):
                raise TypeError(f"[{cls.__name__}.backward] gradient {i} must be a Tensor or "
                                f"None, got {type(r).__name__}")
        return result
    return call



def once_differentiable(fn):
    """Decorator for backward: its result is not differentiated again (runs without
    recording history)."""
    def wrapper(ctx, *grads):
        with _NoGrad():
            return fn(ctx, *grads)
    wrapper.__name__ = getattr(fn, "__name__", "backward")
    wrapper.__doc__ = fn.__doc__
    return wrapper
