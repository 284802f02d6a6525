"""Conv2DTranspose, DepthwiseConv2D and SeparableConv2D with Keras's weight layouts:
``Conv2DTranspose.kernel`` is ``[kh, kw, filters, in]``, ``depthwise_kernel``
``[kh, kw, in, depth_multiplier]`` (output channel ``c * depth_multiplier + m``),
``pointwise_kernel`` ``[1, 1, in * depth_multiplier, filters]``. Depthwise convolution is
Ember's grouped ``conv2d`` with ``groups = in``.

Conv2DTranspose's output size follows Keras: 'same' gives ``in * stride``, 'valid' gives
``in * stride + max(kernel - stride, 0)``. It is computed as the full transposed
convolution, cropped (or zero-extended) to that size the way TensorFlow's gradient of a
'same' conv places it, then the bias is added."""

from ...nn import functional as _F
from .. import initializers as _initializers
from .. import regularizers as _regularizers
from .base import Layer, _check_positive_int, _tuple, format_shape
from .conv import _Conv, normalize_data_format, pad_spatial

__all__ = ["Conv2DTranspose", "DepthwiseConv2D", "SeparableConv2D"]


def _check_rank4(layer, input_shape):
    if isinstance(input_shape, list) or len(input_shape) != 4:
        raise ValueError(f"[{type(layer).__name__}] layer '{layer.name}' expects inputs of "
                         f"rank 4 (batch, rows, cols, channels), got input shape "
                         f"{format_shape(input_shape)}")


class Conv2DTranspose(Layer):
    """Transposed 2-D convolution ("deconvolution"); kernel ``[kh, kw, filters, in]``."""

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid",
                 data_format=None, dilation_rate=(1, 1), activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, output_padding=None,
                 **kwargs):
        super().__init__(**kwargs)
        cls = "Conv2DTranspose"
        self.filters = _check_positive_int(cls, "filters", filters)
        self.kernel_size = _tuple(cls, "kernel_size", kernel_size, 2)
        self.strides = _tuple(cls, "strides", strides, 2)
        self.dilation_rate = _tuple(cls, "dilation_rate", dilation_rate, 2)
        if self.dilation_rate != (1, 1):
            raise NotImplementedError("[Conv2DTranspose] dilation_rate other than 1 is not "
                                      "supported")
        if output_padding is not None:
            raise NotImplementedError("[Conv2DTranspose] output_padding is not supported")
        self.padding = str(padding).lower()
        if self.padding not in ("valid", "same"):
            raise ValueError(f"[{cls}] padding must be 'valid' or 'same', got {padding!r}")
        self.data_format = normalize_data_format(cls, data_format)
        self._set_kernel_options(activation, use_bias, kernel_initializer, bias_initializer,
                                  kernel_regularizer, bias_regularizer)

    def build(self, input_shape):
        _check_rank4(self, input_shape)
        channels = input_shape[-1] if self.data_format == "channels_last" else input_shape[1]
        self.add_weight("kernel", self.kernel_size + (self.filters, channels),
                        self.kernel_initializer, regularizer=self.kernel_regularizer)
        if self.use_bias:
            self.add_weight("bias", (self.filters,), self.bias_initializer,
                            regularizer=self.bias_regularizer)

    def _output_length(self, size, k, s):
        return size * s if self.padding == "same" else size * s + max(k - s, 0)

    def call(self, x):
        if self.data_format == "channels_last":
            x = x.movedim(-1, 1)
        # Keras [kh, kw, out, in] -> Ember's transposed-conv weight [in, out, kh, kw].
        weight = self.kernel.permute(3, 2, 0, 1)
        y = _F.conv_transpose2d(x, weight, None, list(self.strides))
        for axis, (size, k, s) in enumerate(zip(x.shape[2:], self.kernel_size, self.strides)):
            want = self._output_length(size, k, s)
            before = max(k - s, 0) // 2 if self.padding == "same" else 0
            have = y.shape[2 + axis] - before
            if before or have > want:
                y = y.narrow(2 + axis, before, min(want, have))
            if have < want:   # kernel smaller than the stride: trailing zeros
                pads = [(0, 0), (0, 0)]
                pads[axis] = (0, want - have)
                y = pad_spatial(y, pads)
        if self.use_bias:
            y = y + self.bias.reshape(1, -1, 1, 1)
        if self.data_format == "channels_last":
            y = y.movedim(1, -1)
        return self.activation(y)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters,
                "kernel_size": list(self.kernel_size), "strides": list(self.strides),
                "padding": self.padding, "data_format": self.data_format,
                "dilation_rate": list(self.dilation_rate),
                **self._kernel_options_config()}


