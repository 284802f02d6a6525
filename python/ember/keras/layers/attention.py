"""Attention layers with Keras 3's call signature and weights.

MultiHeadAttention: ``mha(query, value, key=None, attention_mask=None,
return_attention_scores=False, use_causal_mask=False)``; weights (in order)
``query kernel [dim, heads, key_dim]``, ``query bias [heads, key_dim]``, the same for key
and value (``value_dim``), then ``output kernel [heads, value_dim, out]`` and its bias.
Attention (Luong dot-product): ``att([query, value])`` or ``att([query, value, key])``.
A boolean / 0-1 ``attention_mask`` of shape (N, T_query, T_key) marks the keys each
query may attend to."""

import math

from ... import _C
from ...nn import functional as _F
from .. import initializers as _initializers
from .. import regularizers as _regularizers
from .base import Layer, _as_tensor, _check_positive_int, format_shape

__all__ = ["MultiHeadAttention", "Attention"]

_NEG = -1e9   # added to masked scores before the softmax (Keras uses the dtype's min)


def _masked_softmax(scores, mask):
    if mask is not None:
        scores = scores + (1.0 - mask.to(scores.dtype)) * _NEG
    return _C.softmax(scores, -1)


def _causal(tq, tk, dtype):
    return _C.tril(_C.ones(tq, tk, dtype=dtype))


def _dropout(layer, x, training):
    if layer.dropout and layer._training(training):
        return _F.dropout(x, layer.dropout, True)
    return x


