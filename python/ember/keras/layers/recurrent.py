"""Recurrent layers over (N, timesteps, features) inputs: SimpleRNN, LSTM and GRU with
Keras's weights (``kernel [in, k*units]``, ``recurrent_kernel [units, k*units]``), gate
orders (LSTM: i, f, c, o; GRU: z, r, h with ``reset_after=True``: bias ``[2, 3*units]``)
and defaults (orthogonal recurrent kernel, unit forget bias). A (batch, timesteps) `mask`
(from Embedding(mask_zero=True) or Masking) skips timesteps: their states carry over. The time loop is unrolled in
Python, so a traced train step holds one copy of the cell per timestep."""

from ... import _C
from .. import activations as _activations
from .. import initializers as _initializers
from .. import regularizers as _regularizers
from .base import Layer, _as_tensor, _check_positive_int, format_shape

__all__ = ["SimpleRNN", "LSTM", "GRU"]


class _RNN(Layer):
    gates = 1

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, return_sequences=False,
                 return_state=False, go_backwards=False, **kwargs):
        super().__init__(**kwargs)
        self.units = _check_positive_int(type(self).__name__, "units", units)
        self.activation = _activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = _initializers.get(kernel_initializer)
        self.recurrent_initializer = _initializers.get(recurrent_initializer)
        self.bias_initializer = _initializers.get(bias_initializer)
        self.kernel_regularizer = _regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = _regularizers.get(recurrent_regularizer)
        self.bias_regularizer = _regularizers.get(bias_regularizer)
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)

    def _bias_shape(self):
        return (self.gates * self.units,)

    def compute_mask(self, inputs, mask=None):
        """The sequence output keeps the input's mask; the last output has none."""
        return mask if self.return_sequences else None

    def build(self, input_shape):
        if isinstance(input_shape, list) or len(input_shape) != 3 or input_shape[-1] is None:
            raise ValueError(f"[{type(self).__name__}] layer '{self.name}' expects inputs of "
                             f"shape (batch, timesteps, features), got input shape "
                             f"{format_shape(input_shape)}")
        k = self.gates * self.units
        self.add_weight("kernel", (input_shape[-1], k), self.kernel_initializer,
                        regularizer=self.kernel_regularizer)
        self.add_weight("recurrent_kernel", (self.units, k), self.recurrent_initializer,
                        regularizer=self.recurrent_regularizer)
        if self.use_bias:
            self.add_weight("bias", self._bias_shape(), self.bias_initializer,
                            regularizer=self.bias_regularizer)

    def _initial_states(self, x):
        zeros = _C.zeros((x.shape[0], self.units), dtype=x.dtype)
        return [zeros] * self._n_states

    _n_states = 1

    def _input_projection(self, x):
        return _C.matmul(x, self.kernel)

    def call(self, x, initial_state=None, mask=None):
        if x.dtype != self.kernel.dtype:
            x = x.to(self.kernel.dtype)
        steps = x.shape[1]
        if steps == 0:
            raise ValueError(f"[{type(self).__name__}] layer '{self.name}' got an input with "
                             f"no timesteps")
        projected = self._input_projection(x)     # all timesteps in one matmul
        states = list(initial_state) if initial_state is not None else self._initial_states(x)
        keep = None if mask is None else _as_tensor(mask).to(x.dtype)
        outputs = []
        order = range(steps - 1, -1, -1) if self.go_backwards else range(steps)
        for i, t in enumerate(order):
            h, new_states = self._cell(projected.select(1, t), states)
            if keep is None:
                states = new_states
            else:
                # A masked timestep keeps the states, so it repeats the last output (h is
                # states[0] in every cell), as Keras. The last step blends only what is
                # used: a traced step must not compute values nothing reads.
                m = keep.select(1, t).unsqueeze(-1)
                used = len(states) if self.return_state or i + 1 < steps else 1
                states = [o + (n - o) * m if k < used else n
                          for k, (n, o) in enumerate(zip(new_states, states))]
                h = states[0]
            if self.return_sequences:
                outputs.append(h)
        out = _C.stack(outputs, 1) if self.return_sequences else h
        if self.return_state:
            return [out] + states
        return out

    def get_config(self):
        return {**super().get_config(), "units": self.units,
                "activation": _activations.serialize(self.activation), "use_bias": self.use_bias,
                "kernel_initializer": _initializers.serialize(self.kernel_initializer),
                "recurrent_initializer": _initializers.serialize(self.recurrent_initializer),
                "bias_initializer": _initializers.serialize(self.bias_initializer),
                "kernel_regularizer": _regularizers.serialize(self.kernel_regularizer),
                "recurrent_regularizer": _regularizers.serialize(self.recurrent_regularizer),
                "bias_regularizer": _regularizers.serialize(self.bias_regularizer),
                "return_sequences": self.return_sequences, "return_state": self.return_state,
                "go_backwards": self.go_backwards}


