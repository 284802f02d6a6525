"""keras: Model.fit throughput (one epoch, MLP 784-256-128-10, Adam, 4096 MNIST-shaped
samples, batch 128) against a bare traced Ember training loop over the same batches
(fit's overhead, target <= 10%: ember/bare <= 1.10x), TensorFlow Keras's fit (target:
Ember 1.5x faster, ember/tf <= 0.67x) and a PyTorch eager loop, where installed."""

import numpy as np

from common import Case, need, need_ember

N, BATCH, EPOCH_FLOPS = 4096, 128, 0.0


def _data():
    rng = np.random.default_rng(0)
    return (rng.random((N, 784), dtype=np.float32),
            rng.integers(0, 10, size=N).astype(np.int64))


def _ember_model(ember):
    from ember import keras
    from ember.keras import layers
    ember.manual_seed(0)
    return keras.Sequential([keras.Input(shape=(784,)), layers.Dense(256, activation="relu"),
                             layers.Dense(128, activation="relu"), layers.Dense(10)])


def _ember_fit(steps_per_execution=1):
    def setup():
        ember = need_ember()
        from ember import keras
        model = _ember_model(ember)
        model.compile(keras.optimizers.Adam(1e-3),
                      keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                      steps_per_execution=steps_per_execution)
        x, y = _data()
        model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0, shuffle=False)   # trace
        return lambda: model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0, shuffle=False)
    return setup


def _ember_bare():
    """The loop fit replaces: the same model, loss and optimizer, a traced step, the
    batches sliced from NumPy and wrapped per step, the loss read back each step."""
    ember = need_ember()
    from ember import keras
    model = _ember_model(ember)
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    opt = keras.optimizers.Adam(1e-3)
    opt.build([p for p in model.parameters() if p.requires_grad])

    def step(xb, yb):
        opt.zero_grad()
        loss = loss_fn(yb, model(xb))
        loss.backward()
        opt.step()
        return loss.detach()

    fn = ember.function(step, dynamic=True)
    x, y = _data()
    model.train()

    def epoch():
        total = 0.0
        for start in range(0, N, BATCH):
            xb = ember.from_numpy(np.ascontiguousarray(x[start:start + BATCH]))
            yb = ember.from_numpy(np.ascontiguousarray(y[start:start + BATCH]))
            total += fn(xb, yb).item()
        return total

    epoch()
    return epoch


def _tf_fit():
    import os
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    tf = need("tensorflow")
    if os.environ.get("OMP_NUM_THREADS"):      # bench/run.py --threads N: TF too
        n = int(os.environ["OMP_NUM_THREADS"])
        try:
            tf.config.threading.set_intra_op_parallelism_threads(n)
            tf.config.threading.set_inter_op_parallelism_threads(n)
        except RuntimeError:
            pass    # already initialized in this process
    tf.random.set_seed(0)
    model = tf.keras.Sequential([tf.keras.Input(shape=(784,)),
                                 tf.keras.layers.Dense(256, activation="relu"),
                                 tf.keras.layers.Dense(128, activation="relu"),
                                 tf.keras.layers.Dense(10)])
    model.compile(tf.keras.optimizers.Adam(1e-3),
                  tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    x, y = _data()
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0, shuffle=False)
    return lambda: model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0, shuffle=False)


def _torch_loop():
    torch = need("torch")
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(),
                                torch.nn.Linear(256, 128), torch.nn.ReLU(),
                                torch.nn.Linear(128, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    x, y = _data()

    def epoch():
        total = 0.0
        for start in range(0, N, BATCH):
            xb = torch.from_numpy(x[start:start + BATCH])
            yb = torch.from_numpy(y[start:start + BATCH])
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            total += loss.item()
        return total

    epoch()
    return epoch


# Forward + backward of the three matmuls: 3 * 2 * N * (784*256 + 256*128 + 128*10).
EPOCH_FLOPS = 6.0 * N * (784 * 256 + 256 * 128 + 128 * 10)

CASES = [
    Case("fit epoch, MLP 784-256-128-10, 4096 x batch 128",
         # torch before tf: torch.optim pulls in an LLVM that aborts the process if
         # TensorFlow's was loaded first.
         {"ember": _ember_fit(), "bare": _ember_bare, "torch": _torch_loop, "tf": _tf_fit},
         flops=EPOCH_FLOPS),
    Case("fit epoch, steps_per_execution=4",
         {"ember": _ember_fit(4), "bare": _ember_bare}, flops=EPOCH_FLOPS),
]
