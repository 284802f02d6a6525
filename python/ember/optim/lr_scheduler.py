"""ember.optim.lr_scheduler (torch.optim.lr_scheduler). The closed-form schedules are C++;
the classes here give them PyTorch's Python side: `last_epoch=` to resume, state_dict /
load_state_dict for checkpoints, and PyTorch's `initial_lr` rule, so that schedules
sharing one optimizer (a warm-up then a decay) all scale the optimizer's first lr rather
than the lr the previous schedule left. SequentialLR,
CosineAnnealingWarmRestarts, ConstantLR, PolynomialLR and MultiplicativeLR are Python."""

import math

from .. import _C

__all__ = ["LRScheduler", "StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR",
           "LambdaLR", "LinearLR", "OneCycleLR", "ReduceLROnPlateau", "SequentialLR",
           "CosineAnnealingWarmRestarts", "ConstantLR", "PolynomialLR",
           "MultiplicativeLR"]

LRScheduler = _C.optim.LRScheduler


def _initial_lrs(optimizer, current):
    """PyTorch's group.setdefault('initial_lr', group['lr']): the first schedule attached to
    an optimizer records its lrs, later ones scale those."""
    d = optimizer.__dict__
    lrs = d.get("_initial_lrs")
    if lrs is None or len(lrs) != len(current):
        lrs = d["_initial_lrs"] = list(current)
    return list(lrs)


def _cpp_target(optimizer):
    """The C++ optimizer a C++ schedule drives: the optimizer itself, or for an optimizer
    written in Python (torch.optim.Optimizer subclass) a stand-in with one group per group
    and the same lrs, whose lrs the schedule copies back after each step."""
    if isinstance(optimizer, _C.optim.Optimizer):
        return optimizer, None
    from .optimizer import SGD
    groups = [{"params": [_C.zeros((1,))], "lr": float(g["lr"])}
              for g in optimizer.param_groups]
    proxy = SGD(groups, lr=float(groups[0]["lr"]))
    return proxy, proxy


def _copy_lrs(src_groups, dst_groups):
    for s, d in zip(src_groups, dst_groups):
        d["lr"] = s["lr"]


class _Resumable:
    """Python side of a C++ schedule: call _setup(optimizer, last_epoch) after the C++
    constructor."""

    _hyper = ()  # constructor arguments kept in the state dict, as PyTorch's __dict__ does

    def _setup(self, optimizer, last_epoch):
        self.optimizer = optimizer
        base = _initial_lrs(optimizer, self.base_lrs)
        if base != list(self.base_lrs) or last_epoch != -1:
            self.base_lrs = base
            self.last_epoch = last_epoch
            _C.optim.LRScheduler.step(self, None)
        self._sync_out()

    def step(self, epoch=None):
        _C.optim.LRScheduler.step(self, epoch)
        self._sync_out()

    def _sync_out(self):
        if self.__dict__.get("_proxy") is not None:
            _copy_lrs(self._proxy.param_groups, self.optimizer.param_groups)

    def _target(self, optimizer):
        target, self._proxy = _cpp_target(optimizer)
        return target

    def state_dict(self):
        sd = {k: getattr(self, k) for k in self._hyper}
        sd.update(last_epoch=self.last_epoch, base_lrs=list(self.base_lrs),
                  _last_lr=list(self.get_last_lr()))
        return sd

    def load_state_dict(self, state_dict):
        for k in self._hyper:
            if k in state_dict and getattr(self, k) != state_dict[k]:
                raise ValueError(f"[{type(self).__name__}.load_state_dict] the checkpoint has "
                                 f"{k}={state_dict[k]!r}, this schedule {getattr(self, k)!r}")
        self.base_lrs = [float(v) for v in state_dict["base_lrs"]]
        self.last_epoch = int(state_dict["last_epoch"])
        self._set_last_lr([float(v) for v in state_dict.get("_last_lr", self.get_last_lr())])

    def get_lr(self):
        return self.get_last_lr()


