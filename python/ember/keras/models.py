"""Keras models (``keras.Model``, ``keras.Sequential``): a stack of layers with
compile / fit / evaluate / predict. The train step (forward, loss, backward, optimizer
update, metric values) runs through ``ember.function`` with the batch dimension declared
dynamic, so it is traced once and replayed for every batch size (the short last batch
included); ``run_eagerly=True`` runs the same Python step eagerly."""

import math

import numpy as np

from .. import _C
from .._function import function as _function
from .._grad_mode import no_grad
from ..nn.modules.module import Module
from . import _data
from . import callbacks as _callbacks
from . import losses as _losses
from . import metrics as _metrics
from . import optimizers as _optimizers
from .layers import InputLayer, Layer, format_shape

__all__ = ["Model", "Sequential"]


class Model(Layer):
    """Base class of models: subclass it and write ``call(x)`` (layers assigned as
    attributes are tracked), or use ``Sequential``."""

    _kind = "model"

    def __init__(self, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.optimizer = None
        self.loss = None
        self.compiled = False
        self.run_eagerly = False
        self.stop_training = False
        self.history = None
        self._metrics = []
        self._steps = {}

    def build(self, input_shape=None):
        """Builds the layers by running a batch of one zero sample through ``call``."""
        if input_shape is None:
            input_shape = self._declared_input_shape
        if input_shape is None:
            raise ValueError(f"[build] model '{self.name}' has no input shape: pass "
                             f"build(input_shape)")
        shape = (None,) + tuple(input_shape)[1:]
        was_training = self.training
        self.eval()
        try:
            with no_grad():
                out = Module.__call__(self, _C.zeros((1,) + shape[1:], dtype=self._dtype))
        finally:
            self.train(was_training)
        self.input_shape_ = shape
        self.output_shape_ = (None,) + tuple(out.shape)[1:]
        self.built = True

    # -- compile ---------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, metrics=None, run_eagerly=False,
                loss_weights=None, weighted_metrics=None, jit_compile=None,
                steps_per_execution=1):
        """Configures training: an optimizer and a loss (names or objects) and metrics."""
        if loss_weights is not None or weighted_metrics is not None:
            raise NotImplementedError("[compile] loss_weights and weighted_metrics are not "
                                      "supported yet")
        if steps_per_execution != 1:
            raise NotImplementedError("[compile] steps_per_execution must be 1")
        self.optimizer = _optimizers.get(optimizer)
        self.loss = None if loss is None else _losses.get(loss)
        if isinstance(metrics, (str, _metrics.Metric)) or callable(metrics):
            metrics = [metrics]
        self._metrics = [_metrics.get(m, self.loss) for m in (metrics or [])]
        names = [m.name for m in self._metrics]
        dup = {n for n in names if names.count(n) > 1 or n == "loss"}
        if dup:
            raise ValueError(f"[compile] metric names must be unique and not 'loss', got "
                             f"{', '.join(sorted(dup))} more than once")
        self.run_eagerly = bool(run_eagerly)
        self.compiled = True
        self._steps = {}

    @property
    def metrics_names(self):
        return ["loss"] + [m.name for m in self._metrics]

    @property
    def metrics(self):
        return list(self._metrics)

    def _assert_compiled(self, op):
        if not self.compiled:
            raise RuntimeError(f"[{op}] model '{self.name}' must be compiled before {op}(): "
                               f"call model.compile(optimizer=..., loss=...) first")
        if self.loss is None:
            raise RuntimeError(f"[{op}] model '{self.name}' was compiled without a loss; "
                               f"pass loss= to compile()")

    # -- the steps -------------------------------------------------------------------
    def _step(self, kind):
        """The train / test / predict step, traced unless run_eagerly (rebuilt when
        run_eagerly changes)."""
        key = (kind, self.run_eagerly)
        if key in self._steps:
            return self._steps[key]
        model, loss_fn, metrics, opt = self, self.loss, self._metrics, self.optimizer

        def train_step(x, y):
            opt.zero_grad()
            pred = model(x)
            loss = loss_fn(y, pred)
            loss.backward()
            opt.step()
            pred = pred.detach()
            return (loss.detach(),) + tuple(m.batch_value(y, pred) for m in metrics)

        def test_step(x, y):
            pred = model(x)
            return (loss_fn(y, pred),) + tuple(m.batch_value(y, pred) for m in metrics)

        def predict_step(x):
            return model(x)

        fn = {"train": train_step, "test": test_step, "predict": predict_step}[kind]
        if not self.run_eagerly:
            # The batch dim is dynamic: the short last batch replays a graph specialized
            # from the same trace (see trace/shape_params.h), with no Python re-run.
            fn = _function(fn, dynamic=True, name=f"{self.name}_{kind}_step")
        self._steps[key] = fn
        return fn

    def _prepare(self, x, op):
        """Builds the model (and the optimizer for training) from the data's shape and
        checks the shape of a built model's input."""
        shape = (None,) + tuple(x.shape[1:])
        if not self.built:
            self.build(shape)
        else:
            self._check_input(x)

    def _build_optimizer(self):
        """Builds the optimizer on the trainable weights; rebuilt (with fresh state, and
        fresh traced steps) when they changed: layers added, `trainable` toggled."""
        params = [p for p in self.parameters() if p.requires_grad]
        ids = [(p.data_ptr(), tuple(p.shape)) for p in params]
        if not self.optimizer.built or ids != getattr(self, "_optimizer_ids", None):
            self.optimizer.build(params)
            self.__dict__["_optimizer_ids"] = ids
            self._steps = {}

    def _run_train(self, xb, yb):
        self.train()
        out = self._step("train")(_data.tensor(xb), _data.tensor(yb))
        return [float(v.item()) for v in out]

    def _run_test(self, xb, yb):
        self.eval()
        with no_grad():
            out = self._step("test")(_data.tensor(xb), _data.tensor(yb))
        return [float(v.item()) for v in out]

    def _logs(self, totals, count):
        return {name: totals[i] / count for i, name in enumerate(self.metrics_names)}

    # -- fit / evaluate / predict ----------------------------------------------------
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, initial_epoch=0,
            steps_per_epoch=None, validation_batch_size=None):
        """Trains for `epochs` epochs; returns a History whose ``.history`` maps 'loss',
        each metric and their 'val_' forms to per-epoch values."""
        self._assert_compiled("fit")
        if y is None:
            raise ValueError("[fit] y (the targets) is required")
        x, y = _data.to_array(x, "x", "fit"), _data.to_array(y, "y", "fit")
        _data.check_lengths(x, y, "fit")
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
                raise ValueError("[fit] validation_data must be a tuple (x_val, y_val)")
            vx = _data.to_array(validation_data[0], "x", "fit")
            vy = _data.to_array(validation_data[1], "y", "fit")
            _data.check_lengths(vx, vy, "fit", "validation_data x and y")
        elif validation_split:
            x, y, vx, vy = _data.split_validation(x, y, validation_split, "fit")
        else:
            vx = vy = None
        if len(x) == 0:
            raise ValueError("[fit] x has no samples")
        batch_size = 32 if batch_size is None else int(batch_size)
        if batch_size <= 0:
            raise ValueError(f"[fit] batch_size must be positive, got {batch_size}")
        verbose = 1 if verbose == "auto" else int(verbose)
        self._prepare(x, "fit")
        self._build_optimizer()
        steps = math.ceil(len(x) / batch_size)
        if steps_per_epoch is not None:
            steps = min(steps, int(steps_per_epoch))
        history = _callbacks.History()
        cbs = list(callbacks or [])
        if verbose:
            cbs.append(_callbacks.ProgbarLogger())
        cbs.append(history)
        cblist = _callbacks.CallbackList(cbs, self, {"epochs": epochs, "steps": steps,
                                                     "verbose": verbose})
        self.stop_training = False
        cblist.call("on_train_begin", None)
        logs = {}
        for epoch in range(initial_epoch, epochs):
            cblist.call("on_epoch_begin", epoch, None)
            order = _data.epoch_order(len(x)) if shuffle else None
            totals, count = [0.0] * len(self.metrics_names), 0
            for step, idx in enumerate(_data.batches(len(x), batch_size, order)):
                if step >= steps:
                    break
                cblist.call("on_train_batch_begin", step, None)
                values = self._run_train(x[idx], y[idx])
                n = len(x[idx]) if isinstance(idx, slice) else len(idx)
                totals = [t + v * n for t, v in zip(totals, values)]
                count += n
                logs = self._logs(totals, count)
                cblist.call("on_train_batch_end", step, logs)
                if self.stop_training:
                    break
            if vx is not None:
                val = self._evaluate_arrays(vx, vy, validation_batch_size or batch_size)
                logs.update({f"val_{k}": v for k, v in val.items()})
            cblist.call("on_epoch_end", epoch, dict(logs))
            if self.stop_training:
                break
        cblist.call("on_train_end", dict(logs))
        self.history = history
        return history

    def _evaluate_arrays(self, x, y, batch_size, cblist=None):
        totals, count = [0.0] * len(self.metrics_names), 0
        for step, idx in enumerate(_data.batches(len(x), batch_size)):
            values = self._run_test(x[idx], y[idx])
            n = idx.stop - idx.start
            totals = [t + v * n for t, v in zip(totals, values)]
            count += n
            if cblist is not None:
                cblist.call("on_test_batch_end", step, self._logs(totals, count))
        return self._logs(totals, count)

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", callbacks=None,
                 return_dict=False):
        """The loss and metrics over (x, y): a float if there are no metrics, else the list
        [loss, metric, ...] (or a dict with return_dict=True)."""
        self._assert_compiled("evaluate")
        x, y = _data.to_array(x, "x", "evaluate"), _data.to_array(y, "y", "evaluate")
        _data.check_lengths(x, y, "evaluate")
        if len(x) == 0:
            raise ValueError("[evaluate] x has no samples")
        self._prepare(x, "evaluate")
        cblist = _callbacks.CallbackList(list(callbacks or []), self, {})
        cblist.call("on_test_begin", None)
        logs = self._evaluate_arrays(x, y, int(batch_size or 32), cblist)
        cblist.call("on_test_end", logs)
        if verbose in (1, 2, "auto"):
            steps = math.ceil(len(x) / int(batch_size or 32))
            print(f"{steps}/{steps} - " + " - ".join(f"{k}: {v:.4f}"
                                                     for k, v in sorted(logs.items())))
        if return_dict:
            return logs
        values = [logs[n] for n in self.metrics_names]
        return values[0] if len(values) == 1 else values

    def predict(self, x, batch_size=None, verbose="auto", callbacks=None):
        """The model's outputs for x, batched, as one NumPy array."""
        x = _data.to_array(x, "x", "predict")
        self._prepare(x, "predict")
        self.eval()
        fn = self._step("predict")
        outs = []
        with no_grad():
            for idx in _data.batches(len(x), int(batch_size or 32)):
                outs.append(fn(_data.tensor(x[idx])).numpy().copy())
        if not outs:
            return np.zeros((0,) + tuple(self.output_shape_ or ())[1:], np.float32)
        return np.concatenate(outs, axis=0)

    def train_on_batch(self, x, y, return_dict=False):
        """One optimizer step on one batch; returns its loss (and metric values)."""
        self._assert_compiled("train_on_batch")
        x, y = _data.to_array(x, "x", "train_on_batch"), _data.to_array(y, "y", "train_on_batch")
        _data.check_lengths(x, y, "train_on_batch")
        self._prepare(x, "train_on_batch")
        self._build_optimizer()
        return self._batch_result(self._run_train(x, y), return_dict)

    def test_on_batch(self, x, y, return_dict=False):
        self._assert_compiled("test_on_batch")
        x, y = _data.to_array(x, "x", "test_on_batch"), _data.to_array(y, "y", "test_on_batch")
        _data.check_lengths(x, y, "test_on_batch")
        self._prepare(x, "test_on_batch")
        return self._batch_result(self._run_test(x, y), return_dict)

    def predict_on_batch(self, x):
        x = _data.to_array(x, "x", "predict_on_batch")
        self._prepare(x, "predict_on_batch")
        self.eval()
        with no_grad():
            return Module.__call__(self, _data.tensor(x)).numpy().copy()

    def _batch_result(self, values, return_dict):
        if return_dict:
            return dict(zip(self.metrics_names, values))
        return values[0] if len(values) == 1 else values

    # -- weights ---------------------------------------------------------------------
    def _weight_layers(self):
        return [(getattr(m, "name", type(m).__name__), m) for m in self.children()]

    def get_weights(self):
        self._require_built("get_weights")
        return [p.detach().numpy().copy() for p in self.parameters()]

    def set_weights(self, weights):
        """Sets all weights from a list of arrays in get_weights() order."""
        self._require_built("set_weights")
        weights = list(weights)
        owners = [(name, p) for name, p in self.named_parameters()]
        if len(weights) != len(owners):
            raise ValueError(f"[set_weights] model '{self.name}' has {len(owners)} weights, "
                             f"got a list of {len(weights)}")
        arrays = []
        for (name, p), w in zip(owners, weights):
            w = np.asarray(w.numpy() if isinstance(w, _C.Tensor) else w)
            if tuple(w.shape) != tuple(p.shape):
                raise ValueError(f"[set_weights] weight '{self._weight_label(name)}' has shape "
                                 f"{tuple(p.shape)}, got an array of shape {tuple(w.shape)}")
            arrays.append(w)
        with no_grad():
            for (_, p), w in zip(owners, arrays):
                p[...] = _data.tensor(w.astype(p.detach().numpy().dtype, copy=False))

    def _weight_label(self, param_name):
        """'dense_1/kernel' for the parameter named '1.kernel'."""
        head, _, rest = param_name.partition(".")
        for child_name, child in self.named_children():
            if child_name == head and hasattr(child, "name"):
                return f"{child.name}/{rest}"
        return param_name

    def count_params(self):
        self._require_built("count_params")
        return sum(p.numel() for p in self.parameters())

    def _require_built(self, op):
        if not self.built:
            raise ValueError(f"[{op}] model '{self.name}' has not been built yet: call it on "
                             f"data, fit it, call build(input_shape), or give the first "
                             f"layer an input_shape")

    def save_weights(self, filepath):
        """Saves the weights (the state dict) with ember.save (safetensors)."""
        from ..serialization import save
        self._require_built("save_weights")
        save(self.state_dict(), str(filepath))

    def load_weights(self, filepath):
        from ..serialization import load
        self._require_built("load_weights")
        self.load_state_dict(load(str(filepath)))

    # -- summary ---------------------------------------------------------------------
    def _summary_rows(self):
        return [(f"{getattr(m, 'name', n)} ({type(m).__name__})",
                 format_shape(getattr(m, "output_shape_", None)),
                 sum(p.numel() for p in m.parameters()))
                for n, m in self.named_children()]

    def summary(self, line_length=None, positions=None, print_fn=None):
        """Prints the layers with their output shapes and parameter counts, like Keras."""
        self._require_built("summary")
        width = line_length or 65
        positions = positions or [0.45, 0.85, 1.0]
        cols = [int(width * p) for p in positions]
        print_fn = print_fn or print

        def row(fields):
            line = ""
            for i, f in enumerate(fields):
                line = (line + " " + str(f))[:cols[i]].ljust(cols[i])
            return line.rstrip()

        lines = [f'Model: "{self.name}"', "_" * width,
                 row(["Layer (type)", "Output Shape", "Param #"]), "=" * width]
        rows = self._summary_rows()
        for i, r in enumerate(rows):
            lines.append(row(r))
            lines.append("" if i + 1 < len(rows) else "=" * width)
        if not rows:
            lines.append("=" * width)
        params = list(self.parameters())
        itemsize = 4 if not params else params[0].element_size()
        total = sum(p.numel() for p in params)
        trainable = sum(p.numel() for p in params if p.requires_grad)
        for label, n in (("Total", total), ("Trainable", trainable),
                         ("Non-trainable", total - trainable)):
            lines.append(f"{label} params: {n:,} ({_memory(n * itemsize)})")
        lines.append("_" * width)
        for line in lines:
            print_fn(line)


