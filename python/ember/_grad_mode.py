"""Grad-mode context managers that also work as decorators, as in PyTorch."""

import functools

from . import _C


class _GradMode:
    _mode = True

    def __init__(self):
        self._prev = []

    def __enter__(self):
        self._prev.append(_C.is_grad_enabled())
        _C.set_grad_enabled(self._mode)
        return self

    def __exit__(self, *exc):
        _C.set_grad_enabled(self._prev.pop())
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with type(self)():
                return fn(*args, **kwargs)

        return wrapper


class no_grad(_GradMode):
    """Disables gradient recording in its scope: `with ember.no_grad(): ...`."""

    _mode = False


class enable_grad(_GradMode):
    """Enables gradient recording in its scope (inside a no_grad block)."""

    _mode = True


class inference_mode(no_grad):
    """Like no_grad (Ember has no separate inference tensors)."""

    def __init__(self, mode=True):
        super().__init__()
        self._mode = not mode
