"""Keras weight regularizers (``keras.regularizers``): ``L1``, ``L2``, ``L1L2``. A layer
given ``kernel_regularizer=`` keeps the penalty of its current weights in ``layer.losses``;
``fit`` adds their sum to the loss it minimizes and reports."""

from .. import _C

__all__ = ["Regularizer", "L1", "L2", "L1L2", "l1", "l2", "l1_l2", "get", "serialize"]


class Regularizer:
    """Base class: ``penalty = regularizer(weight)``, a 0-d tensor."""

    def __call__(self, x):
        raise NotImplementedError(f"[{type(self).__name__}] __call__ is not implemented")

    def get_config(self):
        return {}


class L1L2(Regularizer):
    """``l1 * sum(|w|) + l2 * sum(w ** 2)`` (Keras has no 1/2 on the square)."""

    def __init__(self, l1=0.0, l2=0.0):
        self.l1, self.l2 = float(l1), float(l2)
        if self.l1 < 0 or self.l2 < 0:
            raise ValueError(f"[{type(self).__name__}] factors must be >= 0, got l1={l1}, "
                             f"l2={l2}")

    def __call__(self, x):
        penalty = None
        if self.l1:
            penalty = self.l1 * _C.abs(x).sum()
        if self.l2:
            sq = self.l2 * (x * x).sum()
            penalty = sq if penalty is None else penalty + sq
        return penalty if penalty is not None else (x * 0.0).sum()

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class L1(L1L2):
    def __init__(self, l1=0.01):
        super().__init__(l1=l1)

    def get_config(self):
        return {"l1": self.l1}


class L2(L1L2):
    def __init__(self, l2=0.01):
        super().__init__(l2=l2)

    def get_config(self):
        return {"l2": self.l2}


l1, l2, l1_l2 = L1, L2, L1L2
_BY_NAME = {"l1": L1, "l2": L2, "l1_l2": L1L2, "l1l2": L1L2}


def get(identifier):
    """A regularizer from None, a name ('l2' with Keras's 0.01), a config dict or an
    instance / callable."""
    if identifier is None:
        return None
    if isinstance(identifier, str):
        cls = _BY_NAME.get(identifier.lower())
        if cls is None:
            raise ValueError(f"[regularizers] unknown regularizer '{identifier}'; known: "
                             f"{', '.join(sorted(_BY_NAME))}")
        return cls()
    if isinstance(identifier, dict):
        name = identifier.get("class_name", "")
        cls = {c.__name__: c for c in (L1, L2, L1L2)}.get(name)
        if cls is None:
            raise ValueError(f"[regularizers] unknown regularizer class '{name}'")
        return cls(**identifier.get("config", {}))
    if callable(identifier):
        return identifier
    raise TypeError(f"[regularizers] expected a regularizer name or object, got "
                    f"{type(identifier).__name__}")


def serialize(reg):
    if reg is None:
        return None
    if not isinstance(reg, Regularizer):
        raise ValueError(f"[regularizers] cannot serialize the callable {reg!r}: use "
                         f"keras.regularizers.L1 / L2 / L1L2 to save a model")
    return {"class_name": type(reg).__name__, "config": reg.get_config()}
