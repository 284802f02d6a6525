"""Keras losses (``keras.losses``): ``loss(y_true, y_pred)`` (note the Keras argument
order) returning the mean over the batch. Look them up by name with ``get('mse')``.

Targets shaped ``(N,)`` against predictions shaped ``(N, 1)`` are aligned as Keras does.
Probabilities are clipped to ``[1e-7, 1 - 1e-7]`` (Keras's epsilon) before logs; with
``from_logits=True`` the stable log-sum-exp forms are used instead."""

from .. import _C
from ..nn import functional as _F
from . import _losses_extra as _extra

__all__ = ["Loss", "MeanSquaredError", "MeanAbsoluteError", "BinaryCrossentropy",
           "CategoricalCrossentropy", "SparseCategoricalCrossentropy", "Huber",
           "mean_squared_error", "mean_absolute_error", "binary_crossentropy",
           "categorical_crossentropy", "sparse_categorical_crossentropy", "huber", "get",
           "KLDivergence", "CosineSimilarity", "Hinge", "SquaredHinge", "CategoricalHinge",
           "LogCosh", "Poisson", "MeanSquaredLogarithmicError", "MeanAbsolutePercentageError",
           "kl_divergence", "cosine_similarity", "hinge", "squared_hinge", "categorical_hinge",
           "log_cosh", "poisson", "mean_squared_logarithmic_error",
           "mean_absolute_percentage_error", "mse", "mae", "mape", "msle", "kld", "logcosh",
           "MSE", "MAE", "MAPE", "MSLE", "KLD"]

EPSILON = 1e-7


def _align(y_true, y_pred):
    """Casts y_true to y_pred's dtype and adds the trailing unit axis Keras adds."""
    if y_true.dtype != y_pred.dtype:
        y_true = y_true.to(y_pred.dtype)
    if y_true.dim() == y_pred.dim() - 1 and y_pred.shape[-1] == 1:
        y_true = y_true.unsqueeze(-1)
    elif y_true.dim() == y_pred.dim() + 1 and y_true.shape[-1] == 1:
        y_true = y_true.squeeze(-1)
    return y_true


def _check_same(op, y_true, y_pred):
    if tuple(y_true.shape)[1:] != tuple(y_pred.shape)[1:]:
        raise ValueError(f"[{op}] y_true of shape {tuple(y_true.shape)} does not match y_pred "
                         f"of shape {tuple(y_pred.shape)}")


def mean_squared_error(y_true, y_pred):
    y_true = _align(y_true, y_pred)
    _check_same("mean_squared_error", y_true, y_pred)
    return ((y_pred - y_true) ** 2).mean()


def mean_absolute_error(y_true, y_pred):
    y_true = _align(y_true, y_pred)
    _check_same("mean_absolute_error", y_true, y_pred)
    return _C.abs(y_pred - y_true).mean()


def huber(y_true, y_pred, delta=1.0):
    y_true = _align(y_true, y_pred)
    _check_same("huber", y_true, y_pred)
    return _F.huber_loss(y_pred, y_true, delta=float(delta))


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0):
    y_true = _align(y_true, y_pred)
    _check_same("binary_crossentropy", y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        # max(x, 0) - x * y + log(1 + exp(-|x|))
        return (_C.relu(y_pred) - y_pred * y_true + _C.log1p(_C.exp(-_C.abs(y_pred)))).mean()
    p = _C.clamp(y_pred, min=EPSILON, max=1.0 - EPSILON)
    return -(y_true * _C.log(p) + (1.0 - y_true) * _C.log(1.0 - p)).mean()


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    y_true = _align(y_true, y_pred)
    if tuple(y_true.shape)[1:] != tuple(y_pred.shape)[1:]:
        raise ValueError(f"[categorical_crossentropy] expects one-hot y_true of the shape of "
                         f"y_pred {tuple(y_pred.shape)}, got y_true of shape "
                         f"{tuple(y_true.shape)} (use sparse_categorical_crossentropy for "
                         f"integer labels)")
    if label_smoothing:
        k = y_pred.shape[axis]
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / k
    if from_logits:
        logp = _C.log_softmax(y_pred, axis)
    else:
        p = y_pred / y_pred.sum(axis, keepdim=True)
        logp = _C.log(_C.clamp(p, min=EPSILON, max=1.0 - EPSILON))
    return -(y_true * logp).sum(axis).mean()


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, axis=-1):
    if y_true.dim() == y_pred.dim() and y_true.shape[-1] == 1:
        y_true = y_true.squeeze(-1)
    if y_true.dim() != y_pred.dim() - 1 or tuple(y_true.shape)[1:] != tuple(y_pred.shape)[1:-1]:
        raise ValueError(f"[sparse_categorical_crossentropy] expects integer labels y_true of "
                         f"shape {tuple(y_pred.shape)[:-1]} for y_pred of shape "
                         f"{tuple(y_pred.shape)}, got y_true of shape {tuple(y_true.shape)}")
    if y_true.dtype != _C.dtype.int64:
        y_true = y_true.to(_C.dtype.int64)
    if from_logits:
        logp = _C.log_softmax(y_pred, axis)
    else:
        p = y_pred / y_pred.sum(axis, keepdim=True)
        logp = _C.log(_C.clamp(p, min=EPSILON, max=1.0 - EPSILON))
    if logp.dim() > 2:
        logp = logp.movedim(-1, 1)
    return _F.nll_loss(logp, y_true)