class StepLR(_Resumable, _C.optim.StepLR):
    _hyper = ("step_size", "gamma")

    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1, verbose="deprecated"):
        _C.optim.StepLR.__init__(self, self._target(optimizer), int(step_size), float(gamma))
        self.step_size, self.gamma = int(step_size), float(gamma)
        self._setup(optimizer, last_epoch)


class MultiStepLR(_Resumable, _C.optim.MultiStepLR):
    _hyper = ("milestones", "gamma")

    def __init__(self, optimizer, milestones, gamma=0.1, last_epoch=-1, verbose="deprecated"):
        ms = sorted(int(m) for m in milestones)
        _C.optim.MultiStepLR.__init__(self, self._target(optimizer), ms, float(gamma))
        self.milestones, self.gamma = ms, float(gamma)
        self._setup(optimizer, last_epoch)


class ExponentialLR(_Resumable, _C.optim.ExponentialLR):
    _hyper = ("gamma",)

    def __init__(self, optimizer, gamma, last_epoch=-1, verbose="deprecated"):
        _C.optim.ExponentialLR.__init__(self, self._target(optimizer), float(gamma))
        self.gamma = float(gamma)
        self._setup(optimizer, last_epoch)


class CosineAnnealingLR(_Resumable, _C.optim.CosineAnnealingLR):
    _hyper = ("T_max", "eta_min")

    def __init__(self, optimizer, T_max, eta_min=0.0, last_epoch=-1, verbose="deprecated"):
        _C.optim.CosineAnnealingLR.__init__(self, self._target(optimizer), int(T_max), float(eta_min))
        self.T_max, self.eta_min = int(T_max), float(eta_min)
        self._setup(optimizer, last_epoch)


class LambdaLR(_Resumable, _C.optim.LambdaLR):
    def __init__(self, optimizer, lr_lambda, last_epoch=-1, verbose="deprecated"):
        if isinstance(lr_lambda, (list, tuple)):
            if len(set(map(id, lr_lambda))) != 1:
                raise NotImplementedError("[LambdaLR] one lr_lambda per param group is not "
                                          "supported; pass one function")
            lr_lambda = lr_lambda[0]
        _C.optim.LambdaLR.__init__(self, self._target(optimizer), lr_lambda)
        self._setup(optimizer, last_epoch)


class LinearLR(_Resumable, _C.optim.LinearLR):
    _hyper = ("start_factor", "end_factor", "total_iters")

    def __init__(self, optimizer, start_factor=1.0 / 3, end_factor=1.0, total_iters=5,
                 last_epoch=-1, verbose="deprecated"):
        _C.optim.LinearLR.__init__(self, self._target(optimizer), float(start_factor), float(end_factor),
                                   int(total_iters))
        self.start_factor, self.end_factor = float(start_factor), float(end_factor)
        self.total_iters = int(total_iters)
        self._setup(optimizer, last_epoch)


