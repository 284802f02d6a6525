"""torch.set_printoptions / get_printoptions: precision, threshold, edgeitems, linewidth
and sci_mode of tensor printing. While the options differ from the defaults,
Tensor.__repr__ is this Python port of PyTorch's tensor formatter, so printed tensors follow
the options exactly as PyTorch's do. At the defaults the C++ repr is restored (its layout
is close to PyTorch's but wraps no lines and pads a summarized row's '...' differently)."""

import math

from . import _C

__all__ = ["set_printoptions", "get_printoptions"]

_PROFILES = {
    "default": dict(precision=4, threshold=1000, edgeitems=3, linewidth=80),
    "short": dict(precision=2, threshold=1000, edgeitems=2, linewidth=80),
    "full": dict(precision=4, threshold=math.inf, edgeitems=3, linewidth=80),
}


class _Options:
    precision, threshold, edgeitems, linewidth = 4, 1000, 3, 80
    sci_mode = None


OPTS = _Options()
_DEFAULTS = dict(_PROFILES["default"], sci_mode=None)
_CPP_REPR = _C.Tensor.__repr__


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None):
    """As torch.set_printoptions: profile ('default', 'short', 'full') sets all four
    numbers, the other arguments override it; sci_mode=None chooses per tensor."""
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"[set_printoptions] profile must be one of {sorted(_PROFILES)}, "
                             f"got {profile!r}")
        for k, v in _PROFILES[profile].items():
            setattr(OPTS, k, v)
    for name, value in (("precision", precision), ("threshold", threshold),
                        ("edgeitems", edgeitems), ("linewidth", linewidth)):
        if value is not None:
            setattr(OPTS, name, value)
    OPTS.sci_mode = sci_mode
    _C.Tensor.__repr__ = _CPP_REPR if get_printoptions() == _DEFAULTS else tensor_repr


def get_printoptions():
    return dict(precision=OPTS.precision, threshold=OPTS.threshold, edgeitems=OPTS.edgeitems,
                linewidth=OPTS.linewidth, sci_mode=OPTS.sci_mode)


class _Formatter:
    """Chooses one width and notation (integer-valued, fixed or scientific) for all the
    printed values of a tensor, as PyTorch's _Formatter does."""

    def __init__(self, values, floating):
        self.floating, self.int_mode, self.sci_mode, self.max_width = floating, True, False, 1
        if not floating:
            self.max_width = max((len(str(v)) for v in values), default=1)
            return
        finite = [v for v in values if math.isfinite(v) and v != 0]
        if not finite:
            return
        lo, hi = min(abs(v) for v in finite), max(abs(v) for v in finite)
        self.int_mode = all(v == math.ceil(v) for v in finite)
        self.sci_mode = (hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4
                         if OPTS.sci_mode is None else OPTS.sci_mode)
        p = OPTS.precision
        if self.sci_mode:
            widths = [len(f"{v:.{p}e}") for v in finite]
        elif self.int_mode:
            widths = [len(f"{v:.0f}") + 1 for v in finite]
        else:
            widths = [len(f"{v:.{p}f}") for v in finite]
        self.max_width = max(self.max_width, *widths)

    def format(self, value):
        if self.floating:
            if self.sci_mode:
                s = f"{value:{self.max_width}.{OPTS.precision}e}"
            elif self.int_mode:
                s = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    s += "."
            else:
                s = f"{value:.{OPTS.precision}f}"
        else:
            s = f"{value}"
        return (self.max_width - len(s)) * " " + s


def _summarized(t):
    """The values that will be printed (edge items of each dim when summarizing)."""
    e = OPTS.edgeitems
    if t.dim() == 0:
        return t
    if t.dim() == 1:
        return _C.cat([t[:e], t[-e:]], 0) if t.shape[0] > 2 * e else t
    if not e:
        return t.reshape(-1)[:0]
    rows = (list(range(e)) + list(range(t.shape[0] - e, t.shape[0]))
            if t.shape[0] > 2 * e else range(t.shape[0]))
    return _C.stack([_summarized(t[i]) for i in rows], 0)


def _vector_str(t, indent, summarize, fmt):
    per_line = max(1, int(math.floor((OPTS.linewidth - indent) / (fmt.max_width + 2))))
    e = OPTS.edgeitems
    if summarize and not e:
        data = ["..."]
    elif summarize and t.shape[0] > 2 * e:
        data = ([fmt.format(v) for v in t[:e].tolist()] + [" ..."]
                + [fmt.format(v) for v in t[-e:].tolist()])
    else:
        data = [fmt.format(v) for v in t.tolist()]
    lines = [", ".join(data[i:i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + ("," + "\n" + " " * (indent + 1)).join(lines) + "]"


def _tensor_str(t, indent, summarize, fmt):
    dim = t.dim()
    if dim == 0:
        return fmt.format(t.item())
    if dim == 1:
        return _vector_str(t, indent, summarize, fmt)
    e = OPTS.edgeitems
    n = t.shape[0]
    if summarize and n > 2 * e:
        slices = ([_tensor_str(t[i], indent + 1, summarize, fmt) for i in range(e)] + ["..."]
                  + [_tensor_str(t[i], indent + 1, summarize, fmt) for i in range(n - e, n)])
    else:
        slices = [_tensor_str(t[i], indent + 1, summarize, fmt) for i in range(n)]
    return "[" + ("," + "\n" * (dim - 1) + " " * (indent + 1)).join(slices) + "]"


def _add_suffixes(text, suffixes, indent):
    parts = [text]
    last_line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    return "".join(parts) + ")"


def _body(t, indent):
    if t.dtype in (_C.dtype.float16, _C.dtype.bfloat16):
        t = t.to(_C.dtype.float32)
    summarize = t.numel() > OPTS.threshold
    data = (_summarized(t) if summarize else t).reshape(-1).tolist()
    fmt = _Formatter(data, t.dtype.is_floating_point)
    return _tensor_str(t, indent, summarize, fmt)


def tensor_repr(self):
    prefix = "tensor("
    indent = len(prefix)
    t = self.detach()
    if t.device.type != "cpu":
        t = t.cpu()
    suffixes = []
    if self.device.type != "cpu":
        suffixes.append(f"device='{self.device}'")
    default = self.dtype in (_C.get_default_dtype(), _C.dtype.int64, _C.dtype.bool)
    if self.numel() == 0:
        if self.dim() != 1:
            suffixes.append(f"size={tuple(self.shape)}")
        if self.dtype != _C.get_default_dtype():
            suffixes.append(f"dtype={self.dtype}")
        body = "[]"
    else:
        if not OPTS.edgeitems:   # nothing of the tensor is printed: say its size
            suffixes.append(f"size={tuple(self.shape)}")
        if not default:
            suffixes.append(f"dtype={self.dtype}")
        body = _body(t, indent)
    if self.grad_fn is not None:
        suffixes.append(f"grad_fn=<{self.grad_fn.name()}>")
    elif self.requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + body, suffixes, indent)