def _memory(nbytes):
    value, unit = float(nbytes), "Byte"
    for u in ("KB", "MB", "GB", "TB"):
        if value < 1024:
            break
        value, unit = value / 1024, u
    return f"{value:.2f} {unit}"


class Sequential(Model):
    """A linear stack of layers: ``Sequential([Dense(64, activation='relu',
    input_shape=(20,)), Dense(1)])``. Layers are registered as children '0', '1', ...
    (their state-dict prefixes), so weights load into a fresh model of the same layout."""

    def __init__(self, layers=None, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self._layer_list = []
        for layer in layers or []:
            self._add(layer)
        if self._declared_input_shape is not None and self._layer_list:
            self.build(self._declared_input_shape)

    @property
    def layers(self):
        return list(self._layer_list)

    def add(self, layer):
        """Appends a layer; a model with a known input shape builds it at once."""
        self._add(layer)
        if self._layer_list and (self._declared_input_shape is not None or self.built):
            self.built = False
            self.build(self.input_shape_ or self._declared_input_shape)

    def _add(self, layer):
        if isinstance(layer, InputLayer):
            if self._layer_list:
                raise ValueError(f"[Sequential.add] an Input must come first in model "
                                 f"'{self.name}', which already has {len(self._layer_list)} "
                                 f"layers")
            self._declared_input_shape = layer._declared_input_shape
            return
        if not isinstance(layer, Module):
            raise TypeError(f"[Sequential.add] expected a layer (an ember.nn.Module), got "
                            f"{type(layer).__name__}")
        if not self._layer_list and getattr(layer, "_declared_input_shape", None) is not None \
                and self._declared_input_shape is None:
            self._declared_input_shape = layer._declared_input_shape
        self.add_module(str(len(self._layer_list)), layer)
        self._layer_list.append(layer)
        self._steps = {}

    def pop(self):
        if not self._layer_list:
            raise IndexError(f"[Sequential.pop] model '{self.name}' has no layers")
        layer = self._layer_list.pop()
        delattr(self, str(len(self._layer_list)))
        self._steps = {}
        return layer

    def build(self, input_shape=None):
        """Builds every layer by running a batch of one sample through the model."""
        if input_shape is None:
            input_shape = self._declared_input_shape
        if input_shape is None:
            raise ValueError(f"[build] model '{self.name}' has no input shape: pass "
                             f"build(input_shape) or give the first layer input_shape=")
        shape = (None,) + tuple(input_shape)[1:]
        if self._declared_input_shape is not None and \
                tuple(self._declared_input_shape[1:]) != shape[1:]:
            raise ValueError(f"[Sequential] model '{self.name}' expects input of shape "
                             f"{format_shape(self._declared_input_shape)}, got input of shape "
                             f"{format_shape(tuple(input_shape))}")
        if not self._layer_list:
            raise ValueError(f"[build] model '{self.name}' has no layers")
        x = _C.zeros((1,) + shape[1:], dtype=self._dtype)
        was_training = self.training
        self.eval()
        try:
            with no_grad():
                for layer in self._layer_list:
                    x = layer(x)
                    if not isinstance(layer, Layer):
                        layer.__dict__["output_shape_"] = (None,) + tuple(x.shape)[1:]
        finally:
            self.train(was_training)
        self.input_shape_ = shape
        self.output_shape_ = (None,) + tuple(x.shape)[1:]
        self.built = True

    def call(self, x):
        for layer in self._layer_list:
            x = layer(x)
        return x
