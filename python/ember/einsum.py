"""einsum and tensordot (torch.einsum, torch.tensordot), composed from permute, reshape,
diagonal, sum and matmul so that autograd and ember.function tracing need nothing new.

einsum contracts its operands pairwise, left to right (as torch does without opt_einsum),
taking first an operand that shares a label with the running product. Each pair becomes
one batched matrix product after moving its labels into the order
[batch, left-only, contracted] x [batch, contracted, right-only]."""

import string

from . import _C

__all__ = ["einsum", "tensordot"]

_LETTERS = set(string.ascii_letters)


def _err(msg):
    return ValueError(f"[einsum] {msg}")


def _sublist_to_equation(args):
    """einsum(a, [0, 1], b, [1, 2], [0, 2]): the sublist form, turned into letters."""
    args = list(args)
    out = args.pop() if len(args) % 2 == 1 else None
    ops, subs = args[0::2], args[1::2]

    def letters(sub):
        s = ""
        for i in sub:
            if i is Ellipsis:
                s += "..."
            elif isinstance(i, int) and 0 <= i < 52:
                s += string.ascii_letters[i]
            else:
                raise _err(f"sublist entries must be ints in [0, 52) or ..., got {i!r}")
        return s
    eq = ",".join(letters(s) for s in subs)
    if out is not None:
        eq += "->" + letters(out)
    return eq, ops


def _split_ellipsis(sub, ndim, ell_labels, which):
    """The labels of one operand, with '...' replaced by the trailing ellipsis labels."""
    if sub.count("...") > 1:
        raise _err(f"operand {which} has more than one '...' in '{sub}'")
    if "..." not in sub:
        if "." in sub:
            raise _err(f"stray '.' in subscript '{sub}' (an ellipsis is written '...')")
        return list(sub)
    head, tail = sub.split("...")
    n_ell = ndim - len(head) - len(tail)
    if n_ell < 0:
        raise _err(f"operand {which} has {ndim} dims, fewer than the subscript '{sub}' names")
    return list(head) + ell_labels[len(ell_labels) - n_ell:] + list(tail)


def _parse(equation, operands):
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    subs = lhs.split(",")
    if len(subs) != len(operands):
        raise _err(f"equation '{equation}' has {len(subs)} operand subscripts but "
                   f"{len(operands)} operands were given")
    for ch in eq.replace("...", "").replace(",", "").replace("->", ""):
        if ch not in _LETTERS:
            raise _err(f"invalid character '{ch}' in equation '{equation}' (labels are letters)")
    n_ell = 0
    for s, t in zip(subs, operands):
        if "..." in s:
            n_ell = max(n_ell, t.dim() - (len(s) - 3))
    ell = [chr(0x3B1 + i) for i in range(n_ell)]  # labels letters never collide with
    labels = [_split_ellipsis(s, t.dim(), ell, i) for i, (s, t) in enumerate(zip(subs, operands))]
    for i, (lab, t) in enumerate(zip(labels, operands)):
        if len(lab) != t.dim():
            raise _err(f"operand {i} has shape {tuple(t.shape)} ({t.dim()} dims) but subscript "
                       f"'{subs[i]}' names {len(lab)}")
    if arrow:
        if "..." in rhs:
            out = _split_ellipsis(rhs, len(rhs) - 3 + n_ell, ell, "output")
        else:
            out = list(rhs)
        all_labels = set(c for lab in labels for c in lab)
        for c in out:
            if c not in all_labels:
                raise _err(f"output label '{c}' of '{equation}' appears in no operand")
        if len(set(out)) != len(out):
            raise _err(f"output subscript '{rhs}' repeats a label")
    else:
        counts = {}
        for lab in labels:
            for c in lab:
                counts[c] = counts.get(c, 0) + 1
        out = [c for c in ell if c in counts] + sorted(c for c, k in counts.items()
                                                       if k == 1 and c not in ell)
    return labels, out


def _take_diagonals(t, lab):
    """A label repeated within one operand ('ii->i') takes the diagonal."""
    lab = list(lab)
    while True:
        seen = {}
        for d, c in enumerate(lab):
            if c in seen:
                d1 = seen[c]
                t = _C.diagonal(t, 0, d1, d)  # the diagonal dim moves to the end
                lab = [x for k, x in enumerate(lab) if k not in (d1, d)] + [c]
                break
            seen[c] = d
        else:
            return t, lab


def _sum_unneeded(t, lab, keep):
    dims = [d for d, c in enumerate(lab) if c not in keep]
    if dims:
        t = _C.sum(t, dims)
        lab = [c for c in lab if c in keep]
    return t, lab


def _check_sizes(labels, operands, equation):
    size = {}
    for lab, t in zip(labels, operands):
        for c, n in zip(lab, t.shape):
            if c in size and size[c] != n and 1 not in (size[c], n):
                shapes = ", ".join(str(tuple(o.shape)) for o in operands)
                name = "..." if ord(c) >= 0x3B1 else c
                raise _err(f"label '{name}' has size {size[c]} and {n} in '{equation}' "
                           f"(operand shapes {shapes})")
            size[c] = max(size.get(c, n), n)
    return size


