"""Model.summary(): Keras's table of layers, output shapes and parameter counts (with a
'Connected to' column for functional models)."""

from .layers.base import format_shape


def _memory(nbytes):
    value, unit = float(nbytes), "B"
    for u in ("KB", "MB", "GB", "TB"):
        if value < 1024:
            break
        value, unit = value / 1024, u
    return f"{value:.2f} {unit}"


def summary(model, line_length=None, positions=None, print_fn=None):
    rows = model._summary_rows()
    connected = any(c is not None for _, c in rows)
    width = line_length or (98 if connected else 65)
    positions = positions or ([0.33, 0.55, 0.67, 1.0] if connected else [0.45, 0.85, 1.0])
    cols = [int(width * p) for p in positions]
    print_fn = print_fn or print

    def row(fields):
        line = ""
        for i, f in enumerate(fields):
            line = (line + " " + str(f))[:cols[i]].ljust(cols[i])
        return line.rstrip()

    header = ["Layer (type)", "Output Shape", "Param #"] + (["Connected to"] if connected
                                                           else [])
    lines = [f'Model: "{model.name}"', "_" * width, row(header), "=" * width]
    for i, (layer, inbound) in enumerate(rows):
        fields = [f"{getattr(layer, 'name', '?')} ({type(layer).__name__})",
                  format_shape(getattr(layer, "output_shape_", None)),
                  sum(p.numel() for p in layer.parameters())]
        if connected:
            fields.append(", ".join(inbound or []) or "-")
        lines.append(row(fields))
        lines.append("" if i + 1 < len(rows) else "=" * width)
    if not rows:
        lines.append("=" * width)
    params = list(model.parameters())
    itemsize = 4 if not params else params[0].element_size()
    total = sum(p.numel() for p in params)
    trainable = sum(p.numel() for p in params if p.requires_grad)
    for label, n in (("Total", total), ("Trainable", trainable),
                     ("Non-trainable", total - trainable)):
        lines.append(f"{label} params: {n:,} ({_memory(n * itemsize)})")
    lines.append("_" * width)
    for line in lines:
        print_fn(line)
