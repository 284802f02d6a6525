"""The Python face of nn.Module. The registry (parameters, buffers, children), train/eval,
state dicts and repr live in C++ (`_C.nn.Module`); this file adds what is Python by
nature: calling with hooks, iterators, `apply` with Python callables, `to(...)` argument
handling."""

from collections import OrderedDict, namedtuple

from ... import _C
from .backward_hooks import BackwardHookState

Module = _C.nn.Module

_IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])


class RemovableHandle:
    def __init__(self, hooks, key):
        self._hooks, self._key = hooks, key

    def remove(self):
        self._hooks.pop(self._key, None)


def _hooks(self, kind):
    d = self.__dict__
    if kind not in d:
        d[kind] = OrderedDict()
    return d[kind]


def _call(self, *args, **kwargs):
    d = self.__dict__
    pre, post = d.get("_forward_pre_hooks"), d.get("_forward_hooks")
    full, bpre = d.get("_backward_hooks"), d.get("_backward_pre_hooks")
    if pre:
        for hook in list(pre.values()):
            r = hook(self, args)
            if r is not None:
                args = r if isinstance(r, tuple) else (r,)
    bw = None
    if full or bpre:
        bw = BackwardHookState(self, full or {}, bpre or {})
        args = bw.wrap_inputs(args)
    out = self.forward(*args, **kwargs)
    if post:
        for hook in list(post.values()):
            r = hook(self, args, out)
            if r is not None:
                out = r
    if bw is not None:
        out = bw.wrap_outputs(out)
    return out


def _forward(self, *args, **kwargs):
    if kwargs:
        raise TypeError(f"[{type(self).__name__}] forward() got unexpected keyword arguments")
    return self._forward_cpp(*args)


_next_hook_id = [0]


def _add_hook(self, kind, hook):
    _next_hook_id[0] += 1
    hooks = _hooks(self, kind)
    hooks[_next_hook_id[0]] = hook
    return RemovableHandle(hooks, _next_hook_id[0])


def named_modules(self, memo=None, prefix="", remove_duplicate=True):
    memo = set() if memo is None else memo
    if remove_duplicate and id(self) in memo:
        return
    memo.add(id(self))
    yield prefix, self
    for name, child in self._named_children():
        yield from child.named_modules(memo, f"{prefix}.{name}" if prefix else name,
                                       remove_duplicate)


def _named_members(self, direct, prefix, recurse, remove_duplicate=True):
    seen = set()
    mods = self.named_modules(prefix=prefix) if recurse else [(prefix, self)]
    for mod_prefix, mod in mods:
        for name, t in direct(mod):
            if t is None:
                continue
            key = t.data_ptr(), t._cdata
            if remove_duplicate and key in seen:
                continue
            seen.add(key)
            yield (f"{mod_prefix}.{name}" if mod_prefix else name), t


def named_parameters(self, prefix="", recurse=True, remove_duplicate=True):
    return _named_members(self, lambda m: m._named_parameters_direct(), prefix, recurse,
                          remove_duplicate)


def named_buffers(self, prefix="", recurse=True, remove_duplicate=True):
    return _named_members(self, lambda m: m._named_buffers_direct(), prefix, recurse,
                          remove_duplicate)


def _train(self, mode=True):
    if not isinstance(mode, bool):
        raise ValueError("[train] training mode is expected to be boolean")
    self.training = mode
    for child in self.children():
        child.train(mode)
    return self


def _to(self, *args, **kwargs):
    dtype, device = kwargs.pop("dtype", None), kwargs.pop("device", None)
    kwargs.pop("non_blocking", None)
    for a in args:
        if isinstance(a, _C.dtype):
            dtype = a
        elif isinstance(a, _C.Tensor):
            dtype, device = a.dtype, a.device
        else:
            device = a
    if device is not None:
        self._to_device(_C.device(str(device)))
    if dtype is not None:
        if not dtype.is_floating_point:
            raise TypeError(f"[{type(self).__name__}.to] only floating point dtypes are "
                            f"accepted, got {dtype}")
        self._to_dtype(dtype)
    return self


def _apply_fn(self, fn):
    for child in self.children():
        child.apply(fn)
    fn(self)
    return self


