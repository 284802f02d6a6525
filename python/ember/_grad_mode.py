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
        self._inference = bool(mode)
        self._mode = not mode

    def __enter__(self):
        _inference_depth[0] += self._inference
        return super().__enter__()

    def __exit__(self, *exc):
        _inference_depth[0] -= self._inference
        return super().__exit__(*exc)

    def __call__(self, fn):
        inference = self._inference

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with inference_mode(inference):
                return fn(*args, **kwargs)

        return wrapper


class set_grad_enabled(_GradMode):
    """torch.set_grad_enabled(mode): sets grad mode at once, as a function; used with `with`
    (or as a decorator), it restores the previous mode on exit."""

    def __init__(self, mode):
        super().__init__()
        self._mode = bool(mode)
        self._prev.append(_C.is_grad_enabled())
        _C.set_grad_enabled(self._mode)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self._prev:
            _C.set_grad_enabled(self._prev.pop())
        return False

    def __call__(self, fn):
        _C.set_grad_enabled(self._prev.pop()) if self._prev else None
        mode = self._mode

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return fn(*args, **kwargs)

        return wrapper


def is_inference_mode_enabled():
    """True inside inference_mode() (which Ember runs as no_grad)."""
    return _inference_depth[0] > 0


_inference_depth = [0]