class OneCycleLR(_Resumable, _C.optim.OneCycleLR):
    """As torch's: total_steps, or epochs * steps_per_epoch; with cycle_momentum (the
    default) the momentum (SGD) or beta1 (Adam) goes from max_momentum down to
    base_momentum while the lr rises, and back up while it falls."""

    _hyper = ("total_steps", "max_lr", "pct_start", "anneal_strategy", "div_factor",
              "final_div_factor", "three_phase")

    def __init__(self, optimizer, max_lr, total_steps=None, epochs=None, steps_per_epoch=None,
                 pct_start=0.3, anneal_strategy="cos", cycle_momentum=True, base_momentum=0.85,
                 max_momentum=0.95, div_factor=25.0, final_div_factor=1e4, three_phase=False,
                 last_epoch=-1, verbose="deprecated"):
        if total_steps is None:
            if epochs is None or steps_per_epoch is None:
                raise ValueError("[OneCycleLR] you must define either total_steps OR "
                                 "(epochs AND steps_per_epoch)")
            if epochs <= 0 or steps_per_epoch <= 0:
                raise ValueError(f"[OneCycleLR] expected positive epochs and steps_per_epoch, "
                                 f"got {epochs} and {steps_per_epoch}")
            total_steps = int(epochs) * int(steps_per_epoch)
        if isinstance(max_lr, (list, tuple)):
            if len(set(max_lr)) != 1:
                raise NotImplementedError("[OneCycleLR] one max_lr per param group is not "
                                          "supported; pass one number")
            max_lr = max_lr[0]
        self._momentum_key = None
        if cycle_momentum:
            opts = optimizer.param_groups[0]
            if "betas" in opts.keys():
                self._momentum_key = "betas"
            elif "momentum" in opts.keys():
                self._momentum_key = "momentum"
            else:
                raise ValueError("[OneCycleLR] optimizer must support momentum or beta1 with "
                                 "`cycle_momentum` option enabled")
        self._mom = (float(base_momentum), float(max_momentum))
        _C.optim.OneCycleLR.__init__(self, self._target(optimizer), float(max_lr), int(total_steps),
                                     float(pct_start), anneal_strategy, float(div_factor),
                                     float(final_div_factor), bool(three_phase))
        # torch's OneCycleLR sets each group's lr from max_lr, whatever lr it had.
        self.optimizer = optimizer
        self.total_steps, self.max_lr, self.pct_start = int(total_steps), float(max_lr), \
            float(pct_start)
        self.anneal_strategy, self.div_factor = anneal_strategy, float(div_factor)
        self.final_div_factor, self.three_phase = float(final_div_factor), bool(three_phase)
        if last_epoch != -1:
            self.last_epoch = last_epoch
            _C.optim.LRScheduler.step(self, None)
        self._sync_out()
        self._set_momentum()

    def step(self, epoch=None):
        _Resumable.step(self, epoch)
        self._set_momentum()

    def _momentum_at(self, step):
        base, top = self._mom
        T = float(self.total_steps)
        if self.three_phase:
            phases = [(self.pct_start * T - 1, top, base), (2 * self.pct_start * T - 2, base, top),
                      (T - 1, top, top)]
        else:
            phases = [(self.pct_start * T - 1, top, base), (T - 1, base, top)]
        start = 0.0
        for i, (end, a, b) in enumerate(phases):
            if step <= end or i == len(phases) - 1:
                pct = min((step - start) / (end - start), 1.0) if end > start else 1.0
                if self.anneal_strategy == "cos":
                    return b + (a - b) / 2.0 * (math.cos(math.pi * pct) + 1)
                return (b - a) * pct + a
            start = end
        return top

    def _set_momentum(self):
        if self._momentum_key is None:
            return
        m = self._momentum_at(self.last_epoch)
        for g in self.optimizer.param_groups:
            if self._momentum_key == "betas":
                g["betas"] = (m, g["betas"][1])
            else:
                g["momentum"] = m


