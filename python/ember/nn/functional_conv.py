"""3-D and transposed 1-D/3-D convolutions (F.conv3d, F.conv_transpose1d,
F.conv_transpose3d) composed from the 2-D convolution ops.

conv3d runs one conv2d per depth tap over all output depths at once (the depth slices are
folded into the batch); the transposed forms do the same with conv_transpose2d and place
each tap's result at its strided depth. Gradients (and second derivatives) come from the
2-D ops' own rules."""

from .. import _C

__all__ = ["conv3d", "conv_transpose1d", "conv_transpose3d"]

_F = _C.nn.functional


def _ntuple(v, n, op, name):
    if isinstance(v, int):
        return (v,) * n
    t = tuple(int(x) for x in v)
    if len(t) != n:
        raise ValueError(f"[{op}] {name} must be an int or {n} ints, got {v!r}")
    return t


def _zero_pad_dim(x, dim, before, after):
    """x with `before` / `after` zero slices added along dim (differentiable via cat)."""
    if before == 0 and after == 0:
        return x
    parts = []
    for n in (before, after):
        shape = list(x.shape)
        shape[dim] = n
        parts.append(_C.zeros(*shape, dtype=x.dtype, device=x.device) if n else None)
    pieces = [p for p in (parts[0], x, parts[1]) if p is not None]
    return _C.cat(pieces, dim)


def _check_conv_input(op, input, weight, in_dims, groups, transposed):
    if input.dim() not in (in_dims, in_dims + 1):
        raise ValueError(f"[{op}] expects {in_dims}-D (unbatched) or {in_dims + 1}-D input, "
                         f"got shape {tuple(input.shape)}")
    if weight.dim() != in_dims + 1:
        raise ValueError(f"[{op}] expects a {in_dims + 1}-D weight, got shape "
                         f"{tuple(weight.shape)}")
    channels = input.shape[-in_dims]
    expected = weight.shape[0] if transposed else weight.shape[1] * groups
    if channels != expected:
        raise ValueError(f"[{op}] input of shape {tuple(input.shape)} has {channels} channels "
                         f"but weight of shape {tuple(weight.shape)} with groups={groups} "
                         f"expects {expected}")


