"""optim.swa_utils (PyTorch's): AveragedModel (SWA or EMA averages of a model's weights),
SWALR (anneals each group's lr to a fixed swa_lr) and update_bn (recomputes BatchNorm
statistics with one pass over the data)."""

import copy
import math

from .. import _C
from .._grad_mode import no_grad
from .._tensor_api import tensor as _tensor
from ..nn.modules.module import Module
from .lr_scheduler import _initial_lrs

__all__ = ["AveragedModel", "SWALR", "update_bn", "get_ema_multi_avg_fn",
           "get_swa_multi_avg_fn", "get_ema_avg_fn", "get_swa_avg_fn"]


def get_ema_multi_avg_fn(decay=0.999):
    if not 0.0 <= decay <= 1.0:
        raise ValueError(f"[get_ema_multi_avg_fn] decay must be in [0, 1], got {decay}")

    def ema_update(ema_params, current_params, num_averaged):
        with no_grad():
            for p_ema, p_model in zip(ema_params, current_params):
                p_ema.copy_(p_ema + (p_model - p_ema) * (1 - decay))
    return ema_update


def get_swa_multi_avg_fn():
    def swa_update(averaged_params, current_params, num_averaged):
        weight = 1.0 / (int(num_averaged) + 1)
        with no_grad():
            for p_avg, p_model in zip(averaged_params, current_params):
                p_avg.copy_(p_avg + (p_model - p_avg) * weight)
    return swa_update


def get_ema_avg_fn(decay=0.999):
    if not 0.0 <= decay <= 1.0:
        raise ValueError(f"[get_ema_avg_fn] decay must be in [0, 1], got {decay}")

    def ema_update(ema_param, current_param, num_averaged):
        return decay * ema_param + (1 - decay) * current_param
    return ema_update


def get_swa_avg_fn():
    def swa_update(averaged_param, current_param, num_averaged):
        return averaged_param + (current_param - averaged_param) / (int(num_averaged) + 1)
    return swa_update


