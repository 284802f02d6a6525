"""Sequential, ModuleList, ModuleDict (registry in C++; Python iteration and indexing)."""

from collections import OrderedDict

from ... import _C
from .module import Module  # noqa: F401  (patches Module first)

Sequential = _C.nn.Sequential
ModuleList = _C.nn.ModuleList
ModuleDict = _C.nn.ModuleDict


def _index(self, idx, what):
    n = len(self)
    if not -n <= idx < n:
        raise IndexError(f"[{what}] index {idx} is out of range for {n} modules")
    return idx % n


def _seq_init(self, *args):
    _C.nn.Sequential.__cpp_init__(self)
    if len(args) == 1 and isinstance(args[0], OrderedDict):
        for name, m in args[0].items():
            self.add_module(name, m)
    else:
        for m in args:
            self._append(m)


def _seq_getitem(self, idx):
    children = list(self._named_children())
    if isinstance(idx, slice):
        return Sequential(OrderedDict(children[idx]))
    return children[_index(self, idx, "Sequential")][1]


def _seq_forward(self, x):
    for m in self.children():
        x = m(x)
    return x


def _seq_append(self, m):
    self._append(m)
    return self


Sequential.__cpp_init__ = Sequential.__init__
Sequential.__init__ = _seq_init
Sequential.__getitem__ = _seq_getitem
Sequential.__iter__ = lambda self: iter(self.children())
Sequential.forward = _seq_forward
Sequential.append = _seq_append


def _list_init(self, modules=None):
    _C.nn.ModuleList.__cpp_init__(self)
    for m in modules or []:
        self.append(m)


def _list_append(self, m):
    self.add_module(str(len(self)), m)
    return self


def _list_getitem(self, idx):
    children = list(self.children())
    if isinstance(idx, slice):
        return ModuleList(children[idx])
    return children[_index(self, idx, "ModuleList")]


def _list_setitem(self, idx, m):
    setattr(self, str(_index(self, idx, "ModuleList")), m)


def _list_extend(self, modules):
    for m in modules:
        self.append(m)
    return self


ModuleList.__cpp_init__ = ModuleList.__init__
ModuleList.__init__ = _list_init
ModuleList.append = _list_append
ModuleList.extend = _list_extend
ModuleList.__getitem__ = _list_getitem
ModuleList.__setitem__ = _list_setitem
ModuleList.__iter__ = lambda self: iter(self.children())
ModuleList.__iadd__ = _list_extend


def _dict_init(self, modules=None):
    _C.nn.ModuleDict.__cpp_init__(self)
    if modules is not None:
        self.update(modules)


def _dict_update(self, modules):
    items = modules.items() if hasattr(modules, "items") else modules
    for k, m in items:
        self[k] = m


def _dict_getitem(self, key):
    for name, m in self._named_children():
        if name == key:
            return m
    raise KeyError(key)


ModuleDict.__cpp_init__ = ModuleDict.__init__
ModuleDict.__init__ = _dict_init
ModuleDict.__getitem__ = _dict_getitem
ModuleDict.__setitem__ = lambda self, k, m: setattr(self, k, m)
ModuleDict.__contains__ = lambda self, k: any(n == k for n, _ in self._named_children())
ModuleDict.__iter__ = lambda self: iter([n for n, _ in self._named_children()])
ModuleDict.keys = lambda self: [n for n, _ in self._named_children()]
ModuleDict.values = lambda self: [m for _, m in self._named_children()]
ModuleDict.items = lambda self: list(self._named_children())
ModuleDict.update = _dict_update
