"""ember.function: trace a Python function into a graph and replay it.

    @ember.function
    def train_step(x, y):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

The first call with a new signature runs eagerly (so lazily created state such as
optimizer moments exists), the second traces, later calls replay the optimized graph with
no Python and no autograd bookkeeping. Tensors from outside the function (parameters,
buffers, optimizer state) are captured by reference: replays read and update them.
With grad mode on, replays whose outputs depend on tensors that require grad carry autograd
history (a traced backward graph), so `loss = f(x); loss.backward()` works as in eager
(docs/tracing.md, "Gradients through traced functions").
"""

import functools
import inspect
import warnings

from . import _C

_Tensor = _C.Tensor

__all__ = ["function", "Function", "TensorSpec", "cond", "load_function"]


class TensorSpec:
    """Describes a tensor argument; None in `shape` marks a dimension that may vary."""

    def __init__(self, shape=None, dtype=None, name=None):
        self.shape = None if shape is None else tuple(shape)
        self.dtype, self.name = dtype, name

    def __repr__(self):
        return f"TensorSpec(shape={self.shape}, dtype={self.dtype}, name={self.name!r})"


class _Flat:
    """Flattens nested arguments into tensors plus a description of the rest (which keeps
    the non-tensor objects themselves, to rebuild the call)."""

    def __init__(self):
        self.tensors = []

    def walk(self, obj):
        if isinstance(obj, _C.Tensor):
            self.tensors.append(obj)
            return ("T",)
        if isinstance(obj, (list, tuple)):
            return (type(obj).__name__, tuple(self.walk(x) for x in obj))
        if isinstance(obj, dict):
            return ("dict", tuple((k, self.walk(v)) for k, v in obj.items()))
        return ("C", obj)


_ONE_TENSOR = ("T",)  # the output description of a function returning one tensor

# Part of every signature key: a graph records the dtypes its factories resolved from the
# default dtype (ember.zeros(3) inside the function), so a trace made under float64 must not
# replay under float32. Kept here by set_default_dtype so a call reads a string, not the C++
# setting; empty under the float32 start-up default.
_default_dtype_key = [""]


def _note_default_dtype(dtype):
    _default_dtype_key[0] = "" if dtype == _C.dtype.float32 else f" default={dtype.name}"


def _signature_key(desc):
    """A string that changes when any non-tensor argument changes: values for numbers,
    strings and dtypes; identity and train/eval modes for modules; identity otherwise."""
    kind = desc[0]
    if kind == "T":
        return "T"
    if kind in ("list", "tuple"):
        return f"{kind}({','.join(_signature_key(d) for d in desc[1])})"
    if kind == "dict":
        return "{" + ",".join(f"{k!r}:{_signature_key(d)}" for k, d in desc[1]) + "}"
    obj = desc[1]
    if obj is None or isinstance(obj, (bool, int, float, str, bytes, _C.dtype)):
        return f"{type(obj).__name__}:{obj!r}"
    if isinstance(obj, _C.nn.Module):
        return f"module@{id(obj):x}:{[m.training for m in obj.modules()]}"
    return f"{type(obj).__name__}@{id(obj):x}"


def _rebuild(desc, tensors):
    kind = desc[0]
    if kind == "C":
        return desc[1]
    if kind == "T":
        return next(tensors)
    if kind in ("list", "tuple"):
        items = [_rebuild(d, tensors) for d in desc[1]]
        return items if kind == "list" else tuple(items)
    if kind == "dict":
        return {k: _rebuild(d, tensors) for k, d in desc[1]}
    raise AssertionError(kind)


def _modules_in(fn):
    """Modules a function can reach without globals: its bound self and closure cells."""
    found = []
    target = fn
    if isinstance(fn, _C.nn.Module):
        found.append(fn)
    self_obj = getattr(fn, "__self__", None)
    if isinstance(self_obj, _C.nn.Module):
        found.append(self_obj)
        target = fn.__func__
    for cell in getattr(target, "__closure__", None) or ():
        try:
            v = cell.cell_contents
        except ValueError:
            continue
        if isinstance(v, _C.nn.Module):
            found.append(v)
    return found


def _capture_names(fn, modules):
    """(name, tensor) for tensors a traced function may capture, so printed graphs and
    replay errors say '0.weight' or 'w' rather than 'captured tensor #3': the parameters and
    buffers of the modules it reaches (prefixed with the variable's name when there are
    several), then tensors in its closure cells and the globals it names."""
    named = []
    target = getattr(fn, "__func__", fn)
    code = getattr(target, "__code__", None)
    cells = dict(zip(code.co_freevars, target.__closure__ or ())) if code else {}
    prefixes = {}
    for var, cell in cells.items():
        try:
            prefixes.setdefault(id(cell.cell_contents), var + ".")
        except ValueError:
            continue
    for m in modules:
        prefix = "" if len(modules) == 1 else prefixes.get(id(m), "self.")
        named += [(prefix + n, t) for n, t in m.named_parameters()]
        named += [(prefix + n, t) for n, t in m.named_buffers() if t is not None]
    for var, cell in cells.items():
        try:
            v = cell.cell_contents
        except ValueError:
            continue
        if isinstance(v, _Tensor):
            named.append((var, v))
    glob = getattr(target, "__globals__", {})
    for var in code.co_names if code else ():
        v = glob.get(var)
        if isinstance(v, _Tensor):
            named.append((var, v))
    return named


