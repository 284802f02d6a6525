"""Keras callbacks (``keras.callbacks``): hooks that ``fit``, ``evaluate`` and ``predict``
call at the start and end of training, epochs and batches, with a ``logs`` dict of the
current metric values. ``History`` is added to every ``fit``; ``ProgbarLogger`` prints the
progress bar for ``verbose=1`` / ``2``."""

import math
import sys
import time

__all__ = ["Callback", "CallbackList", "History", "EarlyStopping", "LambdaCallback",
           "TerminateOnNaN", "ProgbarLogger"]


class Callback:
    """Base class: override the hooks you need. ``self.model`` and ``self.params``
    (epochs, steps, verbose) are set before training starts."""

    def __init__(self):
        self.model = None
        self.params = {}

    def set_model(self, model):
        self.model = model

    def set_params(self, params):
        self.params = params

    def on_train_begin(self, logs=None): pass
    def on_train_end(self, logs=None): pass
    def on_epoch_begin(self, epoch, logs=None): pass
    def on_epoch_end(self, epoch, logs=None): pass
    def on_train_batch_begin(self, batch, logs=None): pass
    def on_train_batch_end(self, batch, logs=None): pass
    def on_test_begin(self, logs=None): pass
    def on_test_end(self, logs=None): pass
    def on_test_batch_begin(self, batch, logs=None): pass
    def on_test_batch_end(self, batch, logs=None): pass
    def on_predict_begin(self, logs=None): pass
    def on_predict_end(self, logs=None): pass
    def on_predict_batch_begin(self, batch, logs=None): pass
    def on_predict_batch_end(self, batch, logs=None): pass

    # Keras 2 names.
    def on_batch_begin(self, batch, logs=None): pass
    def on_batch_end(self, batch, logs=None): pass


class CallbackList:
    """Calls every callback's hook in order."""

    def __init__(self, callbacks, model, params):
        self.callbacks = list(callbacks)
        for cb in self.callbacks:
            if not isinstance(cb, Callback):
                raise TypeError(f"[fit] callbacks must be keras.callbacks.Callback instances, "
                                f"got {type(cb).__name__}")
            cb.set_model(model)
            cb.set_params(params)

    def call(self, hook, *args):
        for cb in self.callbacks:
            getattr(cb, hook)(*args)
            if hook == "on_train_batch_begin":
                cb.on_batch_begin(*args)
            elif hook == "on_train_batch_end":
                cb.on_batch_end(*args)


class History(Callback):
    """Records the epoch logs: ``history.history['loss']`` is the loss per epoch."""

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for k, v in (logs or {}).items():
            self.history.setdefault(k, []).append(v)
        if self.model is not None:
            self.model.history = self


