"""Optimizers ember.optim lacks (Adadelta, Adamax, Nadam, Lion), written in Python over
in-place tensor ops with Keras 3's update rules. The learning rate and the step count
live in 0-d tensors updated in place, so a traced train step reads their current values
and ``optimizer.learning_rate = x`` needs no retrace; all state is created on
construction (before any trace)."""

import math

from .. import _C
from .._grad_mode import no_grad

__all__ = ["PyOptimizer", "Adadelta", "Adamax", "Nadam", "Lion"]


class _Group(dict):
    """param_groups[0]: setting 'lr' writes the learning-rate tensor in place."""

    def __init__(self, opt, params):
        super().__init__(params=params)
        self._opt = opt

    def __getitem__(self, key):
        if key == "lr":
            return float(self._opt._lr.item())
        return dict.__getitem__(self, key)

    def __setitem__(self, key, value):
        if key == "lr":
            with no_grad():
                self._opt._lr.fill_(float(value))
        else:
            dict.__setitem__(self, key, value)


def _zeros_like(p):
    return _C.zeros_like(p.detach())


class PyOptimizer:
    """Base: ``_slots`` names the per-parameter state tensors (zeros); subclasses implement
    ``_update(p, g, state, t)`` with t the 1-based step as a 0-d tensor, returning nothing
    (they write p and state in place)."""

    _slots = ()

    def __init__(self, params, lr, weight_decay=0.0):
        self.params = list(params)
        self._lr = _C.scalar_tensor(float(lr), dtype=_C.dtype.float32)
        self._step = _C.scalar_tensor(0.0, dtype=_C.dtype.float32)
        self.weight_decay = float(weight_decay or 0.0)
        self.param_groups = [_Group(self, self.params)]
        self.state = [{name: _zeros_like(p) for name in self._slots} for p in self.params]
        self._init_state()

    def _init_state(self):
        """Extra state (created before any trace)."""

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    def step(self):
        with no_grad():
            self._step.add_(1.0)
            self._before_updates(self._step)
            for p, state in zip(self.params, self.state):
                g = p.grad
                if g is None:
                    continue
                if self.weight_decay:   # Keras's decoupled decay: w -= w * wd * lr
                    p.sub_(p * (self._lr * self.weight_decay))
                self._update(p, g, state, self._step)

    def _before_updates(self, t):
        """Once per step, before the parameters (Nadam's running product)."""

    def _update(self, p, g, state, t):
        raise NotImplementedError


def _pow(base, t):
    """base ** t for a float base and a 0-d tensor t (traceable)."""
    return _C.exp(t * math.log(base))


class Adadelta(PyOptimizer):
    _slots = ("accumulated_grad", "accumulated_delta")

    def __init__(self, params, lr, rho, eps, weight_decay=0.0):
        self.rho, self.eps = rho, eps
        super().__init__(params, lr, weight_decay)

    def _update(self, p, g, state, t):
        rho, eps = self.rho, self.eps
        acc_g, acc_d = state["accumulated_grad"], state["accumulated_delta"]
        acc_g.mul_(rho).add_(g * g * (1.0 - rho))
        delta = _C.sqrt(acc_d + eps) / _C.sqrt(acc_g + eps) * g
        acc_d.mul_(rho).add_(delta * delta * (1.0 - rho))
        p.sub_(delta * self._lr)


class Adamax(PyOptimizer):
    _slots = ("m", "u")

    def __init__(self, params, lr, beta_1, beta_2, eps, weight_decay=0.0):
        self.beta_1, self.beta_2, self.eps = beta_1, beta_2, eps
        super().__init__(params, lr, weight_decay)

    def _update(self, p, g, state, t):
        m, u = state["m"], state["u"]
        m.add_((g - m) * (1.0 - self.beta_1))
        u[...] = _C.maximum(u * self.beta_2, _C.abs(g))
        p.sub_(self._lr * m / ((1.0 - _pow(self.beta_1, t)) * (u + self.eps)))


class Nadam(PyOptimizer):
    """Keras 3's Nadam: momentum schedule ``u_t = beta_1 * (1 - 0.5 * 0.96^t)``."""

    _slots = ("m", "v")

    def __init__(self, params, lr, beta_1, beta_2, eps, weight_decay=0.0):
        self.beta_1, self.beta_2, self.eps = beta_1, beta_2, eps
        super().__init__(params, lr, weight_decay)

    def _init_state(self):
        self._u_product = _C.scalar_tensor(1.0, dtype=_C.dtype.float32)

    def _u(self, t):
        return self.beta_1 * (1.0 - 0.5 * _pow(0.96, t))

    def _before_updates(self, t):
        self._u_product.mul_(self._u(t))

    def _update(self, p, g, state, t):
        m, v = state["m"], state["v"]
        u_t, u_next = self._u(t), self._u(t + 1.0)
        u_product = self._u_product
        m.add_((g - m) * (1.0 - self.beta_1))
        v.add_((g * g - v) * (1.0 - self.beta_2))
        m_hat = u_next * m / (1.0 - u_product * u_next) + (1.0 - u_t) * g / (1.0 - u_product)
        v_hat = v / (1.0 - _pow(self.beta_2, t))
        p.sub_(m_hat * self._lr / (_C.sqrt(v_hat) + self.eps))


class Lion(PyOptimizer):
    """``w -= lr * sign(beta_1 * m + (1 - beta_1) * g)``; ``m = beta_2 * m + (1 - beta_2) * g``."""

    _slots = ("m",)

    def __init__(self, params, lr, beta_1, beta_2, weight_decay=0.0):
        self.beta_1, self.beta_2 = beta_1, beta_2
        super().__init__(params, lr, weight_decay)

    def _update(self, p, g, state, t):
        m = state["m"]
        p.sub_(self._lr * _C.sign(m * self.beta_1 + g * (1.0 - self.beta_1)))
        m.mul_(self.beta_2).add_(g * (1.0 - self.beta_2))
