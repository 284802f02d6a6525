"""The Keras Model: compile / fit / evaluate / predict over any Layer graph (Sequential,
functional ``Model(inputs, outputs)`` or a subclass with ``call``).

The train step (forward, loss + regularization, backward, optimizer update, metric
statistics) runs through ``ember.function`` with the batch dimension declared dynamic, so
it is traced once and replayed for every batch size; ``steps_per_execution=N`` traces N
steps into one call. ``run_eagerly=True`` runs the same Python step eagerly."""

import numpy as np

from .. import _C
from .._function import function as _function
from .._grad_mode import no_grad
from ..nn.modules.module import Module
from . import _compile
from . import _custom_steps
from . import _data
from . import metrics as _metrics_module
from . import callbacks as _callbacks
from . import optimizers as _optimizers
from ._sources import ArraySource as _ArraySource
from ._sources import IterableSource as _IterableSource
from ._sources import groups as _groups
from ._summary import summary as _summary
from .layers.base import Layer, flatten_structure
from .layers.random_layer import seeded_step_stream as _seeded_step_stream

__all__ = ["Model"]


class Model(Layer):
    """Base class of models: subclass it and write ``call(x)`` (layers assigned as
    attributes are tracked), use ``Sequential``, or call ``Model(inputs, outputs)`` on
    the symbolic tensors of ``keras.Input`` (a functional model)."""

    _kind = "model"

    def __new__(cls, *args, **kwargs):
        from .functional import Functional
        if cls is Model and (args or "inputs" in kwargs or "outputs" in kwargs):
            cls = Functional
        elif not issubclass(cls, Functional) and _functional_arguments(args, kwargs):
            cls = _functional_subclass(cls)
        return super().__new__(cls)

    def __init__(self, *args, name=None, **kwargs):
        if args:
            raise TypeError(f"[Model] unexpected positional arguments for a {type(self).__name__}")
        super().__init__(name=name, **kwargs)
        self.optimizer = None
        self.loss = None
        self.compiled = False
        self.run_eagerly = False
        self.stop_training = False
        self.history = None
        self.steps_per_execution = 1
        self._spec = None
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
        self.output_shape_ = _out_shape(out)
        self.built = True

    # -- what the data must look like (overridden by functional models) ----------------
    def _input_names(self):
        return None

    def _output_names(self):
        return None

    def _input_dtypes(self):
        return None

    def _pack_outputs(self, arrays):
        """predict's result: one array, or a list (functional models: their outputs'
        structure, a dict for dict outputs)."""
        return arrays[0] if len(arrays) == 1 else arrays

    def _n_outputs(self):
        shape = self.output_shape_
        return len(shape) if isinstance(shape, list) else 1

    # -- compile ---------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None,
                weighted_metrics=None, run_eagerly=False, steps_per_execution=1,
                jit_compile=None):
        """Configures training: an optimizer and a loss (names or objects; per output as a
        list or dict), metrics, and how many steps one traced call runs."""
        if weighted_metrics is not None:
            raise NotImplementedError("[compile] weighted_metrics is not supported yet "
                                      "(sample weights apply to the loss)")
        if isinstance(steps_per_execution, bool) or not isinstance(steps_per_execution, int) \
                or steps_per_execution < 1:
            raise ValueError(f"[compile] steps_per_execution must be a positive integer, got "
                             f"{steps_per_execution!r}")
        self.optimizer = _optimizers.get(optimizer)
        self._compile_args = {"loss": loss, "metrics": metrics, "loss_weights": loss_weights}
        self._spec = self._make_spec()
        losses = self._spec.losses
        self.loss = losses[0] if len(losses) == 1 else losses
        self.run_eagerly = bool(run_eagerly)
        self.steps_per_execution = steps_per_execution
        self.compiled = True
        self._steps = {}

    def _make_spec(self):
        names = self._output_names()
        if names is None:
            n = self._n_outputs() if self.built else 1
            names = ["output"] if n == 1 else [f"output_{i}" for i in range(n)]
        a = self._compile_args
        return _compile.CompiledSpec(a["loss"], a["metrics"], a["loss_weights"], names)

    @property
    def metrics_names(self):
        return self._spec.names if self._spec is not None else ["loss"]

    @property
    def metrics(self):
        """The compiled metrics; a model with its own train_step gets Keras 3's list: a
        'loss' Mean first (for ``metric.update_state(loss)``), then the compiled ones."""
        compiled = self._spec.flat_metrics if self._spec is not None else []
        if _custom_steps.overrides(self, "train_step") or \
                _custom_steps.overrides(self, "test_step"):
            if "_loss_tracker" not in self.__dict__:
                self.__dict__["_loss_tracker"] = _metrics_module.Mean(name="loss")
            return [self.__dict__["_loss_tracker"]] + compiled
        return compiled

    def reset_metrics(self):
        for m in self.metrics:
            m.reset_state()

    # -- the steps a subclass may override (Keras's customization points) --------------
    def train_step(self, data):
        """One optimizer step on `data` ((x, y) or (x, y, sample_weight)); returns the
        running logs of the epoch. Override it to customize fit (it then runs eagerly)."""
        xs, ys, sw = _custom_steps.unpack(data)
        self._spec.merge(self._run("train", [(xs, ys, sw)])[0], int(xs[0].shape[0]))
        return self._spec.results()

    def test_step(self, data):
        """The loss and metrics of one batch, accumulated; override to customize
        evaluate (and fit's validation)."""
        xs, ys, sw = _custom_steps.unpack(data)
        self._spec.merge(self._run("test", [(xs, ys, sw)])[0], int(xs[0].shape[0]))
        return self._spec.results()

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The compiled loss (weighted over outputs) plus the regularization penalties,
        as a tensor, for use in a custom train_step."""
        if self._spec is None or not self._spec.has_loss:
            raise RuntimeError(f"[compute_loss] model '{self.name}' was compiled without a "
                               f"loss; pass loss= to compile()")
        ys = y if isinstance(y, (list, tuple)) else [y]
        preds = flatten_structure(y_pred)
        if isinstance(y, dict):
            ys = [y[n] for n in self._spec.output_names]
        ys = [_data.tensor(v) if not isinstance(v, _C.Tensor) else v for v in ys]
        total, _ = self._spec.loss_values(ys, preds, sample_weight)
        for penalty in self.losses:
            total = total + penalty
        return total

    @property
    def _metrics(self):
        return self.metrics

    def _assert_compiled(self, op):
        if not self.compiled:
            raise RuntimeError(f"[{op}] model '{self.name}' must be compiled before {op}(): "
                               f"call model.compile(optimizer=..., loss=...) first")
        step = "train_step" if op == "fit" else "test_step"
        if op in ("fit", "evaluate") and _custom_steps.overrides(self, step):
            return   # the model's own step computes its loss
        if not self._spec.has_loss:
            raise RuntimeError(f"[{op}] model '{self.name}' was compiled without a loss; "
                               f"pass loss= to compile()")

    # -- the steps -------------------------------------------------------------------
    def _forward(self, xs):
        out = self(xs[0] if len(xs) == 1 else list(xs))
        preds = flatten_structure(out)
        return preds

    def _step(self, kind, nx, ny, has_sw, n_steps=1):
        """The train / test / predict step for nx inputs, ny targets (and sample weights),
        running n_steps batches per call; traced unless run_eagerly."""
        key = (kind, self.run_eagerly, nx, ny, has_sw, n_steps)
        if key in self._steps:
            return self._steps[key]
        model, spec, opt = self, self._spec, self.optimizer
        multi = spec is not None and len(spec.output_names) > 1

        def split(args):
            xs, ys = list(args[:nx]), list(args[nx:nx + ny])
            sw = args[nx + ny] if has_sw else None
            return xs, ys, sw

        def check(preds, ys):
            if len(preds) != len(ys):
                raise ValueError(f"[fit] model '{model.name}' has {len(preds)} outputs but "
                                 f"got {len(ys)} target arrays")

        def one_train(args):
            xs, ys, sw = split(args)
            opt.zero_grad()
            preds = model._forward(xs)
            check(preds, ys)
            total, parts = spec.loss_values(ys, preds, sw)
            for penalty in model.losses:
                total = total + penalty
            total.backward()
            opt.step()
            preds = [p.detach() for p in preds]
            return [total.detach()] + ([p.detach() for p in parts] if multi else []) + \
                spec.metric_stats(ys, preds)

        def one_test(args):
            xs, ys, sw = split(args)
            preds = model._forward(xs)
            check(preds, ys)
            total, parts = spec.loss_values(ys, preds, sw)
            for penalty in model.losses:
                total = total + penalty
            return [total] + (parts if multi else []) + spec.metric_stats(ys, preds)

        one = {"train": one_train, "test": one_test}.get(kind)
        per = nx + ny + (1 if has_sw else 0)

        def run_steps(*args):
            out = []
            for i in range(n_steps):
                out += one(args[i * per:(i + 1) * per])
            return tuple(out)

        def predict_step(*xs):
            return tuple(model._forward(list(xs)))

        fn = predict_step if kind == "predict" else run_steps
        if not self.run_eagerly:
            # The batch dim is dynamic: the short last batch replays a graph specialized
            # from the same trace (see trace/shape_params.h), with no Python re-run.
            fn = _function(fn, dynamic=True, name=f"{self.name}_{kind}_step")
        self._steps[key] = fn
        return fn

    def _prepare(self, xs, op):
        """Builds the model (and the optimizer for training) from the data's shape and
        checks the shape of a built model's input."""
        if not self.built:
            if len(xs) != 1:
                raise ValueError(f"[{op}] model '{self.name}' is not built and got {len(xs)} "
                                 f"inputs; build it first or use a functional model")
            self.build((None,) + tuple(xs[0].shape[1:]))
        else:
            self._check_input(xs[0] if len(xs) == 1 else list(xs))
        if self._spec is not None and len(self._spec.output_names) != self._n_outputs() \
                and self._output_names() is None:
            self._spec = self._make_spec()
            self._steps = {}

    def _build_optimizer(self):
        """Builds the optimizer on the trainable weights; rebuilt (with fresh state, and
        fresh traced steps) when they changed: layers added, `trainable` toggled."""
        params = [p for p in self.parameters() if p.requires_grad]
        ids = [(p.data_ptr(), tuple(p.shape)) for p in params]
        if not self.optimizer.built or ids != getattr(self, "_optimizer_ids", None):
            self.optimizer.build(params)
            self.__dict__["_optimizer_ids"] = ids
            self._steps = {}

    def _run(self, kind, batches):
        """Runs one execution over `batches` (a list of (xs, ys, sw) of equal size when
        more than one); returns the per-batch lists of NumPy values."""
        xs, ys, sw = batches[0]
        nx, ny, has_sw = len(xs), len(ys), sw is not None
        fn = self._step(kind, nx, ny, has_sw, len(batches))
        args = []
        for bxs, bys, bsw in batches:
            args += [_data.tensor(a) for a in bxs] + [_data.tensor(a) for a in bys]
            if has_sw:
                args.append(_data.tensor(bsw))
        if kind == "train":
            self.train()
            try:
                self.optimizer._apply_schedule()
                with _seeded_step_stream(self):
                    out = fn(*args)
            finally:
                self.eval()  # back to inference mode for direct calls, as in Keras
            self.optimizer.iterations += len(batches)
        else:
            self.eval()
            with no_grad():
                out = fn(*args)
        values = [v.numpy() for v in out]
        per = len(values) // len(batches)
        return [values[i * per:(i + 1) * per] for i in range(len(batches))]

    # -- fit / evaluate / predict ----------------------------------------------------
    def _source(self, x, y, sample_weight, op, class_weight=None, what=None):
        if _data.is_iterable_data(x):
            if y is not None:
                raise ValueError(f"[{op}] y must not be given when x is a dataset or data "
                                 f"loader (it yields the targets)")
            if sample_weight is not None or class_weight is not None:
                raise ValueError(f"[{op}] sample_weight / class_weight cannot be given with a "
                                 f"dataset: yield (x, y, sample_weight) batches instead")
            return _IterableSource(self, x, op)
        if y is None:
            raise ValueError(f"[{op}] y (the targets) is required")
        xs = _data.to_arrays(x, "x", op, self._input_names(), self._input_dtypes())
        ys = _data.to_arrays(y, "y", op, self._output_names())
        sw = None
        if sample_weight is not None:
            sw = _data.to_array(sample_weight, "sample_weight", op).astype(np.float32)
            if sw.ndim != 1:
                raise ValueError(f"[{op}] sample_weight must be 1-D (one weight per sample), "
                                 f"got shape {sw.shape}")
        n = _data.check_lengths(xs, ys, op, sw, what)
        if class_weight is not None:
            if len(ys) != 1:
                raise ValueError(f"[{op}] class_weight needs a single-output model")
            cw = _data.class_sample_weights(ys[0], class_weight, op)
            sw = cw if sw is None else sw * cw
        return _ArraySource(xs, ys, sw, n)

    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1):
        """Trains for `epochs` epochs; returns a History whose ``.history`` maps 'loss',
        each metric and their 'val_' forms to per-epoch values."""
        self._assert_compiled("fit")
        x = _data.batched(x, batch_size)
        source = self._source(x, y, sample_weight, "fit", class_weight)
        val = None
        if validation_data is not None:
            validation_data = _data.batched(validation_data, validation_batch_size or batch_size)
            if _data.is_iterable_data(validation_data):
                val = _IterableSource(self, validation_data, "fit")
            else:
                if not isinstance(validation_data, (tuple, list)) or \
                        len(validation_data) not in (2, 3):
                    raise ValueError("[fit] validation_data must be a tuple (x_val, y_val) or "
                                     "(x_val, y_val, sample_weight_val)")
                vd = tuple(validation_data) + (None,)
                val = self._source(vd[0], vd[1], vd[2], "fit", what="validation_data ")
        elif validation_split:
            if not isinstance(source, _ArraySource):
                raise ValueError("[fit] validation_split needs array inputs, not a dataset")
            source, val = source.split(validation_split)
        if isinstance(source, _ArraySource) and source.n == 0:
            raise ValueError("[fit] x has no samples")
        batch_size = 32 if batch_size is None else int(batch_size)
        if batch_size <= 0:
            raise ValueError(f"[fit] batch_size must be positive, got {batch_size}")
        if not 0 <= int(initial_epoch) <= epochs:
            raise ValueError(f"[fit] initial_epoch ({initial_epoch}) must be in [0, epochs "
                             f"({epochs})]")
        verbose = 1 if verbose == "auto" else int(verbose)
        self._prepare(source.first_x(), "fit")
        self._build_optimizer()
        steps = source.steps(batch_size)
        if steps_per_epoch is not None:
            steps = int(steps_per_epoch) if steps is None else min(steps, int(steps_per_epoch))
        history = _callbacks.History()
        cbs = list(callbacks or [])
        if verbose:
            cbs.append(_callbacks.ProgbarLogger())
        cbs.append(history)
        cblist = _callbacks.CallbackList(cbs, self, {"epochs": epochs, "steps": steps,
                                                     "verbose": verbose})
        shuffled = shuffle and isinstance(source, _ArraySource)
        self.stop_training = False
        cblist.call("on_train_begin", None)
        logs = {}
        custom = _custom_steps.overrides(self, "train_step")
        group = 1 if custom else self.steps_per_execution
        for epoch in range(initial_epoch, epochs):
            cblist.call("on_epoch_begin", epoch, None)
            self._spec.reset()
            if custom:
                self.reset_metrics()
            order = _data.epoch_order(source.n) if shuffled else None
            step = 0
            for chunk in _groups(source.batches(batch_size, order), group, steps):
                cblist.call("on_train_batch_begin", step, None)
                if custom:
                    logs = _custom_steps.run(self, "train", *chunk[0])
                else:
                    for values, (bx, _, _) in zip(self._run("train", chunk), chunk):
                        self._spec.merge(values, len(bx[0]))
                    logs = self._spec.results()
                step += len(chunk)
                cblist.call("on_train_batch_end", step - 1, logs)
                if self.stop_training:
                    break
            if step == 0:
                raise ValueError(f"[fit] the data gave no batches in epoch {epoch + 1} (an "
                                 f"exhausted generator? pass steps_per_epoch)")
            logs = dict(logs if custom else self._spec.results())
            if val is not None and (epoch + 1) % validation_freq == 0:
                vlogs = self._evaluate_source(val, validation_batch_size or batch_size,
                                              validation_steps)
                logs.update({f"val_{k}": v for k, v in vlogs.items()})
            cblist.call("on_epoch_end", epoch, logs)
            if self.stop_training:
                break
        cblist.call("on_train_end", dict(logs))
        self.history = history
        return history

    def _evaluate_source(self, source, batch_size, steps=None, cblist=None):
        self._spec.reset()
        custom = _custom_steps.overrides(self, "test_step")
        if custom:
            self.reset_metrics()
        logs = {}
        for step, chunk in enumerate(_groups(source.batches(batch_size), 1, steps)):
            if custom:
                logs = _custom_steps.run(self, "test", *chunk[0])
            else:
                self._spec.merge(self._run("test", chunk)[0], len(chunk[0][0][0]))
                logs = self._spec.results()
            if cblist is not None:
                cblist.call("on_test_batch_end", step, logs)
        return logs

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, return_dict=False):
        """The loss and metrics over (x, y): a float if there are no metrics, else the list
        [loss, metric, ...] (or a dict with return_dict=True)."""
        self._assert_compiled("evaluate")
        source = self._source(_data.batched(x, batch_size), y, sample_weight, "evaluate")
        if isinstance(source, _ArraySource) and source.n == 0:
            raise ValueError("[evaluate] x has no samples")
        self._prepare(source.first_x(), "evaluate")
        batch_size = int(batch_size or 32)
        cblist = _callbacks.CallbackList(list(callbacks or []), self, {})
        cblist.call("on_test_begin", None)
        logs = self._evaluate_source(source, batch_size, steps, cblist)
        cblist.call("on_test_end", logs)
        if verbose in (1, 2, "auto"):
            n = source.steps(batch_size) or steps or 0
            print(f"{n}/{n} - " + " - ".join(f"{k}: {v:.4f}" for k, v in sorted(logs.items())))
        if return_dict:
            return logs
        names = [n for n in self.metrics_names if n in logs] or list(logs)
        values = [logs[n] for n in names]
        return values[0] if len(values) == 1 else values

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """The model's outputs for x, batched, as a NumPy array (a list for several
        outputs, a dict for a functional model with dict outputs)."""
        x = _data.batched(x, batch_size)
        if _data.is_iterable_data(x):
            batches = (_data.to_arrays(_data.unpack_batch(item, "predict")[0], "x", "predict",
                                       self._input_names(), self._input_dtypes())
                       for item in x)
        else:
            xs = _data.to_arrays(x, "x", "predict", self._input_names(), self._input_dtypes())
            _data.check_lengths(xs, [], "predict")
            bs = int(batch_size or 32)
            batches = ([a[idx] for a in xs] for idx in _data.batches(len(xs[0]), bs))
        outs = []
        for i, bxs in enumerate(batches):
            if steps is not None and i >= steps:
                break
            self._prepare(bxs, "predict")
            self.eval()
            fn = self._step("predict", len(bxs), 0, False)
            with no_grad():
                outs.append([o.numpy().copy() for o in fn(*[_data.tensor(a) for a in bxs])])
        if not outs:
            shape = self.output_shape_ if isinstance(self.output_shape_, tuple) else (None,)
            return np.zeros((0,) + tuple(shape or (None,))[1:], np.float32)
        result = [np.concatenate([o[k] for o in outs], axis=0) for k in range(len(outs[0]))]
        return self._pack_outputs(result)

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None,
                       return_dict=False):
        """One optimizer step on one batch; returns its loss (and metric values)."""
        self._assert_compiled("train_on_batch")
        source = self._source(x, y, sample_weight, "train_on_batch", class_weight)
        self._prepare(source.xs, "train_on_batch")
        self._build_optimizer()
        self._spec.reset()
        self._spec.merge(self._run("train", [(source.xs, source.ys, source.sw)])[0], source.n)
        return self._batch_result(return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        self._assert_compiled("test_on_batch")
        source = self._source(x, y, sample_weight, "test_on_batch")
        self._prepare(source.xs, "test_on_batch")
        self._spec.reset()
        self._spec.merge(self._run("test", [(source.xs, source.ys, source.sw)])[0], source.n)
        return self._batch_result(return_dict)

    def predict_on_batch(self, x):
        xs = _data.to_arrays(x, "x", "predict_on_batch", self._input_names(),
                             self._input_dtypes())
        self._prepare(xs, "predict_on_batch")
        self.eval()
        with no_grad():
            out = [o.numpy().copy() for o in self._forward([_data.tensor(a) for a in xs])]
        return self._pack_outputs(out)

    def _batch_result(self, return_dict):
        logs = self._spec.results()
        if return_dict:
            return logs
        values = [logs[n] for n in self.metrics_names]
        return values[0] if len(values) == 1 else values

    # -- weights ---------------------------------------------------------------------
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

    def get_layer(self, name=None, index=None):
        layers = getattr(self, "layers", None) or [m for _, m in self.named_children()]
        if index is not None:
            return layers[index]
        for layer in layers:
            if getattr(layer, "name", None) == name:
                return layer
        raise ValueError(f"[get_layer] model '{self.name}' has no layer named '{name}'; it "
                         f"has {[getattr(la, 'name', '?') for la in layers]}")

    def save_weights(self, filepath, overwrite=True):
        """Saves the weights (the state dict) with ember.save (safetensors)."""
        from ..serialization import save
        self._require_built("save_weights")
        save(self.state_dict(), str(filepath))

    def load_weights(self, filepath):
        """Loads weights written by save_weights (or the weights of model.save)."""
        from ..serialization import load
        self._require_built("load_weights")
        path = str(filepath)
        if path.endswith(".keras"):
            from .saving import read_archive
            state = read_archive(path)[1]
        else:
            state = load(path)
        self.load_weights_state(state)

    def load_weights_state(self, state):
        # A .keras weights file also holds the optimizer's variables: not model weights.
        state = {k: v for k, v in state.items() if not k.startswith("optimizer_state/")}
        own = dict(self.state_dict())
        for key, value in state.items():
            if key in own and tuple(own[key].shape) != tuple(value.shape):
                raise ValueError(f"[load_weights] weight '{key}' of model '{self.name}' has "
                                 f"shape {tuple(own[key].shape)}, the file has "
                                 f"{tuple(value.shape)}")
        self.load_state_dict(state)

    def to_json(self, **kwargs):
        """The architecture as a JSON string (no weights); ``models.model_from_json``."""
        import json
        from .layers import class_name
        return json.dumps({"class_name": class_name(type(self)), "config": self.get_config()},
                          **kwargs)

    def save(self, filepath, overwrite=True):
        """Saves the architecture (JSON config), the weights (safetensors) and the compile
        settings to a ``.keras`` archive; ``keras.models.load_model`` reads it back."""
        from .saving import save_model
        save_model(self, filepath, overwrite=overwrite)

    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False,
                show_trainable=False, layer_range=None):
        """Prints the layers with their output shapes and parameter counts, like Keras
        (nested models are one row; expand_nested, show_trainable and layer_range are
        accepted and ignored)."""
        self._require_built("summary")
        _summary(self, line_length, positions, print_fn)

    def _summary_rows(self):
        return [(m, None) for _, m in self.named_children()]


