"""Adamax, NAdam, RAdam and Adadelta, written as Python optimizers (optim.Optimizer
subclasses) with ember ops, following PyTorch's update rules step for step."""

import math

from .. import _C
from .._grad_mode import no_grad
from .optimizer import Optimizer

__all__ = ["Adamax", "NAdam", "RAdam", "Adadelta"]


def _check(name, lr, eps=None, betas=None):
    if not lr >= 0:
        raise ValueError(f"[{name}] invalid learning rate: {lr}")
    if eps is not None and not eps >= 0:
        raise ValueError(f"[{name}] invalid epsilon value: {eps}")
    if betas is not None and not (0 <= betas[0] < 1 and 0 <= betas[1] < 1):
        raise ValueError(f"[{name}] invalid beta parameters: {betas}")


class _Stepper(Optimizer):
    """step(closure) calling _update(p, grad, group, state) for each parameter with a grad."""

    def step(self, closure=None):
        loss = None
        if closure is not None:
            with _C_enable_grad():
                loss = closure()
        with no_grad():
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is not None:
                        self._update(p, p.grad, group, self.state[p])
        return loss


class _C_enable_grad:
    def __enter__(self):
        self._prev = _C.is_grad_enabled()
        _C.set_grad_enabled(True)

    def __exit__(self, *exc):
        _C.set_grad_enabled(self._prev)


def _decay(p, grad, group, decoupled=False):
    wd = group["weight_decay"]
    if wd == 0:
        return grad
    if decoupled:
        p.mul_(1 - group["lr"] * wd)
        return grad
    return grad + p * wd


class Adamax(_Stepper):
    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, **kw):
        _check("Adamax", lr, eps, betas)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay))

    def _update(self, p, grad, group, state):
        if not state:
            state.update(step=0, exp_avg=_C.zeros_like(p), exp_inf=_C.zeros_like(p))
        b1, b2 = group["betas"]
        state["step"] += 1
        grad = _decay(p, grad, group)
        state["exp_avg"].lerp_(grad, 1 - b1)
        state["exp_inf"] = _C.maximum(state["exp_inf"] * b2, grad.abs() + group["eps"])
        clr = group["lr"] / (1 - b1 ** state["step"])
        p.addcdiv_(state["exp_avg"], state["exp_inf"], value=-clr)


class NAdam(_Stepper):
    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 momentum_decay=4e-3, decoupled_weight_decay=False, **kw):
        _check("NAdam", lr, eps, betas)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      momentum_decay=momentum_decay,
                                      decoupled_weight_decay=decoupled_weight_decay))

    def _update(self, p, grad, group, state):
        if not state:
            state.update(step=0, mu_product=1.0, exp_avg=_C.zeros_like(p),
                         exp_avg_sq=_C.zeros_like(p))
        b1, b2 = group["betas"]
        state["step"] += 1
        step, md = state["step"], group["momentum_decay"]
        grad = _decay(p, grad, group, group["decoupled_weight_decay"])
        mu = b1 * (1 - 0.5 * 0.96 ** (step * md))
        mu_next = b1 * (1 - 0.5 * 0.96 ** ((step + 1) * md))
        state["mu_product"] *= mu
        state["exp_avg"].lerp_(grad, 1 - b1)
        state["exp_avg_sq"].mul_(b2).addcmul_(grad, grad, value=1 - b2)
        denom = (state["exp_avg_sq"] / (1 - b2 ** step)).sqrt() + group["eps"]
        lr, mp = group["lr"], state["mu_product"]
        p.addcdiv_(grad, denom, value=-lr * (1 - mu) / (1 - mp))
        p.addcdiv_(state["exp_avg"], denom, value=-lr * mu_next / (1 - mp * mu_next))


class RAdam(_Stepper):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, **kw):
        _check("RAdam", lr, eps, betas)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      decoupled_weight_decay=decoupled_weight_decay))

    def _update(self, p, grad, group, state):
        if not state:
            state.update(step=0, exp_avg=_C.zeros_like(p), exp_avg_sq=_C.zeros_like(p))
        b1, b2 = group["betas"]
        state["step"] += 1
        step = state["step"]
        grad = _decay(p, grad, group, group["decoupled_weight_decay"])
        state["exp_avg"].lerp_(grad, 1 - b1)
        state["exp_avg_sq"].mul_(b2).addcmul_(grad, grad, value=1 - b2)
        bc1, bc2 = 1 - b1 ** step, 1 - b2 ** step
        corrected = state["exp_avg"] / bc1
        rho_inf = 2 / (1 - b2) - 1
        rho_t = rho_inf - 2 * step * (b2 ** step) / bc2
        if rho_t > 5.0:
            rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf /
                             ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            adaptive = (bc2 ** 0.5) / (state["exp_avg_sq"].sqrt() + group["eps"])
            p.add_(corrected * adaptive * (group["lr"] * rect), alpha=-1.0)
        else:
            p.add_(corrected * group["lr"], alpha=-1.0)


class Adadelta(_Stepper):
    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, **kw):
        _check("Adadelta", lr, eps)
        if not 0 <= rho <= 1:
            raise ValueError(f"[Adadelta] invalid rho value: {rho}")
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay))

    def _update(self, p, grad, group, state):
        if not state:
            state.update(step=0, square_avg=_C.zeros_like(p), acc_delta=_C.zeros_like(p))
        rho, eps = group["rho"], group["eps"]
        state["step"] += 1
        grad = _decay(p, grad, group)
        state["square_avg"].mul_(rho).addcmul_(grad, grad, value=1 - rho)
        std = (state["square_avg"] + eps).sqrt()
        delta = (state["acc_delta"] + eps).sqrt() / std * grad
        state["acc_delta"].mul_(rho).addcmul_(delta, delta, value=1 - rho)
        p.add_(delta, alpha=-group["lr"])