def _per_sample(t):
    """Mean over every axis but the batch axis: (N, ...) -> (N,)."""
    return t if t.dim() <= 1 else t.mean(list(range(1, t.dim())))


def _elementwise(name, y_true, y_pred, **kw):
    """The unreduced loss of the built-in losses, for sample weighting."""
    if name == "sparse_categorical_crossentropy":
        if y_true.dim() == y_pred.dim() and y_true.shape[-1] == 1:
            y_true = y_true.squeeze(-1)
        sparse_categorical_crossentropy(y_true, y_pred, kw.get("from_logits", False))  # checks
        logp = _log_probs(y_pred, kw.get("from_logits", False), -1)
        idx = y_true.to(_C.dtype.int64).unsqueeze(-1)
        return -_C.take_along_dim(logp, idx, -1).squeeze(-1)
    y_true = _align(y_true, y_pred)
    _check_same(name, y_true, y_pred)
    if name == "mean_squared_error":
        return (y_pred - y_true) ** 2
    if name == "mean_absolute_error":
        return _C.abs(y_pred - y_true)
    if name == "huber":
        delta = kw.get("delta", 1.0)
        d = _C.abs(y_pred - y_true)
        return _C.where(d <= delta, 0.5 * d * d, delta * (d - 0.5 * delta))
    if name == "binary_crossentropy":
        if kw.get("label_smoothing"):
            y_true = y_true * (1.0 - kw["label_smoothing"]) + 0.5 * kw["label_smoothing"]
        if kw.get("from_logits"):
            return _C.relu(y_pred) - y_pred * y_true + _C.log1p(_C.exp(-_C.abs(y_pred)))
        p = _C.clamp(y_pred, min=EPSILON, max=1.0 - EPSILON)
        return -(y_true * _C.log(p) + (1.0 - y_true) * _C.log(1.0 - p))
    if name == "categorical_crossentropy":
        if kw.get("label_smoothing"):
            k = y_pred.shape[-1]
            y_true = y_true * (1.0 - kw["label_smoothing"]) + kw["label_smoothing"] / k
        return -(y_true * _log_probs(y_pred, kw.get("from_logits", False), -1)).sum(-1)
    raise ValueError(f"[losses] no elementwise form for '{name}'")


def _log_probs(y_pred, from_logits, axis):
    if from_logits:
        return _C.log_softmax(y_pred, axis)
    p = y_pred / y_pred.sum(axis, keepdim=True)
    return _C.log(_C.clamp(p, min=EPSILON, max=1.0 - EPSILON))


