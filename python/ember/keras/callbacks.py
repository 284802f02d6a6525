"""Keras callbacks (``keras.callbacks``): hooks that ``fit``, ``evaluate`` and ``predict``
call at the start and end of training, epochs and batches, with a ``logs`` dict of the
current metric values. ``History`` is added to every ``fit``; ``ProgbarLogger`` prints the
progress bar for ``verbose=1`` / ``2``."""

import math
import os
import sys
import time

__all__ = ["Callback", "CallbackList", "History", "EarlyStopping", "LambdaCallback",
           "TerminateOnNaN", "ProgbarLogger", "ModelCheckpoint", "LearningRateScheduler",
           "ReduceLROnPlateau", "CSVLogger", "TensorBoard"]


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


def _auto_mode(cls, mode, monitor):
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"[{cls}] mode must be 'auto', 'min' or 'max', got '{mode}'")
    if mode == "auto":
        return "max" if ("acc" in monitor or monitor.endswith("auc") or
                         monitor.endswith("precision") or monitor.endswith("recall")) else "min"
    return mode


def _monitored(cls, monitor, logs):
    if monitor not in (logs or {}):
        raise KeyError(f"[{cls}] monitored metric '{monitor}' is not in the logs; available: "
                       f"{', '.join(sorted(logs or {}))}")
    return float(logs[monitor])


class EarlyStopping(Callback):
    """Stops training when `monitor` has stopped improving for `patience` epochs;
    `restore_best_weights` puts back the weights of the best epoch at the end."""

    def __init__(self, monitor="val_loss", min_delta=0.0, patience=0, verbose=0, mode="auto",
                 baseline=None, restore_best_weights=False, start_from_epoch=0):
        super().__init__()
        self.monitor, self.mode = monitor, _auto_mode("EarlyStopping", mode, monitor)
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


class ModelCheckpoint(Callback):
    """Saves the model (``model.save``, a ``.keras`` path) or its weights
    (``save_weights_only=True``) after each epoch. `filepath` may hold ``{epoch:02d}`` and
    any log key (``{val_loss:.2f}``); ``epoch`` is 1-based as in Keras. With
    `save_best_only` only epochs improving `monitor` are saved."""

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False,
                 save_weights_only=False, mode="auto", save_freq="epoch",
                 initial_value_threshold=None):
        super().__init__()
        if save_freq != "epoch":
            raise NotImplementedError("[ModelCheckpoint] only save_freq='epoch' is supported")
        self.filepath, self.monitor, self.verbose = str(filepath), monitor, verbose
        self.save_best_only, self.save_weights_only = bool(save_best_only), \
            bool(save_weights_only)
        if not self.save_weights_only and not self.filepath.endswith(".keras"):
            raise ValueError(f"[ModelCheckpoint] filepath must end in .keras to save the whole "
                             f"model, got '{self.filepath}' (or pass save_weights_only=True)")
        self.mode = _auto_mode("ModelCheckpoint", mode, monitor)
        self.best = initial_value_threshold

    def _improved(self, value):
        if self.best is None:
            return True
        return value < self.best if self.mode == "min" else value > self.best

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        try:
            path = self.filepath.format(epoch=epoch + 1, **logs)
        except KeyError as e:
            raise KeyError(f"[ModelCheckpoint] filepath '{self.filepath}' names {e}, which is "
                           f"not in the logs ({', '.join(sorted(logs))})") from None
        if self.save_best_only:
            value = _monitored("ModelCheckpoint", self.monitor, logs)
            if not self._improved(value):
                if self.verbose > 0:
                    print(f"Epoch {epoch + 1}: {self.monitor} did not improve from "
                          f"{self.best:.5f}")
                return
            if self.verbose > 0:
                print(f"Epoch {epoch + 1}: {self.monitor} improved to {value:.5f}, saving "
                      f"model to {path}")
            self.best = value
        elif self.verbose > 0:
            print(f"Epoch {epoch + 1}: saving model to {path}")
        directory = os.path.dirname(path)
        if directory:
            os.makedirs(directory, exist_ok=True)
        if self.save_weights_only:
            self.model.save_weights(path)
        else:
            self.model.save(path)


