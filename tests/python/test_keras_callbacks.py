"""ember.keras callbacks: ModelCheckpoint, LearningRateScheduler, ReduceLROnPlateau,
CSVLogger, TensorBoard (event files read back by TensorBoard where installed), and the
progress bar with steps_per_execution."""

import csv
import os
import struct

import numpy as np
import pytest

import ember
from ember import keras
from ember.keras import callbacks, layers


def _data(n=96, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype(np.float32)
    y = (x.sum(1) > 0).astype(np.float32)
    return x, y


def _model(seed=0, lr=0.05):
    ember.manual_seed(seed)
    model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(8, activation="relu"),
                              layers.Dense(1, activation="sigmoid")])
    model.compile(keras.optimizers.SGD(lr), "binary_crossentropy", metrics=["accuracy"])
    return model


def test_model_checkpoint_formatting_and_best_only(tmp_path):
    x, y = _data()
    model = _model()
    every = callbacks.ModelCheckpoint(str(tmp_path / "w-{epoch:02d}-{loss:.3f}.safetensors"),
                                      save_weights_only=True)
    best = callbacks.ModelCheckpoint(str(tmp_path / "best.keras"), monitor="val_loss",
                                     save_best_only=True)
    saved = []

    class Spy(callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            saved.append((logs["val_loss"], os.path.getmtime(tmp_path / "best.keras")
                          if (tmp_path / "best.keras").exists() else None))

    h = model.fit(x, y, epochs=3, verbose=0, validation_split=0.25,
                  callbacks=[every, best, Spy()])
    names = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("w-"))
    assert names == [f"w-{e + 1:02d}-{loss:.3f}.safetensors"
                     for e, loss in enumerate(h.history["loss"])]
    assert best.best == min(h.history["val_loss"])
    loaded = keras.models.load_model(tmp_path / "best.keras")
    # The best epoch's weights: the last one when val_loss went down every epoch.
    if h.history["val_loss"][-1] == best.best:
        np.testing.assert_array_equal(loaded.get_weights()[0], model.get_weights()[0])
    with pytest.raises(KeyError, match=r"\[ModelCheckpoint\] filepath .* names 'nope'"):
        model.fit(x, y, verbose=0, callbacks=[callbacks.ModelCheckpoint(
            str(tmp_path / "{nope}.safetensors"), save_weights_only=True)])
    with pytest.raises(ValueError, match=r"must end in .keras"):
        callbacks.ModelCheckpoint(str(tmp_path / "m.h5"))


def test_learning_rate_scheduler_sets_rate_per_epoch():
    x, y = _data()
    model = _model(lr=0.1)
    seen = []
    sched = callbacks.LearningRateScheduler(lambda epoch, lr: lr * 0.5 if epoch else lr)
    spy = callbacks.LambdaCallback(
        on_epoch_begin=lambda epoch, logs: seen.append(model.optimizer.learning_rate))
    h = model.fit(x, y, epochs=3, verbose=0, callbacks=[sched, spy])
    np.testing.assert_allclose(seen, [0.1, 0.05, 0.025])
    np.testing.assert_allclose(h.history["learning_rate"], [0.1, 0.05, 0.025])


def test_reduce_lr_on_plateau():
    model = _model(lr=1.0)

    class FakeLoss(callbacks.Callback):
        values = [1.0, 0.5, 0.6, 0.7, 0.4, 0.41, 0.42, 0.43]

        def on_epoch_end(self, epoch, logs=None):
            logs["val_loss"] = self.values[epoch]

    x, y = _data()
    rates = []
    reduce = callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=2,
                                         min_lr=0.3)
    spy = callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: rates.append(model.optimizer.learning_rate))
    model.compile(keras.optimizers.SGD(1.0), "binary_crossentropy")
    model.fit(x, y, epochs=8, verbose=0, callbacks=[FakeLoss(), reduce, spy])
    # Epochs 3, 4 do not improve on 0.5 -> halve; 0.4 improves; epochs 6, 7 -> halve to
    # 0.25, floored at min_lr 0.3.
    np.testing.assert_allclose(rates, [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.3, 0.3])


def test_csv_logger(tmp_path):
    x, y = _data()
    model = _model()
    path = tmp_path / "log.csv"
    h = model.fit(x, y, epochs=3, verbose=0, validation_split=0.25,
                  callbacks=[callbacks.CSVLogger(path)])
    with open(path) as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["epoch", "accuracy", "loss", "val_accuracy", "val_loss"]
    assert [int(r["epoch"]) for r in rows] == [0, 1, 2]
    np.testing.assert_allclose([float(r["loss"]) for r in rows], h.history["loss"], rtol=1e-12)
    model.fit(x, y, epochs=1, verbose=0, callbacks=[callbacks.CSVLogger(path, append=True)])
    with open(path) as f:
        assert len(list(csv.DictReader(f))) == 4


def _read_records(path):
    """TFRecord frames, checking both masked CRC32Cs."""
    from ember.keras._event_file import masked_crc32c
    out = []
    with open(path, "rb") as f:
        data = f.read()
    pos = 0
    while pos < len(data):
        header = data[pos:pos + 8]
        (n,) = struct.unpack("<Q", header)
        assert struct.unpack("<I", data[pos + 8:pos + 12])[0] == masked_crc32c(header)
        body = data[pos + 12:pos + 12 + n]
        assert struct.unpack("<I", data[pos + 12 + n:pos + 16 + n])[0] == masked_crc32c(body)
        out.append(body)
        pos += 16 + n
    return out


def test_crc32c_known_values():
    from ember.keras._event_file import crc32c
    assert crc32c(b"123456789") == 0xE3069283
    assert crc32c(b"") == 0
    assert crc32c(bytes(32)) == 0x8A9136AA


def test_tensorboard_event_files(tmp_path):
    x, y = _data()
    model = _model()
    h = model.fit(x, y, epochs=3, verbose=0, validation_split=0.25,
                  callbacks=[callbacks.TensorBoard(log_dir=tmp_path)])
    train = [p for p in (tmp_path / "train").iterdir()]
    assert len(train) == 1 and train[0].name.startswith("events.out.tfevents.")
    records = _read_records(train[0])
    assert len(records) == 4 and b"brain.Event:2" in records[0]
    assert b"epoch_loss" in records[1] and b"epoch_accuracy" in records[1]
    ea_mod = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")
    for which, prefix in (("train", ""), ("validation", "val_")):
        acc = ea_mod.EventAccumulator(str(tmp_path / which))
        acc.Reload()
        assert "epoch_loss" in acc.Tags()["scalars"]
        events = acc.Scalars("epoch_loss")
        assert [e.step for e in events] == [0, 1, 2]
        np.testing.assert_allclose([e.value for e in events], h.history[prefix + "loss"],
                                   rtol=1e-6)


def test_progress_bar_with_steps_per_execution(capsys):
    x, y = _data(100)
    model = _model()
    model.compile(keras.optimizers.SGD(0.05), "binary_crossentropy", metrics=["accuracy"],
                  steps_per_execution=3)
    ends = []
    spy = callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: ends.append(b))
    model.fit(x, y, batch_size=16, epochs=1, verbose=1, callbacks=[spy])
    out = capsys.readouterr().out
    # 100 samples / 16 = 7 batches: executions of 3, 3, then the short last batch alone.
    assert ends == [2, 5, 6]
    assert "7/7" in out
