"""Keras optimizers (``keras.optimizers``) over ``ember.optim``: Keras names, arguments and
defaults (``learning_rate``, ``beta_1``, ``epsilon=1e-7``, ...). An optimizer is built on a
model's trainable weights when training starts; its update runs as Ember ops, so it is part
of the traced train step, and ``optimizer.learning_rate = x`` takes effect without a retrace."""

from .. import _C
from .. import optim as _optim
from . import _py_optimizers as _py
from . import schedules  # noqa: F401  (keras.optimizers.schedules)

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax",
           "Nadam", "Lion", "get"]


class Optimizer:
    """Base class. Subclasses give ``_make(params)``, returning the ember.optim optimizer."""

    def __init__(self, learning_rate, name=None):
        self._schedule = None
        if isinstance(learning_rate, schedules.LearningRateSchedule) or \
                (callable(learning_rate) and not isinstance(learning_rate, (int, float))):
            self._schedule = learning_rate
            learning_rate = learning_rate(0)
        self._learning_rate = float(learning_rate)
        self.name = name or type(self).__name__.lower()
        self._opt = None
        self._params = None
        self.iterations = 0   # optimizer steps taken (the schedule's step)

    def _apply_schedule(self):
        """Sets the rate for the next step from the schedule, if there is one."""
        if self._schedule is not None and self._opt is not None:
            lr = float(self._schedule(self.iterations))
            for g in self._opt.param_groups:
                g["lr"] = lr

    @property
    def built(self):
        return self._opt is not None

    def build(self, var_list):
        """Creates the state for `var_list` (the trainable weights)."""
        self._params = list(var_list)
        if not self._params:
            raise ValueError(f"[{type(self).__name__}] the model has no trainable weights")
        self._opt = self._make(self._params)
        pending = self.__dict__.pop("_pending_state", None)
        if pending is not None:
            self.load_state_tensors(pending)

    # -- saving the state (Keras 3 keeps optimizer variables in the .keras weights) ------
    _PY_SCALARS = ("_step", "_u_product")   # the PyOptimizers' step-wide state tensors

    def state_tensors(self):
        """The optimizer's state as flat {name: tensor} (empty when not built): per
        parameter slots ('<i>/exp_avg', ...), the step counters, and 'iterations'."""
        if self._opt is None:
            return {}
        import numpy as np
        out = {"iterations": _C.from_numpy(np.array(self.iterations, np.int64))}
        if isinstance(self._opt, _py.PyOptimizer):
            for i, slots in enumerate(self._opt.state):
                out.update({f"{i}/{k}": v for k, v in slots.items()})
            out.update({k: getattr(self._opt, k) for k in self._PY_SCALARS
                        if hasattr(self._opt, k)})
        else:
            for i, slots in self._opt.state_dict()["state"].items():
                out.update({f"{i}/{k}": v for k, v in slots.items()})
        return {k: v.detach().clone() for k, v in out.items()}

    def load_state_tensors(self, tensors):
        """Restores ``state_tensors()``; before ``build`` it is kept and applied when the
        optimizer is built on the model's weights (the first ``fit`` after load_model)."""
        tensors = dict(tensors)
        if "iterations" in tensors:
            self.iterations = int(tensors.pop("iterations").numpy())
        if self._opt is None:
            self.__dict__["_pending_state"] = tensors
            return
        slots = {}
        for key, value in tensors.items():
            index, _, name = key.partition("/")
            if name:
                slots.setdefault(int(index), {})[name] = value
        if any(i >= len(self._params) for i in slots):
            raise ValueError(f"[{type(self).__name__}] the saved optimizer state covers "
                             f"{max(slots) + 1} variables, the model has {len(self._params)}")
        from .._grad_mode import no_grad
        if isinstance(self._opt, _py.PyOptimizer):
            with no_grad():
                for i, named in slots.items():
                    for k, v in named.items():
                        self._opt.state[i][k][...] = v
                for k in self._PY_SCALARS:
                    if k in tensors and hasattr(self._opt, k):
                        getattr(self._opt, k)[...] = tensors[k]
        else:
            sd = self._opt.state_dict()
            sd["state"] = slots
            self._opt.load_state_dict(sd)

    def _make(self, params):
        raise NotImplementedError(f"[{type(self).__name__}] _make is not implemented")

    @property
    def learning_rate(self):
        if self._opt is not None:
            return float(self._opt.param_groups[0]["lr"])
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        self._schedule = None   # an explicit rate replaces a schedule
        self._learning_rate = float(value)
        if self._opt is not None:
            for g in self._opt.param_groups:
                g["lr"] = self._learning_rate

    @property
    def variables(self):
        return self._params or []

    def zero_grad(self):
        self._opt.zero_grad()

    def step(self):
        self._opt.step()

    def apply_gradients(self, grads_and_vars):
        """Applies precomputed gradients: ``[(grad, variable), ...]``."""
        pairs = list(grads_and_vars)
        if self._opt is None:
            self.build([v for _, v in pairs])
        for g, v in pairs:
            v.grad = g
        self._apply_schedule()
        self._opt.step()
        self.iterations += 1

    def apply(self, grads, trainable_variables=None):
        """Keras 3's ``optimizer.apply(grads, variables)`` (default: the variables the
        optimizer was built on)."""
        if trainable_variables is None:
            if self._params is None:
                raise ValueError(f"[{type(self).__name__}.apply] the optimizer is not built: "
                                 f"pass trainable_variables")
            trainable_variables = self._params
        grads, variables = list(grads), list(trainable_variables)
        if len(grads) != len(variables):
            raise ValueError(f"[{type(self).__name__}.apply] got {len(grads)} gradients for "
                             f"{len(variables)} variables")
        self.apply_gradients(zip(grads, variables))

    def get_config(self):
        """The constructor arguments (a schedule as {'class_name', 'config'})."""
        import inspect
        config = {"name": self.name}
        for arg in inspect.signature(type(self).__init__).parameters:
            if arg not in ("self", "name", "kwargs", "learning_rate") and hasattr(self, arg):
                config[arg] = getattr(self, arg)
        if self._schedule is not None:
            if not isinstance(self._schedule, schedules.LearningRateSchedule):
                raise ValueError(f"[{type(self).__name__}] cannot serialize the learning-rate "
                                 f"function {self._schedule!r}")
            config["learning_rate"] = {"class_name": type(self._schedule).__name__,
                                       "config": self._schedule.get_config()}
        else:
            config["learning_rate"] = self.learning_rate
        return config

    def __repr__(self):
        return f"<{type(self).__name__} learning_rate={self.learning_rate}>"


