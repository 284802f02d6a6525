"""StringLookup and IntegerLookup: tokens to vocabulary indices (or one-hot / multi-hot /
count / tf-idf vectors), and back with ``invert=True``, as Keras's layers.

They run eagerly on data, not inside a traced model: StringLookup takes Python strings
(a str, a list, a nested list or a NumPy array of str / bytes), IntegerLookup integer
arrays or ember tensors; both return an ember tensor (an inverted StringLookup returns
a NumPy array of str: ember tensors hold no strings). Apply them to the data before
``fit`` and start the model at ``keras.Input(..., dtype='int64')``.

Vocabulary layout (``get_vocabulary()``): the mask token (when set, in 'int' mode) at 0,
then ``num_oov_indices`` copies of the OOV token, then the tokens; ``adapt`` orders the
tokens by decreasing count, ties by decreasing token (Keras's order). With
num_oov_indices > 1 an unknown token picks its OOV index by ``token mod n`` for integers
and by FarmHash Fingerprint64 mod n for strings, as Keras (TensorFlow) does."""

import collections
import math

import numpy as np

from ... import _C
from .base import Layer
from .category_encoding import encode
from .hashing import fingerprint64

__all__ = ["StringLookup", "IntegerLookup"]

_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")


class _IndexLookup(Layer):
    _what = "IndexLookup"

    def __init__(self, max_tokens, num_oov_indices, mask_token, oov_token, vocabulary,
                 idf_weights, invert, output_mode, pad_to_max_tokens, sparse, attrs,
                 **kwargs):
        super().__init__(**kwargs)
        for key, value in attrs.items():   # the subclass's own settings, needed below
            setattr(self, key, value)
        name = self._what
        if output_mode not in _MODES:
            raise ValueError(f"[{name}] output_mode must be one of {_MODES}, got "
                             f"{output_mode!r}")
        if sparse:
            raise NotImplementedError(f"[{name}] sparse outputs are not supported")
        if invert and output_mode != "int":
            raise ValueError(f"[{name}] invert=True needs output_mode='int', got "
                             f"{output_mode!r}")
        if int(num_oov_indices) < 0:
            raise ValueError(f"[{name}] num_oov_indices must be >= 0, got {num_oov_indices}")
        if max_tokens is not None and int(max_tokens) <= 1:
            raise ValueError(f"[{name}] max_tokens must be > 1, got {max_tokens}")
        self.max_tokens = None if max_tokens is None else int(max_tokens)
        self.num_oov_indices = int(num_oov_indices)
        self.mask_token = None if mask_token is None else self._token(mask_token)
        self.oov_token = self._token(oov_token)
        self.invert, self.output_mode = bool(invert), output_mode
        self.pad_to_max_tokens = bool(pad_to_max_tokens)
        self._tokens, self._index, self._idf = [], {}, None
        self._has_vocab = False
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)
        self.built = True

    # -- tokens (StringLookup: str; IntegerLookup: int) --------------------------------
    def _token(self, t):
        raise NotImplementedError

    def _flat_tokens(self, data):
        """(tokens as a flat list, the data's shape)."""
        raise NotImplementedError

    def _oov_bucket(self, token):
        raise NotImplementedError

    # -- vocabulary ----------------------------------------------------------------------
    def _specials(self):
        mask = [self.mask_token] if self.mask_token is not None and \
            self.output_mode == "int" else []
        return mask + [self.oov_token] * self.num_oov_indices

    def set_vocabulary(self, vocabulary, idf_weights=None):
        if isinstance(vocabulary, str) and self._what == "StringLookup":
            with open(vocabulary, encoding="utf-8") as f:
                vocabulary = [line.rstrip("\n") for line in f]
        tokens = [self._token(t) for t in np.asarray(vocabulary, dtype=object).reshape(-1)]
        # Keras accepts a vocabulary that starts with the special tokens.
        specials = self._specials()
        if tokens[:len(specials)] == specials and specials:
            tokens = tokens[len(specials):]
        bad = [t for t in tokens if t in (self.mask_token, self.oov_token)]
        if bad:
            raise ValueError(f"[{self._what}] the vocabulary holds the reserved token "
                             f"{bad[0]!r} (mask_token / oov_token) outside the leading "
                             f"special tokens")
        if len(set(tokens)) != len(tokens):
            dup = [t for t, n in collections.Counter(tokens).items() if n > 1]
            raise ValueError(f"[{self._what}] the vocabulary has repeated tokens {dup[:5]}")
        if self.output_mode == "tf_idf":
            if idf_weights is None:
                raise ValueError(f"[{self._what}] output_mode='tf_idf' needs idf_weights "
                                 f"with the vocabulary")
            idf = np.asarray(idf_weights, np.float32).reshape(-1)
            if idf.size != len(tokens):
                raise ValueError(f"[{self._what}] got {idf.size} idf_weights for "
                                 f"{len(tokens)} tokens")
            self._idf = idf
        elif idf_weights is not None:
            raise ValueError(f"[{self._what}] idf_weights need output_mode='tf_idf'")
        self._set(tokens)

    def _set(self, tokens):
        if self.max_tokens is not None and \
                len(self._specials()) + len(tokens) > self.max_tokens:
            raise ValueError(f"[{self._what}] the vocabulary has "
                             f"{len(self._specials()) + len(tokens)} entries with the "
                             f"special tokens, more than max_tokens={self.max_tokens}")
        self._tokens = list(tokens)
        start = len(self._specials())
        self._index = {t: start + i for i, t in enumerate(self._tokens)}
        self._has_vocab = True

    def adapt(self, data, batch_size=None, steps=None):
        """Learns the vocabulary from `data` (tokens, or an iterable of batches):
        the most frequent tokens first (at most max_tokens with the special ones)."""
        batches = [data] if self._is_batch(data) else list(data)
        counts, docs, n_docs = collections.Counter(), collections.Counter(), 0
        for i, batch in enumerate(batches):
            if steps is not None and i >= steps:
                break
            tokens, shape = self._flat_tokens(batch)
            counts.update(tokens)
            rows = [tokens] if len(shape) < 2 else \
                [tokens[r * shape[-1]:(r + 1) * shape[-1]] for r in range(len(tokens) //
                                                                          max(shape[-1], 1))]
            for row in rows:
                docs.update(set(row))
                n_docs += 1
        for special in (self.mask_token, self.oov_token):
            counts.pop(special, None)
        ordered = sorted(counts.items(), key=lambda kv: (kv[1], kv[0]), reverse=True)
        if self.max_tokens is not None:
            ordered = ordered[:max(self.max_tokens - len(self._specials()), 0)]
        tokens = [t for t, _ in ordered]
        if self.output_mode == "tf_idf":
            self._idf = np.array([math.log(1 + n_docs / (1 + docs[t])) for t in tokens],
                                 np.float32)
        self._set(tokens)

    def _is_batch(self, data):
        return isinstance(data, (str, bytes, int, np.ndarray, _C.Tensor, np.integer)) or \
            isinstance(data, (list, tuple)) and (not data or not isinstance(
                data[0], (np.ndarray, _C.Tensor)) and not hasattr(data[0], "__next__"))

    def get_vocabulary(self, include_special_tokens=True):
        return (self._specials() if include_special_tokens else []) + list(self._tokens)

    def vocabulary_size(self):
        return len(self._specials()) + len(self._tokens)

    # -- calling -------------------------------------------------------------------------
    def __call__(self, inputs, *args, **kwargs):
        from .input_layer import KerasTensor
        if isinstance(inputs, KerasTensor):
            raise TypeError(f"[{self._what}] the layer runs on data, not inside a traced "
                            f"model: apply it before fit (ids = lookup(tokens)) and feed "
                            f"the result to a model starting at keras.Input(..., "
                            f"dtype='int64')")
        return self.call(inputs, *args, **kwargs)

    def _require_vocab(self):
        if not self._has_vocab:
            raise RuntimeError(f"[{self._what}] layer '{self.name}' has no vocabulary: call "
                               f"adapt(data) or pass vocabulary=")

    def _lookup(self, token):
        index = self._index.get(token)
        if index is not None:
            return index
        if self.mask_token is not None and token == self.mask_token:
            return 0 if self.output_mode == "int" else -1    # -1: dropped by encode
        if self.num_oov_indices == 0:
            raise ValueError(f"[{self._what}] layer '{self.name}': token {token!r} is not in "
                             f"the vocabulary and num_oov_indices=0")
        start = 1 if self.mask_token is not None and self.output_mode == "int" else 0
        return start + (self._oov_bucket(token) if self.num_oov_indices > 1 else 0)

    def call(self, inputs):
        self._require_vocab()
        if self.invert:
            return self._inverted(inputs)
        tokens, shape = self._flat_tokens(inputs)
        ids = np.array([self._lookup(t) for t in tokens], np.int64).reshape(shape)
        if self.output_mode == "int":
            return _C.from_numpy(ids)
        depth = self.max_tokens if self.pad_to_max_tokens and self.max_tokens \
            else self.vocabulary_size()
        mode = "count" if self.output_mode == "tf_idf" else self.output_mode
        out = encode(_C.from_numpy(ids), mode, depth, layer=self._what)
        if self.output_mode == "tf_idf":
            # The OOV slots get the mean idf (as Keras and TextVectorization).
            n_oov = self.num_oov_indices
            mean = float(self._idf.mean()) if self._idf.size else 0.0
            idf = np.zeros(depth, np.float32)
            idf[:n_oov] = mean
            idf[n_oov:n_oov + self._idf.size] = self._idf
            out = out * _C.from_numpy(idf)
        return out

    def _inverted(self, inputs):
        ids = inputs.detach().numpy() if isinstance(inputs, _C.Tensor) else np.asarray(inputs)
        if not np.issubdtype(ids.dtype, np.integer):
            raise TypeError(f"[{self._what}] invert=True maps integer indices to tokens, got "
                            f"dtype {ids.dtype}")
        vocab = self.get_vocabulary()
        # Unknown indices map to the OOV token, as Keras's inverse table does.
        out = [vocab[i] if 0 <= i < len(vocab) else self.oov_token for i in ids.reshape(-1)]
        return self._token_array(out, ids.shape)

    def get_config(self):
        return {**super().get_config(), "max_tokens": self.max_tokens,
                "num_oov_indices": self.num_oov_indices, "mask_token": self.mask_token,
                "oov_token": self.oov_token, "invert": self.invert,
                "output_mode": self.output_mode, "pad_to_max_tokens": self.pad_to_max_tokens,
                "vocabulary": list(self._tokens) if self._has_vocab else None,
                "idf_weights": None if self._idf is None else self._idf.tolist()}


