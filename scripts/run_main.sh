#!/usr/bin/env bash
# The quickest way to see Ember work: installs the dependencies, builds and installs the
# `ember` Python package (a wheel built by scikit-build-core), checks that it imports from
# outside the source tree, then trains an MLP on the bundled digits (examples/mlp_digits.py).
# Re-running is incremental: the wheel's CMake build lives in build-wheel/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON=${PYTHON:-python3}
export OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-Haswell}
unset PYTHONPATH   # use the installed package, not python/ in this checkout
# ccache (used automatically when installed) keys on paths relative to the checkout, so a
# fresh clone elsewhere still hits the cache.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}
# scikit-build-core would take the compiler from Python's build config (often `g++`) where a
# plain CMake build takes `c++`; one name for both lets the wheel and scripts/test.sh share
# ccache entries.
export CC=${CC:-cc} CXX=${CXX:-c++}

step() { echo; echo "==> $*"; }

if [[ -z "${EMBER_SKIP_DEPS:-}" ]]; then
  step "dependencies"
  bash scripts/install_deps.sh
fi

step "pip install . (building the wheel; the first build takes a few minutes)"
pip_args=(install --disable-pip-version-check --no-build-isolation)
if "$PYTHON" -c 'import sys, sysconfig, os; sys.exit(0 if os.path.exists(os.path.join(sysconfig.get_paths()["stdlib"], "EXTERNALLY-MANAGED")) else 1)' 2>/dev/null \
   && [[ -z "${VIRTUAL_ENV:-}" ]]; then
  pip_args+=(--break-system-packages)
fi
[[ -n "${EMBER_PIP_VERBOSE:-}" ]] && pip_args+=(-v)
"$PYTHON" -m pip "${pip_args[@]}" .

elsewhere=$(mktemp -d)
trap 'rm -rf "$elsewhere"' EXIT
step "import check (from $elsewhere, outside the source tree)"
(cd "$elsewhere" && "$PYTHON" -c 'import ember, os; print("ember", ember.__version__, "from", os.path.dirname(ember.__file__)); print(ember.tensor([1.0, 2.0]) + ember.tensor([3.0, 4.0]))')

step "examples/mlp_digits.py (an MLP on the bundled handwritten digits, traced training step)"
"$PYTHON" examples/mlp_digits.py
