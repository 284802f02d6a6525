"""PyTorch-compatible optimizer front ends over the C++ optimizers."""

import math

from .. import _C
from . import python_optimizer as _py

_COptimizer = _C.optim.Optimizer


class _ParamGroup(dict):
    """One entry of optimizer.param_groups: reads and writes go through to the C++
    optimizer, so `group['lr'] = 0.01` takes effect (also in traced steps)."""

    def __init__(self, opt, index):
        super().__init__()
        self._opt, self._index = opt, index
        dict.__setitem__(self, "params", opt._params(index))

    def _sync_keys(self):
        for k in self._opt._public_options(self._index):
            dict.__setitem__(self, k, None)

    def __getitem__(self, key):
        if key == "params":
            return dict.__getitem__(self, key)
        opts = self._opt._public_options(self._index)
        if key in opts:
            return opts[key]
        return dict.__getitem__(self, key)

    def __setitem__(self, key, value):
        if key == "betas":
            self._opt._set_option(self._index, "beta1", float(value[0]))
            self._opt._set_option(self._index, "beta2", float(value[1]))
        elif key in self._opt._options(self._index):
            self._opt._set_option(self._index, key, float(value))
        else:
            dict.__setitem__(self, key, value)

    def get(self, key, default=None):
        try:
            return self[key]
        except KeyError:
            return default

    def keys(self):
        return ["params"] + list(self._opt._public_options(self._index))

    def items(self):
        return [(k, self[k]) for k in self.keys()]

    def __repr__(self):
        opts = {k: v for k, v in self.items() if k != "params"}
        return f"ParamGroup({opts}, params={len(self['params'])})"


class Optimizer:
    """Mixin giving the Python API (step(closure), param_groups, state_dict) to the C++
    optimizer classes below; also the base of optimizers written in Python
    (`super().__init__(params, defaults)`, see python_optimizer.py)."""

    def __init__(self, params, defaults):
        _py.init(self, params, defaults)

    def zero_grad(self, set_to_none=True):
        if self.__dict__.get("_py"):
            return _py.zero_grad(self, set_to_none)
        return _COptimizer.zero_grad(self, set_to_none)

    _bool_options = ("nesterov", "maximize", "amsgrad", "centered", "fused")
    _fused_default = None  # fused=False given to the constructor: added param groups follow it

    def _public_options(self, i):
        raw = self._options(i)
        out = {}
        for k, v in raw.items():
            if k in ("beta1", "beta2", "decoupled"):
                continue
            out[k] = bool(v) if k in self._bool_options else v
        if "beta1" in raw:
            out["betas"] = (raw["beta1"], raw["beta2"])
        return out

    @property
    def param_groups(self):
        if self.__dict__.get("_py"):
            return self._py_groups
        cache = self.__dict__.setdefault("_group_cache", [])
        while len(cache) < self._num_groups():
            cache.append(_ParamGroup(self, len(cache)))
        return cache

    @property
    def defaults(self):
        if self.__dict__.get("_py"):
            return self._py_defaults
        return dict(self._public_options(0))

    @property
    def state(self):
        if self.__dict__.get("_py"):
            return self._py_state
        out = {}
        for g in range(self._num_groups()):
            for p in self._params(g):
                st = self._state_of(p)
                if st:
                    out[p] = st
        return out

    def step(self, closure=None):
        if self.__dict__.get("_py"):
            raise NotImplementedError(f"[{type(self).__name__}] optimizers written in Python "
                                      "must implement step()")
        loss = None
        if closure is not None:
            with _C_enable_grad():
                loss = closure()
        self._step()
        return loss

    def add_param_group(self, group):
        if self.__dict__.get("_py"):
            return _py.add_param_group(self, group)
        group = dict(group)
        params = _as_params(group.pop("params"))
        if self._fused_default is not None:
            group.setdefault("fused", self._fused_default)
        self._add_param_group(params, _c_options(group))
        self.__dict__.pop("_group_cache", None)

    def state_dict(self):
        if self.__dict__.get("_py"):
            return _py.state_dict(self)
        state, opts, params = self._state_dict()
        groups = []
        for i, (o, ids) in enumerate(zip(opts, params)):
            g = self._public_options(i)
            g["params"] = list(ids)
            groups.append(g)
        return {"state": {int(k): dict(v) for k, v in state.items()}, "param_groups": groups}

    def load_state_dict(self, state_dict):
        if self.__dict__.get("_py"):
            return _py.load_state_dict(self, state_dict)
        groups = state_dict["param_groups"]
        opts, params = [], []
        for g in groups:
            g = dict(g)
            params.append([int(i) for i in g.pop("params")])
            opts.append(_c_options(g))
        state = {int(k): dict(v) for k, v in state_dict["state"].items()}
        self._load_state_dict(state, opts, params)

    def __repr__(self):
        if self.__dict__.get("_py"):
            groups = [{k: v for k, v in g.items() if k != "params"} for g in self._py_groups]
            return f"{type(self).__name__}({groups})"
        lines = [f"{type(self).__name__} ("]
        for i, g in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for k, v in sorted(self._public_options(i).items()):
                lines.append(f"    {k}: {v}")
        return "\n".join(lines) + "\n)"


