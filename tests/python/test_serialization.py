"""ember.save / ember.load: round trips, the safetensors layout, and hostile files."""

import os
import struct

import numpy as np
import pytest

import ember

try:
    import safetensors.numpy as st_numpy
except ImportError:  # pragma: no cover
    st_numpy = None


def test_roundtrip_nested_state(tmp_path):
    sd = {
        "fc.weight": ember.tensor([[1.0, 2.0], [3.0, 4.0]]),
        "opt": {"state": {0: {"step": 3, "exp_avg": ember.tensor([1, 2])}},
                "param_groups": [{"lr": 0.1, "betas": (0.9, 0.999), "params": [0, 1]}]},
        "flag": None,
        "half": ember.tensor([1.5], dtype=ember.float16),
        "bf": ember.tensor([2.5]).bfloat16(),
    }
    path = tmp_path / "ckpt.safetensors"
    ember.save(sd, path)
    back = ember.load(path)
    assert back["fc.weight"].tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert back["opt"]["state"][0]["step"] == 3
    assert back["opt"]["state"][0]["exp_avg"].dtype == ember.int64
    assert back["opt"]["param_groups"][0]["betas"] == (0.9, 0.999)
    assert back["flag"] is None
    assert back["half"].dtype == ember.float16
    assert back["bf"].float().item() == 2.5


def test_noncontiguous_tensor_saves_its_values(tmp_path):
    t = ember.from_numpy(np.arange(6, dtype=np.float32).reshape(2, 3)).t()
    ember.save({"t": t}, tmp_path / "a")
    assert ember.load(tmp_path / "a")["t"].tolist() == [[0, 3], [1, 4], [2, 5]]


def test_unsupported_object_is_a_type_error(tmp_path):
    with pytest.raises(TypeError, match="save"):
        ember.save({"f": lambda: 0}, tmp_path / "x")


@pytest.mark.skipif(st_numpy is None, reason="safetensors is not installed")
def test_files_pass_both_ways_with_safetensors(tmp_path):
    path = str(tmp_path / "w.safetensors")
    ember.save({"a": ember.tensor([[1.0, 2.0]]), "b": ember.tensor([3], dtype=ember.int32)}, path)
    loaded = st_numpy.load_file(path)
    np.testing.assert_array_equal(loaded["a"], [[1.0, 2.0]])
    assert loaded["b"].dtype == np.int32
    other = str(tmp_path / "o.safetensors")
    st_numpy.save_file({"x": np.arange(4, dtype=np.float64).reshape(2, 2)}, other)
    back = ember.load(other)
    assert back["x"].dtype == ember.float64
    assert back["x"].tolist() == [[0.0, 1.0], [2.0, 3.0]]


def _file(header: bytes, data: bytes = b"") -> bytes:
    return struct.pack("<Q", len(header)) + header + data


@pytest.mark.parametrize("blob,msg", [
    (b"", "too short"),
    (b"\x05\x00\x00", "too short"),
    (struct.pack("<Q", 1 << 60), "header claims"),
    (struct.pack("<Q", 100) + b"{}", "truncated"),
    (_file(b"{not json"), "not valid JSON"),
    (_file(b"[1, 2]"), "JSON object"),
    (_file(b'{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}', b"\0" * 4),
     "outside"),
    (_file(b'{"a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}', b"\0" * 8),
     "needs 12 bytes"),
    (_file(b'{"a": {"dtype": "X9", "shape": [2], "data_offsets": [0, 8]}}', b"\0" * 8),
     "unsupported dtype"),
    (_file(b'{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},'
           b' "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}', b"\0" * 12),
     "overlap"),
    (_file(b'{"a": {"dtype": "F32", "shape": [-2], "data_offsets": [0, 8]}}', b"\0" * 8),
     "bad dimension"),
    (_file(b'{"a": {"dtype": "F32", "shape": [1125899906842625],'
           b' "data_offsets": [0, 8]}}', b"\0" * 8), "absurd dimension"),
    (_file(b'{"a": {"dtype": "F32", "shape": [4294967296, 4294967296, 4294967296],'
           b' "data_offsets": [0, 8]}}', b"\0" * 8), "more elements"),
    (_file(b"[" * 5000 + b"]" * 5000), "nests deeper"),
    (_file(b'{"__metadata__": {"k": 1}}'), "must be a string"),
])
def test_hostile_files_raise_clear_errors(blob, msg):
    with pytest.raises(ValueError, match=msg):
        ember._C._from_safetensors_bytes(blob)


def test_random_corruption_never_crashes(tmp_path):
    good = ember._C._to_safetensors_bytes(
        [("w", ember.tensor([[1.0, 2.0], [3.0, 4.0]])), ("b", ember.tensor([1, 2, 3]))], {})
    rng = np.random.default_rng(0)
    for _ in range(2000):
        b = bytearray(good)
        for _ in range(rng.integers(1, 6)):
            b[rng.integers(0, len(b))] = rng.integers(0, 256)
        cut = rng.integers(0, len(b) + 1)
        try:
            ember._C._from_safetensors_bytes(bytes(b[:cut]))
        except ValueError:
            pass


def test_bad_structure_metadata_is_a_value_error(tmp_path):
    path = str(tmp_path / "x")
    ember._C._save_safetensors(path, [], {"ember.structure": '{"$tensor": "missing"}'})
    with pytest.raises(ValueError, match="missing tensor"):
        ember.load(path)


def test_save_is_atomic_when_the_target_cannot_be_written(tmp_path):
    path = tmp_path / "ckpt"
    ember.save({"a": ember.tensor([1.0])}, path)
    with pytest.raises(RuntimeError):
        ember.save({"a": ember.tensor([2.0])}, tmp_path / "missing_dir" / "ckpt")
    assert ember.load(path)["a"].item() == 1.0
    assert [p.name for p in tmp_path.iterdir()] == ["ckpt"]


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="cannot open"):
        ember.load(tmp_path / "nope")
    assert not os.path.exists(tmp_path / "nope")