def _expand_to(t, lab, size):
    """Broadcasts size-1 dims (ellipsis broadcasting) to the full size of their label."""
    want = [size[c] for c in lab]
    if list(t.shape) != want:
        t = t.expand(*want)
    return t


def _contract(a, la, b, lb, keep, size):
    batch = [c for c in la if c in lb and c in keep]
    summed = [c for c in la if c in lb and c not in keep]
    a_only = [c for c in la if c not in lb]
    b_only = [c for c in lb if c not in la]
    a = _expand_to(a, la, size)
    b = _expand_to(b, lb, size)
    a = _C.permute(a, [la.index(c) for c in batch + a_only + summed])
    b = _C.permute(b, [lb.index(c) for c in batch + summed + b_only])

    def prod(cs):
        p = 1
        for c in cs:
            p *= size[c]
        return p
    nb, m, k, n = prod(batch), prod(a_only), prod(summed), prod(b_only)
    out = _C.matmul(a.reshape(nb, m, k), b.reshape(nb, k, n))
    return out.reshape(*[size[c] for c in batch + a_only + b_only]), batch + a_only + b_only


def _order(terms):
    """Left to right, except that an operand sharing no label with those taken so far waits
    for one that does ('ab,cd,ac': a then ac then cd), which avoids outer products."""
    rest, ordered, seen = list(terms), [], set()
    while rest:
        k = next((i for i, (_, lab) in enumerate(rest) if seen & set(lab)), 0)
        t, lab = rest.pop(k)
        ordered.append((t, lab))
        seen |= set(lab)
    return ordered


def einsum(equation, *operands):
    """torch.einsum: einsum('bij,bjk->bik', a, b); implicit output ('ij,jk'), '...',
    repeated labels within an operand (diagonals) and any number of operands."""
    if not isinstance(equation, str):
        equation, operands = _sublist_to_equation((equation,) + operands)
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not operands:
        raise _err("needs at least one operand")
    for i, t in enumerate(operands):
        if not isinstance(t, _C.Tensor):
            raise TypeError(f"[einsum] operand {i} must be a Tensor, got {type(t).__name__}")
    labels, out = _parse(equation, operands)
    size = _check_sizes(labels, operands, equation)
    terms = _order(_take_diagonals(t, lab) for t, lab in zip(operands, labels))
    # Sum labels that only one operand has and the output does not need, before any product.
    result, rl = None, None
    for i, (t, lab) in enumerate(terms):
        later = set(c for _, l2 in terms[i + 1:] for c in l2)
        keep = set(out) | later | (set(rl) if rl is not None else set())
        t, lab = _sum_unneeded(t, lab, keep)
        if result is None:
            result, rl = t, lab
            continue
        keep = set(out) | later
        result, rl = _sum_unneeded(result, rl, keep | set(lab))
        result, rl = _contract(result, rl, t, lab, keep, size)
    result, rl = _sum_unneeded(result, rl, set(out))
    result = _expand_to(result, rl, size)
    if rl != out:
        result = _C.permute(result, [rl.index(c) for c in out])
    return result


def tensordot(a, b, dims=2):
    """torch.tensordot: contracts the last `dims` dims of a with the first of b, or the
    listed dims: tensordot(a, b, dims=([1, 0], [0, 1]))."""
    if isinstance(dims, int):
        if dims < 0 or dims > min(a.dim(), b.dim()):
            raise ValueError(f"[tensordot] dims={dims} is out of range for shapes "
                             f"{tuple(a.shape)} and {tuple(b.shape)}")
        da, db = list(range(a.dim() - dims, a.dim())), list(range(dims))
    else:
        da, db = dims
        da = [da] if isinstance(da, int) else list(da)
        db = [db] if isinstance(db, int) else list(db)
    if len(da) != len(db):
        raise ValueError(f"[tensordot] dims lists {da} and {db} have different lengths")
    da = [d % a.dim() for d in da]
    db = [d % b.dim() for d in db]
    for x, y in zip(da, db):
        if a.shape[x] != b.shape[y]:
            raise ValueError(f"[tensordot] dim {x} of a (shape {tuple(a.shape)}) has size "
                             f"{a.shape[x]} but dim {y} of b (shape {tuple(b.shape)}) has "
                             f"{b.shape[y]}")
    fa = [d for d in range(a.dim()) if d not in da]
    fb = [d for d in range(b.dim()) if d not in db]
    k = 1
    for d in da:
        k *= a.shape[d]
    am = _C.permute(a, fa + da).reshape(-1, k)
    bm = _C.permute(b, db + fb).reshape(k, -1)
    return _C.matmul(am, bm).reshape(*([a.shape[d] for d in fa] + [b.shape[d] for d in fb]))
