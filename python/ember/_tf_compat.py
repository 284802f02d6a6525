"""TensorFlow-style names over Ember's ops, so a script written for TensorFlow runs with
``import ember as tf``: ``tf.constant``, ``tf.Variable`` (``assign``), ``tf.GradientTape``,
``tf.reduce_mean`` and friends, ``tf.cast``. Each is a thin mapping onto an existing op;
``ember.math`` and ``ember.nn`` carry the ``tf.math`` / ``tf.nn`` functions and
``ember.data.Dataset`` the input pipeline."""

import builtins

import numpy as np

from . import _C
from ._grad_mode import enable_grad, no_grad
from ._tensor_api import tensor
from . import autograd as _autograd

__all__ = ["GradientTape", "Variable", "constant", "convert_to_tensor", "cast", "reduce_sum",
           "reduce_mean", "reduce_max", "reduce_min", "reduce_prod", "reduce_any",
           "reduce_all", "reduce_std", "reduce_variance", "reduce_logsumexp", "expand_dims",
           "clip_by_value", "fill", "identity", "stop_gradient", "rank", "size",
           "boolean_mask", "unstack", "concat", "shape", "range"]


def as_dtype(dtype):
    """An ember dtype from an ember dtype, a name ('float32') or a NumPy dtype."""
    if dtype is None or isinstance(dtype, _C.dtype):
        return dtype
    name = np.dtype(dtype).name if not isinstance(dtype, str) else dtype
    found = getattr(_C.dtype, name, None)
    if found is None:
        raise TypeError(f"[cast] unknown dtype {dtype!r}")
    return found


def constant(value, dtype=None, shape=None, name=None):
    """A tensor holding `value`; with `shape`, a scalar value fills that shape."""
    t = value.detach().to(as_dtype(dtype) or value.dtype) if isinstance(value, _C.Tensor) \
        else tensor(value, dtype=as_dtype(dtype))
    if shape is not None:
        shape = tuple(int(d) for d in shape)
        t = _C.full(shape, t.item(), dtype=t.dtype) if t.numel() == 1 else t.reshape(*shape)
    return t


def convert_to_tensor(value, dtype=None, name=None):
    if isinstance(value, _C.Tensor):
        return value if dtype is None else value.to(as_dtype(dtype))
    return tensor(value, dtype=as_dtype(dtype))


def Variable(initial_value, trainable=True, name=None, dtype=None):  # noqa: N802 - TF name
    """A leaf tensor that requires grad when trainable; update it with ``v.assign(x)``,
    ``v.assign_add(x)``, ``v.assign_sub(x)`` (in place, outside autograd)."""
    if callable(initial_value):
        initial_value = initial_value()
    t = constant(initial_value, dtype=dtype)
    if not t.is_floating_point() and trainable:
        trainable = False
    t = t.detach().clone()
    return t.requires_grad_(bool(trainable))


def _assign(op):
    def method(self, value, use_locking=None, name=None, read_value=True):
        with no_grad():
            value = value if isinstance(value, _C.Tensor) else tensor(value, dtype=self.dtype)
            op(self, value)
        return self
    return method


_tensor_numpy = _C.Tensor.numpy


def _numpy(self, force=False):
    """The tensor as a NumPy array sharing its memory. For a tensor that requires grad
    (a tf.Variable, a parameter) it is a copy, as TensorFlow's Variable.numpy() gives, so
    writing to it cannot bypass autograd; force=True (PyTorch's flag) detaches instead."""
    if self.requires_grad:
        detached = self.detach()
        return _tensor_numpy(detached) if force else _tensor_numpy(detached).copy()
    return _tensor_numpy(self)


_C.Tensor.numpy = _numpy
_C.Tensor.assign = _assign(lambda t, v: t.copy_(v))
_C.Tensor.assign_add = _assign(lambda t, v: t.add_(v))
_C.Tensor.assign_sub = _assign(lambda t, v: t.sub_(v))


def _flatten(structure):
    if isinstance(structure, dict):
        return [x for k in sorted(structure) for x in _flatten(structure[k])]
    if isinstance(structure, (list, tuple)):
        return [x for s in structure for x in _flatten(s)]
    return [structure]


def _pack_like(structure, flat):
    if isinstance(structure, dict):
        return {k: _pack_like(structure[k], flat) for k in sorted(structure)}
    if isinstance(structure, (list, tuple)):
        return type(structure)(_pack_like(s, flat) for s in structure)
    return next(flat)