class SGD(Optimizer):
    """Gradient descent with optional (Nesterov) momentum. Keras's ``v = m*v - lr*g;
    w += v`` equals PyTorch's form for a fixed learning rate."""

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, weight_decay=None,
                 name="SGD", **kwargs):
        _no_extra(name, kwargs)
        super().__init__(learning_rate, name)
        if not 0.0 <= momentum <= 1.0:
            raise ValueError(f"[SGD] momentum must be in [0, 1], got {momentum}")
        self.momentum, self.nesterov = float(momentum), bool(nesterov)
        self.weight_decay = weight_decay

    def _make(self, params):
        return _optim.SGD(params, lr=self._learning_rate, momentum=self.momentum,
                          nesterov=self.nesterov, weight_decay=self.weight_decay or 0.0)


class Adam(Optimizer):
    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, weight_decay=None, name="adam", **kwargs):
        _no_extra(name, kwargs)
        super().__init__(learning_rate, name)
        self.beta_1, self.beta_2, self.epsilon = float(beta_1), float(beta_2), float(epsilon)
        self.amsgrad, self.weight_decay = bool(amsgrad), weight_decay

    def _make(self, params):
        # Keras's weight_decay is decoupled (AdamW-style) for every optimizer.
        cls = _optim.AdamW if self.weight_decay else _optim.Adam
        return cls(params, lr=self._learning_rate, betas=(self.beta_1, self.beta_2),
                   eps=self.epsilon, weight_decay=self.weight_decay or 0.0, amsgrad=self.amsgrad)


class AdamW(Adam):
    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-7, amsgrad=False, name="adamw", **kwargs):
        super().__init__(learning_rate, beta_1, beta_2, epsilon, amsgrad, weight_decay, name,
                         **kwargs)

    def _make(self, params):
        return _optim.AdamW(params, lr=self._learning_rate, betas=(self.beta_1, self.beta_2),
                            eps=self.epsilon, weight_decay=self.weight_decay or 0.0,
                            amsgrad=self.amsgrad)


class RMSprop(Optimizer):
    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False,
                 weight_decay=None, name="rmsprop", **kwargs):
        _no_extra(name, kwargs)
        super().__init__(learning_rate, name)
        self.rho, self.momentum, self.epsilon = float(rho), float(momentum), float(epsilon)
        self.centered, self.weight_decay = bool(centered), weight_decay

    def _make(self, params):
        return _optim.RMSprop(params, lr=self._learning_rate, alpha=self.rho, eps=self.epsilon,
                              momentum=self.momentum, centered=self.centered,
                              weight_decay=self.weight_decay or 0.0)


