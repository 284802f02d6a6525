"""nn.Parameter: a Tensor that a Module registers as a learnable parameter."""

from .. import _C


class Parameter(_C.Tensor):
    """A leaf tensor that requires grad by default and registers itself when assigned as a
    Module attribute. `Parameter(t)` shares t's data (not its history)."""

    _is_parameter = True

    def __init__(self, data=None, requires_grad=True):
        if data is None:
            data = _C.zeros([0])
        if not isinstance(data, _C.Tensor):
            raise TypeError(f"[Parameter] expected a Tensor, got {type(data).__name__}")
        super().__init__(data.detach())
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _wrap(cls, t):
        """A Parameter object for an existing tensor (same tensor, same autograd state)."""
        p = cls.__new__(cls)
        _C.Tensor.__init__(p, t)
        return p

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, proto):
        raise TypeError("[Parameter] pickling is not supported; use ember.save(state_dict)")


class Buffer(_C.Tensor):
    """Marks a tensor to register as a buffer when assigned to a Module attribute."""

    def __init__(self, data, persistent=True):
        super().__init__(data)
        self.persistent = persistent
