#!/usr/bin/env bash
# The sanitizer build: clang, AddressSanitizer + UndefinedBehaviorSanitizer, in build-asan/.
# Builds the C++ libraries, the GoogleTest suites and the libFuzzer targets (no Python
# module, no CUDA: nvcc does not take the sanitizer flags), then runs the C++ tests under the
# sanitizers. See docs/reliability.md.
#
#   bash scripts/sanitize.sh              # configure + build + ctest
#   bash scripts/sanitize.sh --build-only # configure + build
#   ASAN_BUILD_DIR=dir bash scripts/sanitize.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

BUILD_DIR=${ASAN_BUILD_DIR:-build-asan}
jobs=$(nproc 2>/dev/null || echo 2)
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}
export OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-Haswell}
source scripts/sanitizer_env.sh

build_only=0
[[ "${1:-}" == "--build-only" ]] && build_only=1

start=$SECONDS
# -O1: fast enough to run the suites, quick to compile; line tables give symbolized reports
# at a fraction of the cost of full -g. Asserts stay on (no NDEBUG).
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
      -DCMAKE_BUILD_TYPE=Sanitize \
      -DCMAKE_C_FLAGS_SANITIZE="-O1 -gline-tables-only" \
      -DCMAKE_CXX_FLAGS_SANITIZE="-O1 -gline-tables-only" \
      -DEMBER_SANITIZE=ON -DEMBER_BUILD_FUZZERS=ON -DEMBER_BUILD_TESTS=ON \
      -DEMBER_BUILD_PYTHON=OFF -DEMBER_CUDA=OFF >/dev/null
cmake --build "$BUILD_DIR" -j "$jobs"
echo "==> sanitizer build done in $((SECONDS - start)) s"
((build_only)) && exit 0

start=$SECONDS
ctest --test-dir "$BUILD_DIR" --output-on-failure --no-tests=error -j "$jobs" \
      ${EMBER_SANITIZE_CTEST_ARGS:-}
echo "==> sanitized C++ tests passed in $((SECONDS - start)) s"
