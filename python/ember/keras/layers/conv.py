"""Convolution layers: Conv1D and Conv2D, channels_last by default as in Keras. The kernel
has Keras's layout (``[kh, kw, in, out]``, ``[k, in, out]``); the computation permutes the
input to channels_first once and runs Ember's NCHW ``conv2d`` / ``conv1d``.

'same' padding follows TensorFlow: the output has ceil(in / stride) positions and an odd
total padding puts the extra row / column after (bottom / right); 'causal' (Conv1D) pads
only before."""

from ... import _C
from ...nn import functional as _F
from .base import Layer, _tuple, format_shape

__all__ = ["Conv1D", "Conv2D", "normalize_data_format", "same_padding", "conv_output_length"]


def normalize_data_format(layer, value):
    value = "channels_last" if value is None else value
    if value not in ("channels_last", "channels_first"):
        raise ValueError(f"[{layer}] data_format must be 'channels_last' or 'channels_first', "
                         f"got {value!r}")
    return value


def same_padding(size, kernel, stride, dilation):
    """(before, after) padding of TensorFlow's 'same' along one axis."""
    out = -(-size // stride)
    effective = (kernel - 1) * dilation + 1
    total = max((out - 1) * stride + effective - size, 0)
    return total // 2, total - total // 2


def conv_output_length(size, kernel, stride, dilation, padding):
    if padding == "same":
        return -(-size // stride)
    effective = (kernel - 1) * dilation + 1
    if padding == "causal":
        return -(-size // stride)
    return (size - effective) // stride + 1


def pad_spatial(x, pads, value=0.0):
    """Pads the trailing spatial axes of a channels_first tensor; pads is [(before, after)]
    per spatial axis in order. Symmetric pads are returned for the op's own padding."""
    if all(p == (0, 0) for p in pads):
        return x
    flat = []
    for before, after in reversed(pads):
        flat += [before, after]
    return _C.pad(x, flat, "constant", value)


class _Conv(Layer):
    rank = 2

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, **kwargs):
        super().__init__(**kwargs)
        cls = type(self).__name__
        if isinstance(filters, bool) or not isinstance(filters, int) or filters <= 0:
            raise ValueError(f"[{cls}] filters must be a positive integer, got {filters!r}")
        self.filters = filters
        self.kernel_size = _tuple(cls, "kernel_size", kernel_size, self.rank)
        self.strides = _tuple(cls, "strides", strides, self.rank)
        self.dilation_rate = _tuple(cls, "dilation_rate", dilation_rate, self.rank)
        padding = str(padding).lower()
        allowed = ("valid", "same", "causal") if self.rank == 1 else ("valid", "same")
        if padding not in allowed:
            raise ValueError(f"[{cls}] padding must be one of {allowed}, got {padding!r}")
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(f"[{cls}] strides > 1 and dilation_rate > 1 cannot be combined")
        self.padding = padding
        self.data_format = normalize_data_format(cls, data_format)
        self.groups = int(groups)
        if self.groups <= 0 or filters % self.groups:
            raise ValueError(f"[{cls}] filters ({filters}) must be a multiple of groups "
                             f"({groups})")
        self._set_kernel_options(activation, use_bias, kernel_initializer, bias_initializer,
                                  kernel_regularizer, bias_regularizer)

    def _channels(self, shape):
        return shape[-1] if self.data_format == "channels_last" else shape[1]

    def _spatial(self, shape):
        return tuple(shape[1:-1]) if self.data_format == "channels_last" else tuple(shape[2:])

    def build(self, input_shape):
        cls = type(self).__name__
        if isinstance(input_shape, list) or len(input_shape) != self.rank + 2:
            raise ValueError(f"[{cls}] layer '{self.name}' expects inputs of rank "
                             f"{self.rank + 2} (batch, {'spatial, ' * self.rank}channels), "
                             f"got input shape {format_shape(input_shape)}")
        channels = self._channels(input_shape)
        if channels % self.groups:
            raise ValueError(f"[{cls}] layer '{self.name}': input channels ({channels}) must "
                             f"be a multiple of groups ({self.groups})")
        for size, k, d in zip(self._spatial(input_shape), self.kernel_size, self.dilation_rate):
            if self.padding == "valid" and size is not None and size < (k - 1) * d + 1:
                raise ValueError(f"[{cls}] layer '{self.name}': input of shape "
                                 f"{format_shape(input_shape)} is smaller than the kernel "
                                 f"{self.kernel_size} (dilation {self.dilation_rate}) with "
                                 f"padding='valid'")
        self.add_weight("kernel", self.kernel_size + (channels // self.groups, self.filters),
                        self.kernel_initializer, regularizer=self.kernel_regularizer)
        if self.use_bias:
            self.add_weight("bias", (self.filters,), self.bias_initializer,
                            regularizer=self.bias_regularizer)

    def _pads(self, spatial):
        if self.padding == "valid":
            return [(0, 0)] * self.rank
        if self.padding == "causal":
            return [((self.kernel_size[0] - 1) * self.dilation_rate[0], 0)]
        return [same_padding(s, k, st, d) for s, k, st, d in
                zip(spatial, self.kernel_size, self.strides, self.dilation_rate)]

    def _convolve(self, x, weight, bias, groups, strides=None):
        """Ember's conv of channels_first `x` with this layer's padding and dilation."""
        strides = self.strides if strides is None else strides
        pads = self._pads(tuple(x.shape[2:]))
        symmetric = all(b == a for b, a in pads)
        if not symmetric:
            x = pad_spatial(x, pads)
        padding = [b for b, _ in pads] if symmetric else 0
        conv = _F.conv1d if self.rank == 1 else _F.conv2d
        return conv(x, weight, bias, list(strides),
                    padding if isinstance(padding, int) else list(padding),
                    list(self.dilation_rate), groups)

    def call(self, x):
        if self.data_format == "channels_last":
            x = x.movedim(-1, 1)
        # Keras [k..., in, out] -> Ember [out, in, k...].
        weight = self.kernel.permute(*range(self.rank + 1, -1, -1)) if self.rank == 1 \
            else self.kernel.permute(3, 2, 0, 1)
        y = self._convolve(x, weight, self.bias if self.use_bias else None, self.groups)
        if self.data_format == "channels_last":
            y = y.movedim(1, -1)
        return self.activation(y)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters,
                "kernel_size": list(self.kernel_size), "strides": list(self.strides),
                "padding": self.padding, "data_format": self.data_format,
                "dilation_rate": list(self.dilation_rate), "groups": self.groups,
                **self._kernel_options_config()}


class Conv2D(_Conv):
    """2-D convolution over (N, H, W, C) inputs (or (N, C, H, W) with
    data_format='channels_first'); kernel ``[kh, kw, in // groups, filters]``."""

    rank = 2


class Conv1D(_Conv):
    """1-D convolution over (N, steps, C) inputs; kernel ``[k, in // groups, filters]``;
    padding 'valid', 'same' or 'causal'."""

    rank = 1
