"""Image and sequence layers under their PyTorch names: interpolate, pixel_shuffle,
unfold (im2col), 1-D pooling through the 2-D ops, adaptive_max_pool2d, dropout2d and
instance_norm. Index tables are computed in Python from static shapes, so the results are
plain index_select / reshape graphs that trace."""

import math

import numpy as _np

from .. import _C

__all__ = ["interpolate", "upsample", "pixel_shuffle", "pixel_unshuffle", "unfold", "fold",
           "max_pool1d", "avg_pool1d", "adaptive_avg_pool1d", "adaptive_max_pool2d",
           "dropout1d", "dropout2d", "instance_norm"]

_F = _C.nn.functional


def _pair(v, n, name, what):
    if isinstance(v, (list, tuple)):
        if len(v) != n:
            raise ValueError(f"[{name}] {what} must have {n} values, got {v!r}")
        return tuple(v)
    return (v,) * n


def _index(values, device):
    return _C.from_numpy(_np.asarray(values, dtype=_np.int64)).to(device)


def _nearest(x, dim, out, scale):
    n = x.shape[dim]
    src = _np.minimum(_np.floor(_np.arange(out) * scale).astype(_np.int64), n - 1)
    return _C.index_select(x, dim, _index(src, x.device))


def _linear(x, dim, out, scale, align_corners):
    n = x.shape[dim]
    dst = _np.arange(out, dtype=_np.float64)
    if align_corners:
        src = dst * ((n - 1) / (out - 1)) if out > 1 else _np.zeros(out)
    else:
        src = _np.maximum((dst + 0.5) * scale - 0.5, 0.0)
    i0 = _np.minimum(_np.floor(src).astype(_np.int64), n - 1)
    i1 = _np.minimum(i0 + 1, n - 1)
    w = _weights(src - i0, x, dim)
    a = _C.index_select(x, dim, _index(i0, x.device))
    b = _C.index_select(x, dim, _index(i1, x.device))
    return a + (b - a) * w


def _weights(w, x, dim):
    """Per-output-position weights (a NumPy vector) as a tensor in x's dtype and device,
    shaped to broadcast along `dim`."""
    w = w.astype(_np.float32 if x.dtype == _C.dtype.float32 else _np.float64)
    shape = [1] * x.dim()
    shape[dim] = w.shape[0]
    return _C.from_numpy(_np.ascontiguousarray(w).reshape(shape)).to(x.device)._to_dtype(x.dtype)


_CUBIC_A = -0.75  # PyTorch's (and OpenCV's) Keys cubic convolution parameter


def _cubic_weights(t):
    """Keys cubic convolution weights of the taps at offsets -1, 0, 1, 2 from floor(src),
    for the fractional positions t in [0, 1) (PyTorch's get_cubic_upsample_coefficients)."""
    a = _CUBIC_A

    def near(d):  # |d| <= 1
        return ((a + 2) * d - (a + 3)) * d * d + 1

    def far(d):  # 1 < |d| < 2
        return ((a * d - 5 * a) * d + 8 * a) * d - 4 * a

    return far(t + 1), near(t), near(1 - t), far(2 - t)