class EarlyStopping(Callback):
    """Stops training when `monitor` has stopped improving for `patience` epochs;
    `restore_best_weights` puts back the weights of the best epoch at the end."""

    def __init__(self, monitor="val_loss", min_delta=0.0, patience=0, verbose=0, mode="auto",
                 baseline=None, restore_best_weights=False, start_from_epoch=0):
        super().__init__()
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"[EarlyStopping] mode must be 'auto', 'min' or 'max', got '{mode}'")
        if mode == "auto":
            mode = "max" if ("acc" in monitor or monitor.endswith("auc")) else "min"
        self.monitor, self.mode = monitor, mode
        self.min_delta = abs(float(min_delta))
        self.patience, self.verbose, self.baseline = int(patience), verbose, baseline
        self.restore_best_weights = bool(restore_best_weights)
        self.start_from_epoch = int(start_from_epoch)

    def _better(self, value, ref):
        if ref is None:
            return True
        if self.mode == "min":
            return value < ref - self.min_delta
        return value > ref + self.min_delta

    def on_train_begin(self, logs=None):
        self.wait, self.stopped_epoch, self.best_epoch = 0, 0, 0
        self.best, self.best_weights = None, None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.monitor not in logs:
            raise KeyError(f"[EarlyStopping] monitored metric '{self.monitor}' is not in the "
                           f"logs; available: {', '.join(sorted(logs))}")
        if epoch < self.start_from_epoch:
            return
        value = float(logs[self.monitor])
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()
        self.wait += 1
        if self._better(value, self.best):
            self.best, self.best_epoch = value, epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._better(value, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print(f"Restoring model weights from the end of the best epoch: "
                      f"{self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)


class LambdaCallback(Callback):
    """A callback from functions: ``LambdaCallback(on_epoch_end=lambda epoch, logs: ...)``."""

    _HOOKS = ("on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end",
              "on_batch_begin", "on_batch_end", "on_train_batch_begin", "on_train_batch_end")

    def __init__(self, **hooks):
        super().__init__()
        for name, fn in hooks.items():
            if name not in self._HOOKS:
                raise TypeError(f"[LambdaCallback] unknown hook '{name}'; known: "
                                f"{', '.join(self._HOOKS)}")
            if fn is not None:
                setattr(self, name, fn)


class TerminateOnNaN(Callback):
    """Stops training as soon as a batch loss is NaN or infinite."""

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(loss):
            print(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True


def _fmt_value(v):
    return f"{v:.4e}" if v != 0 and abs(v) < 1e-3 else f"{v:.4f}"


def _fmt_time(seconds):
    if seconds >= 3600:
        return f"{int(seconds // 3600)}:{int(seconds % 3600 // 60):02d}:{int(seconds % 60):02d}"
    if seconds >= 60:
        return f"{int(seconds // 60)}:{int(seconds % 60):02d}"
    return f"{int(round(seconds))}s"


def _fmt_per_step(seconds):
    if seconds >= 1:
        return f"{seconds:.0f}s/step"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/step"
    return f"{seconds * 1e6:.0f}us/step"


class ProgbarLogger(Callback):
    """Keras's progress output: ``verbose=1`` a bar updated per batch (in place on a
    terminal, once per epoch elsewhere), ``verbose=2`` one line per epoch."""

    WIDTH = 20

    def __init__(self, stream=None):
        super().__init__()
        self.stream = stream

    def _out(self):
        return self.stream if self.stream is not None else sys.stdout

    def on_train_begin(self, logs=None):
        self.verbose = self.params.get("verbose", 1)
        self.epochs = self.params.get("epochs", 1)

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()
        self.steps = self.params.get("steps")
        if self.verbose:
            print(f"Epoch {epoch + 1}/{self.epochs}", file=self._out())

    def _line(self, step, logs, final):
        elapsed = time.perf_counter() - self.start
        steps = self.steps or step
        per_step = elapsed / max(step, 1)
        items = " - ".join(f"{k}: {_fmt_value(v)}" for k, v in sorted((logs or {}).items()))
        tail = f" - {items}" if items else ""
        if self.verbose == 2:
            return f"{step}/{steps} - {_fmt_time(elapsed)} - {_fmt_per_step(per_step)}{tail}"
        width = len(str(steps))
        done = int(self.WIDTH * step / steps) if steps else self.WIDTH
        bar = "\u2501" * done + "\u2500" * (self.WIDTH - done) if done < self.WIDTH \
            else "\u2501" * self.WIDTH
        when = _fmt_time(elapsed) if final else _fmt_time(per_step * (steps - step))
        return f"{step:>{width}}/{steps} {bar} {when} {_fmt_per_step(per_step)}{tail}"

    def on_train_batch_end(self, batch, logs=None):
        out = self._out()
        if self.verbose == 1 and getattr(out, "isatty", lambda: False)():
            out.write("\r" + self._line(batch + 1, logs, False))
            out.flush()
        self._last = (batch + 1, logs)

    def on_epoch_end(self, epoch, logs=None):
        if not self.verbose:
            return
        out = self._out()
        step = getattr(self, "_last", (self.steps or 0, None))[0]
        prefix = "\r" if self.verbose == 1 and getattr(out, "isatty", lambda: False)() else ""
        out.write(prefix + self._line(step, logs, True) + "\n")
        out.flush()