class Loss:
    """Base class: ``loss(y_true, y_pred, sample_weight=None)``; subclasses implement
    ``call`` (the batch mean) and, to support sample weights, ``per_sample``."""

    def __init__(self, name=None, reduction="sum_over_batch_size"):
        if reduction not in ("sum_over_batch_size", "mean", "auto", None):
            raise ValueError(f"[{type(self).__name__}] only mean reduction "
                             f"('sum_over_batch_size') is supported, got {reduction!r}")
        self.name = name or _snake(type(self).__name__)

    def call(self, y_true, y_pred):
        raise NotImplementedError(f"[{type(self).__name__}] call() is not implemented")

    def __call__(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = _to_tensor(y_true), _to_tensor(y_pred)
        if sample_weight is None:
            return self.call(y_true, y_pred)
        # Keras's sum_over_batch_size: sum(loss_i * w_i) / batch size.
        sw = _to_tensor(sample_weight).to(y_pred.dtype).reshape(-1)
        per = self.per_sample(y_true, y_pred)
        if per.dim() != 1 or per.shape[0] != sw.shape[0]:
            raise ValueError(f"[{type(self).__name__}] sample_weight of shape "
                             f"{tuple(sw.shape)} does not match the batch of "
                             f"{per.shape[0] if per.dim() else 1} samples")
        return (per * sw).sum() / float(per.shape[0])

    def per_sample(self, y_true, y_pred):
        """The loss of each sample, shape (N,)."""
        return _per_sample(_elementwise(self._elementwise_name, y_true, y_pred,
                                        **self._elementwise_args()))

    _elementwise_name = None

    def _elementwise_args(self):
        return {}

    def get_config(self):
        return {"name": self.name}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


def _snake(name):
    out = []
    for i, c in enumerate(name):
        if c.isupper() and i:
            out.append("_")
        out.append(c.lower())
    return "".join(out)


def _to_tensor(x):
    if isinstance(x, _C.Tensor):
        return x
    from .layers.base import _as_tensor
    return _as_tensor(x)


class MeanSquaredError(Loss):
    _elementwise_name = "mean_squared_error"

    def call(self, y_true, y_pred):
        return mean_squared_error(y_true, y_pred)


class MeanAbsoluteError(Loss):
    _elementwise_name = "mean_absolute_error"

    def call(self, y_true, y_pred):
        return mean_absolute_error(y_true, y_pred)


class Huber(Loss):
    def __init__(self, delta=1.0, name="huber_loss", **kwargs):
        super().__init__(name=name, **kwargs)
        self.delta = float(delta)

    _elementwise_name = "huber"

    def _elementwise_args(self):
        return {"delta": self.delta}

    def call(self, y_true, y_pred):
        return huber(y_true, y_pred, self.delta)


class BinaryCrossentropy(Loss):
    def __init__(self, from_logits=False, label_smoothing=0.0, name="binary_crossentropy",
                 **kwargs):
        super().__init__(name=name, **kwargs)
        self.from_logits, self.label_smoothing = bool(from_logits), float(label_smoothing)

    _elementwise_name = "binary_crossentropy"

    def _elementwise_args(self):
        return {"from_logits": self.from_logits, "label_smoothing": self.label_smoothing}

    def call(self, y_true, y_pred):
        return binary_crossentropy(y_true, y_pred, self.from_logits, self.label_smoothing)

    def get_config(self):
        return {"from_logits": self.from_logits, "label_smoothing": self.label_smoothing}


class CategoricalCrossentropy(Loss):
    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 name="categorical_crossentropy", **kwargs):
        super().__init__(name=name, **kwargs)
        self.from_logits, self.label_smoothing = bool(from_logits), float(label_smoothing)
        self.axis = axis

    _elementwise_name = "categorical_crossentropy"

    def _elementwise_args(self):
        return {"from_logits": self.from_logits, "label_smoothing": self.label_smoothing}

    def call(self, y_true, y_pred):
        return categorical_crossentropy(y_true, y_pred, self.from_logits, self.label_smoothing,
                                        self.axis)

    def get_config(self):
        return {"from_logits": self.from_logits, "label_smoothing": self.label_smoothing}


class SparseCategoricalCrossentropy(Loss):
    def __init__(self, from_logits=False, name="sparse_categorical_crossentropy", **kwargs):
        super().__init__(name=name, **kwargs)
        self.from_logits = bool(from_logits)

    _elementwise_name = "sparse_categorical_crossentropy"

    def _elementwise_args(self):
        return {"from_logits": self.from_logits}

    def call(self, y_true, y_pred):
        return sparse_categorical_crossentropy(y_true, y_pred, self.from_logits)

    def get_config(self):
        return {"from_logits": self.from_logits}


def _checked(name):
    """The batch-mean form of a per-sample loss of _losses_extra, with Keras's checks."""
    def loss(y_true, y_pred):
        y_true, y_pred = _to_tensor(y_true), _to_tensor(y_pred)
        y_true = _align(y_true, y_pred)
        _check_same(name, y_true, y_pred)
        return _extra.PER_SAMPLE[name](y_true, y_pred).mean()
    loss.__name__ = name
    return loss