def _cubic(x, dim, out, scale, align_corners):
    """Bicubic resampling along one dim: four taps per output, the taps past either border
    clamped to the edge (PyTorch's upsample_bicubic2d). Separable, so 2-D is one pass per dim."""
    n = x.shape[dim]
    dst = _np.arange(out, dtype=_np.float64)
    if align_corners:
        src = dst * ((n - 1) / (out - 1)) if out > 1 else _np.zeros(out)
    else:
        src = (dst + 0.5) * scale - 0.5  # not clamped at 0, unlike the linear modes
    base = _np.floor(src)
    weights = _cubic_weights(src - base)
    result = None
    for k, w in enumerate(weights):
        idx = _np.clip(base.astype(_np.int64) - 1 + k, 0, n - 1)
        term = _C.index_select(x, dim, _index(idx, x.device)) * _weights(w, x, dim)
        result = term if result is None else result + term
    return result


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resizes (N, C, L) or (N, C, H, W) input: mode 'nearest', 'linear' (3-D),
    'bilinear' or 'bicubic' (4-D) or 'area', to `size` or by `scale_factor`. 'bicubic' is
    PyTorch's: Keys cubic convolution with A = -0.75, border pixels repeated; like PyTorch it
    may overshoot the input's range (clamp the result for images)."""
    spatial = input.dim() - 2
    if spatial not in (1, 2):
        raise ValueError(f"[interpolate] expects 3-D (N, C, L) or 4-D (N, C, H, W) input, got "
                         f"shape {tuple(input.shape)}")
    modes = {1: ("nearest", "linear", "area"),
             2: ("nearest", "bilinear", "bicubic", "area")}[spatial]
    if mode not in modes:
        raise ValueError(f"[interpolate] mode {mode!r} is not supported for input of shape "
                         f"{tuple(input.shape)}; use one of {modes}")
    if antialias:
        raise ValueError("[interpolate] antialias=True is not supported")
    if mode in ("nearest", "area") and align_corners is not None:
        raise ValueError("[interpolate] align_corners applies only to the linear and cubic "
                         "modes")
    if (size is None) == (scale_factor is None):
        raise ValueError("[interpolate] give exactly one of size and scale_factor")
    in_sizes = list(input.shape[2:])
    if size is not None:
        out_sizes = list(_pair(size, spatial, "interpolate", "size"))
        scales = [i / o for i, o in zip(in_sizes, out_sizes)]
    else:
        factors = _pair(scale_factor, spatial, "interpolate", "scale_factor")
        out_sizes = [int(math.floor(i * f)) for i, f in zip(in_sizes, factors)]
        scales = ([i / o for i, o in zip(in_sizes, out_sizes)] if recompute_scale_factor
                  else [1.0 / f for f in factors])
    if any(o <= 0 for o in out_sizes):
        raise ValueError(f"[interpolate] output size {out_sizes} must be positive (input "
                         f"shape {tuple(input.shape)})")
    if mode == "area":  # PyTorch's 'area' is adaptive average pooling to the output size
        if spatial == 1:
            return adaptive_avg_pool1d(input, out_sizes[0])
        return _F.adaptive_avg_pool2d(input, tuple(out_sizes))
    x = input
    for k, (o, s) in enumerate(zip(out_sizes, scales)):
        dim = 2 + k
        if mode == "nearest":
            x = _nearest(x, dim, o, s)
        elif mode == "bicubic":
            x = _cubic(x, dim, o, s, bool(align_corners))
        else:
            x = _linear(x, dim, o, s, bool(align_corners))
    return x


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    return interpolate(input, size, scale_factor, mode, align_corners)


