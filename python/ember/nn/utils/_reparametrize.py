"""Running a module's forward with a computed weight (weight_norm, spectral_norm).

Ember's C++ layers read their weight from a registered parameter slot, so a computed
(non-leaf) weight cannot simply be assigned as a plain attribute as in PyTorch. Instead the
module gets an instance-level forward that computes the weight, registers it in the slot
for the duration of the call and removes it again afterwards: between calls the module
has no `weight` parameter (its state dict holds only the underlying parameters, under
PyTorch's names) and `module.weight` is the weight of the last call, as with PyTorch's
hook-based weight_norm."""

from ..parameter import Parameter

_WRAPPED = "_ember_reparametrized"
_RECORD = "_ember_reparametrizations"


def set_plain(module, name, value):
    """module.<name> = value as a plain attribute (not a parameter)."""
    object.__setattr__(module, name, value)


def install(module, name, compute, record=True):
    """Makes every forward call use compute(module) as module.<name>. The (name, compute)
    pairs are recorded in order so that copy.deepcopy can install them on the copy."""
    if record:
        module.__dict__.setdefault(_RECORD, []).append((name, compute))
    inner = module.forward
    if name in dict(module.named_parameters(recurse=False)):
        delattr(module, name)

    def forward(*args, **kwargs):
        weight = compute(module)
        set_plain(module, name, weight)          # Python forwards read the attribute,
        setattr(module, name, Parameter._wrap(weight))   # C++ layers read the slot
        try:
            return inner(*args, **kwargs)
        finally:
            delattr(module, name)
            set_plain(module, name, weight)

    forward.__dict__[_WRAPPED] = (name, inner)
    set_plain(module, "forward", forward)
    set_plain(module, name, compute(module))


def uninstall(module, name, api):
    """Undoes install(); the module's forward is the one before it."""
    fwd = module.__dict__.get("forward")
    entry = getattr(fwd, _WRAPPED, None) if fwd is not None else None
    if entry is None or entry[0] != name:
        raise ValueError(f"[{api}] {name!r} of {type(module).__name__} is not reparametrized "
                         f"(or another reparametrization was added after it: remove that first)")
    inner = entry[1]
    module.__dict__[_RECORD] = [r for r in module.__dict__[_RECORD] if r[0] != name]
    if getattr(inner, "__self__", None) is module and inner.__func__ is type(module).forward:
        del module.__dict__["forward"]
    else:
        set_plain(module, "forward", inner)
    module.__dict__.pop(name, None)


def reinstall_on_copy(copy):
    """After copy.deepcopy rebuilt a reparametrized module (without its forward wrapper)."""
    for name, compute in copy.__dict__.get(_RECORD, []):
        install(copy, name, compute, record=False)