class SimpleRNN(_RNN):
    """``h = activation(x_t @ kernel + h @ recurrent_kernel + bias)``."""

    gates = 1

    def _input_projection(self, x):
        p = _C.matmul(x, self.kernel)
        return p + self.bias if self.use_bias else p

    def _cell(self, xp, states):
        h = self.activation(xp + _C.matmul(states[0], self.recurrent_kernel))
        return h, [h]


class LSTM(_RNN):
    """Long short-term memory; states ``[h, c]``."""

    gates = 4
    _n_states = 2

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 unit_forget_bias=True, **kwargs):
        super().__init__(units, activation=activation, **kwargs)
        self.recurrent_activation = _activations.get(recurrent_activation)
        self.unit_forget_bias = bool(unit_forget_bias)

    def build(self, input_shape):
        super().build(input_shape)
        if self.use_bias and self.unit_forget_bias:
            from ..._grad_mode import no_grad
            with no_grad():
                self.bias[self.units:2 * self.units] = 1.0

    def _input_projection(self, x):
        p = _C.matmul(x, self.kernel)
        return p + self.bias if self.use_bias else p

    def _cell(self, xp, states):
        h, c = states
        z = xp + _C.matmul(h, self.recurrent_kernel)
        u = self.units
        i = self.recurrent_activation(z.narrow(-1, 0, u))
        f = self.recurrent_activation(z.narrow(-1, u, u))
        g = self.activation(z.narrow(-1, 2 * u, u))
        o = self.recurrent_activation(z.narrow(-1, 3 * u, u))
        c = f * c + i * g
        h = o * self.activation(c)
        return h, [h, c]

    def get_config(self):
        return {**super().get_config(),
                "recurrent_activation": _activations.serialize(self.recurrent_activation),
                "unit_forget_bias": self.unit_forget_bias}


class GRU(_RNN):
    """Gated recurrent unit in Keras's default ``reset_after=True`` form:
    ``h~ = tanh(x W_h + b_h + r * (h U_h + b'_h))``, ``h = z * h_prev + (1 - z) * h~``."""

    gates = 3

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 reset_after=True, **kwargs):
        super().__init__(units, activation=activation, **kwargs)
        if not reset_after:
            raise NotImplementedError("[GRU] only reset_after=True (Keras's default) is "
                                      "supported")
        self.recurrent_activation = _activations.get(recurrent_activation)
        self.reset_after = True

    def _bias_shape(self):
        return (2, 3 * self.units)

    def _input_projection(self, x):
        p = _C.matmul(x, self.kernel)
        return p + self.bias.select(0, 0) if self.use_bias else p

    def _cell(self, xp, states):
        h = states[0]
        inner = _C.matmul(h, self.recurrent_kernel)
        if self.use_bias:
            inner = inner + self.bias.select(0, 1)
        u = self.units
        z = self.recurrent_activation(xp.narrow(-1, 0, u) + inner.narrow(-1, 0, u))
        r = self.recurrent_activation(xp.narrow(-1, u, u) + inner.narrow(-1, u, u))
        hh = self.activation(xp.narrow(-1, 2 * u, u) + r * inner.narrow(-1, 2 * u, u))
        h = z * h + (1.0 - z) * hh
        return h, [h]

    def get_config(self):
        return {**super().get_config(),
                "recurrent_activation": _activations.serialize(self.recurrent_activation),
                "reset_after": self.reset_after}
