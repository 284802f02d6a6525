"""Whole-model saving: ``model.save('m.keras')`` and ``keras.models.load_model``. The
``.keras`` file is a zip archive (as in Keras 3) of ``config.json`` (the architecture:
layer classes and their constructor arguments, the functional graph, the compile settings)
and ``model.weights.safetensors`` (the state dict written by ``ember.save``, plus the
optimizer's variables under ``optimizer_state/`` once it is built, so ``fit`` after
``load_model`` continues the interrupted run). Loading reads
JSON and safetensors only: no pickle, no code from the file is ever run; layer classes are
looked up among Ember's built-ins and the ``custom_objects`` the caller passes."""

import json
import os
import tempfile
import zipfile

from .. import serialization as _serialization

__all__ = ["save_model", "load_model", "read_archive", "model_from_json",
           "register_keras_serializable", "get_custom_objects", "custom_object_scope",
           "get_registered_name", "get_registered_object"]

_CONFIG = "config.json"
_WEIGHTS = "model.weights.safetensors"
_FORMAT = "ember.keras/1"
_OPTIMIZER = "optimizer_state/"   # weights-file key prefix of the optimizer's variables


def register_keras_serializable(package="Custom", name=None):
    """Class decorator: makes a custom layer or model class known to ``load_model`` /
    ``model_from_json`` without ``custom_objects``; configs name it ``'package>Name'``."""
    def register(cls):
        from .layers.activation_layers import _loading_custom_objects
        key = name or cls.__name__
        registered = f"{package}>{key}"
        for scope in _loading_custom_objects:
            scope[registered] = cls
        cls._registered_name = registered
        return cls
    return register


def get_registered_name(obj):
    return getattr(obj, "_registered_name", getattr(obj, "__name__", type(obj).__name__))


def get_registered_object(name, custom_objects=None, module_objects=None):
    from .layers.activation_layers import _loading_custom_objects
    for scope in (custom_objects or {}, _loading_custom_objects[-1], module_objects or {}):
        if name in scope:
            return scope[name]
    return None


def get_custom_objects():
    """The global dict of custom objects (``load_model`` looks classes up in it)."""
    from .layers.activation_layers import _loading_custom_objects
    return _loading_custom_objects[0]


def custom_object_scope(objects):
    from .layers.activation_layers import custom_objects_scope
    return custom_objects_scope(objects)


def _compile_config(model):
    if not getattr(model, "compiled", False):
        return None
    from . import losses as _losses
    from . import metrics as _metrics

    def loss_cfg(spec):
        if spec is None or isinstance(spec, str):
            return spec
        if isinstance(spec, (list, tuple)):
            return [loss_cfg(s) for s in spec]
        if isinstance(spec, dict):
            return {"__dict__": {k: loss_cfg(v) for k, v in spec.items()}}
        if isinstance(spec, _losses.Loss):
            return {"class_name": type(spec).__name__, "config": spec.get_config()}
        raise ValueError("custom loss")

    def metric_cfg(spec):
        if spec is None or isinstance(spec, str):
            return spec
        if isinstance(spec, (list, tuple)):
            return [metric_cfg(s) for s in spec]
        if isinstance(spec, dict):
            return {"__dict__": {k: metric_cfg(v) for k, v in spec.items()}}
        if isinstance(spec, _metrics.Metric) and type(spec).__name__ in _metrics.__all__:
            if hasattr(spec, "get_config"):
                return {"class_name": type(spec).__name__, "config": spec.get_config()}
            return {"class_name": type(spec).__name__}
        raise ValueError("custom metric")

    args = model._compile_args
    try:
        return {"optimizer": {"class_name": type(model.optimizer).__name__,
                              "config": model.optimizer.get_config()},
                "loss": loss_cfg(args["loss"]), "metrics": metric_cfg(args["metrics"]),
                "loss_weights": args["loss_weights"],
                "steps_per_execution": model.steps_per_execution}
    except (ValueError, TypeError):
        return None   # custom objects: the model loads uncompiled


def _build_config(model):
    """The input shape a subclassed model is rebuilt with on load (Keras's build_config)."""
    shape = model.input_shape_
    if isinstance(shape, tuple):
        return {"input_shape": list(shape)}
    return None