class ReduceLROnPlateau(_C.optim.ReduceLROnPlateau):
    _target = _Resumable._target

    def __init__(self, optimizer, mode="min", factor=0.1, patience=10, threshold=1e-4,
                 threshold_mode="rel", cooldown=0, min_lr=0, eps=1e-8, verbose="deprecated"):
        if isinstance(min_lr, (list, tuple)):
            if len(set(min_lr)) != 1:
                raise NotImplementedError("[ReduceLROnPlateau] one min_lr per param group is "
                                          "not supported; pass one number")
            min_lr = min_lr[0]
        _C.optim.ReduceLROnPlateau.__init__(self, self._target(optimizer), mode, float(factor), int(patience),
                                            float(threshold), threshold_mode, int(cooldown),
                                            float(min_lr), float(eps))
        self.optimizer = optimizer
        self.mode, self.factor, self.patience = mode, float(factor), int(patience)
        self.threshold, self.threshold_mode = float(threshold), threshold_mode
        self.cooldown, self.min_lr, self.eps = int(cooldown), float(min_lr), float(eps)
        self.last_epoch = 0

    def step(self, metrics, epoch=None):
        if self._proxy is not None:
            _copy_lrs(self.optimizer.param_groups, self._proxy.param_groups)
        _C.optim.ReduceLROnPlateau.step(self, metrics)
        if self._proxy is not None:
            _copy_lrs(self._proxy.param_groups, self.optimizer.param_groups)
        self.last_epoch = self.last_epoch + 1 if epoch is None else int(epoch)

    @property
    def best(self):
        return self._state()[0]

    @property
    def cooldown_counter(self):
        return self._state()[2]

    def state_dict(self):
        best, bad, cool = self._state()
        return {"mode": self.mode, "factor": self.factor, "patience": self.patience,
                "threshold": self.threshold, "threshold_mode": self.threshold_mode,
                "cooldown": self.cooldown, "min_lr": self.min_lr, "eps": self.eps,
                "best": best, "num_bad_epochs": bad, "cooldown_counter": cool,
                "last_epoch": self.last_epoch, "_last_lr": self.get_last_lr()}

    def load_state_dict(self, state_dict):
        self._set_state(state_dict["best"], int(state_dict["num_bad_epochs"]),
                        int(state_dict["cooldown_counter"]))
        self.last_epoch = int(state_dict.get("last_epoch", 0))


class _PyScheduler:
    """A schedule written in Python: get_lr_at(epoch) per group from base_lrs."""

    def __init__(self, optimizer, last_epoch=-1):
        self.optimizer = optimizer
        self.base_lrs = _initial_lrs(optimizer, [g["lr"] for g in optimizer.param_groups])
        self.last_epoch = last_epoch
        self._last_lr = []
        self.step()

    def step(self, epoch=None):
        self.last_epoch = self.last_epoch + 1 if epoch is None else int(epoch)
        self._last_lr = [self._lr_at(i, self.last_epoch) for i in range(len(self.base_lrs))]
        for g, lr in zip(self.optimizer.param_groups, self._last_lr):
            g["lr"] = lr

    def get_last_lr(self):
        return list(self._last_lr)

    def get_lr(self):
        return self.get_last_lr()

    def state_dict(self):
        return {k: v for k, v in self.__dict__.items() if k != "optimizer" and
                not callable(v)}

    def load_state_dict(self, state_dict):
        self.__dict__.update(state_dict)


class ConstantLR(_PyScheduler):
    def __init__(self, optimizer, factor=1.0 / 3, total_iters=5, last_epoch=-1,
                 verbose="deprecated"):
        if not 0 <= factor <= 1:
            raise ValueError(f"[ConstantLR] factor must be in [0, 1], got {factor}")
        self.factor, self.total_iters = float(factor), int(total_iters)
        super().__init__(optimizer, last_epoch)

    def _lr_at(self, g, e):
        return self.base_lrs[g] * (self.factor if e < self.total_iters else 1.0)


class PolynomialLR(_PyScheduler):
    def __init__(self, optimizer, total_iters=5, power=1.0, last_epoch=-1, verbose="deprecated"):
        self.total_iters, self.power = int(total_iters), float(power)
        super().__init__(optimizer, last_epoch)

    def _lr_at(self, g, e):
        return self.base_lrs[g] * (1 - min(e, self.total_iters) / self.total_iters) ** self.power


class MultiplicativeLR(_PyScheduler):
    def __init__(self, optimizer, lr_lambda, last_epoch=-1, verbose="deprecated"):
        self.lr_lambda = lr_lambda
        self._factor = 1.0
        super().__init__(optimizer, last_epoch)

    def step(self, epoch=None):
        if self.last_epoch >= 0:
            self._factor *= self.lr_lambda(self.last_epoch + 1)
        super().step(epoch)

    def _lr_at(self, g, e):
        return self.base_lrs[g] * self._factor


