"""LSTMCell, GRUCell and RNNCell: one time step, with weights named as in torch.nn
(weight_ih, weight_hh, bias_ih, bias_hh; gates stacked in PyTorch's order) so PyTorch state
dicts load."""

import math

from ... import _C
from .. import init
from ..parameter import Parameter
from .module import Module

__all__ = ["RNNCell", "LSTMCell", "GRUCell"]


class _CellBase(Module):
    _gates = 1

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__()
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        dt = dtype or _C.get_default_dtype()
        g = self._gates * hidden_size
        self.weight_ih = Parameter(_C.empty(g, input_size, dtype=dt, device=device))
        self.weight_hh = Parameter(_C.empty(g, hidden_size, dtype=dt, device=device))
        if bias:
            self.bias_ih = Parameter(_C.empty(g, dtype=dt, device=device))
            self.bias_hh = Parameter(_C.empty(g, dtype=dt, device=device))
        self.reset_parameters()

    def reset_parameters(self):
        k = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0.0
        for p in self.parameters():
            init.uniform_(p, -k, k)

    def _check_input(self, input, hx):
        name = type(self).__name__
        if input.dim() not in (1, 2) or input.shape[-1] != self.input_size:
            raise ValueError(f"[{name}] expects input (batch, {self.input_size}) or "
                             f"({self.input_size},), got shape {tuple(input.shape)}")
        batched = input.dim() == 2
        x = input if batched else input.unsqueeze(0)
        return x, batched

    def _hidden(self, x, h, batched):
        name = type(self).__name__
        if h is None:
            return _C.zeros(x.shape[0], self.hidden_size, dtype=x.dtype, device=x.device)
        h = h if batched else h.unsqueeze(0)
        if tuple(h.shape) != (x.shape[0], self.hidden_size):
            raise ValueError(f"[{name}] hidden state must have shape "
                             f"{(x.shape[0], self.hidden_size)}, got "
                             f"{tuple(h.shape if batched else h.shape[1:])}")
        return h

    def _gates_ih_hh(self, x, h):
        gi = _C.matmul(x, self.weight_ih.t())
        gh = _C.matmul(h, self.weight_hh.t())
        if self.bias:
            gi, gh = gi + self.bias_ih, gh + self.bias_hh
        return gi, gh

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if not self.bias:
            s += ", bias=False"
        return s


class RNNCell(_CellBase):
    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None,
                 dtype=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"[RNNCell] nonlinearity must be 'tanh' or 'relu', got "
                             f"{nonlinearity!r}")
        super().__init__(input_size, hidden_size, bias, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        x, batched = self._check_input(input, hx)
        h = self._hidden(x, hx, batched)
        gi, gh = self._gates_ih_hh(x, h)
        out = _C.tanh(gi + gh) if self.nonlinearity == "tanh" else _C.relu(gi + gh)
        return out if batched else out.squeeze(0)

    def extra_repr(self):
        s = super().extra_repr()
        return s + (f", nonlinearity={self.nonlinearity!r}" if self.nonlinearity != "tanh"
                    else "")


class LSTMCell(_CellBase):
    """Gates i, f, g, o (PyTorch's order); returns (h', c')."""
    _gates = 4

    def forward(self, input, hx=None):
        x, batched = self._check_input(input, hx)
        h, c = (None, None) if hx is None else hx
        h, c = self._hidden(x, h, batched), self._hidden(x, c, batched)
        gi, gh = self._gates_ih_hh(x, h)
        i, f, g, o = _C.chunk(gi + gh, 4, 1)
        c2 = _C.sigmoid(f) * c + _C.sigmoid(i) * _C.tanh(g)
        h2 = _C.sigmoid(o) * _C.tanh(c2)
        return (h2, c2) if batched else (h2.squeeze(0), c2.squeeze(0))


class GRUCell(_CellBase):
    """Gates r, z, n (PyTorch's order); returns h'."""
    _gates = 3

    def forward(self, input, hx=None):
        x, batched = self._check_input(input, hx)
        h = self._hidden(x, hx, batched)
        gi, gh = self._gates_ih_hh(x, h)
        ir, iz, inn = _C.chunk(gi, 3, 1)
        hr, hz, hn = _C.chunk(gh, 3, 1)
        r, z = _C.sigmoid(ir + hr), _C.sigmoid(iz + hz)
        n = _C.tanh(inn + r * hn)
        out = (1 - z) * n + z * h
        return out if batched else out.squeeze(0)