def pixel_shuffle(input, upscale_factor):
    """(*, C*r*r, H, W) -> (*, C, H*r, W*r)."""
    r = int(upscale_factor)
    if input.dim() < 3 or input.shape[-3] % (r * r):
        raise ValueError(f"[pixel_shuffle] channels (dim -3) of shape {tuple(input.shape)} "
                         f"must be divisible by upscale_factor^2 = {r * r}")
    *lead, c, h, w = input.shape
    nl = len(lead)
    x = input.reshape(*lead, c // (r * r), r, r, h, w)
    x = x.permute(*range(nl), nl, nl + 3, nl + 1, nl + 4, nl + 2)
    return x.reshape(*lead, c // (r * r), h * r, w * r)


def pixel_unshuffle(input, downscale_factor):
    """(*, C, H*r, W*r) -> (*, C*r*r, H, W)."""
    r = int(downscale_factor)
    if input.dim() < 3 or input.shape[-1] % r or input.shape[-2] % r:
        raise ValueError(f"[pixel_unshuffle] height and width of shape {tuple(input.shape)} "
                         f"must be divisible by downscale_factor = {r}")
    *lead, c, h, w = input.shape
    nl = len(lead)
    x = input.reshape(*lead, c, h // r, r, w // r, r)
    x = x.permute(*range(nl), nl, nl + 2, nl + 4, nl + 1, nl + 3)
    return x.reshape(*lead, c * r * r, h // r, w // r)


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """im2col: (N, C, H, W) -> (N, C*kh*kw, L), one column per sliding-window position."""
    if input.dim() not in (3, 4):
        raise ValueError(f"[unfold] expects 3-D or 4-D input, got shape {tuple(input.shape)}")
    batched = input.dim() == 4
    x = input if batched else input.unsqueeze(0)
    kh, kw = _pair(kernel_size, 2, "unfold", "kernel_size")
    dh, dw = _pair(dilation, 2, "unfold", "dilation")
    ph, pw = _pair(padding, 2, "unfold", "padding")
    sh, sw = _pair(stride, 2, "unfold", "stride")
    if ph or pw:
        x = _C.pad(x, (pw, pw, ph, ph))
    n, c, h, w = x.shape
    oh, ow = (h - dh * (kh - 1) - 1) // sh + 1, (w - dw * (kw - 1) - 1) // sw + 1
    if oh <= 0 or ow <= 0:
        raise ValueError(f"[unfold] kernel {kh}x{kw} (dilation {dh}x{dw}) does not fit the "
                         f"padded input of shape {tuple(x.shape)}")
    cols = []
    for i in range(kh):
        for j in range(kw):
            cols.append(x[:, :, i * dh: i * dh + sh * (oh - 1) + 1: sh,
                          j * dw: j * dw + sw * (ow - 1) + 1: sw])
    out = _C.stack(cols, 2).reshape(n, c * kh * kw, oh * ow)
    return out if batched else out.squeeze(0)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """col2im, the adjoint of unfold: (N, C*kh*kw, L) -> (N, C, H, W), summing overlaps."""
    if input.dim() not in (2, 3):
        raise ValueError(f"[fold] expects 2-D or 3-D input, got shape {tuple(input.shape)}")
    batched = input.dim() == 3
    x = input if batched else input.unsqueeze(0)
    h, w = _pair(output_size, 2, "fold", "output_size")
    kh, kw = _pair(kernel_size, 2, "fold", "kernel_size")
    dh, dw = _pair(dilation, 2, "fold", "dilation")
    ph, pw = _pair(padding, 2, "fold", "padding")
    sh, sw = _pair(stride, 2, "fold", "stride")
    hp, wp = h + 2 * ph, w + 2 * pw
    oh, ow = (hp - dh * (kh - 1) - 1) // sh + 1, (wp - dw * (kw - 1) - 1) // sw + 1
    n, ck, length = x.shape
    if ck % (kh * kw) or length != oh * ow or oh <= 0 or ow <= 0:
        raise ValueError(f"[fold] input of shape {tuple(input.shape)} does not match kernel "
                         f"{kh}x{kw} over output {h}x{w} ({oh * ow} blocks expected)")
    c = ck // (kh * kw)
    ki, kj = _np.meshgrid(_np.arange(kh), _np.arange(kw), indexing="ij")
    oy, ox = _np.meshgrid(_np.arange(oh), _np.arange(ow), indexing="ij")
    rows = ki.reshape(-1, 1) * dh + oy.reshape(1, -1) * sh
    cols = kj.reshape(-1, 1) * dw + ox.reshape(1, -1) * sw
    idx = (rows * wp + cols).reshape(-1)
    out = _C.zeros(n, c, hp * wp, dtype=x.dtype, device=x.device)
    out = out.index_add(2, _index(idx, x.device), x.reshape(n, c, kh * kw * length))
    out = out.reshape(n, c, hp, wp)[:, :, ph:ph + h, pw:pw + w]
    return out if batched else out.squeeze(0)


def _as_2d(input, name):
    if input.dim() not in (2, 3):
        raise ValueError(f"[{name}] expects 2-D (C, L) or 3-D (N, C, L) input, got shape "
                         f"{tuple(input.shape)}")
    return input.unsqueeze(-2)


def _one(v):
    return v[0] if isinstance(v, (list, tuple)) else v


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    x = _as_2d(input, "max_pool1d")
    stride = _one(kernel_size) if stride is None or stride == [] else _one(stride)
    out = _F.max_pool2d(x, (1, _one(kernel_size)), (1, stride), (0, _one(padding)),
                        (1, _one(dilation)), ceil_mode, return_indices)
    if return_indices:
        return out[0].squeeze(-2), out[1].squeeze(-2)
    return out.squeeze(-2)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    x = _as_2d(input, "avg_pool1d")
    stride = _one(kernel_size) if stride is None or stride == [] else _one(stride)
    return _F.avg_pool2d(x, (1, _one(kernel_size)), (1, stride), (0, _one(padding)), ceil_mode,
                         count_include_pad).squeeze(-2)


def adaptive_avg_pool1d(input, output_size):
    x = _as_2d(input, "adaptive_avg_pool1d")
    return _F.adaptive_avg_pool2d(x, (1, _one(output_size))).squeeze(-2)


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Adaptive max pooling when the input size is a multiple of the output size (then it is
    max_pool2d with kernel = stride = input // output)."""
    if input.dim() not in (3, 4):
        raise ValueError(f"[adaptive_max_pool2d] expects 3-D or 4-D input, got shape "
                         f"{tuple(input.shape)}")
    h, w = input.shape[-2:]
    oh, ow = _pair(output_size, 2, "adaptive_max_pool2d", "output_size")
    oh, ow = h if oh is None else oh, w if ow is None else ow
    if oh <= 0 or ow <= 0 or h % oh or w % ow:
        raise ValueError(f"[adaptive_max_pool2d] supports only output sizes that divide the "
                         f"input size evenly: input {h}x{w} (shape {tuple(input.shape)}), "
                         f"output {oh}x{ow}")
    k = (h // oh, w // ow)
    return _F.max_pool2d(input, k, k, 0, 1, False, return_indices)


def _channel_dropout(input, p, training, name, spatial):
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"[{name}] p must be in [0, 1], got {p}")
    if not training or p == 0.0:
        return input
    if input.dim() not in (spatial + 1, spatial + 2):
        raise ValueError(f"[{name}] expects {spatial + 1}-D or {spatial + 2}-D input, got shape "
                         f"{tuple(input.shape)}")
    if p == 1.0:
        return input * 0.0
    mask_shape = list(input.shape[:input.dim() - spatial]) + [1] * spatial
    keep = _C.bernoulli(_C.full(mask_shape, 1.0 - p, dtype=input.dtype, device=input.device))
    return input * (keep / (1.0 - p))


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zeroes whole channels of (N, C, L) input with probability p."""
    return _channel_dropout(input, p, training, "dropout1d", 1)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zeroes whole channels of (N, C, H, W) input with probability p."""
    return _channel_dropout(input, p, training, "dropout2d", 2)


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats=True, momentum=0.1, eps=1e-5):
    """Normalizes each (sample, channel) over its spatial dims."""
    if input.dim() < 3:
        raise ValueError(f"[instance_norm] expects (N, C, ...) input with spatial dims, got "
                         f"shape {tuple(input.shape)}")
    dims = list(range(2, input.dim()))
    bshape = [1, -1] + [1] * len(dims)
    if use_input_stats:
        mean = input.mean(dims, keepdim=True)
        var = ((input - mean) ** 2).mean(dims, keepdim=True)
        if running_mean is not None or running_var is not None:
            _update_running(input, mean, var, running_mean, running_var, momentum, dims)
    else:
        if running_mean is None or running_var is None:
            raise ValueError("[instance_norm] use_input_stats=False needs running_mean and "
                             "running_var")
        mean, var = running_mean.reshape(*bshape), running_var.reshape(*bshape)
    out = (input - mean) * _C.rsqrt(var + eps)
    if weight is not None:
        out = out * weight.reshape(*bshape)
    if bias is not None:
        out = out + bias.reshape(*bshape)
    return out


def _update_running(input, mean, var, running_mean, running_var, momentum, dims):
    n = 1
    for d in dims:
        n *= input.shape[d]
    with _no_grad():
        if running_mean is not None:
            m = mean.detach().reshape(input.shape[0], -1).mean(0)
            running_mean.mul_(1 - momentum).add_(m * momentum)
        if running_var is not None:
            v = var.detach().reshape(input.shape[0], -1).mean(0) * (n / max(n - 1, 1))
            running_var.mul_(1 - momentum).add_(v * momentum)


def _no_grad():
    from .._grad_mode import no_grad
    return no_grad()
