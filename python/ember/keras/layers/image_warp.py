"""Sampling images at transformed coordinates, for the random geometric augmentation
layers (RandomRotation, RandomZoom, RandomTranslation): ``warp(x, src_y, src_x, ...)``
reads channels-last images x (N, H, W, C) at source coordinates (each broadcasting to (N, H, W)), with
bilinear or nearest interpolation and Keras's fill modes for points outside the image.

Everything is tensor ops (floor, gather), so a traced step replays it with fresh random
transforms, and gradients flow to x."""

from ... import _C

FILL_MODES = ("reflect", "wrap", "constant", "nearest", "mirror")
INTERPOLATIONS = ("bilinear", "nearest")


def _fold(i, n, fill_mode):
    """Integer-valued float coordinates i mapped into [0, n) by the fill mode (for
    'constant' only clamped: the caller masks the outside points)."""
    if fill_mode == "wrap":
        return _C.remainder(i, float(n))
    if fill_mode == "reflect":            # d c b a | a b c d | d c b a
        m = _C.remainder(i, float(2 * n))
        return _C.where(m < n, m, 2 * n - 1 - m)
    if fill_mode == "mirror":             # d c b | a b c d | c b a
        if n == 1:
            return i * 0.0
        m = _C.remainder(i, float(2 * n - 2))
        return _C.where(m < n, m, 2 * n - 2 - m)
    return _C.clamp(i, 0.0, float(n - 1))  # 'nearest' and 'constant'


def _inside(i, n):
    return ((i >= 0) & (i <= n - 1)).to(i.dtype)


def _gather(flat, iy, ix, width):
    """flat (N, H*W, C) at integer-valued (N, H, W) coordinates -> (N, H, W, C)."""
    c = flat.shape[2]
    h, w = iy.shape[1], iy.shape[2]
    # -1 for the batch: a traced step replays for other batch sizes.
    index = (iy * width + ix).to(_C.dtype.int64).reshape(-1, h * w, 1).expand(-1, h * w, c)
    return _C.gather(flat, 1, index).reshape(-1, h, w, c)


def warp(x, src_y, src_x, interpolation="bilinear", fill_mode="reflect", fill_value=0.0):
    _, height, width, c = x.shape
    flat = x.reshape(-1, height * width, c)
    # The coordinate maps may be (N, H, 1) and (N, 1, W) (zoom, translation).
    src_y, src_x = src_y.expand(-1, height, width), src_x.expand(-1, height, width)
    if interpolation == "nearest":
        corners = [(_C.floor(src_y + 0.5), _C.floor(src_x + 0.5), None)]
    else:
        y0, x0 = _C.floor(src_y), _C.floor(src_x)
        fy, fx = src_y - y0, src_x - x0
        corners = [(y0 + dy, x0 + dx, (fy if dy else 1.0 - fy) * (fx if dx else 1.0 - fx))
                   for dy in (0, 1) for dx in (0, 1)]
    out, outside = None, None
    for iy, ix, weight in corners:
        value = _gather(flat, _fold(iy, height, fill_mode), _fold(ix, width, fill_mode), width)
        if fill_mode == "constant":
            inside = _inside(iy, height) * _inside(ix, width)
            miss = 1.0 - inside if weight is None else (1.0 - inside) * weight
            outside = miss if outside is None else outside + miss
            weight = inside if weight is None else weight * inside
        term = value if weight is None else value * weight.unsqueeze(-1)
        out = term if out is None else out + term
    if fill_mode == "constant" and fill_value != 0.0:
        out = out + outside.unsqueeze(-1) * fill_value
    return out


def pixel_grid(x):
    """Row and column coordinates (H, 1) and (1, W) of channels-last images x."""
    height, width = x.shape[1], x.shape[2]
    ys = _C.arange(height, dtype=x.dtype, device=x.device).reshape(height, 1)
    xs = _C.arange(width, dtype=x.dtype, device=x.device).reshape(1, width)
    return ys, xs