class StringLookup(_IndexLookup):
    _what = "StringLookup"

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None,
                 oov_token="[UNK]", vocabulary=None, idf_weights=None, invert=False,
                 output_mode="int", pad_to_max_tokens=False, sparse=False, encoding="utf-8",
                 **kwargs):
        super().__init__(max_tokens, num_oov_indices, mask_token, oov_token, vocabulary,
                         idf_weights, invert, output_mode, pad_to_max_tokens, sparse,
                         {"encoding": encoding}, **kwargs)

    def _token(self, t):
        if isinstance(t, bytes):
            return t.decode(self.encoding)
        if isinstance(t, (str, np.str_)):
            return str(t)
        raise TypeError(f"[StringLookup] tokens must be str or bytes, got {type(t).__name__}"
                        f" {t!r}")

    def _flat_tokens(self, data):
        if isinstance(data, _C.Tensor):
            raise TypeError("[StringLookup] ember tensors hold no strings: pass a list or a "
                            "NumPy array of str")
        arr = np.asarray(data, dtype=object)
        return [self._token(t) for t in arr.reshape(-1)], arr.shape

    def _oov_bucket(self, token):
        return fingerprint64(token) % self.num_oov_indices

    def _token_array(self, tokens, shape):
        return np.array(tokens, dtype=str).reshape(shape)

    def get_config(self):
        return {**super().get_config(), "encoding": self.encoding}


