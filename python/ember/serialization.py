"""ember.save / ember.load: checkpoints in the safetensors layout, so no code is ever run on
load (unlike pickle) and other tools can read the weights.

A saved object may be a tensor or nested dicts/lists/tuples of tensors, numbers, strings,
bools and None (a model's or an optimizer's state_dict). Tensors go to the safetensors data
section under their path ("state.0.exp_avg"); the structure around them is JSON in the
header's metadata under "ember.structure"."""

import json
import os

import numpy as np

from . import _C

_STRUCT_KEY = "ember.structure"
_FORMAT_KEY = "format"


def _flatten(obj, path, tensors):
    if isinstance(obj, _C.Tensor):
        name = path or "tensor"
        if name in tensors:
            raise ValueError(f"[save] two tensors map to the name '{name}'")
        tensors[name] = obj.detach()
        return {"$tensor": name}
    if isinstance(obj, dict):
        items = []
        for k, v in obj.items():
            if not isinstance(k, (str, int)) or isinstance(k, bool):
                raise TypeError(f"[save] dict keys must be str or int, got {type(k).__name__} "
                                f"at '{path}'")
            items.append([k, _flatten(v, f"{path}.{k}" if path else str(k), tensors)])
        return {"$dict": items}
    if isinstance(obj, (list, tuple)):
        kind = "$list" if isinstance(obj, list) else "$tuple"
        return {kind: [_flatten(v, f"{path}.{i}" if path else str(i), tensors)
                       for i, v in enumerate(obj)]}
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return {"$value": obj}
    if isinstance(obj, np.generic) and obj.dtype.kind in "biuf":  # np.float32(acc), np.int64
        return {"$value": obj.item()}
    if isinstance(obj, np.ndarray) and obj.dtype.kind in "biuf":
        node = _flatten(_C.from_numpy(np.ascontiguousarray(obj)), path, tensors)
        return {"$ndarray": node["$tensor"]}
    hint = ""
    if hasattr(obj, "state_dict"):
        hint = (f"; save its state_dict() instead (ember.save({path or 'obj'}.state_dict(), "
                "f)) and rebuild the object before load_state_dict: checkpoints hold no "
                "pickled code")
    raise TypeError(f"[save] cannot save an object of type {type(obj).__name__} at '{path}': "
                    "only tensors, numbers, strings, None, NumPy arrays and dicts/lists/tuples "
                    f"of them{hint}")


def _unflatten(node, tensors, depth=0):
    if depth > 64 or not isinstance(node, dict) or len(node) != 1:
        raise ValueError("[load] malformed ember.structure metadata")
    (kind, val), = node.items()
    if kind == "$tensor":
        if val not in tensors:
            raise ValueError(f"[load] structure refers to a missing tensor '{val}'")
        return tensors[val]
    if kind == "$ndarray":
        if val not in tensors:
            raise ValueError(f"[load] structure refers to a missing tensor '{val}'")
        return tensors[val].numpy()
    if kind == "$dict":
        return {k: _unflatten(v, tensors, depth + 1) for k, v in val}
    if kind == "$list":
        return [_unflatten(v, tensors, depth + 1) for v in val]
    if kind == "$tuple":
        return tuple(_unflatten(v, tensors, depth + 1) for v in val)
    if kind == "$value":
        if val is not None and not isinstance(val, (bool, int, float, str)):
            raise ValueError("[load] malformed value in ember.structure metadata")
        return val
    raise ValueError(f"[load] unknown node kind '{kind}' in ember.structure metadata")


def save(obj, f):
    """Saves a tensor or a (nested) state dict to path `f`, atomically."""
    tensors = {}
    structure = _flatten(obj, "", tensors)
    meta = {_FORMAT_KEY: "pt", _STRUCT_KEY: json.dumps(structure)}
    _C._save_safetensors(os.fspath(f), list(tensors.items()), meta)


def load(f, map_location=None, weights_only=True):
    """Loads what save() wrote; plain safetensors files (from other tools) load as a dict of
    tensors. Never executes code from the file. A checkpoint written by PyTorch's torch.save
    is read through PyTorch itself (when installed) with weights_only=True, which also runs
    no code, and its tensors become ember tensors."""
    path = os.fspath(f)
    if _is_pytorch_pickle(path):
        return _load_pytorch_checkpoint(path)
    tensors, meta = _C._load_safetensors(path)
    return _rebuild(tensors, meta)


def _is_pytorch_pickle(path):
    try:
        with open(path, "rb") as fh:
            head = fh.read(4)
    except OSError:
        return False  # the safetensors reader reports the error
    return head == b"PK\x03\x04" or head[:1] == b"\x80"  # torch.save's zip, or legacy pickle


def _load_pytorch_checkpoint(path):
    try:
        import torch
    except ImportError:
        raise ValueError(f"[load] '{path}' was written by PyTorch's torch.save (a pickle); ember "
                         "reads safetensors files and never unpickles. Convert it where PyTorch "
                         "is installed: safetensors.torch.save_file(torch.load(path), "
                         "'model.safetensors')") from None
    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:
        raise ValueError(f"[load] '{path}' is a PyTorch checkpoint that torch.load(..., "
                         f"weights_only=True) refuses ({type(e).__name__}: {e}); ember loads "
                         "only tensors, numbers, strings and containers of them") from None
    return _from_torch(obj, torch)


def _from_torch(obj, torch):
    if isinstance(obj, torch.Tensor):
        t = obj.detach().cpu()
        if t.dtype == torch.bfloat16:
            return _C.from_numpy(t.float().numpy()).to(_C.dtype.bfloat16)
        return _C.from_numpy(t.contiguous().numpy().copy())
    if isinstance(obj, dict):
        return type(obj)((k, _from_torch(v, torch)) for k, v in obj.items()) \
            if type(obj) is not dict else {k: _from_torch(v, torch) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_from_torch(v, torch) for v in obj)
    return obj


def _rebuild(tensors, meta):
    by_name = dict(tensors)
    if _STRUCT_KEY not in meta:
        return by_name
    try:
        structure = json.loads(meta[_STRUCT_KEY])
    except (ValueError, RecursionError) as e:
        raise ValueError(f"[load] malformed ember.structure metadata: {e}") from None
    return _unflatten(structure, by_name)