class Adagrad(Optimizer):
    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7,
                 weight_decay=None, name="adagrad", **kwargs):
        _no_extra(name, kwargs)
        super().__init__(learning_rate, name)
        self.initial_accumulator_value = float(initial_accumulator_value)
        self.epsilon, self.weight_decay = float(epsilon), weight_decay

    def _make(self, params):
        return _optim.Adagrad(params, lr=self._learning_rate,
                              initial_accumulator_value=self.initial_accumulator_value,
                              eps=self.epsilon, weight_decay=self.weight_decay or 0.0)


class Adadelta(Optimizer):
    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, weight_decay=None,
                 name="adadelta", **kwargs):
        _no_extra(name, kwargs)
        super().__init__(learning_rate, name)
        self.rho, self.epsilon, self.weight_decay = float(rho), float(epsilon), weight_decay

    def _make(self, params):
        return _py.Adadelta(params, self._learning_rate, self.rho, self.epsilon,
                            self.weight_decay)


class Adamax(Optimizer):
    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 weight_decay=None, name="adamax", **kwargs):
        _no_extra(name, kwargs)
        super().__init__(learning_rate, name)
        self.beta_1, self.beta_2, self.epsilon = float(beta_1), float(beta_2), float(epsilon)
        self.weight_decay = weight_decay

    def _make(self, params):
        return _py.Adamax(params, self._learning_rate, self.beta_1, self.beta_2, self.epsilon,
                          self.weight_decay)


class Nadam(Adamax):
    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 weight_decay=None, name="nadam", **kwargs):
        super().__init__(learning_rate, beta_1, beta_2, epsilon, weight_decay, name, **kwargs)

    def _make(self, params):
        return _py.Nadam(params, self._learning_rate, self.beta_1, self.beta_2, self.epsilon,
                         self.weight_decay)


class Lion(Optimizer):
    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.99, weight_decay=None,
                 name="lion", **kwargs):
        _no_extra(name, kwargs)
        super().__init__(learning_rate, name)
        if not 0.0 <= beta_1 <= 1.0 or not 0.0 <= beta_2 <= 1.0:
            raise ValueError(f"[Lion] beta_1 and beta_2 must be in [0, 1], got {beta_1}, "
                             f"{beta_2}")
        self.beta_1, self.beta_2, self.weight_decay = float(beta_1), float(beta_2), weight_decay

    def _make(self, params):
        return _py.Lion(params, self._learning_rate, self.beta_1, self.beta_2,
                        self.weight_decay)


def _no_extra(name, kwargs):
    # Keras accepts a few options Ember does not model yet; refuse them by name.
    if kwargs:
        raise TypeError(f"[{name}] unsupported keyword arguments: {', '.join(sorted(kwargs))}")


_BY_NAME = {"sgd": SGD, "adam": Adam, "adamw": AdamW, "rmsprop": RMSprop, "adagrad": Adagrad,
            "adadelta": Adadelta, "adamax": Adamax, "nadam": Nadam, "lion": Lion}


def get(identifier):
    """An optimizer from a name ('sgd', 'Adam', ... case-insensitive, with Keras's defaults)
    or an Optimizer instance."""
    if isinstance(identifier, str):
        cls = _BY_NAME.get(identifier.lower())
        if cls is None:
            raise ValueError(f"[optimizers] unknown optimizer '{identifier}'; known: "
                             f"{', '.join(sorted(_BY_NAME))}")
        return cls()
    if isinstance(identifier, dict):
        cls = {c.__name__: c for c in _BY_NAME.values()}.get(identifier.get("class_name"))
        if cls is None:
            raise ValueError(f"[optimizers] unknown optimizer class "
                             f"'{identifier.get('class_name')}'")
        config = dict(identifier.get("config", {}))
        lr = config.get("learning_rate")
        if isinstance(lr, dict):
            if lr.get("class_name") not in schedules.__all__:
                raise ValueError(f"[optimizers] unknown schedule {lr.get('class_name')!r}")
            config["learning_rate"] = getattr(schedules, lr["class_name"])(**lr["config"])
        return cls(**config)
    if isinstance(identifier, type) and issubclass(identifier, Optimizer):
        return identifier()
    if isinstance(identifier, Optimizer):
        return identifier
    raise TypeError(f"[optimizers] expected an optimizer name or a keras Optimizer, got "
                    f"{type(identifier).__name__}")
