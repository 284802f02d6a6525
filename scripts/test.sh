#!/usr/bin/env bash
# Builds Ember (Release, Ninja, ccache when present) in build/ and runs every test:
# the GoogleTest suites through ctest, then the Python suite with pytest.
# Exits non-zero on any failure, including "no tests collected".
#
#   bash scripts/test.sh                # everything
#   EMBER_SKIP_DEPS=1 bash scripts/test.sh   # skip scripts/install_deps.sh
#   EMBER_SKIP_SANITIZE=1 bash scripts/test.sh  # skip the ASan/UBSan build and the fuzz run
#   bash scripts/test.sh -k matmul      # extra arguments go to pytest
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON=${PYTHON:-python3}
BUILD_DIR=${BUILD_DIR:-build}
export OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-Haswell}
jobs=$(nproc 2>/dev/null || echo 2)
# ccache (used automatically when installed) keys on paths relative to the checkout, so a
# fresh clone elsewhere still hits the cache.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}

step() { echo; echo "==> $*"; }
start=$SECONDS

if [[ -z "${EMBER_SKIP_DEPS:-}" ]]; then
  step "dependencies"
  bash scripts/install_deps.sh
fi

# A build dir made by another generator (or a moved checkout) cannot be reused: start over.
cache="$BUILD_DIR/CMakeCache.txt"
if [[ -f "$cache" ]]; then
  if ! grep -q '^CMAKE_GENERATOR:INTERNAL=Ninja$' "$cache" \
     || ! grep -qxF "CMAKE_HOME_DIRECTORY:INTERNAL=$PWD" "$cache"; then
    echo "==> $BUILD_DIR was configured elsewhere or not with Ninja; reconfiguring from scratch"
    rm -rf "$BUILD_DIR/CMakeCache.txt" "$BUILD_DIR/CMakeFiles"
  fi
fi

step "configure ($BUILD_DIR, Release, Ninja)"
# The interpreter itself, not a wrapper (pyenv shims are shell scripts).
python_exe=$("$PYTHON" -c 'import sys; print(sys.executable)')
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DEMBER_BUILD_TESTS=ON -DEMBER_BUILD_PYTHON=ON -DPython_EXECUTABLE="$python_exe"

step "build (-j $jobs)"
cmake --build "$BUILD_DIR" -j "$jobs"

step "C++ tests (ctest)"
# --no-tests=error: a suite that discovered nothing is a failure, not a pass.
ctest --test-dir "$BUILD_DIR" --output-on-failure --no-tests=error -j "$jobs"

step "Python tests (pytest)"
# pytest exits 5 when it collects nothing; with set -e that fails the script like any
# other non-zero status.
PYTHONPATH="$PWD/python${PYTHONPATH:+:$PYTHONPATH}" \
  "$PYTHON" -m pytest -q tests/python "$@"

if [[ -z "${EMBER_SKIP_SANITIZE:-}" ]]; then
  # A second build with clang, AddressSanitizer and UndefinedBehaviorSanitizer (build-asan/):
  # the C++ suites again, then a short run of each libFuzzer target (docs/reliability.md).
  step "sanitizer build + C++ tests under ASan/UBSan (scripts/sanitize.sh)"
  bash scripts/sanitize.sh
  step "fuzz the loaders (${EMBER_FUZZ_SECONDS:-30} s per target, scripts/fuzz.sh)"
  bash scripts/fuzz.sh --seconds "${EMBER_FUZZ_SECONDS:-30}"
fi

step "all tests passed in $((SECONDS - start)) s"