class IntegerLookup(_IndexLookup):
    _what = "IntegerLookup"

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token=-1,
                 output_mode="int", sparse=False, vocabulary=None, vocabulary_dtype="int64",
                 idf_weights=None, invert=False, pad_to_max_tokens=False, **kwargs):
        if vocabulary_dtype not in ("int64", "int32"):
            raise ValueError(f"[IntegerLookup] vocabulary_dtype must be 'int64' or 'int32', "
                             f"got {vocabulary_dtype!r}")
        super().__init__(max_tokens, num_oov_indices, mask_token, oov_token, vocabulary,
                         idf_weights, invert, output_mode, pad_to_max_tokens, sparse,
                         {"vocabulary_dtype": vocabulary_dtype}, **kwargs)

    def _token(self, t):
        if isinstance(t, (bool, np.bool_)) or not isinstance(t, (int, np.integer)):
            if isinstance(t, (float, np.floating)) and float(t).is_integer():
                return int(t)
            raise TypeError(f"[IntegerLookup] tokens must be integers, got "
                            f"{type(t).__name__} {t!r}")
        return int(t)

    def _flat_tokens(self, data):
        arr = data.detach().numpy() if isinstance(data, _C.Tensor) else np.asarray(data)
        if arr.dtype.kind not in "iu":
            if arr.dtype.kind == "f" and np.all(np.mod(arr, 1) == 0):
                arr = arr.astype(np.int64)
            else:
                raise TypeError(f"[IntegerLookup] expects integer inputs, got dtype "
                                f"{arr.dtype}")
        return arr.reshape(-1).tolist(), arr.shape

    def _oov_bucket(self, token):
        return token % self.num_oov_indices

    def _token_array(self, tokens, shape):
        return _C.from_numpy(np.array(tokens, np.int64).reshape(shape))

    def get_config(self):
        return {**super().get_config(), "vocabulary_dtype": self.vocabulary_dtype}
