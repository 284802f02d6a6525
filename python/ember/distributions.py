"""torch.distributions for the common cases of RL and VAE scripts: Normal, Bernoulli,
Categorical, Uniform, with sample / rsample (reparameterized, differentiable) / log_prob /
entropy, and kl_divergence between two Normals or two Categoricals. Sampling draws from
ember's global generator (ember.manual_seed)."""

import math

from . import _C
from .shape_ops import broadcast_tensors

__all__ = ["Distribution", "Normal", "Bernoulli", "Categorical", "Uniform", "kl_divergence"]


def _t(x, like=None):
    if isinstance(x, _C.Tensor):
        return x
    dtype = like.dtype if like is not None else _C.get_default_dtype()
    return _C.full((), float(x), dtype=dtype)


def _shape(sample_shape):
    return tuple(sample_shape) if not isinstance(sample_shape, int) else (sample_shape,)


def _no_grad(fn):
    prev = _C.is_grad_enabled()
    _C.set_grad_enabled(False)
    try:
        return fn()
    finally:
        _C.set_grad_enabled(prev)


class Distribution:
    has_rsample = False

    @property
    def batch_shape(self):
        return self._batch_shape

    def sample(self, sample_shape=()):
        return _no_grad(lambda: self.rsample(sample_shape)) if self.has_rsample else \
            self._sample(_shape(sample_shape))

    def rsample(self, sample_shape=()):
        raise NotImplementedError(f"[{type(self).__name__}] has no reparameterized sample; "
                                  "use sample()")

    def __repr__(self):
        return f"{type(self).__name__}(batch_shape={tuple(self._batch_shape)})"


class Normal(Distribution):
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        self.loc = _t(loc, scale if isinstance(scale, _C.Tensor) else None)
        self.scale = _t(scale, self.loc)
        self.loc, self.scale = broadcast_tensors(self.loc, self.scale)
        if validate_args and bool((self.scale <= 0).any().item()):
            raise ValueError("[Normal] scale must be positive")
        self._batch_shape = tuple(self.loc.shape)

    @property
    def mean(self):
        return self.loc

    @property
    def stddev(self):
        return self.scale

    @property
    def variance(self):
        return self.scale * self.scale

    def rsample(self, sample_shape=()):
        shape = _shape(sample_shape) + self._batch_shape
        eps = _C.randn(shape, dtype=self.loc.dtype)
        return self.loc + eps * self.scale

    def log_prob(self, value):
        value = _t(value, self.loc)
        var = self.scale * self.scale
        return -((value - self.loc) ** 2) / (2 * var) - self.scale.log() - \
            0.5 * math.log(2 * math.pi)

    def entropy(self):
        return 0.5 + 0.5 * math.log(2 * math.pi) + self.scale.log()

    def cdf(self, value):
        return 0.5 * (1 + _C.erf((_t(value, self.loc) - self.loc) / (self.scale * math.sqrt(2))))


class Uniform(Distribution):
    has_rsample = True

    def __init__(self, low, high, validate_args=None):
        self.low = _t(low, high if isinstance(high, _C.Tensor) else None)
        self.high = _t(high, self.low)
        self._batch_shape = tuple((self.low + self.high).shape)

    @property
    def mean(self):
        return (self.low + self.high) / 2

    def rsample(self, sample_shape=()):
        u = _C.rand(_shape(sample_shape) + self._batch_shape, dtype=self.low.dtype)
        return self.low + u * (self.high - self.low)

    def log_prob(self, value):
        value = _t(value, self.low)
        inside = (value >= self.low) & (value < self.high)
        lp = -(self.high - self.low).log() + value * 0
        return _C.where(inside, lp, _C.full_like(lp, -math.inf))

    def entropy(self):
        return (self.high - self.low).log()


class Bernoulli(Distribution):
    def __init__(self, probs=None, logits=None, validate_args=None):
        if (probs is None) == (logits is None):
            raise ValueError("[Bernoulli] either `probs` or `logits` must be specified, but "
                             "not both")
        if probs is not None:
            self.probs = _t(probs)
            self.logits = (self.probs.clamp(1e-7, 1 - 1e-7) /
                           (1 - self.probs.clamp(1e-7, 1 - 1e-7))).log()
        else:
            self.logits = _t(logits)
            self.probs = _C.sigmoid(self.logits)
        self._batch_shape = tuple(self.probs.shape)

    @property
    def mean(self):
        return self.probs

    def _sample(self, shape):
        return _no_grad(lambda: (_C.rand(shape + self._batch_shape, dtype=self.probs.dtype) <
                                 self.probs).to(self.probs.dtype))

    def log_prob(self, value):
        value = _t(value, self.logits)
        # -BCE with logits, stable: x*z - softplus(z)
        return value * self.logits - _C.softplus(self.logits)

    def entropy(self):
        return _C.softplus(self.logits) - self.probs * self.logits


class Categorical(Distribution):
    def __init__(self, probs=None, logits=None, validate_args=None):
        if (probs is None) == (logits is None):
            raise ValueError("[Categorical] either `probs` or `logits` must be specified, but "
                             "not both")
        if probs is not None:
            probs = _t(probs)
            self.probs = probs / probs.sum(-1, keepdim=True)
            self.logits = self.probs.clamp(min=1e-30).log()
        else:
            logits = _t(logits)
            self.logits = logits - logits.logsumexp(-1, keepdim=True)
            self.probs = self.logits.exp()
        self._num_events = self.probs.shape[-1]
        self._batch_shape = tuple(self.probs.shape[:-1])

    @property
    def param_shape(self):
        return tuple(self.probs.shape)

    def _sample(self, shape):
        def draw():
            flat = self.probs.reshape(-1, self._num_events)
            n = 1
            for d in shape:
                n *= d
            idx = _C.multinomial(flat, max(n, 1), replacement=True)  # (B, n)
            idx = idx.transpose(0, 1).reshape(shape + self._batch_shape) if shape else \
                idx[:, 0].reshape(self._batch_shape)
            return idx
        return _no_grad(draw)

    def log_prob(self, value):
        value = value.long() if isinstance(value, _C.Tensor) else _C.full((), int(value),
                                                                         dtype=_C.dtype.int64)
        logits = self.logits
        if value.ndim > len(self._batch_shape):  # sample_shape in front: broadcast
            logits = logits.expand(tuple(value.shape) + (self._num_events,))
        elif tuple(value.shape) != self._batch_shape:
            value = value.expand(self._batch_shape)
        return logits.gather(-1, value.unsqueeze(-1)).squeeze(-1)

    def entropy(self):
        return -(self.probs * self.logits).sum(-1)


def kl_divergence(p, q):
    """KL(p || q) for two Normals or two Categoricals."""
    if isinstance(p, Normal) and isinstance(q, Normal):
        var_ratio = (p.scale / q.scale) ** 2
        t1 = ((p.loc - q.loc) / q.scale) ** 2
        return 0.5 * (var_ratio + t1 - 1 - var_ratio.log())
    if isinstance(p, Categorical) and isinstance(q, Categorical):
        return (p.probs * (p.logits - q.logits)).sum(-1)
    raise NotImplementedError(f"[kl_divergence] no KL for {type(p).__name__} and "
                              f"{type(q).__name__}")
