"""What a random layer keeps of its ``seed=``: its own stream when seeded (two layers with
the same seed draw the same numbers), else None, so its draws come from the global
generator and follow ``keras.utils.set_random_seed`` / ``ember.manual_seed``.

A traced train step draws fresh numbers on every replay, from the global generator (the
executor swaps fresh streams of the thread's generator into the recorded random ops); a
model whose random layers are all seeded swaps in a stream of their own around each call
(``Model._run``, ``seeded_step_stream``) so the layer seeds keep deciding the numbers."""

import contextlib

from ... import _C
from .. import random as _krandom


def init_seed(layer, seed):
    """Sets `layer.seed` and the layer's generator (None when unseeded)."""
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise TypeError(f"[{type(layer).__name__}] seed must be an int or None, got "
                        f"{type(seed).__name__}")
    layer.__dict__["seed"] = seed
    layer.__dict__["_random_generator"] = None if seed is None else \
        _krandom.SeedGenerator(seed).generator


def generator(layer):
    return layer.__dict__.get("_random_generator")


def _random_layers(model):
    """The random layers in `model`, cached until its traced steps are reset (which
    happens whenever its layers change), so a train step does not walk the modules."""
    steps = model.__dict__.get("_steps")
    cached = model.__dict__.get("_random_layers_cache")
    if cached is not None and steps is not None and cached[0] is steps:
        return cached[1]
    found = [m for m in model.modules() if "_random_generator" in m.__dict__]
    model.__dict__["_random_layers_cache"] = (steps, found)
    return found


def _state(gen):
    return bytes(gen.get_state().numpy())


@contextlib.contextmanager
def seeded_step_stream(model):
    """Around one call of a train step: when every random layer of `model` is seeded, the
    global generator is swapped for a stream the replays draw from, so the layer seeds
    decide the numbers. With one random layer that stream is the layer's own generator
    (the traced step then draws what an eager one would); with several, a stream seeded
    from all their seeds. Unseeded layers leave the global generator alone."""
    layers = _random_layers(model)
    if not layers or any(generator(m) is None for m in layers):
        yield
        return
    if len(layers) == 1:
        stream = generator(layers[0])
    else:
        stream = model.__dict__.get("_seeded_step_stream")
        if stream is None:
            seed = hash(tuple(m.seed for m in layers)) % 2**62
            stream = model.__dict__["_seeded_step_stream"] = _C.Generator().manual_seed(seed)
    saved, before = _C.get_rng_state(), _state(stream)
    _C.set_rng_state(stream.get_state())
    try:
        yield
    finally:
        # A replay drew from the global generator; an eager or tracing call drew from the
        # layer's own (which then moved on by itself).
        if _state(stream) == before:
            stream.set_state(_C.get_rng_state())
        _C.set_rng_state(saved)
