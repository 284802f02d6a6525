#!/usr/bin/env bash
# Installs everything Ember needs to build and test, on Debian/Ubuntu.
# Idempotent: when every package is already there it touches neither apt nor pip.
#
#   bash scripts/install_deps.sh               # build + test dependencies
#   bash scripts/install_deps.sh --with-torch  # also PyTorch (CPU), for parity tests and benchmarks
set -euo pipefail

with_torch=0
for arg in "$@"; do
  case "$arg" in
    --with-torch) with_torch=1 ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "install_deps.sh: unknown argument '$arg'" >&2; exit 2 ;;
  esac
done

PYTHON=${PYTHON:-python3}

apt_pkgs=(build-essential cmake ninja-build ccache libabsl-dev libfmt-dev libopenblas-dev
          libgtest-dev pybind11-dev libdlpack-dev nlohmann-json3-dev libhwy-dev zlib1g-dev)

# With no usable Python (or Debian's own Python without pip or headers), take Debian's.
if ! command -v "$PYTHON" >/dev/null 2>&1; then
  apt_pkgs+=(python3 python3-dev python3-pip)
elif [[ "$(command -v "$PYTHON")" == /usr/bin/* ]]; then
  "$PYTHON" -m pip --version >/dev/null 2>&1 || apt_pkgs+=(python3-pip)
  "$PYTHON" - <<'PY' 2>/dev/null || apt_pkgs+=(python3-dev)
import os, sys, sysconfig
sys.exit(0 if os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")) else 1)
PY
fi

# The sanitizer + fuzzer build (scripts/sanitize.sh, scripts/fuzz.sh): clang with its
# compiler-rt (ASan, UBSan, libFuzzer) and LLVM's OpenMP.
apt_pkgs+=(clang libclang-rt-dev libomp-dev)

missing=()
for p in "${apt_pkgs[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

if ((${#missing[@]})); then
  sudo=""
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 || { echo "install_deps.sh: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    sudo="sudo"
  fi
  echo "==> apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -q
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "==> system packages: all present"
fi

# Python packages: module name -> pip requirement.
py_mods=(numpy pytest hypothesis scikit_build_core pybind11)
py_reqs=(numpy pytest hypothesis scikit-build-core pybind11)
if ((with_torch)); then
  py_mods+=(torch)
  py_reqs+=(torch)
fi

py_missing=()
for i in "${!py_mods[@]}"; do
  "$PYTHON" -c "import ${py_mods[$i]}" >/dev/null 2>&1 || py_missing+=("${py_reqs[$i]}")
done

if ((${#py_missing[@]})); then
  pip_args=(install -q --disable-pip-version-check)
  # Debian's Python refuses system-wide pip installs (PEP 668) unless told otherwise.
  if "$PYTHON" -c 'import sys, sysconfig, os; sys.exit(0 if os.path.exists(os.path.join(sysconfig.get_paths()["stdlib"], "EXTERNALLY-MANAGED")) else 1)' 2>/dev/null \
     && [[ -z "${VIRTUAL_ENV:-}" ]]; then
    pip_args+=(--break-system-packages)
  fi
  # PyTorch comes from PyPI unless EMBER_TORCH_INDEX names another index (e.g.
  # https://download.pytorch.org/whl/cpu for the much smaller CPU-only wheel).
  extra=()
  if ((with_torch)) && [[ -n "${EMBER_TORCH_INDEX:-}" ]]; then
    extra=(--extra-index-url "$EMBER_TORCH_INDEX")
  fi
  echo "==> pip install ${py_missing[*]}"
  "$PYTHON" -m pip "${pip_args[@]}" "${extra[@]}" "${py_missing[@]}"
else
  echo "==> Python packages: all present"
fi
