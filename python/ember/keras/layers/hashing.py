"""Hashing: tokens (strings, or integers as their decimal strings) to ``num_bins``
buckets by FarmHash's Fingerprint64 modulo num_bins, TensorFlow's
``tf.strings.to_hash_bucket_fast``, so the bins equal Keras's. Like the lookup layers it
runs eagerly on data (Python / NumPy strings or integer arrays) and returns an ember
tensor. ``fingerprint64`` is also the OOV bucketing of StringLookup."""

import numpy as np

from ... import _C
from .base import Layer
from .category_encoding import encode

__all__ = ["Hashing", "fingerprint64"]

_M = (1 << 64) - 1
_K0, _K1, _K2 = 0xc3a5c85c97cb3127, 0xb492b66fbe98f273, 0x9ae16a3b2f90404f


def _f64(s, i):
    return int.from_bytes(s[i:i + 8], "little")


def _f32(s, i):
    return int.from_bytes(s[i:i + 4], "little")


def _rot(v, shift):
    return v if shift == 0 else ((v >> shift) | (v << (64 - shift))) & _M


def _mix(v):
    return v ^ (v >> 47)


def _len16(u, v, mul):
    a = ((u ^ v) * mul) & _M
    a ^= a >> 47
    b = ((v ^ a) * mul) & _M
    b ^= b >> 47
    return (b * mul) & _M


def _len0to16(s):
    n = len(s)
    if n >= 8:
        mul = _K2 + n * 2
        a, b = (_f64(s, 0) + _K2) & _M, _f64(s, n - 8)
        c = (_rot(b, 37) * mul + a) & _M
        d = ((_rot(a, 25) + b) * mul) & _M
        return _len16(c, d, mul)
    if n >= 4:
        mul = _K2 + n * 2
        return _len16((n + (_f32(s, 0) << 3)) & _M, _f32(s, n - 4), mul)
    if n > 0:
        y = s[0] + (s[n >> 1] << 8)
        z = n + (s[n - 1] << 2)
        return (_mix(((y * _K2) ^ (z * _K0)) & _M) * _K2) & _M
    return _K2


def _len17to32(s):
    n = len(s)
    mul = _K2 + n * 2
    a, b = (_f64(s, 0) * _K1) & _M, _f64(s, 8)
    c, d = (_f64(s, n - 8) * mul) & _M, (_f64(s, n - 16) * _K2) & _M
    return _len16((_rot((a + b) & _M, 43) + _rot(c, 30) + d) & _M,
                  (a + _rot((b + _K2) & _M, 18) + c) & _M, mul)


def _len33to64(s):
    n = len(s)
    mul = _K2 + n * 2
    a, b = (_f64(s, 0) * _K2) & _M, _f64(s, 8)
    c, d = (_f64(s, n - 8) * mul) & _M, (_f64(s, n - 16) * _K2) & _M
    y = (_rot((a + b) & _M, 43) + _rot(c, 30) + d) & _M
    z = _len16(y, (a + _rot((b + _K2) & _M, 18) + c) & _M, mul)
    e, f = (_f64(s, 16) * mul) & _M, _f64(s, 24)
    g = ((y + _f64(s, n - 32)) * mul) & _M
    h = ((z + _f64(s, n - 24)) * mul) & _M
    return _len16((_rot((e + f) & _M, 43) + _rot(g, 30) + h) & _M,
                  (e + _rot((f + a) & _M, 18) + g) & _M, mul)


def _weak32(s, i, a, b):
    w, x, y, z = _f64(s, i), _f64(s, i + 8), _f64(s, i + 16), _f64(s, i + 24)
    a = (a + w) & _M
    b = _rot((b + a + z) & _M, 21)
    c = a
    a = (a + x + y) & _M
    b = (b + _rot(a, 44)) & _M
    return (a + z) & _M, (b + c) & _M


