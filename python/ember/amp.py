"""torch.amp under its PyTorch name: autocast and GradScaler as no-ops that keep float32.
Ember has no automatic mixed precision, so a script's AMP boilerplate runs unchanged and
trains in full precision: scale() returns the loss as is and step() calls optimizer.step()."""

from .compile import autocast

__all__ = ["autocast", "GradScaler"]


class GradScaler:
    """Accepts torch.amp.GradScaler's arguments; with no reduced-precision gradients there
    is nothing to scale, so the loss and the gradients pass through unchanged."""

    def __init__(self, device="cuda", init_scale=2.0 ** 16, growth_factor=2.0,
                 backoff_factor=0.5, growth_interval=2000, enabled=True):
        self._enabled = bool(enabled)

    def scale(self, outputs):
        return outputs

    def unscale_(self, optimizer):
        pass

    def step(self, optimizer, *args, **kwargs):
        return optimizer.step(*args, **kwargs)

    def update(self, new_scale=None):
        pass

    def get_scale(self):
        return 1.0

    def is_enabled(self):
        return self._enabled

    def state_dict(self):
        return {}

    def load_state_dict(self, state_dict):
        pass