class _C_enable_grad:
    def __enter__(self):
        self.prev = _C.is_grad_enabled()
        _C.set_grad_enabled(True)

    def __exit__(self, *a):
        _C.set_grad_enabled(self.prev)


def _as_params(params):
    if isinstance(params, _C.Tensor):
        raise TypeError("[optimizer] params argument given to the optimizer should be an "
                        "iterable of Tensors or dicts, but got a Tensor")
    return list(params)


def _c_options(group):
    out = {}
    for k, v in group.items():
        if k == "betas":
            out["beta1"], out["beta2"] = float(v[0]), float(v[1])
        elif k in ("initial_lr",) or v is None:  # None: PyTorch's "not set" (fused, foreach)
            continue
        else:
            out[k] = float(v)
    return out


def _groups(params):
    params = _as_params(params)
    if not params:
        raise ValueError("[optimizer] got an empty parameter list")
    if isinstance(params[0], dict):
        out = []
        for g in params:
            g = dict(g)
            out.append((_as_params(g.pop("params")), _c_options(g)))
        return out
    return [(params, {})]


def _with_fused(groups, fused):
    """Adds the `fused` option to each group when the caller chose it (the C++ default is
    fused); a group's own 'fused' entry wins."""
    if fused is None:
        return groups
    for _, opts in groups:
        opts.setdefault("fused", float(bool(fused)))
    return groups


def _check_lr(name, lr):
    if not isinstance(lr, (int, float)) or math.isnan(lr) or lr < 0:
        raise ValueError(f"[{name}] invalid learning rate: {lr}")


class SGD(Optimizer, _C.optim.SGD):
    """PyTorch's SGD. fused=None or True (the default behaviour) updates each parameter
    with fused ops; fused=False runs the update op by op."""

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0,
                 nesterov=False, *, maximize=False, foreach=None, differentiable=False,
                 fused=None):
        _check_lr("SGD", lr)
        if fused is not None:
            self._fused_default = bool(fused)
        _C.optim.SGD.__init__(self, _with_fused(_groups(params), fused), float(lr),
                              float(momentum),
                              float(dampening), float(weight_decay), bool(nesterov),
                              bool(maximize))


class Adam(Optimizer, _C.optim.Adam):
    """PyTorch's Adam. fused=None or True (the default behaviour) updates each parameter
    with three fused ops (moments, then the parameter); fused=False runs the update op by
    op."""

    _decoupled = False

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, maximize=False, foreach=None, capturable=False,
                 differentiable=False, fused=None):
        _check_lr(type(self).__name__, lr)
        if fused is not None:
            self._fused_default = bool(fused)
        _C.optim.Adam.__init__(self, _with_fused(_groups(params), fused), float(lr),
                               float(betas[0]),
                               float(betas[1]), float(eps), float(weight_decay), bool(amsgrad),
                               bool(maximize), self._decoupled)


class AdamW(Adam):
    _decoupled = True

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, *, maximize=False, fused=None, **kwargs):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize,
                         fused=fused)


class RMSprop(Optimizer, _C.optim.RMSprop):
    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, *, maximize=False, **kwargs):
        _check_lr("RMSprop", lr)
        _C.optim.RMSprop.__init__(self, _groups(params), float(lr), float(alpha), float(eps),
                                  float(weight_decay), float(momentum), bool(centered),
                                  bool(maximize))


class Adagrad(Optimizer, _C.optim.Adagrad):
    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0,
                 initial_accumulator_value=0, eps=1e-10, *, maximize=False, **kwargs):
        _check_lr("Adagrad", lr)
        _C.optim.Adagrad.__init__(self, _groups(params), float(lr), float(lr_decay),
                                  float(weight_decay), float(initial_accumulator_value),
                                  float(eps), bool(maximize))
