"""ParameterList and ParameterDict: parameters held in a list or dict, registered under
their index or key so that parameters() and state dicts see them (as in torch.nn)."""

from ..parameter import Parameter
from .module import Module

__all__ = ["ParameterList", "ParameterDict"]


def _describe(key, p):
    size = "x".join(str(s) for s in p.shape)
    return f"  ({key}): Parameter containing: [{p.dtype} of size {size}]"


def _repr(self, items):
    lines = [_describe(k, p) for k, p in items]
    return type(self).__name__ + ("(\n" + "\n".join(lines) + "\n)" if lines else "()")


def _extra(items):
    lines = [_describe(k, p) for k, p in items]
    return "\n" + "\n".join(lines) + "\n" if lines else ""


def _as_parameter(value):
    return value if isinstance(value, Parameter) else Parameter(value)


class ParameterList(Module):
    def __init__(self, values=None):
        super().__init__()
        self._n = 0
        for v in values or []:
            self.append(v)

    def __len__(self):
        return self._n

    def _idx(self, idx):
        if not -self._n <= idx < self._n:
            raise IndexError(f"[ParameterList] index {idx} is out of range for {self._n} "
                             f"parameters")
        return idx % self._n

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return ParameterList([self[i] for i in range(self._n)[idx]])
        return getattr(self, str(self._idx(idx)))

    def __setitem__(self, idx, value):
        self.register_parameter(str(self._idx(idx)), _as_parameter(value))

    def __iter__(self):
        return (self[i] for i in range(self._n))

    def append(self, value):
        self.register_parameter(str(self._n), _as_parameter(value))
        self._n += 1
        return self

    def extend(self, values):
        for v in values:
            self.append(v)
        return self

    def forward(self, *args):
        raise RuntimeError("[ParameterList] is a container and cannot be called")

    def __repr__(self):
        return _repr(self, enumerate(self))

    def extra_repr(self):  # how a parent module's repr shows this one
        return _extra(enumerate(self))


class ParameterDict(Module):
    def __init__(self, parameters=None):
        super().__init__()
        self._order = []
        if parameters is not None:
            self.update(parameters)

    def __len__(self):
        return len(self._order)

    def __getitem__(self, key):
        if key not in self._order:
            raise KeyError(f"[ParameterDict] no parameter named {key!r}")
        return getattr(self, key)

    def __setitem__(self, key, value):
        if not isinstance(key, str):
            raise TypeError(f"[ParameterDict] keys must be strings, got {type(key).__name__}")
        self.register_parameter(key, _as_parameter(value))
        if key not in self._order:
            self._order.append(key)

    def __contains__(self, key):
        return key in self._order

    def __iter__(self):
        return iter(list(self._order))

    def keys(self):
        return list(self._order)

    def values(self):
        return [self[k] for k in self._order]

    def items(self):
        return [(k, self[k]) for k in self._order]

    def get(self, key, default=None):
        return self[key] if key in self._order else default

    def update(self, parameters):
        items = parameters.items() if hasattr(parameters, "items") else parameters
        for k, v in items:
            self[k] = v

    def forward(self, *args):
        raise RuntimeError("[ParameterDict] is a container and cannot be called")

    def __repr__(self):
        return _repr(self, self.items())

    def extra_repr(self):
        return _extra(self.items())
