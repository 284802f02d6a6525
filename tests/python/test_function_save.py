"""Saving traced functions, loading them in Python and running them from C++ (ember_run)."""

import os
import shutil
import subprocess

import numpy as np
import pytest

import ember
from ember import nn, optim

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _ember_run():
    for cand in (os.environ.get("EMBER_RUN"), os.path.join(ROOT, "build", "tools", "ember_run"),
                 shutil.which("ember_run")):
        if cand and os.path.exists(cand):
            return cand
    return None


def _model():
    ember.manual_seed(0)
    return nn.Sequential(nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 2))


def test_saved_forward_loads_and_matches(tmp_path):
    model = _model()
    f = ember.function(model)
    x = ember.randn(4, 5)
    path = tmp_path / "model.ember"
    f.save(path, x)
    loaded = ember.load_function(path)
    np.testing.assert_allclose(loaded(x).numpy(), model(x).detach().numpy(), rtol=1e-6)
    assert "tanh" in loaded.graph


@pytest.mark.skipif(_ember_run() is None, reason="ember_run is not built")
def test_cpp_runner_matches_python(tmp_path):
    model = _model()
    x = ember.randn(4, 5)
    ember.function(model).save(tmp_path / "m.ember", x)
    np.save(tmp_path / "x.npy", x.numpy())
    subprocess.run([_ember_run(), str(tmp_path / "m.ember"), str(tmp_path / "x.npy"),
                    "-o", str(tmp_path / "y.npy")], check=True, capture_output=True)
    np.testing.assert_allclose(np.load(tmp_path / "y.npy"), model(x).detach().numpy(),
                               rtol=1e-6)


@pytest.mark.skipif(_ember_run() is None, reason="ember_run is not built")
def test_cpp_runner_continues_training(tmp_path):
    model = _model()
    opt = optim.Adam(model.parameters(), lr=0.01)
    loss_fn = nn.MSELoss()

    @ember.function
    def step(x, y):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    x, y = ember.randn(16, 5), ember.randn(16, 2)
    step(x, y)
    step(x, y)
    step.save(tmp_path / "step.ember", x, y)
    np.save(tmp_path / "x.npy", x.numpy())
    np.save(tmp_path / "y.npy", y.numpy())
    r = subprocess.run([_ember_run(), str(tmp_path / "step.ember"), str(tmp_path / "x.npy"),
                        str(tmp_path / "y.npy"), "--steps", "3", "--save",
                        str(tmp_path / "after.ember"), "-o", str(tmp_path / "loss.npy")],
                       check=True, capture_output=True, text=True)
    assert "output 0" in r.stdout
    for _ in range(3):
        expected_loss = step(x, y)
    np.testing.assert_allclose(np.load(tmp_path / "loss.npy"), expected_loss.numpy(), rtol=1e-5)
    after = ember.load_function(tmp_path / "after.ember")
    weights = dict(after.named_weights())
    got = [v for k, v in weights.items() if tuple(v.shape) == (8, 5)]
    assert any(np.allclose(g.numpy(), model[0].weight.detach().numpy(), rtol=1e-5) for g in got)


def test_damaged_file_is_a_clear_error(tmp_path):
    model = _model()
    path = tmp_path / "m.ember"
    ember.function(model).save(path, ember.randn(2, 5))
    data = bytearray(path.read_bytes())
    (tmp_path / "cut").write_bytes(bytes(data[: len(data) // 2]))
    with pytest.raises(ValueError, match="load"):
        ember.load_function(tmp_path / "cut")
    ember.save({"w": ember.ones(2)}, tmp_path / "plain")
    with pytest.raises(ValueError, match="no ember graph"):
        ember.load_function(tmp_path / "plain")
