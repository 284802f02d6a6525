"""torch.compile and torch.autocast under their PyTorch names.

ember.compile maps onto ember.function: the first call runs eagerly, the second traces,
later calls replay the optimized graph. PyTorch's tuning knobs (mode, fullgraph, backend,
options) have no ember counterpart and are accepted and ignored; dynamic=True marks the
leading dim of every tensor argument as variable (ember.function(dynamic=True)).

Replays are differentiable (see "Gradients through traced functions" in docs/tracing.md):
a compiled module's output carries one TracedFunctionBackward node, so the script's
loss.backward() runs a traced backward graph and fills the parameters' .grad as eager
would. Compiling the whole step (forward, loss.backward(), optimizer.step()) is faster
still: the optimizer update is fused into the same graph."""

import functools

from . import _C
from ._function import Function

__all__ = ["compile", "autocast"]


class CompiledModule:
    """What compile(module) returns: behaves like the module (parameters(), state_dict(),
    train()/eval(), attributes are the module's own) while calls go through a traced
    function of the module's __call__ (forward hooks included)."""

    def __init__(self, module, dynamic):
        object.__setattr__(self, "_orig_mod", module)

        def forward(*args, **kwargs):
            return module(*args, **kwargs)
        forward.__name__ = f"{type(module).__name__}.forward"
        object.__setattr__(self, "_traced", Function(forward, dynamic=dynamic))

    def __call__(self, *args, **kwargs):
        if _C.is_tracing():  # inside another trace: the outer graph records the module's ops
            return self._orig_mod(*args, **kwargs)
        return self._traced(*args, **kwargs)

    forward = __call__

    def train(self, mode=True):
        self._orig_mod.train(mode)
        return self

    def eval(self):
        self._orig_mod.eval()
        return self

    def __getattr__(self, name):
        module = object.__getattribute__(self, "_orig_mod")
        attr = getattr(module, name)
        if not callable(attr) or isinstance(attr, _C.nn.Module):
            return attr

        @functools.wraps(attr)
        def method(*args, **kwargs):  # model.to(...), model.double(): keep the wrapper
            out = attr(*args, **kwargs)
            return self if out is module else out
        return method

    def __setattr__(self, name, value):
        setattr(self._orig_mod, name, value)

    def __repr__(self):
        return f"CompiledModule({self._orig_mod!r})"


def compile(model=None, *, fullgraph=False, dynamic=None, backend="inductor", mode=None,
            options=None, disable=False, **torch_options):
    """torch.compile(model_or_fn, ...): a traced, replayed version (see ember.function).
    Usable as compile(fn), compile(module), @compile and @compile(mode=...). Further
    torch.compile keywords (recompile_limit, ...) are accepted and ignored."""
    if model is None:
        return functools.partial(compile, fullgraph=fullgraph, dynamic=dynamic,
                                 backend=backend, mode=mode, options=options, disable=disable,
                                 **torch_options)
    if disable:
        return model
    dyn = True if dynamic else None
    if isinstance(model, _C.nn.Module):
        return CompiledModule(model, dyn)
    if not callable(model):
        raise TypeError(f"[compile] expects a Module or a callable, got {type(model).__name__}")
    return Function(model, dynamic=dyn)


class autocast:
    """torch.autocast / torch.cuda.amp.autocast, as a no-op: ember has no automatic mixed
    precision, so ops inside keep the dtypes of their inputs (float32 stays float32). The
    arguments are accepted so PyTorch scripts run unchanged; cast explicitly (x.half(),
    model.bfloat16()) for reduced precision. Works as a context manager and a decorator."""

    def __init__(self, device_type="cuda", dtype=None, enabled=True, cache_enabled=None):
        if not isinstance(device_type, str):
            raise TypeError(f"[autocast] device_type must be a string such as 'cpu' or "
                            f"'cuda', got {type(device_type).__name__}")
        if dtype is not None and not isinstance(dtype, _C.dtype):
            raise TypeError(f"[autocast] dtype must be an ember dtype, got {dtype!r}")
        self.device_type, self.fast_dtype, self.enabled = device_type, dtype, bool(enabled)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapped(*args, **kwargs):
            with self:
                return fn(*args, **kwargs)
        return wrapped
