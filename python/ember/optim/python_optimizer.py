"""The Python side of user-written optimizers: `class Lion(torch.optim.Optimizer)` calling
`super().__init__(params, defaults)` and writing `step()` with ember ops, as in PyTorch.
param_groups are plain dicts, state is a dict per parameter, state_dict() uses PyTorch's
layout (parameters numbered in group order). ember.optim.Optimizer routes here for such
subclasses; the built-in optimizers keep their state in C++."""

from collections import defaultdict

from .. import _C

__all__ = ["init", "add_param_group", "zero_grad", "state_dict", "load_state_dict"]


def init(opt, params, defaults):
    d = opt.__dict__
    d["_py"] = True
    d["_py_defaults"] = dict(defaults)
    d["_py_groups"] = []
    d["_py_state"] = defaultdict(dict)
    if isinstance(params, _C.Tensor):
        raise TypeError("[optimizer] params argument given to the optimizer should be an "
                        "iterable of Tensors or dicts, but got a Tensor")
    groups = list(params)
    if not groups:
        raise ValueError("[optimizer] got an empty parameter list")
    if not isinstance(groups[0], dict):
        groups = [{"params": groups}]
    for g in groups:
        add_param_group(opt, g)


def add_param_group(opt, group):
    group = dict(group)
    params = group["params"]
    group["params"] = [params] if isinstance(params, _C.Tensor) else list(params)
    for k, v in opt._py_defaults.items():
        group.setdefault(k, v)
    seen = {id(p) for g in opt._py_groups for p in g["params"]}
    if any(id(p) in seen for p in group["params"]):
        raise ValueError("[optimizer] some parameters appear in more than one parameter group")
    opt._py_groups.append(group)


def zero_grad(opt, set_to_none=True):
    for g in opt._py_groups:
        for p in g["params"]:
            if p.grad is None:
                continue
            if set_to_none:
                p.grad = None
            else:
                p.grad = _C.zeros_like(p.grad)


def _numbered(opt):
    out, i = {}, 0
    for g in opt._py_groups:
        for p in g["params"]:
            out.setdefault(id(p), i)
            i += 1
    return out


def state_dict(opt):
    ids = _numbered(opt)
    by_id = {id(p): p for g in opt._py_groups for p in g["params"]}
    state = {ids[pid]: dict(s) for pid, s in
             ((id(p), opt._py_state[p]) for p in by_id.values()) if s}
    groups = [{**{k: v for k, v in g.items() if k != "params"},
               "params": [ids[id(p)] for p in g["params"]]} for g in opt._py_groups]
    return {"state": state, "param_groups": groups}


def load_state_dict(opt, sd):
    groups = sd["param_groups"]
    if len(groups) != len(opt._py_groups) or any(
            len(a["params"]) != len(b["params"]) for a, b in zip(groups, opt._py_groups)):
        raise ValueError("[optimizer.load_state_dict] loaded state dict has a different number "
                         "of parameter groups or parameters than this optimizer")
    params = [p for g in opt._py_groups for p in g["params"]]
    for mine, saved in zip(opt._py_groups, groups):
        for k, v in saved.items():
            if k != "params":
                mine[k] = v
    opt._py_state.clear()
    for k, s in sd["state"].items():
        p = params[int(k)]
        opt._py_state[p] = {n: (v.to(p.device) if isinstance(v, _C.Tensor) and
                                n != "step" else v) for n, v in s.items()}