def _functional_arguments(args, kwargs):
    """Whether a Model subclass is being built as ``Sub(inputs, outputs)``."""
    from .layers.input_layer import KerasTensor
    first = args[0] if args else kwargs.get("inputs")
    flat = flatten_structure(first) if first is not None else []
    return bool(flat) and all(isinstance(t, KerasTensor) for t in flat)


_FUNCTIONAL_SUBCLASSES = {}


def _functional_subclass(cls):
    """`cls` with Functional mixed in (after it, so its train_step & co. win), as Keras
    makes ``class Custom(keras.Model)`` called with (inputs, outputs) a functional model."""
    from .functional import Functional
    if cls not in _FUNCTIONAL_SUBCLASSES:
        _FUNCTIONAL_SUBCLASSES[cls] = type(cls.__name__, (cls, Functional),
                                           {"__module__": cls.__module__,
                                            "__qualname__": cls.__qualname__,
                                            **{k: cls.__dict__[k] for k in ("_registered_name",)
                                               if k in cls.__dict__}})
    return _FUNCTIONAL_SUBCLASSES[cls]


def _out_shape(out):
    if isinstance(out, (list, tuple)):
        return [(None,) + tuple(o.shape)[1:] for o in out]
    return (None,) + tuple(out.shape)[1:]
