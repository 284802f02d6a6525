"""nn.Conv3d, nn.ConvTranspose1d and nn.ConvTranspose3d (the functional forms are in
functional_conv.py), with PyTorch's parameter shapes, names and default initialization."""

import math

from ... import _C
from ..._grad_mode import no_grad
from .. import functional_conv as _FC
from ..parameter import Parameter
from .module import Module

__all__ = ["Conv3d", "ConvTranspose1d", "ConvTranspose3d"]


class _ConvNd(Module):
    _dims = 3
    _transposed = False

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 dilation=1, groups=1, bias=True, padding_mode="zeros", output_padding=0,
                 device=None, dtype=None):
        super().__init__()
        name, n = type(self).__name__, self._dims
        if in_channels % groups or out_channels % groups:
            raise ValueError(f"[{name}] in_channels={in_channels} and out_channels="
                             f"{out_channels} must be divisible by groups={groups}")
        if padding_mode != "zeros":
            raise NotImplementedError(f"[{name}] padding_mode={padding_mode!r} is not "
                                      f"supported (only 'zeros')")
        tup = lambda v, what: _FC._ntuple(v, n, name, what)  # noqa: E731
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size, self.stride = tup(kernel_size, "kernel_size"), tup(stride, "stride")
        self.padding = padding if isinstance(padding, str) else tup(padding, "padding")
        self.dilation = tup(dilation, "dilation")
        self.output_padding = tup(output_padding, "output_padding")
        self.padding_mode, self.transposed = padding_mode, self._transposed
        shape = ((in_channels, out_channels // groups) if self._transposed
                 else (out_channels, in_channels // groups)) + self.kernel_size
        dt = dtype or _C.get_default_dtype()
        self.weight = Parameter(_C.empty(*shape, dtype=dt, device=device))
        if bias:
            self.bias = Parameter(_C.empty(out_channels, dtype=dt, device=device))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        # PyTorch's kaiming_uniform_(a=sqrt(5)): U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in
        # taken from weight dim 1 and the kernel, for the bias too.
        fan_in = self.weight.shape[1] * math.prod(self.kernel_size)
        bound = 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0
        with no_grad():
            self.weight.uniform_(-bound, bound)
            if self.bias is not None:
                self.bias.uniform_(-bound, bound)

    def extra_repr(self):
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if self.padding != (0,) * self._dims:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * self._dims:
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * self._dims:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        return s


class Conv3d(_ConvNd):
    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 dilation=1, groups=1, bias=True, padding_mode="zeros", device=None,
                 dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, 0, device, dtype)

    def forward(self, input):
        return _FC.conv3d(input, self.weight, self.bias, self.stride, self.padding,
                          self.dilation, self.groups)


class _ConvTransposeNd(_ConvNd):
    _transposed = True

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 output_padding=0, groups=1, bias=True, dilation=1, padding_mode="zeros",
                 device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, output_padding, device, dtype)

    def _output_padding(self, input, output_size):
        """PyTorch's output_size= argument: the output_padding that gives that size."""
        if output_size is None:
            return self.output_padding
        size = list(output_size)[-self._dims:]
        if len(size) != self._dims:
            raise ValueError(f"[{type(self).__name__}] output_size must have {self._dims} or "
                             f"more entries, got {output_size!r}")
        pads = []
        for i in range(self._dims):
            smallest = ((input.shape[input.dim() - self._dims + i] - 1) * self.stride[i]
                        - 2 * self.padding[i] + self.dilation[i] * (self.kernel_size[i] - 1)
                        + 1)
            extra = size[i] - smallest
            if not 0 <= extra < max(self.stride[i], self.dilation[i]):
                raise ValueError(f"[{type(self).__name__}] requested output_size {output_size} "
                                 f"is not reachable from input of shape {tuple(input.shape)}")
            pads.append(extra)
        return tuple(pads)


class ConvTranspose1d(_ConvTransposeNd):
    _dims = 1

    def forward(self, input, output_size=None):
        return _FC.conv_transpose1d(input, self.weight, self.bias, self.stride, self.padding,
                                    self._output_padding(input, output_size), self.groups,
                                    self.dilation)


class ConvTranspose3d(_ConvTransposeNd):
    _dims = 3

    def forward(self, input, output_size=None):
        return _FC.conv_transpose3d(input, self.weight, self.bias, self.stride, self.padding,
                                    self._output_padding(input, output_size), self.groups,
                                    self.dilation)
