"""TextVectorization: strings to token ids (or multi-hot / count / tf-idf vectors), with a
vocabulary learnt by ``adapt(texts)``, as Keras's layer.

It runs on Python strings (a list, a NumPy array of str, or one string) and returns an
ember tensor, so apply it to the data before ``fit`` (``x = vectorize(texts)``): ember
tensors hold no strings, so it cannot sit inside a traced model after a string Input.
Vocabulary (``adapt``): index 0 is the padding token '' and 1 the out-of-vocabulary token
'[UNK]' in 'int' mode ('[UNK]' is 0 in the other modes), then tokens by decreasing
frequency (ties in first-seen order)."""

import collections
import math
import re
import string

import numpy as np

from ... import _C
from .base import Layer

__all__ = ["TextVectorization"]

_PAD, _OOV = "", "[UNK]"
_PUNCTUATION = re.compile("[%s]" % re.escape(string.punctuation))
_MODES = ("int", "multi_hot", "count", "tf_idf")


class TextVectorization(Layer):
    def __init__(self, max_tokens=None, standardize="lower_and_strip_punctuation",
                 split="whitespace", ngrams=None, output_mode="int",
                 output_sequence_length=None, pad_to_max_tokens=False, vocabulary=None,
                 idf_weights=None, sparse=False, ragged=False, encoding="utf-8", **kwargs):
        super().__init__(**kwargs)
        if output_mode not in _MODES:
            raise ValueError(f"[TextVectorization] output_mode must be one of {_MODES}, got "
                             f"{output_mode!r}")
        if sparse or ragged:
            raise NotImplementedError("[TextVectorization] sparse and ragged outputs are not "
                                      "supported")
        if output_sequence_length is not None and output_mode != "int":
            raise ValueError("[TextVectorization] output_sequence_length applies to "
                             "output_mode='int' only")
        if max_tokens is not None and int(max_tokens) < 2:
            raise ValueError(f"[TextVectorization] max_tokens must be >= 2, got {max_tokens}")
        self.max_tokens = None if max_tokens is None else int(max_tokens)
        self.standardize, self.split = standardize, split
        self.ngrams = (tuple(range(1, ngrams + 1)) if isinstance(ngrams, int)
                       else None if ngrams is None else tuple(ngrams))
        self.output_mode = output_mode
        self.output_sequence_length = output_sequence_length
        self.pad_to_max_tokens = bool(pad_to_max_tokens)
        self._vocab, self._index, self._idf = [], {}, None
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)
        self.built = True

    # -- the text pipeline -------------------------------------------------------------
    def _standardize(self, text):
        if callable(self.standardize):
            return self.standardize(text)
        if self.standardize in ("lower", "lower_and_strip_punctuation"):
            text = text.lower()
        if self.standardize in ("strip_punctuation", "lower_and_strip_punctuation"):
            text = _PUNCTUATION.sub("", text)
        return text

    def _tokens(self, text):
        text = self._standardize(text)
        if callable(self.split):
            tokens = list(self.split(text))
        elif self.split == "whitespace":
            tokens = text.split()
        elif self.split == "character":
            tokens = list(text)
        else:
            tokens = [text]
        if self.ngrams is None:
            return tokens
        return [" ".join(tokens[i:i + n]) for n in self.ngrams
                for i in range(len(tokens) - n + 1)]

    @staticmethod
    def _texts(data):
        if isinstance(data, (str, bytes)):
            data = [data]
        arr = np.asarray(data, dtype=object).reshape(-1)
        return [t.decode("utf-8") if isinstance(t, bytes) else str(t) for t in arr]

    # -- vocabulary ----------------------------------------------------------------------
    def _specials(self):
        return [_PAD, _OOV] if self.output_mode == "int" else [_OOV]

    def adapt(self, data, batch_size=None, steps=None):
        """Learns the vocabulary (and the idf weights for 'tf_idf') from `data`: strings,
        or an iterable of batches of strings."""
        if isinstance(data, (str, bytes, np.ndarray)) or \
                isinstance(data, (list, tuple)) and all(isinstance(t, (str, bytes)) for t in data):
            batches = [data]
        else:
            batches = list(data)
        counts, docs, n_docs = collections.Counter(), collections.Counter(), 0
        for batch in batches:
            for text in self._texts(batch):
                tokens = self._tokens(text)
                counts.update(tokens)
                docs.update(set(tokens))
                n_docs += 1
        keep = None if self.max_tokens is None else self.max_tokens - len(self._specials())
        vocab = [t for t, _ in counts.most_common(keep) if t not in (_PAD, _OOV)]
        idf = None
        if self.output_mode == "tf_idf":
            idf = [math.log(1 + n_docs / (1 + docs[t])) for t in vocab]
        self._set(vocab, idf)

    def _set(self, tokens, idf):
        self._vocab = self._specials() + list(tokens)
        self._index = {t: i for i, t in enumerate(self._vocab)}
        if idf is not None:
            idf = list(idf)
            self._idf = np.array([float(np.mean(idf)) if idf else 0.0] + idf, np.float32)

    def set_vocabulary(self, vocabulary, idf_weights=None):
        tokens = [t for t in vocabulary if t not in (_PAD, _OOV)]
        if self.output_mode == "tf_idf" and idf_weights is None:
            raise ValueError("[TextVectorization] output_mode='tf_idf' needs idf_weights "
                             "with the vocabulary")
        self._set(tokens, None if idf_weights is None else
                  list(idf_weights)[len(list(idf_weights)) - len(tokens):])

    def get_vocabulary(self, include_special_tokens=True):
        return list(self._vocab) if include_special_tokens else \
            self._vocab[len(self._specials()):]

    def vocabulary_size(self):
        return len(self._vocab)

    # -- calling -------------------------------------------------------------------------
    def __call__(self, inputs, *args, **kwargs):
        from .input_layer import KerasTensor
        if isinstance(inputs, KerasTensor):
            raise TypeError("[TextVectorization] ember tensors hold no strings, so the layer "
                            "cannot follow a string keras.Input: apply it to the texts "
                            "before fit (x = vectorize_layer(texts)) and feed the result to "
                            "a model starting at keras.Input((length,), dtype='int64')")
        return self.call(inputs)

    def call(self, inputs):
        if not self._vocab:
            raise RuntimeError(f"[TextVectorization] layer '{self.name}' has no vocabulary: "
                               f"call adapt(texts) or pass vocabulary=")
        ids = [[self._index.get(t, self._specials().index(_OOV)) for t in self._tokens(text)]
               for text in self._texts(inputs)]
        if self.output_mode == "int":
            return self._padded(ids)
        width = self.max_tokens if self.pad_to_max_tokens and self.max_tokens \
            else len(self._vocab)
        out = np.zeros((len(ids), width), np.float32)
        for row, seq in zip(out, ids):
            np.add.at(row, seq, 1.0)
        if self.output_mode == "multi_hot":
            out = np.minimum(out, 1.0)
        elif self.output_mode == "tf_idf":
            out[:, :len(self._idf)] *= self._idf
        return _C.from_numpy(out)

    def _padded(self, ids):
        length = self.output_sequence_length or max([len(s) for s in ids] + [1])
        out = np.zeros((len(ids), length), np.int64)
        for row, seq in zip(out, ids):
            seq = seq[:length]
            row[:len(seq)] = seq
        return _C.from_numpy(out)

    def get_config(self):
        return {**super().get_config(), "max_tokens": self.max_tokens,
                "standardize": self.standardize if isinstance(self.standardize, str) else None,
                "split": self.split if isinstance(self.split, str) else None,
                "ngrams": None if self.ngrams is None else list(self.ngrams),
                "output_mode": self.output_mode,
                "output_sequence_length": self.output_sequence_length,
                "pad_to_max_tokens": self.pad_to_max_tokens,
                "vocabulary": self.get_vocabulary(include_special_tokens=False) or None,
                "idf_weights": None if self._idf is None else self._idf[1:].tolist()}
