"""BatchNormalization and LayerNormalization with Keras's weights, defaults and update
rule: ``moving = moving * momentum + batch_stat * (1 - momentum)`` with the biased batch
variance (PyTorch uses the unbiased one), momentum 0.99 and epsilon 1e-3."""

from ... import _C
from ..._grad_mode import no_grad
from .. import initializers as _initializers
from .. import regularizers as _regularizers
from .base import Layer, format_shape

__all__ = ["BatchNormalization", "LayerNormalization"]


def _axes(layer, axis, rank):
    axes = [axis] if isinstance(axis, int) else list(axis)
    out = []
    for a in axes:
        if not -rank <= a < rank or a % rank == 0:
            raise ValueError(f"[{type(layer).__name__}] layer '{layer.name}': axis {a} is not "
                             f"a feature axis of inputs of rank {rank}")
        out.append(a % rank)
    return sorted(out)


class _Norm(Layer):
    def __init__(self, axis, epsilon, center, scale, beta_initializer, gamma_initializer,
                 beta_regularizer, gamma_regularizer, **kwargs):
        super().__init__(**kwargs)
        self.axis, self.epsilon = axis, float(epsilon)
        self.center, self.scale = bool(center), bool(scale)
        self.beta_initializer = _initializers.get(beta_initializer)
        self.gamma_initializer = _initializers.get(gamma_initializer)
        self.beta_regularizer = _regularizers.get(beta_regularizer)
        self.gamma_regularizer = _regularizers.get(gamma_regularizer)

    def _param_shape(self, input_shape):
        self._rank = len(input_shape)
        self._feature_axes = _axes(self, self.axis, self._rank)
        shape = tuple(input_shape[a] for a in self._feature_axes)
        if any(d is None for d in shape):
            raise ValueError(f"[{type(self).__name__}] layer '{self.name}' needs a defined "
                             f"size on axis {self.axis}, got input shape "
                             f"{format_shape(input_shape)}")
        return shape

    def _build_affine(self, shape):
        if self.scale:
            self.add_weight("gamma", shape, self.gamma_initializer,
                            regularizer=self.gamma_regularizer)
        if self.center:
            self.add_weight("beta", shape, self.beta_initializer,
                            regularizer=self.beta_regularizer)

    def _broadcast(self, t):
        """A [features] tensor viewed to broadcast against the input."""
        shape = [1] * self._rank
        for a, d in zip(self._feature_axes, t.shape):
            shape[a] = d
        return t.reshape(*shape)

    def _affine(self, y):
        if self.scale:
            y = y * self._broadcast(self.gamma)
        if self.center:
            y = y + self._broadcast(self.beta)
        return y

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon,
                "center": self.center, "scale": self.scale,
                "beta_initializer": _initializers.serialize(self.beta_initializer),
                "gamma_initializer": _initializers.serialize(self.gamma_initializer),
                "beta_regularizer": _regularizers.serialize(self.beta_regularizer),
                "gamma_regularizer": _regularizers.serialize(self.gamma_regularizer)}


class BatchNormalization(_Norm):
    """Normalizes over the batch (and spatial axes) per feature of `axis` (-1: channels
    last). Training uses the batch's statistics and updates ``moving_mean`` /
    ``moving_variance`` (non-trainable weights); inference uses the moving ones."""

    supports_masking = True

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, **kwargs):
        super().__init__(axis, epsilon, center, scale, beta_initializer, gamma_initializer,
                         beta_regularizer, gamma_regularizer, **kwargs)
        self.momentum = float(momentum)
        self.moving_mean_initializer = _initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = _initializers.get(moving_variance_initializer)

    def build(self, input_shape):
        shape = self._param_shape(input_shape)
        self._build_affine(shape)
        self.add_weight("moving_mean", shape, self.moving_mean_initializer, trainable=False)
        self.add_weight("moving_variance", shape, self.moving_variance_initializer,
                        trainable=False)
        self._reduce = [a for a in range(self._rank) if a not in self._feature_axes]

    def call(self, x, training=None):
        if self._training(training):
            mean = x.mean(self._reduce, keepdim=True)
            centered = x - mean
            var = (centered * centered).mean(self._reduce, keepdim=True)
            with no_grad():
                m = self.momentum
                fshape = tuple(self.moving_mean.shape)
                self.moving_mean[...] = self.moving_mean * m + \
                    mean.detach().reshape(*fshape) * (1.0 - m)
                self.moving_variance[...] = self.moving_variance * m + \
                    var.detach().reshape(*fshape) * (1.0 - m)
            y = centered * _C.rsqrt(var + self.epsilon)
        else:
            y = (x - self._broadcast(self.moving_mean)) * \
                _C.rsqrt(self._broadcast(self.moving_variance) + self.epsilon)
        return self._affine(y)

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum,
                "moving_mean_initializer": _initializers.serialize(self.moving_mean_initializer),
                "moving_variance_initializer":
                    _initializers.serialize(self.moving_variance_initializer)}


class LayerNormalization(_Norm):
    """Normalizes each sample over `axis` (default the last), then scales by ``gamma`` and
    shifts by ``beta``."""

    supports_masking = True

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", beta_regularizer=None, gamma_regularizer=None,
                 **kwargs):
        super().__init__(axis, epsilon, center, scale, beta_initializer, gamma_initializer,
                         beta_regularizer, gamma_regularizer, **kwargs)

    def build(self, input_shape):
        shape = self._param_shape(input_shape)
        self._build_affine(shape)

    def call(self, x):
        axes = self._feature_axes
        mean = x.mean(axes, keepdim=True)
        centered = x - mean
        var = (centered * centered).mean(axes, keepdim=True)
        return self._affine(centered * _C.rsqrt(var + self.epsilon))