class Function(_C.trace.FunctionEntry):
    """A traced, cached version of `fn` (see the module docstring).

    Calling it runs the C++ __call__ of FunctionEntry: a call with tensor arguments only
    that replays the signature of the last such call goes straight to the replay; any other
    call (or a replay it declines) runs `_call` here, which arms that fast path again."""

    def __init__(self, fn, input_signature=None, dynamic=None, check=None, max_cache_size=8,
                 warmup=1, dump_graphs=None, disable_passes=(), name=None, cuda_graph=False):
        self._fn = fn
        self.__name__ = name or getattr(fn, "__name__", type(fn).__name__)
        self._input_signature = input_signature
        self._dynamic = dynamic
        self._cuda_graph = bool(cuda_graph)
        self._modules = _modules_in(fn)
        self._mode_key = _C.trace.ModeKey(self._modules) if self._modules else (lambda: "")
        try:
            params = [p for p in inspect.signature(fn).parameters.values()
                      if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
            names = [p.name for p in params]
        except (TypeError, ValueError):
            names = []
        dump = None
        if dump_graphs is True:
            def dump(stage, text):
                print(f"--- {self.__name__}: after {stage} ---\n{text}")
        elif callable(dump_graphs):
            dump = dump_graphs
        self._arg_names = names
        self._cpp = _C.trace.Function(self._run_flat, int(max_cache_size), int(warmup),
                                      self._dynamic_dims(), names,
                                      -1 if check is None else int(check is True or check),
                                      self.__name__, dump, list(disable_passes),
                                      cuda_graph=bool(cuda_graph))
        self._cpp.set_warn(self._warn)
        self._pending = None
        self._out_desc = {}
        self._tensor_only = {}
        self._fast_setup(self._cpp, self._mode_key if self._modules else None, self._out_desc,
                         _ONE_TENSOR, _rebuild, _default_dtype_key, _Tensor)
        functools.update_wrapper(self, fn, updated=())

    def _warn(self, message):
        # Points at the caller: a fast call has no Python __call__ frame in between.
        warnings.warn(message, RuntimeWarning, stacklevel=2 if self._fast_active else 3)

    def _dynamic_dims(self):
        if self._input_signature is not None:
            return [[d for d, s in enumerate(spec.shape or ()) if s is None]
                    for spec in self._input_signature]
        if self._dynamic is True:
            return [[0]] * 64
        if self._dynamic:
            return [list(d) for d in self._dynamic]
        return []

    def _check_signature(self, tensors):
        if self._input_signature is None:
            return
        if len(tensors) != len(self._input_signature):
            raise TypeError(f"[function] {self.__name__} declares {len(self._input_signature)} "
                            f"tensor arguments in input_signature, got {len(tensors)}")
        for i, (t, spec) in enumerate(zip(tensors, self._input_signature)):
            if spec.shape is not None and (len(t.shape) != len(spec.shape) or any(
                    s is not None and s != d for s, d in zip(spec.shape, t.shape))):
                raise ValueError(f"[function] argument {i} of {self.__name__} has shape "
                                 f"{tuple(t.shape)}, input_signature expects {spec.shape}")
            if spec.dtype is not None and t.dtype != spec.dtype:
                raise TypeError(f"[function] argument {i} of {self.__name__} has dtype "
                                f"{t.dtype}, input_signature expects {spec.dtype}")

    def _key(self, args, kwargs):
        flat = _Flat()
        desc = flat.walk((args, kwargs))
        return (flat.tensors, desc,
                f"{_signature_key(desc)} modes={self._mode_key()}{_default_dtype_key[0]}")

    def _fast_key(self, args):
        """The key of a call whose arguments are all plain tensors (the common case): the
        walk over the arguments is the same every time, so it is done once per count.
        Returns the description, the key and its parts that later calls may change."""
        cached = self._tensor_only.get(len(args))
        if cached is None:
            _, desc, key = self._key(args, {})
            cached = self._tensor_only[len(args)] = (desc, key[:key.rindex(" modes=")])
        desc, prefix = cached
        mode, dtype_key = self._mode_key(), _default_dtype_key[0]
        return desc, prefix + " modes=" + mode + dtype_key, mode, dtype_key

    def _call(self, *args, **kwargs):
        """The full path of a call (FunctionEntry's C++ __call__ takes it on a fast-path miss)."""
        fast = None
        if not kwargs and self._input_signature is None and all(type(a) is _Tensor for a in args):
            tensors = list(args)
            desc, key, mode, dtype_key = self._fast_key(args)
            fast = (mode, dtype_key)
        else:
            tensors, desc, key = self._key(args, kwargs)
            self._check_signature(tensors)
        prev = self._pending
        pending = self._pending = (desc, key)
        try:
            out = self._cpp(tensors, key)
        finally:
            self._pending = prev
        if fast is not None:
            self._fast_arm(len(args), key, fast[0], pending, fast[1])
        out_desc = self._out_desc[key]
        if out_desc is _ONE_TENSOR:
            return out[0]
        return _rebuild(out_desc, iter(out))

    def _run_flat(self, flat):
        desc, key = self._pending
        args, kwargs = _rebuild(desc, iter(flat))
        if _C.is_tracing():
            _C.trace._name_captures(_capture_names(self._fn, self._modules))
        result = self._fn(*args, **kwargs)
        out = _Flat()
        # Non-tensor leaves of the result are returned as they were on this run.
        desc = out.walk(result)
        self._out_desc[key] = _ONE_TENSOR if desc == _ONE_TENSOR else desc
        return out.tensors

    def graph(self, *args, **kwargs):
        """The optimized graph for these arguments (traces, running the function, if needed)."""
        tensors, desc, key = self._key(args, kwargs)
        prev = self._pending
        self._pending = (desc, key)
        try:
            return self._cpp.graph(tensors, key)
        finally:
            self._pending = prev

    def memory_plan(self, *args, **kwargs):
        """How the replay for these arguments lays out its intermediate values in one reused
        arena: a line per value (its byte offset), then the arena size against one buffer
        per value."""
        tensors, desc, key = self._key(args, kwargs)
        prev = self._pending
        self._pending = (desc, key)
        try:
            return self._cpp.memory_plan(tensors, key)
        finally:
            self._pending = prev

    def save(self, path, *args, **kwargs):
        """Saves the graph traced for these arguments, with its weights, to one file that
        `ember.load_function` (Python) and `ember_run` / trace::LoadedFunction (C++) run.
        The function's result must be tensors (a tensor or a tuple/list of them)."""
        tensors, desc, key = self._key(args, kwargs)
        prev = self._pending
        self._pending = (desc, key)
        try:
            self._cpp.save(str(path), tensors, key)
        finally:
            self._pending = prev

    def retrace_log(self):
        """Why each trace happened: 'first call', or which argument changed and how."""
        return list(self._cpp.retrace_log())

    def cuda_graph_log(self):
        """Why signatures were not replayed as CUDA graphs (with cuda_graph=True)."""
        return list(self._cpp.cuda_graph_log())

    @property
    def num_traces(self):
        return self._cpp.num_traces

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        bound = self.__dict__.setdefault("_bound", {})
        if id(obj) not in bound:
            bound[id(obj)] = Function(self._fn.__get__(obj, objtype),
                                      input_signature=self._input_signature,
                                      dynamic=self._dynamic, cuda_graph=self._cuda_graph)
        return bound[id(obj)]


def function(fn=None, *, input_signature=None, dynamic=None, check=None, max_cache_size=8,
             warmup=1, dump_graphs=None, disable_passes=(), name=None, cuda_graph=False):
    """Traces `fn` into a graph on call and replays it (tf.function / torch.jit.trace).
    cuda_graph=True replays CUDA work through captured CUDA graphs (docs/cuda.md)."""
    def wrap(f):
        return Function(f, input_signature=input_signature, dynamic=dynamic, check=check,
                        max_cache_size=max_cache_size, warmup=warmup, dump_graphs=dump_graphs,
                        disable_passes=disable_passes, name=name, cuda_graph=cuda_graph)
    return wrap if fn is None else wrap(fn)


def cond(pred, true_fn, false_fn):
    """Graph-level if: both branches run and `where` picks per the boolean `pred`, so the
    result is differentiable and traces into one graph."""
    a, b = true_fn(), false_fn()
    return _select(pred, a, b)


def _select(pred, a, b):
    if isinstance(a, _C.Tensor):
        return _C.where(pred, a, b)
    if isinstance(a, (list, tuple)):
        return type(a)(_select(pred, x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return {k: _select(pred, a[k], b[k]) for k in a}
    raise TypeError(f"[cond] branches must return tensors (or lists/tuples/dicts of them), got "
                    f"{type(a).__name__}")


def load_function(path):
    """Loads a function saved with Function.save; call it with tensors. A loaded training
    step updates its own copy of the weights on each call; `.save(path)` writes them."""
    return _C.trace.LoadedFunction(str(path))