class LearningRateScheduler(Callback):
    """Sets the optimizer's learning rate at the start of each epoch to
    ``schedule(epoch, lr)`` (or ``schedule(epoch)``); logs it as 'learning_rate'."""

    def __init__(self, schedule, verbose=0):
        super().__init__()
        self.schedule, self.verbose = schedule, verbose

    def on_epoch_begin(self, epoch, logs=None):
        lr = self.model.optimizer.learning_rate
        try:
            new = self.schedule(epoch, lr)
        except TypeError:
            new = self.schedule(epoch)
        new = float(new)
        if not math.isfinite(new):
            raise ValueError(f"[LearningRateScheduler] the schedule returned {new} for epoch "
                             f"{epoch}")
        self.model.optimizer.learning_rate = new
        if self.verbose > 0:
            print(f"Epoch {epoch + 1}: LearningRateScheduler setting learning rate to {new}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = self.model.optimizer.learning_rate


class ReduceLROnPlateau(Callback):
    """Multiplies the learning rate by `factor` when `monitor` has not improved by
    `min_delta` for `patience` epochs, then waits `cooldown` epochs; never below `min_lr`."""

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto",
                 min_delta=1e-4, cooldown=0, min_lr=0.0):
        super().__init__()
        if factor >= 1.0:
            raise ValueError(f"[ReduceLROnPlateau] factor must be < 1, got {factor}")
        self.monitor, self.factor, self.patience = monitor, float(factor), int(patience)
        self.verbose, self.min_delta = verbose, float(min_delta)
        self.cooldown, self.min_lr = int(cooldown), float(min_lr)
        self.mode = _auto_mode("ReduceLROnPlateau", mode, monitor)

    def on_train_begin(self, logs=None):
        self.best, self.wait, self.cooldown_counter = None, 0, 0

    def _better(self, value):
        if self.best is None:
            return True
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        value = _monitored("ReduceLROnPlateau", self.monitor, logs)
        opt = self.model.optimizer
        logs["learning_rate"] = opt.learning_rate
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self._better(value):
            self.best, self.wait = value, 0
            return
        if self.cooldown_counter > 0:
            return
        self.wait += 1
        if self.wait >= self.patience:
            old = opt.learning_rate
            if old > self.min_lr:
                new = max(old * self.factor, self.min_lr)
                opt.learning_rate = new
                if self.verbose > 0:
                    print(f"Epoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to "
                          f"{new}.")
                self.cooldown_counter, self.wait = self.cooldown, 0


class CSVLogger(Callback):
    """Writes one CSV row per epoch: ``epoch`` then the log keys in sorted order."""

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.filename, self.sep, self.append = str(filename), separator, bool(append)

    def on_train_begin(self, logs=None):
        exists = self.append and os.path.exists(self.filename) and \
            os.path.getsize(self.filename) > 0
        self._f = open(self.filename, "a" if self.append else "w", newline="")
        self._keys = None
        self._header_written = exists

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self._keys is None:
            self._keys = sorted(logs)
        if not self._header_written:
            self._f.write(self.sep.join(["epoch"] + self._keys) + "\n")
            self._header_written = True
        row = [str(epoch)] + [repr(float(logs[k])) if k in logs else "NA" for k in self._keys]
        self._f.write(self.sep.join(row) + "\n")
        self._f.flush()

    def on_train_end(self, logs=None):
        self._f.close()


class TensorBoard(Callback):
    """Writes the epoch logs as TensorBoard scalars: ``<log_dir>/train`` gets 'epoch_loss',
    'epoch_<metric>' (and 'epoch_learning_rate'); ``<log_dir>/validation`` the 'val_'
    values under the same tags. Event files are written in pure Python
    (``keras/_event_file.py``); ``tensorboard --logdir`` reads them."""

    def __init__(self, log_dir="logs", histogram_freq=0, write_graph=False, update_freq="epoch",
                 **kwargs):
        super().__init__()
        if histogram_freq or update_freq != "epoch":
            raise NotImplementedError("[TensorBoard] only epoch scalars are written "
                                      "(histogram_freq=0, update_freq='epoch')")
        self.log_dir = str(log_dir)
        self._writers = {}

    def _writer(self, which):
        from ._event_file import EventFileWriter
        if which not in self._writers:
            self._writers[which] = EventFileWriter(os.path.join(self.log_dir, which))
        return self._writers[which]

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        train = {f"epoch_{k}": v for k, v in logs.items() if not k.startswith("val_")}
        if self.model is not None and getattr(self.model, "optimizer", None) is not None:
            train.setdefault("epoch_learning_rate", self.model.optimizer.learning_rate)
        val = {f"epoch_{k[4:]}": v for k, v in logs.items() if k.startswith("val_")}
        self._writer("train").add_scalars(train, epoch)
        if val:
            self._writer("validation").add_scalars(val, epoch)

    def on_train_end(self, logs=None):
        for w in self._writers.values():
            w.close()
        self._writers = {}