class CosineAnnealingWarmRestarts(_PyScheduler):
    """Cosine from the base lr down to eta_min over T_0 epochs, then restarts, each period
    T_mult times longer. step(epoch) may take a fractional epoch, as in PyTorch."""

    def __init__(self, optimizer, T_0, T_mult=1, eta_min=0.0, last_epoch=-1,
                 verbose="deprecated"):
        if T_0 <= 0 or not isinstance(T_0, int):
            raise ValueError(f"[CosineAnnealingWarmRestarts] expected a positive integer T_0, "
                             f"got {T_0}")
        if T_mult < 1 or not isinstance(T_mult, int):
            raise ValueError(f"[CosineAnnealingWarmRestarts] expected an integer T_mult >= 1, "
                             f"got {T_mult}")
        self.T_0, self.T_mult, self.eta_min = T_0, T_mult, float(eta_min)
        self.T_i, self.T_cur = T_0, last_epoch
        super().__init__(optimizer, last_epoch)

    def step(self, epoch=None):
        if epoch is None:
            self.T_cur += 1
            if self.T_cur >= self.T_i:
                self.T_cur -= self.T_i
                self.T_i *= self.T_mult
            epoch = self.last_epoch + 1
        else:
            if epoch < 0:
                raise ValueError(f"[CosineAnnealingWarmRestarts] expected epoch >= 0, got {epoch}")
            if epoch >= self.T_0:
                if self.T_mult == 1:
                    self.T_cur = epoch % self.T_0
                else:
                    n = int(math.log(epoch / self.T_0 * (self.T_mult - 1) + 1, self.T_mult))
                    self.T_cur = epoch - self.T_0 * (self.T_mult ** n - 1) / (self.T_mult - 1)
                    self.T_i = self.T_0 * self.T_mult ** n
            else:
                self.T_i, self.T_cur = self.T_0, epoch
        self.last_epoch = math.floor(epoch)
        self._last_lr = [self._lr_at(i, None) for i in range(len(self.base_lrs))]
        for g, lr in zip(self.optimizer.param_groups, self._last_lr):
            g["lr"] = lr

    def _lr_at(self, g, e):
        return self.eta_min + (self.base_lrs[g] - self.eta_min) * \
            (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2


class SequentialLR:
    """Runs schedulers[i] until milestones[i], then the next one from its start."""

    def __init__(self, optimizer, schedulers, milestones, last_epoch=-1, verbose="deprecated"):
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(f"[SequentialLR] expected {len(schedulers) - 1} milestones for "
                             f"{len(schedulers)} schedulers, got {len(milestones)}")
        for s in schedulers:
            if s.optimizer is not optimizer:
                raise ValueError("[SequentialLR] every scheduler must belong to the optimizer "
                                 "passed to SequentialLR")
        self.optimizer, self._schedulers = optimizer, list(schedulers)
        self._milestones = list(milestones)
        self.last_epoch = last_epoch + 1
        # Undo the later schedulers' first steps: the first schedule starts the run.
        for g, lr in zip(optimizer.param_groups, _initial_lrs(optimizer, [])):
            g["lr"] = lr
        self._schedulers[0].step(0)
        self._last_lr = self._schedulers[0].get_last_lr()

    def step(self):
        self.last_epoch += 1
        i = sum(1 for m in self._milestones if m <= self.last_epoch)
        s = self._schedulers[i]
        if i > 0 and self._milestones[i - 1] == self.last_epoch:
            s.step(0)
        else:
            s.step()
        self._last_lr = s.get_last_lr()

    def get_last_lr(self):
        return list(self._last_lr)

    def state_dict(self):
        return {"last_epoch": self.last_epoch, "_milestones": self._milestones,
                "_last_lr": self._last_lr,
                "_schedulers": [s.state_dict() for s in self._schedulers]}

    def load_state_dict(self, state_dict):
        self.last_epoch = state_dict["last_epoch"]
        self._last_lr = state_dict["_last_lr"]
        for s, sd in zip(self._schedulers, state_dict["_schedulers"]):
            s.load_state_dict(sd)