class AveragedModel(Module):
    """A copy of `model` (module.* in the state dict, plus n_averaged) whose parameters
    (and buffers with use_buffers=True) are running averages of model's, updated by
    update_parameters(model): equal weights by default (SWA), or avg_fn / multi_avg_fn
    (e.g. get_ema_multi_avg_fn(0.999) for EMA)."""

    def __init__(self, model, device=None, avg_fn=None, multi_avg_fn=None, use_buffers=False):
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise ValueError("[AveragedModel] give only one of avg_fn and multi_avg_fn")
        self.module = copy.deepcopy(model)
        if device is not None:
            self.module.to(device)
        self.register_buffer("n_averaged", _tensor(0, dtype=_C.dtype.int64, device=device))
        self.avg_fn, self.multi_avg_fn, self.use_buffers = avg_fn, multi_avg_fn, use_buffers

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)

    def _tracked(self, module):
        if self.use_buffers:
            return list(module.parameters()) + [b for b in module.buffers() if b is not None]
        return list(module.parameters())

    def update_parameters(self, model):
        averaged, current = self._tracked(self.module), self._tracked(model)
        if len(averaged) != len(current):
            raise ValueError(f"[AveragedModel] model has {len(current)} tensors to average, the "
                             f"averaged copy {len(averaged)}: is it the same architecture?")
        n = int(self.n_averaged.item())
        with no_grad():
            current = [c.detach().to(a.device) for a, c in zip(averaged, current)]
            if n == 0:
                for a, c in zip(averaged, current):
                    a.copy_(c)
            elif self.avg_fn is not None:
                for a, c in zip(averaged, current):
                    a.copy_(self.avg_fn(a.detach(), c, n))
            else:
                floats = [(a, c) for a, c in zip(averaged, current) if a.dtype.is_floating_point]
                others = [(a, c) for a, c in zip(averaged, current)
                          if not a.dtype.is_floating_point]
                fn = self.multi_avg_fn or get_swa_multi_avg_fn()
                if floats:
                    fn([a for a, _ in floats], [c for _, c in floats], n)
                for a, c in others:   # integer buffers (num_batches_tracked): plain SWA
                    a.copy_(a + (c - a) // (n + 1))
            if not self.use_buffers:
                for b_avg, b_model in zip(self.module.buffers(), model.buffers()):
                    if b_avg is not None and b_model is not None:
                        b_avg.copy_(b_model.detach().to(b_avg.device))
            self.n_averaged.add_(1)


def _is_batchnorm(module):
    return type(module).__name__ in ("BatchNorm1d", "BatchNorm2d", "BatchNorm3d",
                                     "SyncBatchNorm")


def update_bn(loader, model, device=None):
    """Resets every BatchNorm's running statistics and recomputes them as plain averages
    (momentum=None) over one pass of `loader` (batches are tensors, or lists/tuples whose
    first element is the input)."""
    momenta = {}
    for module in model.modules():
        if _is_batchnorm(module):
            module.reset_running_stats()
            momenta[module] = module.momentum
    if not momenta:
        return
    was_training = model.training
    model.train()
    for module in momenta:
        module.momentum = None
    with no_grad():
        for batch in loader:
            if isinstance(batch, (list, tuple)):
                batch = batch[0]
            if device is not None:
                batch = batch.to(device)
            model(batch)
    for module, momentum in momenta.items():
        module.momentum = momentum
    model.train(was_training)


class SWALR:
    """Anneals each group's lr from its current value to swa_lr over anneal_epochs steps
    ('cos' or 'linear'), then keeps it there (PyTorch's SWALR, lr for lr)."""

    def __init__(self, optimizer, swa_lr, anneal_epochs=10, anneal_strategy="cos",
                 last_epoch=-1):
        groups = optimizer.param_groups
        swa_lrs = list(swa_lr) if isinstance(swa_lr, (list, tuple)) else [swa_lr] * len(groups)
        if len(swa_lrs) != len(groups):
            raise ValueError(f"[SWALR] expected {len(groups)} swa_lr values, got {len(swa_lrs)}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"[SWALR] anneal_strategy must be 'cos' or 'linear', got "
                             f"{anneal_strategy!r}")
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"[SWALR] anneal_epochs must be an int >= 0, got {anneal_epochs}")
        self.optimizer, self.swa_lrs = optimizer, [float(v) for v in swa_lrs]
        self.anneal_epochs, self._anneal_strategy = anneal_epochs, anneal_strategy
        self.base_lrs = _initial_lrs(optimizer, [g["lr"] for g in groups])
        self.last_epoch, self._step_count = last_epoch, 0
        self.step()

    def _anneal(self, t):
        return t if self._anneal_strategy == "linear" else (1 - math.cos(math.pi * t)) / 2

    @staticmethod
    def _initial_lr(lr, swa_lr, alpha):
        return swa_lr if alpha == 1 else (lr - alpha * swa_lr) / (1 - alpha)

    def _next_lrs(self):
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        span = max(1, self.anneal_epochs)
        prev_alpha = self._anneal(max(0, min(1, (step - 1) / span)))
        alpha = self._anneal(max(0, min(1, step / span)))
        out = []
        for g, swa_lr in zip(self.optimizer.param_groups, self.swa_lrs):
            prev_lr = self._initial_lr(g["lr"], swa_lr, prev_alpha)
            out.append(swa_lr * alpha + prev_lr * (1 - alpha))
        return out

    def step(self, epoch=None):
        self._step_count += 1
        self.last_epoch = self.last_epoch + 1 if epoch is None else int(epoch)
        self._last_lr = self._next_lrs()
        for g, lr in zip(self.optimizer.param_groups, self._last_lr):
            g["lr"] = lr

    def get_last_lr(self):
        return list(self._last_lr)

    def state_dict(self):
        return {k: v for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state_dict):
        self.__dict__.update(state_dict)