def fingerprint64(data):
    """FarmHash Fingerprint64 (farmhashna::Hash64) of `data` (bytes or str, UTF-8)."""
    s = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    n = len(s)
    if n <= 16:
        return _len0to16(s)
    if n <= 32:
        return _len17to32(s)
    if n <= 64:
        return _len33to64(s)
    x, y = 81, (81 * _K1 + 113) & _M
    z = (_mix((y * _K2 + 113) & _M) * _K2) & _M
    v, w = (0, 0), (0, 0)
    x = (x * _K2 + _f64(s, 0)) & _M
    end = ((n - 1) // 64) * 64
    last64 = end + ((n - 1) & 63) - 63
    i = 0
    while True:
        x = (_rot((x + y + v[0] + _f64(s, i + 8)) & _M, 37) * _K1) & _M
        y = (_rot((y + v[1] + _f64(s, i + 48)) & _M, 42) * _K1) & _M
        x ^= w[1]
        y = (y + v[0] + _f64(s, i + 40)) & _M
        z = (_rot((z + w[0]) & _M, 33) * _K1) & _M
        v = _weak32(s, i, (v[1] * _K1) & _M, (x + w[0]) & _M)
        w = _weak32(s, i + 32, (z + w[1]) & _M, (y + _f64(s, i + 16)) & _M)
        z, x = x, z
        i += 64
        if i == end:
            break
    mul = _K1 + ((z & 0xff) << 1)
    i = last64
    w = ((w[0] + ((n - 1) & 63)) & _M, w[1])
    v = ((v[0] + w[0]) & _M, v[1])
    w = ((w[0] + v[0]) & _M, w[1])
    x = (_rot((x + y + v[0] + _f64(s, i + 8)) & _M, 37) * mul) & _M
    y = (_rot((y + v[1] + _f64(s, i + 48)) & _M, 42) * mul) & _M
    x ^= (w[1] * 9) & _M
    y = (y + v[0] * 9 + _f64(s, i + 40)) & _M
    z = (_rot((z + w[0]) & _M, 33) * mul) & _M
    v = _weak32(s, i, (v[1] * mul) & _M, (x + w[0]) & _M)
    w = _weak32(s, i + 32, (z + w[1]) & _M, (y + _f64(s, i + 16)) & _M)
    z, x = x, z
    return _len16((_len16(v[0], w[0], mul) + _mix(y) * _K0 + z) & _M,
                  (_len16(v[1], w[1], mul) + x) & _M, mul)


class Hashing(Layer):
    """Tokens to ids in [0, num_bins) (int64), or 'one_hot' / 'multi_hot' / 'count'
    vectors of length num_bins. With `mask_value`, that value maps to 0 and the others
    to [1, num_bins) (Keras's rule). ``salt`` (SipHash) is not supported."""

    def __init__(self, num_bins, mask_value=None, salt=None, output_mode="int",
                 sparse=False, **kwargs):
        super().__init__(**kwargs)
        if num_bins is None or int(num_bins) < 1 or (mask_value is not None and
                                                     int(num_bins) < 2):
            raise ValueError(f"[Hashing] num_bins must be >= 1 (>= 2 with mask_value), got "
                             f"{num_bins!r}")
        if salt is not None:
            raise NotImplementedError("[Hashing] salt (keyed SipHash) is not supported")
        if output_mode not in ("int", "one_hot", "multi_hot", "count"):
            raise ValueError(f"[Hashing] output_mode must be 'int', 'one_hot', 'multi_hot' or "
                             f"'count', got {output_mode!r}")
        if sparse:
            raise NotImplementedError("[Hashing] sparse outputs are not supported")
        self.num_bins, self.mask_value = int(num_bins), mask_value
        self.output_mode = output_mode
        self.built = True

    def __call__(self, inputs, *args, **kwargs):
        from .input_layer import KerasTensor
        if isinstance(inputs, KerasTensor):
            raise TypeError("[Hashing] the layer runs on data, not inside a traced model: "
                            "apply it before fit and start the model at keras.Input(..., "
                            "dtype='int64')")
        return self.call(inputs)

    @staticmethod
    def _text(t):
        if isinstance(t, bytes):
            return t
        if isinstance(t, (int, np.integer)) and not isinstance(t, (bool, np.bool_)):
            return str(int(t)).encode("ascii")   # TF hashes integers as decimal strings
        if isinstance(t, (str, np.str_)):
            return str(t).encode("utf-8")
        raise TypeError(f"[Hashing] tokens must be str, bytes or integers, got "
                        f"{type(t).__name__} {t!r}")

    def call(self, inputs):
        arr = inputs.detach().numpy() if isinstance(inputs, _C.Tensor) \
            else np.asarray(inputs, dtype=object)
        if arr.dtype.kind == "f":
            raise TypeError("[Hashing] expects strings or integers, got floats")
        flat = arr.reshape(-1).tolist()
        mask = None if self.mask_value is None else self._text(self.mask_value)
        bins = self.num_bins - (mask is not None)
        ids = []
        for t in flat:
            b = self._text(t)
            ids.append(0 if b == mask else fingerprint64(b) % bins + (mask is not None))
        out = _C.from_numpy(np.array(ids, np.int64).reshape(arr.shape))
        if self.output_mode == "int":
            return out
        return encode(out, self.output_mode, self.num_bins, layer="Hashing")

    def get_config(self):
        return {**super().get_config(), "num_bins": self.num_bins,
                "mask_value": self.mask_value, "output_mode": self.output_mode}
