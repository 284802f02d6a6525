"""Checks on the build, packaging and tooling files: versions agree, the scripts parse and
are idempotent, CI runs the README's test command, the benchmark runner degrades cleanly.
Building a real wheel takes minutes, so that test runs only with EMBER_TEST_WHEEL=1."""

import os
import re
import shutil
import subprocess
import sys
import zipfile

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def _read(rel):
    with open(os.path.join(ROOT, rel), encoding="utf-8") as f:
        return f.read()


def _pyproject():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
        return tomllib.load(f)


def test_versions_agree():
    import ember

    project = _pyproject()["project"]
    cmake = re.search(r"project\(ember VERSION ([0-9.]+)", _read("CMakeLists.txt")).group(1)
    assert project["name"] == "ember"
    assert project["version"] == cmake == ember.__version__


def test_pyproject_wheel_settings():
    cfg = _pyproject()
    assert cfg["build-system"]["build-backend"] == "scikit_build_core.build"
    assert "numpy" in cfg["project"]["dependencies"]
    skb = cfg["tool"]["scikit-build"]
    assert skb["wheel"]["packages"] == ["python/ember"]
    assert skb["build-dir"] in ("build-wheel", "build/wheel")  # persistent, git-ignored
    assert skb["cmake"]["define"]["EMBER_BUILD_TESTS"] == "OFF"


@pytest.mark.parametrize("script", ["scripts/install_deps.sh", "scripts/test.sh",
                                    "scripts/run_main.sh", ".ci/run"])
def test_scripts_parse_and_are_executable(script):
    path = os.path.join(ROOT, script)
    assert os.access(path, os.X_OK), f"{script} is not executable"
    subprocess.run(["bash", "-n", path], check=True)
    assert "set -euo pipefail" in _read(script)


def test_ci_runs_the_readme_test_command():
    readme_cmds = _read("README.md").split("```")[1].splitlines()[1:]
    test_cmd = next(c.split("#")[0].strip() for c in readme_cmds if "test" in c)
    assert test_cmd == "bash scripts/test.sh"
    ci = [l for l in _read(".ci/run").splitlines() if l.strip() and not l.startswith("#")]
    assert any(l.startswith(f"exec {test_cmd}") or l.strip() == test_cmd for l in ci)


@pytest.mark.skipif(shutil.which("dpkg-query") is None, reason="not a Debian system")
def test_install_deps_is_a_no_op_when_everything_is_installed(tmp_path):
    # apt-get, sudo and pip are shadowed by stubs that fail: a rerun must not need them.
    for tool in ("apt-get", "sudo"):
        stub = tmp_path / tool
        stub.write_text("#!/bin/sh\necho \"$0 called\" >&2\nexit 99\n")
        stub.chmod(0o755)
    env = dict(os.environ, PATH=f"{tmp_path}:{os.environ['PATH']}", PYTHON=sys.executable)
    r = subprocess.run(["bash", os.path.join(ROOT, "scripts/install_deps.sh")], env=env,
                       capture_output=True, text=True)
    if "pip install" in r.stdout:
        pytest.skip("a Python dependency is missing in this interpreter")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "system packages: all present" in r.stdout
    assert "Python packages: all present" in r.stdout


def test_install_deps_rejects_unknown_arguments():
    r = subprocess.run(["bash", os.path.join(ROOT, "scripts/install_deps.sh"), "--bogus"],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "unknown argument '--bogus'" in r.stderr


def test_bench_runner_smoke():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [os.path.join(ROOT, "python")] + [p for p in [env.get("PYTHONPATH")] if p])
    r = subprocess.run([sys.executable, os.path.join(ROOT, "bench", "run.py"), "overhead",
                        "matmul", "--repeat", "1", "--min-time", "0.0005"],
                       env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "a + b, 1 element" in r.stdout and "matmul 64x64 @ 64x64 float32" in r.stdout
    # Every ember cell is either a timing or an explained n/a, never a crash.
    assert "Traceback" not in r.stdout + r.stderr


@pytest.mark.skipif(not os.environ.get("EMBER_TEST_WHEEL"), reason="set EMBER_TEST_WHEEL=1 "
                    "to build the wheel (several minutes)")
def test_wheel_builds_and_imports_outside_the_tree(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-build-isolation", "--no-deps",
                    "-w", str(tmp_path / "dist"), ROOT], check=True)
    (wheel,) = (tmp_path / "dist").glob("ember-0.1.0-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "ember/__init__.py" in names
    assert any(re.fullmatch(r"ember/_C\..*\.so", n) for n in names)
    assert "ember/libember_core.so" in names and "ember/libember_eager.so" in names
    assert not any(n.startswith(("tests/", "core/", "build/")) for n in names)
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    env = dict(os.environ, PYTHONPATH=str(site))
    out = subprocess.run([sys.executable, "-c", "import ember; print(ember.__file__); "
                          "print((ember.tensor([1.0]) + 1).tolist())"],
                         cwd=tmp_path, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.splitlines() == [str(site / "ember" / "__init__.py"), "[2.0]"]
    if "ember/libember_cuda.so" in names:  # built with CUDA: the backend loads from the wheel
        out = subprocess.run([sys.executable, "-c", "import ember; print(ember.cuda.is_available() "
                              "or ember.cuda.unavailable_reason()); print('add' in "
                              "ember.cuda.kernel_names())"],
                             cwd=tmp_path, env=env, capture_output=True, text=True, check=True)
        assert out.stdout.splitlines()[-1] == "True", out.stdout
