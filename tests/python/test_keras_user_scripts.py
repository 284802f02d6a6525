"""Typical Keras 3 user scripts (keras.io example style), written against
``import ember.keras as keras``, each asserting what its user would check: the loss goes
down, the accuracy is good, a reloaded model predicts the same."""

import csv

import numpy as np
import pytest

import ember
import ember.keras as keras
from ember.keras import layers


# -- 1. functional API: several inputs and outputs, losses and metrics by output name ----
def _ticket_data(n, rng, num_words=50, num_tags=6):
    title = rng.integers(0, num_words, (n, 5))
    body = rng.integers(0, num_words, (n, 9))
    tags = rng.integers(0, 2, (n, num_tags)).astype("float32")
    priority = (tags[:, :1] + tags[:, 1:2] > 1).astype("float32")
    dept = keras.utils.to_categorical((tags[:, 2] * 2 + tags[:, 3]).astype(int), 4)
    return {"title": title, "body": body, "tags": tags}, {"priority": priority,
                                                          "department": dept}


def test_functional_multi_input_multi_output_with_named_losses():
    keras.utils.set_random_seed(0)
    title_input = keras.Input(shape=(None,), name="title", dtype="int64")
    body_input = keras.Input(shape=(None,), name="body", dtype="int64")
    tags_input = keras.Input(shape=(6,), name="tags")
    title_features = layers.LSTM(8)(layers.Embedding(50, 8)(title_input))
    body_features = layers.GlobalAveragePooling1D()(layers.Embedding(50, 8)(body_input))
    x = layers.concatenate([title_features, body_features, tags_input])
    priority = layers.Dense(1, name="priority")(x)
    department = layers.Dense(4, name="department")(layers.Dense(16, activation="relu")(x))
    model = keras.Model(inputs=[title_input, body_input, tags_input],
                        outputs={"priority": priority, "department": department})
    assert model.layers[0].output.shape == (None, None)      # a variable-length input
    model.compile(optimizer=keras.optimizers.Adam(1e-2),
                  loss={"priority": keras.losses.BinaryCrossentropy(from_logits=True),
                        "department": keras.losses.CategoricalCrossentropy(from_logits=True)},
                  loss_weights={"priority": 1.0, "department": 0.2},
                  metrics={"department": ["accuracy"],
                           "priority": [keras.metrics.BinaryAccuracy(threshold=0.0)]})
    rng = np.random.default_rng(0)
    x_train, y_train = _ticket_data(256, rng)
    hist = model.fit(x_train, y_train, epochs=12, batch_size=32, verbose=0).history
    assert set(hist) == {"loss", "priority_loss", "department_loss",
                         "department_accuracy", "priority_binary_accuracy"}
    assert hist["loss"][-1] < 0.5 * hist["loss"][0]
    logs = model.evaluate(x_train, y_train, return_dict=True, verbose=0)
    assert logs["loss"] == pytest.approx(logs["priority_loss"] + 0.2 * logs["department_loss"],
                                         rel=1e-3)
    assert logs["department_accuracy"] > 0.9 and logs["priority_binary_accuracy"] > 0.9
    # predict keeps the dict of outputs; the variable-length inputs take other lengths.
    short = {"title": x_train["title"][:3, :2], "body": x_train["body"][:3, :4],
             "tags": x_train["tags"][:3]}
    pred = model.predict(short, verbose=0)
    assert isinstance(pred, dict) and pred["priority"].shape == (3, 1)
    assert pred["department"].shape == (3, 4)


# -- 2. customizing fit: train_step / test_step overrides ---------------------------------
class CompiledLossModel(keras.Model):
    """keras.io's 'Customizing fit()' example, with compute_loss and the compiled metrics."""

    steps_run = 0

    def train_step(self, data):
        x, y = data
        self.zero_grad()
        y_pred = self(x, training=True)
        loss = self.compute_loss(y=y, y_pred=y_pred)
        loss.backward()
        trainable_weights = list(self.trainable_weights)
        gradients = [v.grad for v in trainable_weights]
        with ember.no_grad():
            self.optimizer.apply(gradients, trainable_weights)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        CompiledLossModel.steps_run += 1
        return {m.name: m.result() for m in self.metrics}

    def test_step(self, data):
        x, y = data
        y_pred = self(x, training=False)
        loss = self.compute_loss(y=y, y_pred=y_pred)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