kl_divergence = _checked("kl_divergence")
cosine_similarity = _checked("cosine_similarity")
hinge = _checked("hinge")
squared_hinge = _checked("squared_hinge")
categorical_hinge = _checked("categorical_hinge")
log_cosh = _checked("log_cosh")
poisson = _checked("poisson")
mean_squared_logarithmic_error = _checked("mean_squared_logarithmic_error")
mean_absolute_percentage_error = _checked("mean_absolute_percentage_error")
# Keras's short aliases.
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kl_divergence
logcosh = log_cosh


class _PerSampleLoss(Loss):
    """A loss given by a per-sample function of _losses_extra (sample weights work)."""

    _fn_name = None

    def __init__(self, name=None, **kwargs):
        super().__init__(name=name or self._fn_name, **kwargs)

    def per_sample(self, y_true, y_pred):
        y_true = _align(y_true, y_pred)
        _check_same(type(self).__name__, y_true, y_pred)
        return _extra.PER_SAMPLE[self._fn_name](y_true, y_pred)

    def call(self, y_true, y_pred):
        return self.per_sample(y_true, y_pred).mean()


class KLDivergence(_PerSampleLoss):
    """``sum(y_true * log(y_true / y_pred))`` over the last axis (both clipped to
    [1e-7, 1])."""
    _fn_name = "kl_divergence"


class CosineSimilarity(_PerSampleLoss):
    """Minus the cosine similarity along the last axis (-1 for parallel vectors)."""
    _fn_name = "cosine_similarity"

    def __init__(self, axis=-1, name=None, **kwargs):
        if axis != -1:
            raise NotImplementedError(f"[CosineSimilarity] only axis=-1 is supported, got "
                                      f"{axis}")
        super().__init__(name=name, **kwargs)


class Hinge(_PerSampleLoss):
    """``mean(max(1 - y_true * y_pred, 0))``; labels {0, 1} are mapped to {-1, 1}."""
    _fn_name = "hinge"


class SquaredHinge(_PerSampleLoss):
    _fn_name = "squared_hinge"


class CategoricalHinge(_PerSampleLoss):
    _fn_name = "categorical_hinge"


class LogCosh(_PerSampleLoss):
    """``mean(log(cosh(y_pred - y_true)))``, computed stably."""
    _fn_name = "log_cosh"


class Poisson(_PerSampleLoss):
    """``mean(y_pred - y_true * log(y_pred + 1e-7))``."""
    _fn_name = "poisson"


class MeanSquaredLogarithmicError(_PerSampleLoss):
    _fn_name = "mean_squared_logarithmic_error"


class MeanAbsolutePercentageError(_PerSampleLoss):
    _fn_name = "mean_absolute_percentage_error"


_BY_NAME = {
    "kl_divergence": KLDivergence, "kld": KLDivergence, "kullback_leibler_divergence":
    KLDivergence, "cosine_similarity": CosineSimilarity, "hinge": Hinge,
    "squared_hinge": SquaredHinge, "categorical_hinge": CategoricalHinge,
    "log_cosh": LogCosh, "logcosh": LogCosh, "poisson": Poisson,
    "msle": MeanSquaredLogarithmicError,
    "mean_squared_logarithmic_error": MeanSquaredLogarithmicError,
    "mape": MeanAbsolutePercentageError,
    "mean_absolute_percentage_error": MeanAbsolutePercentageError,
    "mse": MeanSquaredError, "mean_squared_error": MeanSquaredError,
    "mae": MeanAbsoluteError, "mean_absolute_error": MeanAbsoluteError,
    "huber": Huber, "huber_loss": Huber,
    "binary_crossentropy": BinaryCrossentropy, "bce": BinaryCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
}


def get(identifier):
    """A loss from a name ('mse', 'binary_crossentropy', ...), a Loss class or instance, or
    a function ``f(y_true, y_pred)``."""
    if isinstance(identifier, str):
        cls = _BY_NAME.get(identifier.lower())
        if cls is None:
            cls = next((c for c in _BY_NAME.values() if c.__name__.lower() == identifier.lower()),
                       None)
        if cls is None:
            raise ValueError(f"[losses] unknown loss '{identifier}'; known: "
                             f"{', '.join(sorted(_BY_NAME))}")
        return cls()
    if isinstance(identifier, type) and issubclass(identifier, Loss):
        return identifier()
    if callable(identifier):
        return identifier
    raise TypeError(f"[losses] expected a loss name, a Loss or a callable, got "
                    f"{type(identifier).__name__}")
