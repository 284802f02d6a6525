"""Attention layers with Keras 3's call signature and weights.

MultiHeadAttention: ``mha(query, value, key=None, attention_mask=None,
return_attention_scores=False, use_causal_mask=False)``; weights (in order)
``query kernel [dim, heads, key_dim]``, ``query bias [heads, key_dim]``, the same for key
and value (``value_dim``), then ``output kernel [heads, value_dim, out]`` and its bias.
Attention (Luong dot-product): ``att([query, value])`` or ``att([query, value, key])``.
A boolean / 0-1 ``attention_mask`` of shape (N, T_query, T_key) marks the keys each
query may attend to. ``attention_axes`` (MultiHeadAttention) attends over chosen axes of
inputs of rank > 3, as Keras."""

import math

from ... import _C
from .. import initializers as _initializers
from .. import random as _krandom
from .. import regularizers as _regularizers
from .base import Layer, _as_tensor, _check_positive_int, format_shape
from .random_layer import generator as random_generator
from .random_layer import init_seed

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
        return _krandom.dropout(x, layer.dropout, seed=random_generator(layer))
    return x


class MultiHeadAttention(Layer):
    """Keras's multi-head attention. Inputs are (batch, <dims>, features); attention runs
    over `attention_axes` of them (default: every axis but the batch and the features);
    the other <dims> act as batch dims and must match between query and key/value.
    Attention scores have shape (batch, <other dims>, heads, <query attention dims>,
    <key attention dims>), (batch, heads, T, S) for 3-D inputs."""

    def __init__(self, num_heads, key_dim, value_dim=None, dropout=0.0, use_bias=True,
                 output_shape=None, attention_axes=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 seed=None, **kwargs):
        super().__init__(**kwargs)
        self.num_heads = _check_positive_int("MultiHeadAttention", "num_heads", num_heads)
        self.key_dim = _check_positive_int("MultiHeadAttention", "key_dim", key_dim)
        self.value_dim = key_dim if value_dim is None else \
            _check_positive_int("MultiHeadAttention", "value_dim", value_dim)
        if isinstance(attention_axes, int) and not isinstance(attention_axes, bool):
            attention_axes = (attention_axes,)
        elif attention_axes is not None and not isinstance(attention_axes, (list, tuple)):
            raise ValueError(f"[MultiHeadAttention] attention_axes must be an int, list, or "
                             f"tuple, got {attention_axes!r}")
        self.attention_axes = None if attention_axes is None else tuple(attention_axes)
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
        init_seed(self, seed)

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

    def _axes(self, rank):
        """The attention axes of rank-`rank` inputs, as sorted non-negative ints."""
        if self.attention_axes is None:
            return tuple(range(1, rank - 1))
        axes = []
        for a in self.attention_axes:
            if isinstance(a, bool) or not isinstance(a, int) or not -rank < a < rank \
                    or a % rank in (0, rank - 1):
                raise ValueError(f"[MultiHeadAttention] layer '{self.name}': attention_axes "
                                 f"{self.attention_axes} must name axes of inputs of rank "
                                 f"{rank} other than the batch (0) and the features "
                                 f"({rank - 1})")
            axes.append(a % rank)
        if len(set(axes)) != len(axes):
            raise ValueError(f"[MultiHeadAttention] layer '{self.name}': attention_axes "
                             f"{self.attention_axes} repeats an axis")
        return tuple(sorted(axes))

    def build(self, input_shape):
        n_inputs = 3 if self.__dict__.get("_build_has_key") else 2
        shapes = input_shape[:n_inputs] if isinstance(input_shape, list) else None
        if shapes is None or any(len(s) < 3 for s in shapes) or \
                len({len(s) for s in shapes}) != 1:
            raise ValueError(f"[MultiHeadAttention] layer '{self.name}' expects query, value "
                             f"(and key) of the same rank >= 3, (batch, <dims>, features), "
                             f"got {format_shape(input_shape)}")
        self._axes(len(shapes[0]))
        q, v = shapes[0], shapes[1]
        k = shapes[2] if n_inputs == 3 else v
        h = self.num_heads
        self._dense("query", (q[-1], h, self.key_dim), (h, self.key_dim))
        self._dense("key", (k[-1], h, self.key_dim), (h, self.key_dim))
        self._dense("value", (v[-1], h, self.value_dim), (h, self.value_dim))
        out = self.output_dim or q[-1]
        self._dense("output", (h, self.value_dim, out), (out,))

    def _project(self, x, name):
        """(N, <dims>, dim) @ [dim, heads, d] -> (N, <dims>, heads, d)."""
        kernel = getattr(self, name + "_kernel")
        dim, h, d = kernel.shape
        y = _C.matmul(x, kernel.reshape(dim, h * d))
        if self.use_bias:
            y = y + getattr(self, name + "_bias").reshape(h * d)
        return y.reshape(*x.shape[:-1], h, d)

    def _check(self, query, value, key, axes):
        rank = query.dim()
        for what, t in (("value", value), ("key", key)):
            if t.dim() != rank:
                raise ValueError(f"[MultiHeadAttention] layer '{self.name}': query of shape "
                                 f"{tuple(query.shape)} and {what} of shape "
                                 f"{tuple(t.shape)} need the same rank")
        if any(key.shape[a] != value.shape[a] for a in axes):
            raise ValueError(f"[MultiHeadAttention] layer '{self.name}': key of shape "
                             f"{tuple(key.shape)} and value of shape {tuple(value.shape)} "
                             f"need the same number of timesteps")
        others = [a for a in range(rank - 1) if a not in axes]
        for what, t in (("value", value), ("key", key)):
            if any(t.shape[a] != query.shape[a] for a in others):
                raise ValueError(f"[MultiHeadAttention] layer '{self.name}': query of shape "
                                 f"{tuple(query.shape)} and {what} of shape "
                                 f"{tuple(t.shape)} differ outside the attention axes "
                                 f"{axes}")

    def call(self, inputs, has_key=False, has_mask=False, return_attention_scores=False,
             training=None, use_causal_mask=False, mask=None):
        query, value = inputs[0], inputs[1]
        key = inputs[2] if has_key else value
        mask = self._with_keras_masks(inputs[-1] if has_mask else None, mask, has_key,
                                      query, key)
        rank = query.dim()
        axes = self._axes(rank)
        self._check(query, value, key, axes)
        # Projected tensors are (N, <dims>, heads, d); attention gathers the batch-like
        # axes (N, other dims, heads) first and flattens the attention axes into one.
        batch_axes = [a for a in range(rank - 1) if a not in axes] + [rank - 1]
        order = batch_axes + list(axes) + [rank]
        q = self._project(query, "query").permute(*order)
        k = self._project(key, "key").permute(*order)
        v = self._project(value, "value").permute(*order)
        nb = len(batch_axes)
        batch_shape = tuple(q.shape[:nb])
        tq, tk = tuple(q.shape[nb:-1]), tuple(k.shape[nb:-1])
        lq, lk = math.prod(tq), math.prod(tk)
        q = q.reshape(*batch_shape, lq, q.shape[-1]) * (1.0 / math.sqrt(self.key_dim))
        k = k.reshape(*batch_shape, lk, k.shape[-1])
        v = v.reshape(*batch_shape, lk, v.shape[-1])
        scores = _C.matmul(q, k.transpose(-1, -2))             # (*batch, Lq, Lk)
        full_shape = batch_shape + tq + tk
        mask = self._score_mask(mask, use_causal_mask, full_shape, len(axes), query, key,
                                scores.dtype)
        if mask is not None:
            mask = mask.reshape(*batch_shape, lq, lk)
        weights = _masked_softmax(scores, mask)
        attended = _C.matmul(_dropout(self, weights, training), v)   # (*batch, Lq, dv)
        attended = attended.reshape(*batch_shape, *tq, attended.shape[-1])
        inverse = [order.index(i) for i in range(rank + 1)]
        attended = attended.permute(*inverse)                  # (N, <dims>, heads, dv)
        h, dv, out = self.output_kernel.shape
        y = _C.matmul(attended.reshape(*attended.shape[:-2], h * dv),
                      self.output_kernel.reshape(h * dv, out))
        if self.use_bias:
            y = y + self.output_bias
        if return_attention_scores:
            return [y, weights.reshape(*full_shape)]
        return y

    supports_masking = True

    def compute_mask(self, inputs, mask=None):
        """The output keeps the query's mask (Keras)."""
        return mask[0] if isinstance(mask, (list, tuple)) else None

    def _with_keras_masks(self, attention_mask, keras_masks, has_key, query, key):
        """Keras 3's automatic attention mask: a query timestep attends nowhere where the
        query's mask is False (its row is then uniform, as Keras's softmax makes it), a
        key timestep is skipped where the value's (or key's) mask is False; ANDed with
        attention_mask. `keras_masks` are the masks of [query, value, (key)] a model
        carries (from Embedding(mask_zero=True) or Masking)."""
        if not isinstance(keras_masks, (list, tuple)):
            return attention_mask
        q_mask, v_mask = keras_masks[0], keras_masks[1]
        k_mask = keras_masks[2] if has_key else None
        if q_mask is None and v_mask is None and k_mask is None:
            return attention_mask
        if query.dim() != 3 or self.attention_axes not in (None, (1,), (-2,)):
            raise NotImplementedError(f"[MultiHeadAttention] layer '{self.name}': Keras "
                                      f"masks on the inputs are supported for "
                                      f"(batch, time, features) inputs attending over time, "
                                      f"got query of shape {tuple(query.shape)}")
        auto = None
        for m, axis in ((q_mask, -1), (v_mask, -2), (k_mask, -2)):
            if m is not None:
                m = m.to(_C.dtype.bool).unsqueeze(axis)
                auto = m if auto is None else auto & m
        auto = auto.expand(query.shape[0], query.shape[1], key.shape[1])
        if attention_mask is None:
            return auto
        return _as_tensor(attention_mask).to(_C.dtype.bool) & auto

    def _score_mask(self, mask, use_causal_mask, full_shape, n_axes, query, key, dtype):
        """The 0/1 mask broadcast to the scores' full shape (*batch, *Tq, *Tk), or None.
        As Keras, a lower-rank attention_mask gains axes just before the query's
        attention axes (the heads axis first)."""
        if mask is not None:
            given = tuple(_as_tensor(mask).shape)
            mask = _as_tensor(mask).to(dtype)
            while mask.dim() < len(full_shape):
                mask = mask.unsqueeze(mask.dim() - 2 * n_axes)
            if not _broadcasts(tuple(mask.shape), full_shape):
                tq_tk = full_shape[len(full_shape) - 2 * n_axes:]
                raise ValueError(f"[MultiHeadAttention] layer '{self.name}': attention_mask "
                                 f"of shape {given} does not match "
                                 f"(batch, {', '.join(map(str, tq_tk))}) for query "
                                 f"{tuple(query.shape)} and key {tuple(key.shape)}")
        if use_causal_mask:
            if n_axes != 1:
                raise ValueError(f"[MultiHeadAttention] layer '{self.name}': use_causal_mask "
                                 f"needs a single attention axis, got {n_axes}")
            causal = _causal(full_shape[-2], full_shape[-1], dtype)
            mask = causal if mask is None else mask * causal
        return None if mask is None else mask.expand(*full_shape)

    def get_config(self):
        return {**super().get_config(), "num_heads": self.num_heads, "key_dim": self.key_dim,
                "value_dim": self.value_dim, "dropout": self.dropout,
                "use_bias": self.use_bias, "output_shape": self.output_dim,
                "attention_axes": None if self.attention_axes is None
                else list(self.attention_axes), "seed": self.seed,
                "kernel_initializer": _initializers.serialize(self.kernel_initializer),
                "bias_initializer": _initializers.serialize(self.bias_initializer),
                "kernel_regularizer": _regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": _regularizers.serialize(self.bias_regularizer)}


def _broadcasts(shape, full):
    return len(shape) == len(full) and all(s in (1, f) for s, f in zip(shape, full))


class Attention(Layer):
    """Dot-product attention ``softmax(q @ k^T [* scale]) @ v`` (no projections);
    ``use_scale`` adds a trainable scalar ``scale``. 'concat' scoring is not supported."""

    def __init__(self, use_scale=False, score_mode="dot", dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        init_seed(self, seed)
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
                "score_mode": self.score_mode, "dropout": self.dropout, "seed": self.seed}