class GradientTape:
    """Records operations for automatic differentiation, as ``tf.GradientTape``:

        with ember.GradientTape() as tape:
            loss = loss_fn(model(x), y)
        grads = tape.gradient(loss, model.trainable_variables)

    Ember records history for every tensor that requires grad (variables do); ``watch(t)``
    makes a constant tensor one to differentiate by. Gradients of unconnected sources are
    None (or zeros with ``unconnected_gradients='zero'``)."""

    def __init__(self, persistent=False, watch_accessed_variables=True):
        self._persistent = bool(persistent)
        self._used = False
        self._grad_mode = None

    def __enter__(self):
        self._grad_mode = enable_grad()
        self._grad_mode.__enter__()
        return self

    def __exit__(self, *exc):
        self._grad_mode.__exit__(*exc)
        return False

    def watch(self, tensor):
        for t in _flatten(tensor):
            if not isinstance(t, _C.Tensor):
                raise TypeError(f"[GradientTape.watch] expected tensors, got {type(t).__name__}")
            if not t.requires_grad:
                if not t.is_floating_point():
                    raise TypeError(f"[GradientTape.watch] cannot differentiate by a tensor of "
                                    f"dtype {t.dtype}")
                t.requires_grad_(True)

    def gradient(self, target, sources, output_gradients=None, unconnected_gradients="none"):
        if self._used and not self._persistent:
            raise RuntimeError("[GradientTape.gradient] a non-persistent GradientTape can only "
                               "compute one set of gradients; use GradientTape(persistent=True)")
        if unconnected_gradients not in ("none", "zero"):
            raise ValueError(f"[GradientTape.gradient] unconnected_gradients must be 'none' or "
                             f"'zero', got {unconnected_gradients!r}")
        self._used = True
        targets = _flatten(target)
        flat = _flatten(sources)
        for s in flat:
            if not isinstance(s, _C.Tensor):
                raise TypeError(f"[GradientTape.gradient] sources must be tensors, got "
                                f"{type(s).__name__}")
        wanted = [i for i, s in enumerate(flat) if s.requires_grad]
        grads = [None] * len(flat)
        outs = [t for t in targets if isinstance(t, _C.Tensor) and t.requires_grad]
        if wanted and outs:
            seeds = _flatten(output_gradients) if output_gradients is not None else \
                [_C.ones_like(t) for t in outs]
            got = _autograd.grad(outs, [flat[i] for i in wanted], seeds,
                                 retain_graph=self._persistent, allow_unused=True)
            for i, g in zip(wanted, got):
                grads[i] = g
        if unconnected_gradients == "zero":
            grads = [_C.zeros_like(s) if g is None else g for s, g in zip(flat, grads)]
        return _pack_like(sources, iter(grads))


def cast(x, dtype, name=None):
    return convert_to_tensor(x).to(as_dtype(dtype))


def _axis(axis):
    if axis is None:
        return None
    return tuple(int(a) for a in axis) if isinstance(axis, (list, tuple)) else int(axis)


def _reducer(fn):
    def reduce(input_tensor, axis=None, keepdims=False, name=None):
        x = convert_to_tensor(input_tensor)
        return fn(x, _axis(axis), bool(keepdims))
    return reduce


reduce_sum = _reducer(lambda x, a, k: _C.sum(x, a, k))
reduce_mean = _reducer(lambda x, a, k: _C.mean(x, a, k))
reduce_max = _reducer(lambda x, a, k: _C.amax(x, () if a is None else a, k))
reduce_min = _reducer(lambda x, a, k: _C.amin(x, () if a is None else a, k))
reduce_prod = _reducer(lambda x, a, k: _C.prod(x, a, k) if not isinstance(a, tuple) else
                       _prod_dims(x, a, k))
reduce_any = _reducer(lambda x, a, k: _C.any(x, a, k))
reduce_all = _reducer(lambda x, a, k: _C.all(x, a, k))
reduce_std = _reducer(lambda x, a, k: _C.std(x, a, correction=0, keepdim=k))
reduce_variance = _reducer(lambda x, a, k: _C.var(x, a, correction=0, keepdim=k))
reduce_logsumexp = _reducer(lambda x, a, k: _C.logsumexp(
    x, tuple(builtins.range(x.dim())) if a is None else a, k))


def _prod_dims(x, dims, keepdim):
    for d in sorted((d % x.dim() for d in dims), reverse=True):
        x = _C.prod(x, d, keepdim)
    return x


def expand_dims(input, axis, name=None):  # noqa: A002 - TF's argument name
    return convert_to_tensor(input).unsqueeze(int(axis))


def clip_by_value(t, clip_value_min, clip_value_max, name=None):
    return _C.clamp(convert_to_tensor(t), min=clip_value_min, max=clip_value_max)


def fill(dims, value, name=None):
    return _C.full(tuple(int(d) for d in dims), value)


def identity(input, name=None):  # noqa: A002
    return convert_to_tensor(input).clone()


def stop_gradient(input, name=None):  # noqa: A002
    return convert_to_tensor(input).detach()


def rank(input, name=None):  # noqa: A002
    return tensor(convert_to_tensor(input).dim(), dtype=_C.dtype.int32)


def size(input, out_type=None, name=None):  # noqa: A002
    return tensor(convert_to_tensor(input).numel(), dtype=as_dtype(out_type) or _C.dtype.int32)


def shape(input, out_type=None, name=None):  # noqa: A002
    return tensor(list(convert_to_tensor(input).shape), dtype=as_dtype(out_type) or _C.dtype.int32)


def boolean_mask(tensor_, mask, axis=None, name=None):
    return convert_to_tensor(tensor_)[convert_to_tensor(mask).to(_C.dtype.bool)]


def unstack(value, num=None, axis=0, name=None):
    return list(_C.unbind(convert_to_tensor(value), int(axis)))


def concat(values, axis=0, name=None, dim=None):
    """tf.concat(values, axis) and torch.concat(tensors, dim=0) alike."""
    return _C.cat([convert_to_tensor(v) for v in values], int(axis if dim is None else dim))


def range(start, limit=None, delta=1, dtype=None, name=None):  # noqa: A001 - TF's name
    if limit is None:
        start, limit = 0, start
    return _C.arange(start, limit, delta, dtype=as_dtype(dtype))