def _depthwise_weight(kernel):
    """Keras [kh, kw, in, m] -> Ember grouped-conv weight [in * m, 1, kh, kw]."""
    kh, kw, cin, m = kernel.shape
    return kernel.reshape(kh, kw, cin * m).permute(2, 0, 1).unsqueeze(1)


class DepthwiseConv2D(_Conv):
    """Convolves each input channel with its own `depth_multiplier` filters;
    ``depthwise_kernel`` is ``[kh, kw, in, depth_multiplier]``."""

    rank = 2

    def __init__(self, kernel_size, strides=(1, 1), padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=(1, 1), activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, **kwargs):
        super().__init__(1, kernel_size, strides, padding, data_format, dilation_rate, 1,
                         activation, use_bias, depthwise_initializer, bias_initializer,
                         depthwise_regularizer, bias_regularizer, **kwargs)
        self.depth_multiplier = _check_positive_int(type(self).__name__, "depth_multiplier",
                                                    depth_multiplier)

    def _check_build(self, input_shape):
        _check_rank4(self, input_shape)
        for size, k, d in zip(self._spatial(input_shape), self.kernel_size, self.dilation_rate):
            if self.padding == "valid" and size is not None and size < (k - 1) * d + 1:
                raise ValueError(f"[{type(self).__name__}] layer '{self.name}': input of "
                                 f"shape {format_shape(input_shape)} is smaller than the "
                                 f"kernel {self.kernel_size} with padding='valid'")
        return self._channels(input_shape)

    def build(self, input_shape):
        channels = self._check_build(input_shape)
        self.add_weight("depthwise_kernel", self.kernel_size + (channels, self.depth_multiplier),
                        self.kernel_initializer, regularizer=self.kernel_regularizer)
        if self.use_bias:
            self.add_weight("bias", (channels * self.depth_multiplier,), self.bias_initializer,
                            regularizer=self.bias_regularizer)

    def _depthwise(self, x, bias):
        return self._convolve(x, _depthwise_weight(self.depthwise_kernel), bias, x.shape[1])

    def call(self, x):
        if self.data_format == "channels_last":
            x = x.movedim(-1, 1)
        y = self._depthwise(x, self.bias if self.use_bias else None)
        if self.data_format == "channels_last":
            y = y.movedim(1, -1)
        return self.activation(y)

    def get_config(self):
        config = super().get_config()
        for key in ("filters", "groups"):
            config.pop(key)
        config["depthwise_initializer"] = config.pop("kernel_initializer")
        config["depthwise_regularizer"] = config.pop("kernel_regularizer")
        config["depth_multiplier"] = self.depth_multiplier
        return config


class SeparableConv2D(DepthwiseConv2D):
    """A depthwise convolution followed by a 1x1 convolution to `filters` channels;
    weights ``depthwise_kernel``, ``pointwise_kernel`` ``[1, 1, in * m, filters]``, bias."""

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid",
                 data_format=None, dilation_rate=(1, 1), depth_multiplier=1, activation=None,
                 use_bias=True, depthwise_initializer="glorot_uniform",
                 pointwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, pointwise_regularizer=None, bias_regularizer=None,
                 **kwargs):
        super().__init__(kernel_size, strides, padding, depth_multiplier, data_format,
                         dilation_rate, activation, use_bias, depthwise_initializer,
                         bias_initializer, depthwise_regularizer, bias_regularizer, **kwargs)
        self.filters = _check_positive_int("SeparableConv2D", "filters", filters)
        self.pointwise_initializer = _initializers.get(pointwise_initializer)
        self.pointwise_regularizer = _regularizers.get(pointwise_regularizer)

    def build(self, input_shape):
        channels = self._check_build(input_shape)
        m = self.depth_multiplier
        self.add_weight("depthwise_kernel", self.kernel_size + (channels, m),
                        self.kernel_initializer, regularizer=self.kernel_regularizer)
        self.add_weight("pointwise_kernel", (1, 1, channels * m, self.filters),
                        self.pointwise_initializer, regularizer=self.pointwise_regularizer)
        if self.use_bias:
            self.add_weight("bias", (self.filters,), self.bias_initializer,
                            regularizer=self.bias_regularizer)

    def call(self, x):
        if self.data_format == "channels_last":
            x = x.movedim(-1, 1)
        y = self._depthwise(x, None)
        y = _F.conv2d(y, self.pointwise_kernel.permute(3, 2, 0, 1),
                      self.bias if self.use_bias else None)
        if self.data_format == "channels_last":
            y = y.movedim(1, -1)
        return self.activation(y)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters,
                "pointwise_initializer": _initializers.serialize(self.pointwise_initializer),
                "pointwise_regularizer": _regularizers.serialize(self.pointwise_regularizer)}