class OwnMetricsModel(keras.Model):
    """The lower-level form: its own loss function and metric trackers."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.mae_metric = keras.metrics.MeanAbsoluteError(name="mae")
        self.loss_fn = keras.losses.MeanSquaredError()

    def train_step(self, data):
        x, y = data
        self.zero_grad()
        y_pred = self(x, training=True)
        loss = self.loss_fn(y, y_pred)
        loss.backward()
        grads = [v.grad for v in self.trainable_weights]
        self.optimizer.apply_gradients(zip(grads, self.trainable_weights))
        self.loss_tracker.update_state(loss)
        self.mae_metric.update_state(y, y_pred)
        return {"loss": self.loss_tracker.result(), "mae": self.mae_metric.result()}

    @property
    def metrics(self):
        return [self.loss_tracker, self.mae_metric]


def _regression_data(n=320):
    rng = np.random.default_rng(1)
    x = rng.random((n, 8)).astype("float32")
    return x, (x.sum(1, keepdims=True) / 4).astype("float32")


def test_custom_train_step_with_compiled_loss_and_metrics():
    keras.utils.set_random_seed(0)
    inputs = keras.Input(shape=(8,))
    outputs = layers.Dense(1)(layers.Dense(16, activation="relu")(inputs))
    model = CompiledLossModel(inputs, outputs)
    assert isinstance(model, CompiledLossModel) and len(model.layers) == 3
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="mse", metrics=["mae"])
    x, y = _regression_data()
    CompiledLossModel.steps_run = 0
    hist = model.fit(x, y, epochs=6, batch_size=32, validation_split=0.25, verbose=0).history
    assert CompiledLossModel.steps_run == 6 * 8          # ran once per batch
    assert set(hist) == {"loss", "mae", "val_loss", "val_mae"}
    assert hist["loss"][-1] < 0.2 * hist["loss"][0]
    assert hist["val_loss"][-1] < hist["val_loss"][0]
    loss, mae = model.evaluate(x, y, verbose=0)
    pred = model.predict(x, verbose=0)
    assert loss == pytest.approx(float(((pred - y) ** 2).mean()), rel=1e-4)
    assert mae == pytest.approx(float(np.abs(pred - y).mean()), rel=1e-4)


def test_custom_train_step_with_own_metrics():
    keras.utils.set_random_seed(0)
    inputs = keras.Input(shape=(8,))
    model = OwnMetricsModel(inputs, layers.Dense(1)(inputs))
    model.compile(optimizer=keras.optimizers.Adam(0.05))     # no loss: the step has its own
    x, y = _regression_data()
    hist = model.fit(x, y, epochs=8, batch_size=32, verbose=0).history
    assert set(hist) == {"loss", "mae"}
    assert hist["loss"][-1] < 0.1 * hist["loss"][0]
    # The trackers were reset each epoch: the last epoch's mae is its own mean.
    assert hist["mae"][-1] < hist["mae"][0] / 3


# -- 3. callbacks ------------------------------------------------------------------------
def test_callbacks_early_stopping_checkpoint_reduce_lr_csv(tmp_path):
    keras.utils.set_random_seed(1)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((600, 20)).astype("float32")
    y = keras.utils.to_categorical((x[:, :5].sum(1) > 0).astype("int64"), 2)
    inputs = keras.Input((20,))
    h = layers.Dropout(0.2)(layers.Dense(32, activation="relu")(inputs))
    model = keras.Model(inputs, layers.Dense(2, activation="softmax")(h))
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="categorical_crossentropy",
                  metrics=["accuracy"])
    best_path, log_path = tmp_path / "best.keras", tmp_path / "log.csv"
    callbacks = [
        keras.callbacks.EarlyStopping(monitor="val_loss", patience=3,
                                      restore_best_weights=True),
        keras.callbacks.ModelCheckpoint(str(best_path), monitor="val_accuracy",
                                        save_best_only=True, mode="max"),
        keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=1,
                                          min_lr=1e-5),
        keras.callbacks.CSVLogger(str(log_path)),
    ]
    hist = model.fit(x, y, validation_split=0.2, epochs=60, batch_size=32,
                     callbacks=callbacks, verbose=0).history
    epochs_run = len(hist["loss"])
    assert epochs_run < 60                                    # early stopping fired
    assert hist["loss"][-1] < hist["loss"][0]
    lrs = hist["learning_rate"]
    assert lrs[0] == pytest.approx(1e-2) and min(lrs) < 1e-2  # the plateau cut the rate
    assert all(b <= a for a, b in zip(lrs, lrs[1:]))
    with open(log_path) as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == epochs_run
    assert float(rows[-1]["val_loss"]) == pytest.approx(hist["val_loss"][-1], rel=1e-6)
    # restore_best_weights: the model is at its best val_loss epoch.
    x_val, y_val = x[480:], y[480:]
    assert model.evaluate(x_val, y_val, verbose=0)[0] == pytest.approx(
        min(hist["val_loss"]), rel=1e-4)
    # The checkpoint holds the best val_accuracy model.
    best = keras.models.load_model(best_path)
    assert best.evaluate(x_val, y_val, verbose=0)[1] == pytest.approx(
        max(hist["val_accuracy"]), abs=1e-6)
    assert max(hist["val_accuracy"]) > 0.9


# -- 4. saving and loading ---------------------------------------------------------------
@keras.saving.register_keras_serializable(package="UserScripts")
class Scale(layers.Layer):
    def __init__(self, factor=2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")

    def call(self, x):
        return x * self.w * self.factor

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


class MLP(keras.Model):
    def __init__(self, units=16, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.hidden = layers.Dense(units, activation="relu")
        self.out = layers.Dense(1)

    def call(self, x):
        return self.out(self.hidden(x))

    def get_config(self):
        return {"units": self.units, "name": self.name}


def test_save_and_load_model_round_trip(tmp_path):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input(shape=(8,)),
        layers.Dense(16, activation="relu", kernel_regularizer=keras.regularizers.l2(1e-4)),
        layers.BatchNormalization(),
        Scale(0.5),
        layers.Dense(3, activation="softmax"),
    ], name="clf")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    rng = np.random.default_rng(0)
    x = rng.random((256, 8)).astype("float32")
    y = (x[:, 0] * 3).astype("int64").clip(0, 2)
    model.fit(x, y, epochs=3, verbose=0)
    path = tmp_path / "model.keras"
    model.save(path)
    assert "\"UserScripts>Scale\"" in model.to_json()
    loaded = keras.models.load_model(path)           # Scale found by its registration
    assert isinstance(loaded.layers[2], Scale) and loaded.layers[2].factor == 0.5
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    before = loaded.evaluate(x, y, verbose=0)[0]
    loaded.fit(x, y, epochs=3, verbose=0)             # compiled from the saved settings
    assert loaded.evaluate(x, y, verbose=0)[0] < before
    # Weights alone into a clone (a fresh copy of the architecture).
    clone = keras.models.clone_model(model)
    assert not np.allclose(clone.predict(x, verbose=0), model.predict(x, verbose=0))
    model.save_weights(tmp_path / "m.weights.h5")
    clone.load_weights(tmp_path / "m.weights.h5")
    np.testing.assert_array_equal(clone.predict(x, verbose=0), model.predict(x, verbose=0))
    # JSON architecture.
    again = keras.models.model_from_json(model.to_json())
    assert [type(la).__name__ for la in again.layers] == \
        ["Dense", "BatchNormalization", "Scale", "Dense"]
    # A subclassed model with get_config is rebuilt from its saved input shape.
    mlp = MLP(8)
    mlp.compile("adam", "mse")
    mlp.fit(x, x[:, :1], epochs=2, verbose=0)
    mlp.save(tmp_path / "mlp.keras")
    mlp2 = keras.models.load_model(tmp_path / "mlp.keras", custom_objects={"MLP": MLP})
    assert mlp2.units == 8
    np.testing.assert_array_equal(mlp2.predict(x, verbose=0), mlp.predict(x, verbose=0))


# -- 5. a text classifier: TextVectorization + Embedding + GlobalAveragePooling1D ---------
_POS = ["great", "excellent", "wonderful", "loved", "amazing", "good"]
_NEG = ["terrible", "awful", "boring", "hated", "bad", "poor"]
_FILLER = ["the", "movie", "was", "plot", "acting", "really", "and", "a", "film", "story"]


def _reviews(n, rng):
    labels = rng.integers(0, 2, n)
    texts = []
    for label in labels:
        words = list(rng.choice(_FILLER, 8)) + list(rng.choice(_POS if label else _NEG, 2))
        rng.shuffle(words)
        texts.append(" ".join(words).capitalize() + "!")
    return np.array(texts), labels


def test_text_classification_with_text_vectorization():
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    texts, labels = _reviews(800, rng)
    vectorize = layers.TextVectorization(max_tokens=1000, output_sequence_length=12)
    vectorize.adapt(texts)
    vocab = vectorize.get_vocabulary()
    assert vocab[:2] == ["", "[UNK]"] and len(vocab) == 2 + len(_POS + _NEG + _FILLER)
    assert all(w == w.lower() and "!" not in w for w in vocab[2:])
    x = vectorize(texts)
    assert tuple(x.shape) == (800, 12) and x.dtype == ember.int64
    first = texts[0].lower().rstrip("!").split()
    assert x.numpy()[0, :10].tolist() == [vocab.index(w) for w in first]
    assert x.numpy()[0, 10:].tolist() == [0, 0]                   # padded
    assert vectorize(["zzz unknown"]).numpy()[0, :2].tolist() == [1, 1]
    model = keras.Sequential([
        keras.Input(shape=(None,), dtype="int64"),
        layers.Embedding(1000, 16),
        layers.GlobalAveragePooling1D(),
        layers.Dense(16, activation="relu"),
        layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    hist = model.fit(x[:600], labels[:600], validation_data=(x[600:], labels[600:]),
                     epochs=10, batch_size=32, verbose=0).history
    assert hist["val_accuracy"][-1] > 0.9
    pred = model.predict(vectorize(["What a great and wonderful film",
                                    "An awful and boring movie"]), verbose=0)
    assert pred[0, 0] > 0.5 > pred[1, 0]


def test_text_vectorization_count_modes_against_a_direct_count():
    docs = ["a b b c", "b c c c", "d"]
    counts = layers.TextVectorization(output_mode="count")
    counts.adapt(docs)
    vocab = counts.get_vocabulary()
    assert vocab == ["[UNK]", "c", "b", "a", "d"]
    got = counts(["b c c zz"]).numpy()
    np.testing.assert_array_equal(got, [[1, 2, 1, 0, 0]])
    hot = layers.TextVectorization(output_mode="multi_hot", vocabulary=vocab[1:])
    np.testing.assert_array_equal(hot(["b c c zz"]).numpy(), [[1, 1, 1, 0, 0]])
    tfidf = layers.TextVectorization(output_mode="tf_idf")
    tfidf.adapt(docs)
    docs_with = {"c": 2, "b": 2, "a": 1, "d": 1}
    idf = {t: np.log(1 + 3 / (1 + k)) for t, k in docs_with.items()}
    expected = [np.mean(list(idf.values())), 2 * idf["c"], idf["b"], 0, 0]
    np.testing.assert_allclose(tfidf(["b c c zz"]).numpy()[0], expected, rtol=1e-6)
    pairs = layers.TextVectorization(ngrams=2, output_mode="count")
    pairs.adapt(["x y z"])
    assert set(pairs.get_vocabulary()) == {"[UNK]", "x", "y", "z", "x y", "y z"}
    with pytest.raises(TypeError, match=r"\[TextVectorization\] ember tensors hold no strings"):
        counts(keras.Input((1,)))


# -- 6. image augmentation layers in a Sequential ----------------------------------------
def test_image_augmentation_in_a_convnet(tmp_path):
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.random((240, 12, 12, 3)).astype("float32") * 50
    y = rng.integers(0, 2, 240)
    x[y == 1, 3:9, 3:9, :] += 150.0          # a bright centre square marks class 1
    augment = keras.Sequential([
        layers.RandomFlip("horizontal"),
        layers.RandomRotation(0.1),
        layers.RandomZoom(0.1),
        layers.RandomTranslation(0.1, 0.1),
        layers.RandomContrast(0.2),
    ], name="augment")
    inputs = keras.Input(shape=(12, 12, 3))
    h = layers.Rescaling(1.0 / 255)(augment(inputs))
    h = layers.MaxPooling2D()(layers.Conv2D(8, 3, activation="relu", padding="same")(h))
    h = layers.GlobalAveragePooling2D()(layers.Conv2D(16, 3, activation="relu")(h))
    model = keras.Model(inputs, layers.Dense(2, activation="softmax")(layers.Dropout(0.2)(h)))
    model.compile(optimizer=keras.optimizers.Adam(3e-3),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    hist = model.fit(x, y, epochs=8, batch_size=32, validation_split=0.25, verbose=0).history
    assert hist["loss"][-1] < hist["loss"][0]
    assert hist["val_accuracy"][-1] > 0.9
    # Augmentation is random in training only.
    np.testing.assert_array_equal(augment(x[:4]).numpy(), x[:4])
    a, b = augment(x[:4], training=True).numpy(), augment(x[:4], training=True).numpy()
    assert not np.array_equal(a, x[:4]) and not np.array_equal(a, b)
    model.save(tmp_path / "aug.keras")
    loaded = keras.models.load_model(tmp_path / "aug.keras")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


# -- 7. transfer learning: a frozen base, fine-tuning, feature extraction -----------------
def test_freeze_fine_tune_and_extract_features():
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.random((200, 10)).astype("float32")
    y = (x[:, 0] > 0.5).astype("int64")
    base = keras.Sequential([keras.Input((10,)), layers.Dense(16, activation="relu", name="h1"),
                             layers.Dense(8, activation="relu", name="h2")], name="base")
    inputs = keras.Input((10,))
    model = keras.Model(inputs, layers.Dense(2, name="head")(base(inputs, training=False)))
    schedule = keras.optimizers.schedules.ExponentialDecay(1e-2, 100, 0.9)
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    base.trainable = False
    model.compile(optimizer=keras.optimizers.Adam(schedule), loss=loss, metrics=["accuracy"])
    assert len(model.trainable_weights) == 2 and len(model.non_trainable_weights) == 4
    frozen = base.get_weights()
    model.fit(x, y, epochs=2, verbose=0)
    for a, b in zip(frozen, base.get_weights()):
        np.testing.assert_array_equal(a, b)
    base.trainable = True
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss=loss, metrics=["accuracy"])
    hist = model.fit(x, y, epochs=15, verbose=0).history
    assert not np.array_equal(frozen[0], base.get_weights()[0])
    assert hist["accuracy"][-1] > 0.85
    # Keras 3's Sequential has symbolic inputs, and its layers' outputs can be tapped.
    features = keras.Model(inputs=base.inputs, outputs=base.get_layer("h1").output)
    h1 = features.predict(x[:3], verbose=0)
    w, b = base.get_layer("h1").get_weights()
    np.testing.assert_allclose(h1, np.maximum(x[:3] @ w + b, 0), rtol=1e-5, atol=1e-6)
    every = keras.Model(inputs=base.inputs, outputs=[la.output for la in base.layers])
    assert [a.shape for a in every.predict(x[:3], verbose=0)] == [(3, 16), (3, 8)]


# -- 8. a Transformer block from subclassed layers (keras.io text classification) --------
class TransformerBlock(layers.Layer):
    def __init__(self, embed_dim, num_heads, ff_dim, rate=0.1, **kwargs):
        super().__init__(**kwargs)
        self.att = layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim)
        self.ffn = keras.Sequential([layers.Dense(ff_dim, activation="relu"),
                                     layers.Dense(embed_dim)])
        self.layernorm1 = layers.LayerNormalization(epsilon=1e-6)
        self.layernorm2 = layers.LayerNormalization(epsilon=1e-6)
        self.dropout1 = layers.Dropout(rate, seed=1)
        self.dropout2 = layers.Dropout(rate, seed=2)

    def call(self, inputs, training=None):
        attn_output = self.dropout1(self.att(inputs, inputs), training=training)
        out1 = self.layernorm1(inputs + attn_output)
        ffn_output = self.dropout2(self.ffn(out1), training=training)
        return self.layernorm2(out1 + ffn_output)


class TokenAndPositionEmbedding(layers.Layer):
    def __init__(self, maxlen, vocab_size, embed_dim, **kwargs):
        super().__init__(**kwargs)
        self.token_emb = layers.Embedding(input_dim=vocab_size, output_dim=embed_dim)
        self.pos_emb = layers.Embedding(input_dim=maxlen, output_dim=embed_dim)

    def call(self, x):
        positions = self.pos_emb(keras.ops.arange(start=0, stop=keras.ops.shape(x)[-1], step=1))
        return self.token_emb(x) + positions


def test_transformer_block_text_classifier():
    keras.utils.set_random_seed(0)
    vocab_size, maxlen, embed_dim = 50, 8, 8
    inputs = layers.Input(shape=(maxlen,))
    x = TokenAndPositionEmbedding(maxlen, vocab_size, embed_dim)(inputs)
    x = layers.GlobalAveragePooling1D()(TransformerBlock(embed_dim, 2, 16)(x))
    outputs = layers.Dense(2, activation="softmax")(layers.Dropout(0.1)(x))
    model = keras.Model(inputs=inputs, outputs=outputs)
    rng = np.random.default_rng(0)
    xs = rng.integers(0, vocab_size, (192, maxlen))
    ys = (xs == 7).any(axis=1).astype("int64")         # does token 7 occur?
    model.compile(optimizer=keras.optimizers.Adam(1e-2),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    hist = model.fit(xs, ys, batch_size=32, epochs=15, verbose=0).history
    assert hist["loss"][-1] < 0.6 * hist["loss"][0]
    assert hist["accuracy"][-1] > 0.85


def test_train_step_override_calling_super_keeps_the_traced_step():
    class Counting(keras.Model):
        calls = 0

        def train_step(self, data):
            Counting.calls += 1
            return super().train_step(data)

    keras.utils.set_random_seed(0)
    inputs = keras.Input((8,))
    model = Counting(inputs, layers.Dense(1)(inputs))
    model.compile(keras.optimizers.Adam(0.05), "mse", metrics=["mae"])
    x, y = _regression_data(64)
    hist = model.fit(x, y, epochs=4, batch_size=16, verbose=0).history
    assert Counting.calls == 16 and set(hist) == {"loss", "mae"}
    assert hist["loss"][-1] < 0.5 * hist["loss"][0]
    assert model.evaluate(x, y, verbose=0)[0] == pytest.approx(
        float(((model.predict(x, verbose=0) - y) ** 2).mean()), rel=1e-4)


# -- 9. the MNIST convnet of keras.io, and the small API calls around it ------------------
def test_mnist_style_convnet_and_layer_outputs():
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.random((96, 12, 12, 1)).astype("float32")
    labels = rng.integers(0, 2, 96)
    x[labels == 1, :6] += 0.5                 # class 1: a brighter top half
    model = keras.Sequential([
        keras.Input(shape=(12, 12, 1)),
        layers.Conv2D(8, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Flatten(),
        layers.Dropout(0.5),
        layers.Dense(2, activation="softmax"),
    ])
    model.compile(loss="categorical_crossentropy", optimizer=keras.optimizers.Adam(1e-2),
                  metrics=["accuracy"])
    y = keras.utils.to_categorical(labels, 2)
    hist = model.fit(x, y, batch_size=16, epochs=15, validation_split=0.1, verbose=0).history
    assert hist["loss"][-1] < hist["loss"][0]
    assert model.evaluate(x, y, verbose=0)[1] > 0.85
    assert model.input_shape == (None, 12, 12, 1) and model.output_shape == (None, 2)
    assert model.layers[0].output.shape == (None, 10, 10, 8)       # Keras 3: symbolic
    loss, acc = model.test_on_batch(x[:8], y[:8])
    assert 0 <= acc <= 1 and loss > 0
    np.testing.assert_allclose(
        keras.ops.einsum("ij,jk->ik", x[:2, 0, :, 0], x[0, :, :, 0]).numpy(),
        x[:2, 0, :, 0] @ x[0, :, :, 0], rtol=1e-5)
    with pytest.raises(ValueError, match=r"has 0 call sites in functional models"):
        layers.Dense(2).output