def _state_dict(self, *args, destination=None, prefix="", keep_vars=False):
    out = OrderedDict() if destination is None else destination
    if keep_vars:
        for name, t in self.named_parameters(prefix=prefix.rstrip(".")):
            out[name] = t
        for name, t in self.named_buffers(prefix=prefix.rstrip(".")):
            out[name] = t
        return out
    for name, t in self._state_dict(prefix.rstrip(".")):
        out[name] = t
    return out


def _load_state_dict(self, state_dict, strict=True, assign=False):
    if not hasattr(state_dict, "items"):
        raise TypeError(f"[{type(self).__name__}.load_state_dict] expected a dict, got "
                        f"{type(state_dict).__name__}")
    items = []
    for k, v in state_dict.items():
        if not isinstance(v, _C.Tensor):
            v = _C.from_numpy(__import__("numpy").asarray(v))
        items.append((k, v))
    missing, unexpected = self._load_state_dict(items, strict)
    return _IncompatibleKeys(missing, unexpected)


def _requires_grad_(self, requires_grad=True):
    for p in self.parameters():
        p.requires_grad_(requires_grad)
    return self


def _dir(self):
    keys = set(object.__dir__(self))
    for name, _ in self._named_parameters_direct():
        keys.add(name)
    for name, _ in self._named_buffers_direct():
        keys.add(name)
    for name, _ in self._named_children():
        keys.add(name)
    return sorted(keys)


Module.__call__ = _call
Module.forward = _forward
Module.named_modules = named_modules
Module.modules = lambda self: (m for _, m in self.named_modules())
Module.named_children = lambda self: iter(self._named_children())
Module.children = lambda self: (m for _, m in self._named_children())
Module.named_parameters = named_parameters
Module.parameters = lambda self, recurse=True: (p for _, p in named_parameters(self, recurse=recurse))
Module.named_buffers = named_buffers
Module.buffers = lambda self, recurse=True: (b for _, b in named_buffers(self, recurse=recurse))
Module.train = _train
Module.eval = lambda self: self.train(False)
Module.to = _to
Module.float = lambda self: self._to(_C.dtype.float32) if False else _to(self, _C.dtype.float32)
Module.double = lambda self: _to(self, _C.dtype.float64)
Module.half = lambda self: _to(self, _C.dtype.float16)
Module.bfloat16 = lambda self: _to(self, _C.dtype.bfloat16)
Module.cpu = lambda self: _to(self, "cpu")
Module.cuda = lambda self, device=None: _to(
    self, "cuda" if device is None else (f"cuda:{device}" if isinstance(device, int) else device))
Module.apply = _apply_fn
Module.state_dict = _state_dict
Module.load_state_dict = _load_state_dict
Module.requires_grad_ = _requires_grad_
Module.register_forward_pre_hook = lambda self, hook: _add_hook(self, "_forward_pre_hooks", hook)
Module.register_forward_hook = lambda self, hook: _add_hook(self, "_forward_hooks", hook)
Module.register_full_backward_hook = lambda self, hook: _add_hook(self, "_backward_hooks", hook)
Module.register_backward_hook = Module.register_full_backward_hook
Module.register_full_backward_pre_hook = lambda self, hook: _add_hook(
    self, "_backward_pre_hooks", hook)
Module.__dir__ = _dir
Module.get_parameter = lambda self, target: _get_member(self, target, "parameter",
                                                        "_named_parameters_direct")
Module.get_buffer = lambda self, target: _get_member(self, target, "buffer",
                                                     "_named_buffers_direct")
Module.get_submodule = lambda self, target: _get_submodule(self, target)


def _get_submodule(self, target):
    mod = self
    for part in target.split(".") if target else []:
        if not hasattr(mod, part):
            raise AttributeError(f"{type(mod).__name__} has no attribute `{part}`")
        mod = getattr(mod, part)
    return mod


def _get_member(self, target, kind, direct):
    mod_path, _, name = target.rpartition(".")
    mod = _get_submodule(self, mod_path)
    for n, t in getattr(mod, direct)():
        if n == name:
            return t
    raise AttributeError(f"{type(mod).__name__} has no {kind} `{name}`")

from .module_copy import deepcopy_module, deepcopy_tensor  # noqa: E402
Module.__deepcopy__ = deepcopy_module
_C.Tensor.__deepcopy__ = deepcopy_tensor