class MultiHeadAttention(Layer):
    def __init__(self, num_heads, key_dim, value_dim=None, dropout=0.0, use_bias=True,
                 output_shape=None, attention_axes=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.num_heads = _check_positive_int("MultiHeadAttention", "num_heads", num_heads)
        self.key_dim = _check_positive_int("MultiHeadAttention", "key_dim", key_dim)
        self.value_dim = key_dim if value_dim is None else \
            _check_positive_int("MultiHeadAttention", "value_dim", value_dim)
        if attention_axes is not None:
            raise NotImplementedError("[MultiHeadAttention] attention_axes is not supported "
                                      "(attention runs over axis 1 of (N, T, dim) inputs)")
        if output_shape is not None and not isinstance(output_shape, int):
            output_shape = tuple(output_shape)
            if len(output_shape) != 1:
                raise NotImplementedError("[MultiHeadAttention] output_shape must be one int")
            output_shape = output_shape[0]
        self.output_dim = output_shape
        self.dropout, self.use_bias = float(dropout), bool(use_bias)
        self.kernel_initializer = _initializers.get(kernel_initializer)
        self.bias_initializer = _initializers.get(bias_initializer)
        self.kernel_regularizer = _regularizers.get(kernel_regularizer)
        self.bias_regularizer = _regularizers.get(bias_regularizer)

    def __call__(self, query, value=None, key=None, attention_mask=None, **kwargs):
        if isinstance(query, (list, tuple)) and value is None:   # a packed [q, v(, k)] list
            return super().__call__(list(query), **kwargs)
        if value is None:
            raise TypeError(f"[MultiHeadAttention] layer '{self.name}' needs query and value")
        inputs = [query, value] + ([key] if key is not None else [])
        flags = {"has_key": key is not None, "has_mask": attention_mask is not None}
        self.__dict__["_build_has_key"] = key is not None
        if attention_mask is not None:
            inputs.append(attention_mask)
        return super().__call__(inputs, **flags, **kwargs)

    def _dense(self, name, shape, bias_shape):
        self.add_weight(name + "_kernel", shape, self.kernel_initializer,
                        regularizer=self.kernel_regularizer)
        if self.use_bias:
            self.add_weight(name + "_bias", bias_shape, self.bias_initializer,
                            regularizer=self.bias_regularizer)

    def build(self, input_shape):
        if not isinstance(input_shape, list) or any(len(s) != 3 for s in input_shape[:3]):
            raise ValueError(f"[MultiHeadAttention] layer '{self.name}' expects query, value "
                             f"(and key) of shape (batch, time, dim), got "
                             f"{format_shape(input_shape)}")
        q, v = input_shape[0], input_shape[1]
        k = input_shape[2] if self.__dict__.get("_build_has_key") else v
        h = self.num_heads
        self._dense("query", (q[-1], h, self.key_dim), (h, self.key_dim))
        self._dense("key", (k[-1], h, self.key_dim), (h, self.key_dim))
        self._dense("value", (v[-1], h, self.value_dim), (h, self.value_dim))
        out = self.output_dim or q[-1]
        self._dense("output", (h, self.value_dim, out), (out,))

    def _project(self, x, name):
        """(N, T, dim) @ [dim, heads, d] -> (N, heads, T, d)."""
        kernel = getattr(self, name + "_kernel")
        dim, h, d = kernel.shape
        y = _C.matmul(x, kernel.reshape(dim, h * d))
        if self.use_bias:
            y = y + getattr(self, name + "_bias").reshape(h * d)
        return y.reshape(x.shape[0], x.shape[1], h, d).permute(0, 2, 1, 3)

    def call(self, inputs, has_key=False, has_mask=False, return_attention_scores=False,
             training=None, use_causal_mask=False):
        query, value = inputs[0], inputs[1]
        key = inputs[2] if has_key else value
        mask = inputs[-1] if has_mask else None
        for what, t in (("query", query), ("value", value), ("key", key)):
            if t.dim() != 3:
                raise ValueError(f"[MultiHeadAttention] layer '{self.name}': {what} must have "
                                 f"shape (batch, time, dim), got {tuple(t.shape)}")
        if key.shape[1] != value.shape[1]:
            raise ValueError(f"[MultiHeadAttention] layer '{self.name}': key of shape "
                             f"{tuple(key.shape)} and value of shape {tuple(value.shape)} "
                             f"need the same number of timesteps")
        q = self._project(query, "query") * (1.0 / math.sqrt(self.key_dim))
        k = self._project(key, "key")
        v = self._project(value, "value")
        scores = _C.matmul(q, k.transpose(-1, -2))            # (N, heads, Tq, Tk)
        tq, tk = query.shape[1], key.shape[1]
        if mask is not None:
            if tuple(mask.shape)[-2:] != (tq, tk):
                raise ValueError(f"[MultiHeadAttention] layer '{self.name}': attention_mask "
                                 f"of shape {tuple(mask.shape)} does not match (batch, "
                                 f"{tq}, {tk}) for query {tuple(query.shape)} and key "
                                 f"{tuple(key.shape)}")
            mask = mask.to(scores.dtype).unsqueeze(1)
        if use_causal_mask:
            causal = _causal(tq, tk, scores.dtype)
            mask = causal if mask is None else mask * causal
        weights = _masked_softmax(scores, mask)
        attended = _C.matmul(_dropout(self, weights, training), v)   # (N, heads, Tq, dv)
        h, dv, out = self.output_kernel.shape
        merged = attended.permute(0, 2, 1, 3).reshape(query.shape[0], tq, h * dv)
        y = _C.matmul(merged, self.output_kernel.reshape(h * dv, out))
        if self.use_bias:
            y = y + self.output_bias
        return [y, weights] if return_attention_scores else y

    def get_config(self):
        return {**super().get_config(), "num_heads": self.num_heads, "key_dim": self.key_dim,
                "value_dim": self.value_dim, "dropout": self.dropout,
                "use_bias": self.use_bias, "output_shape": self.output_dim,
                "kernel_initializer": _initializers.serialize(self.kernel_initializer),
                "bias_initializer": _initializers.serialize(self.bias_initializer),
                "kernel_regularizer": _regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": _regularizers.serialize(self.bias_regularizer)}


class Attention(Layer):
    """Dot-product attention ``softmax(q @ k^T [* scale]) @ v`` (no projections);
    ``use_scale`` adds a trainable scalar ``scale``. 'concat' scoring is not supported."""

    def __init__(self, use_scale=False, score_mode="dot", dropout=0.0, **kwargs):
        super().__init__(**kwargs)
        if score_mode != "dot":
            raise NotImplementedError(f"[Attention] score_mode {score_mode!r} is not "
                                      f"supported (only 'dot')")
        self.use_scale, self.score_mode, self.dropout = bool(use_scale), score_mode, \
            float(dropout)

    def build(self, input_shape):
        if not isinstance(input_shape, list) or len(input_shape) not in (2, 3):
            raise ValueError(f"[Attention] layer '{self.name}' expects a list [query, value] "
                             f"or [query, value, key], got {format_shape(input_shape)}")
        if self.use_scale:
            self.add_weight("scale", (), "ones")

    def call(self, inputs, mask=None, return_attention_scores=False, training=None,
             use_causal_mask=False):
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        if query.shape[-1] != key.shape[-1] or key.shape[1] != value.shape[1]:
            raise ValueError(f"[Attention] layer '{self.name}': query {tuple(query.shape)}, "
                             f"key {tuple(key.shape)} and value {tuple(value.shape)} do not "
                             f"match (query and key need the same last dimension, key and "
                             f"value the same timesteps)")
        scores = _C.matmul(query, key.transpose(-1, -2))
        if self.use_scale:
            scores = scores * self.scale
        score_mask = None
        if mask is not None and mask[-1] is not None:        # [query_mask, value_mask]
            score_mask = _as_tensor(mask[-1]).to(scores.dtype).unsqueeze(1)
        if use_causal_mask:
            causal = _causal(query.shape[1], key.shape[1], scores.dtype)
            score_mask = causal if score_mask is None else score_mask * causal
        weights = _masked_softmax(scores, score_mask)
        out = _C.matmul(_dropout(self, weights, training), value)
        if mask is not None and mask[0] is not None:
            out = out * _as_tensor(mask[0]).to(out.dtype).unsqueeze(-1)
        return [out, weights] if return_attention_scores else out

    def get_config(self):
        return {**super().get_config(), "use_scale": self.use_scale,
                "score_mode": self.score_mode, "dropout": self.dropout}