def _add_bias(out, bias):
    if bias is None:
        return out
    return out + bias.reshape(1, -1, *([1] * (out.dim() - 2)))


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """torch.nn.functional.conv3d: input (N, C, D, H, W) or (C, D, H, W), weight
    (out, C / groups, kD, kH, kW); padding an int, three ints, 'valid' or 'same'."""
    op = "conv3d"
    _check_conv_input(op, input, weight, 4, groups, False)
    unbatched = input.dim() == 4
    x = input.unsqueeze(0) if unbatched else input
    sd, sh, sw = _ntuple(stride, 3, op, "stride")
    dd, dh, dw = _ntuple(dilation, 3, op, "dilation")
    kd_, kh, kw = weight.shape[2:]
    if isinstance(padding, str):
        if padding == "valid":
            padding = 0
        elif padding == "same":
            if (sd, sh, sw) != (1, 1, 1):
                raise ValueError(f"[{op}] padding='same' is not supported for strided "
                                 f"convolutions (stride={stride})")
            for dim, d, k in ((2, dd, kd_), (3, dh, kh), (4, dw, kw)):
                total = d * (k - 1)
                x = _zero_pad_dim(x, dim, total // 2, total - total // 2)
            padding = 0
        else:
            raise ValueError(f"[{op}] padding must be an int, three ints, 'valid' or 'same', "
                             f"got {padding!r}")
    pd, ph, pw = _ntuple(padding, 3, op, "padding")
    x = _zero_pad_dim(x, 2, pd, pd)
    n, c, depth = x.shape[0], x.shape[1], x.shape[2]
    d_out = (depth - dd * (kd_ - 1) - 1) // sd + 1
    if d_out <= 0:
        raise ValueError(f"[{op}] input of shape {tuple(input.shape)} (padded depth {depth}) is "
                         f"smaller than the dilated kernel depth {dd * (kd_ - 1) + 1}")
    out = None
    for kd in range(kd_):
        start = kd * dd
        sl = x[:, :, start:start + (d_out - 1) * sd + 1:sd]
        sl = sl.permute(0, 2, 1, 3, 4).reshape(n * d_out, c, x.shape[3], x.shape[4])
        y = _F.conv2d(sl, weight[:, :, kd], None, (sh, sw), (ph, pw), (dh, dw), groups)
        out = y if out is None else out + y
    out = out.reshape(n, d_out, *out.shape[1:]).permute(0, 2, 1, 3, 4)
    out = _add_bias(out, bias)
    return out.squeeze(0) if unbatched else out


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0,
                     groups=1, dilation=1):
    """torch.nn.functional.conv_transpose1d: input (N, C, L) or (C, L), weight
    (C, out / groups, k); runs conv_transpose2d with a unit height."""
    op = "conv_transpose1d"
    _check_conv_input(op, input, weight, 2, groups, True)
    unbatched = input.dim() == 2
    x = input.unsqueeze(0) if unbatched else input
    s, = _ntuple(stride, 1, op, "stride")
    p, = _ntuple(padding, 1, op, "padding")
    o, = _ntuple(output_padding, 1, op, "output_padding")
    d, = _ntuple(dilation, 1, op, "dilation")
    out = _F.conv_transpose2d(x.unsqueeze(2), weight.unsqueeze(2), bias, (1, s), (0, p),
                              (0, o), groups, (1, d)).squeeze(2)
    return out.squeeze(0) if unbatched else out


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0,
                     groups=1, dilation=1):
    """torch.nn.functional.conv_transpose3d: input (N, C, D, H, W) or (C, D, H, W), weight
    (C, out / groups, kD, kH, kW)."""
    op = "conv_transpose3d"
    _check_conv_input(op, input, weight, 4, groups, True)
    unbatched = input.dim() == 4
    x = input.unsqueeze(0) if unbatched else input
    sd, sh, sw = _ntuple(stride, 3, op, "stride")
    pd, ph, pw = _ntuple(padding, 3, op, "padding")
    od, oh, ow = _ntuple(output_padding, 3, op, "output_padding")
    dd, dh, dw = _ntuple(dilation, 3, op, "dilation")
    if od >= max(sd, dd):
        raise ValueError(f"[{op}] output_padding {od} must be smaller than stride {sd} or "
                         f"dilation {dd}")
    n, c, depth = x.shape[0], x.shape[1], x.shape[2]
    kd_ = weight.shape[2]
    xr = x.permute(0, 2, 1, 3, 4).reshape(n * depth, c, x.shape[3], x.shape[4])
    spread = (depth - 1) * sd + 1          # input depths placed stride apart
    full = spread + dd * (kd_ - 1) + od    # before cropping the padding
    d_out = full - 2 * pd
    if d_out <= 0:
        raise ValueError(f"[{op}] padding {pd} leaves no output depth for input of shape "
                         f"{tuple(input.shape)}")
    out = None
    for kd in range(kd_):
        y = _F.conv_transpose2d(xr, weight[:, :, kd], None, (sh, sw), (ph, pw), (oh, ow),
                                groups, (dh, dw))
        y = y.reshape(n, depth, *y.shape[1:])
        if sd > 1:   # interleave stride - 1 zero slices after each input depth
            zeros = _C.zeros(n, depth, sd - 1, *y.shape[2:], dtype=y.dtype, device=y.device)
            y = _C.cat([y.unsqueeze(2), zeros], 2).reshape(n, depth * sd, *y.shape[2:])
            y = y[:, :spread]
        y = _zero_pad_dim(y, 1, kd * dd, full - kd * dd - spread)
        out = y if out is None else out + y
    out = out[:, pd:pd + d_out].permute(0, 2, 1, 3, 4)
    out = _add_bias(out, bias)
    return out.squeeze(0) if unbatched else out
