"""What bench_*.py files share with the runner (bench/run.py)."""

import dataclasses
import importlib


@dataclasses.dataclass
class Case:
    """One benchmark: `impls` maps an implementation name ("ember", "numpy", "torch", or a
    baseline) to a setup function that returns the zero-argument callable to time."""

    name: str
    impls: dict
    flops: float = 0.0    # floating-point operations per call: adds GFLOP/s to the table
    nbytes: float = 0.0   # bytes read + written per call: adds GB/s to the table


class Unavailable(Exception):
    """Raised by a setup when what it needs is not there (a library or an op)."""


def need(module_name):
    """Imports a peer library, or raises Unavailable naming it."""
    try:
        return importlib.import_module(module_name)
    except ImportError:
        raise Unavailable(f"{module_name} not installed") from None


def need_ember():
    try:
        import ember
    except ImportError as e:
        raise Unavailable(f"ember not importable ({e}); build it or set PYTHONPATH=python") from None
    return ember


def need_op(obj, name):
    """obj.name (a function of a module, a method of a tensor), or Unavailable saying the
    op does not exist yet."""
    fn = getattr(obj, name, None)
    if fn is None:
        owner = obj.__name__ if hasattr(obj, "__name__") else type(obj).__name__
        raise Unavailable(f"not available: {owner}.{name} does not exist yet")
    return fn
