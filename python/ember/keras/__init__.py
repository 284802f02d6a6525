"""ember.keras: a Keras-style API (``tf.keras`` / Keras 3) over Ember's modules,
optimizers and tracing. Layers are ``ember.nn.Module`` subclasses that build their weights
on first call; ``Model.fit`` runs a train step traced by ``ember.function``.

    import ember as tf
    model = tf.keras.Sequential([tf.keras.layers.Dense(1, input_shape=(10,))])
    model.compile(optimizer=tf.keras.optimizers.SGD(learning_rate=0.01), loss='mse')
    history = model.fit(tf.random.normal([5, 10]), tf.random.normal([5, 1]), verbose=0)
"""

from . import activations, callbacks, initializers, layers, losses, metrics, models  # noqa: F401
from . import optimizers, regularizers  # noqa: F401
from . import backend, ops, random, utils  # noqa: F401
from .layers import Input, InputLayer, Layer  # noqa: F401
from .models import Model, Sequential  # noqa: F401

__all__ = ["activations", "callbacks", "initializers", "layers", "losses", "metrics", "models",
           "optimizers", "regularizers", "backend", "ops", "random", "utils", "Input",
           "InputLayer", "Layer", "Model", "Sequential"]