def save_model(model, filepath, overwrite=True):
    path = os.fspath(filepath)
    if not path.endswith(".keras"):
        raise ValueError(f"[save] the file name must end in .keras (a zip of the config and "
                         f"the safetensors weights), got '{path}'; use save_weights for the "
                         f"weights alone")
    if os.path.exists(path) and not overwrite:
        raise FileExistsError(f"[save] '{path}' exists and overwrite=False")
    model._require_built("save")
    if not hasattr(type(model), "from_config") or "get_config" not in type(model).__dict__ \
            and type(model).__name__ not in ("Sequential", "Functional"):
        raise ValueError(f"[save] model '{model.name}' is a subclassed Model without "
                         f"get_config / from_config, so its architecture cannot be saved as "
                         f"data; use save_weights, or define get_config")
    from .layers import class_name
    config = {"format": _FORMAT, "class_name": class_name(type(model)),
              "config": model.get_config(), "compile_config": _compile_config(model),
              "build_config": _build_config(model)}
    with tempfile.TemporaryDirectory() as tmp:
        weights = os.path.join(tmp, _WEIGHTS)
        state = dict(model.state_dict())
        if getattr(model, "optimizer", None) is not None and config["compile_config"]:
            # Keras 3 saves the optimizer's variables too, so fit resumes where it stopped.
            state.update({_OPTIMIZER + k: v
                          for k, v in model.optimizer.state_tensors().items()})
        _serialization.save(state, weights)
        partial = path + ".tmp"
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_STORED) as z:
            z.writestr(_CONFIG, json.dumps(config, indent=1))
            z.write(weights, _WEIGHTS)
        os.replace(partial, path)


def read_archive(path):
    """(config dict, state dict) from a .keras file."""
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            if _CONFIG not in names or _WEIGHTS not in names:
                raise ValueError(f"[load_model] '{path}' is not an Ember .keras archive (it "
                                 f"lacks {_CONFIG} or {_WEIGHTS})")
            config = json.loads(z.read(_CONFIG).decode("utf-8"))
            with tempfile.TemporaryDirectory() as tmp:
                z.extract(_WEIGHTS, tmp)
                state = _serialization.load(os.path.join(tmp, _WEIGHTS))
    except zipfile.BadZipFile:
        raise ValueError(f"[load_model] '{path}' is not a .keras zip archive") from None
    if config.get("format") != _FORMAT:
        raise ValueError(f"[load_model] '{path}' has format {config.get('format')!r}, "
                         f"expected {_FORMAT!r}")
    return config, state


def _undict(v):
    if isinstance(v, dict) and "__dict__" in v:
        return {k: _undict(x) for k, x in v["__dict__"].items()}
    if isinstance(v, list):
        return [_undict(x) for x in v]
    return v


def _from_config(config, custom_objects):
    from .layers import get_layer_class
    from .layers.activation_layers import custom_objects_scope
    cls = get_layer_class(config["class_name"], custom_objects)
    with custom_objects_scope(custom_objects):
        if hasattr(cls, "from_config") and "custom_objects" in \
                cls.from_config.__code__.co_varnames:
            return cls.from_config(config["config"], custom_objects=custom_objects)
        return cls.from_config(config["config"])


def model_from_json(json_string, custom_objects=None):
    """A new (freshly initialized) model from ``model.to_json()``."""
    config = json.loads(json_string)
    if not isinstance(config, dict) or "class_name" not in config or "config" not in config:
        raise ValueError("[model_from_json] expects the JSON of model.to_json(): an object "
                         "with 'class_name' and 'config'")
    return _from_config(config, custom_objects)


def load_model(filepath, custom_objects=None, compile=True):  # noqa: A002 - Keras name
    """The model saved by ``model.save(filepath)``, with its weights (and compiled with
    the saved settings when `compile`)."""
    from . import losses as _losses
    from . import metrics as _metrics
    from . import optimizers as _optimizers
    config, state = read_archive(os.fspath(filepath))
    model = _from_config(config, custom_objects)
    build = config.get("build_config")
    if not model.built and build:
        model.build(tuple(build["input_shape"]))
    if not model.built:
        raise ValueError(f"[load_model] the saved model '{model.name}' could not be built "
                         f"from its config")
    optimizer_state = {k[len(_OPTIMIZER):]: v for k, v in state.items()
                       if k.startswith(_OPTIMIZER)}
    model.load_weights_state({k: v for k, v in state.items() if not k.startswith(_OPTIMIZER)})
    cc = config.get("compile_config")
    if compile and cc:
        def loss(spec):
            if isinstance(spec, dict) and "class_name" in spec:
                if spec["class_name"] not in _losses.__all__:
                    raise ValueError(f"[load_model] unknown loss {spec['class_name']!r}")
                return getattr(_losses, spec["class_name"])(**spec["config"])
            if isinstance(spec, list):
                return [loss(s) for s in spec]
            if isinstance(spec, dict):
                return {k: loss(v) for k, v in spec.items()}
            return spec

        def metric(spec):
            if isinstance(spec, dict) and "class_name" in spec:
                if spec["class_name"] not in _metrics.__all__:
                    raise ValueError(f"[load_model] unknown metric {spec['class_name']!r}")
                return getattr(_metrics, spec["class_name"])(**spec.get("config", {}))
            if isinstance(spec, list):
                return [metric(s) for s in spec]
            if isinstance(spec, dict):
                return {k: metric(v) for k, v in spec.items()}
            return spec

        model.compile(optimizer=_optimizers.get(cc["optimizer"]),
                      loss=loss(_undict(cc["loss"])), metrics=metric(_undict(cc["metrics"])),
                      loss_weights=_undict(cc["loss_weights"]),
                      steps_per_execution=cc.get("steps_per_execution", 1))
        if optimizer_state:
            model.optimizer.load_state_tensors(optimizer_state)
    return model
