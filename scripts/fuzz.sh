#!/usr/bin/env bash
# Runs the libFuzzer targets (tests/fuzz/) from the sanitizer build (scripts/sanitize.sh).
#
#   bash scripts/fuzz.sh                      # long run: 1,000,000 executions per target
#   bash scripts/fuzz.sh --seconds 45         # short run (CI): 45 s per target
#   bash scripts/fuzz.sh --runs 200000 safetensors   # chosen targets only
#
# Corpora grow in build-asan/fuzz-corpus/<target> (kept between runs, seeded by
# make_seed_corpus); a crash is written to build-asan/fuzz-artifacts/ and fails the script:
# turn it into tests/fuzz/regressions/<target>-<what> plus a unit test once fixed.
# -malloc_limit_mb makes any single allocation above 512 MiB a finding (an "unbounded
# allocation"), -rss_limit_mb the whole process above 2 GiB; -timeout flags a hang (> 10 s).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

BUILD_DIR=${ASAN_BUILD_DIR:-build-asan}
runs=1000000
seconds=0
targets=()
while (($#)); do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --seconds) seconds=$2; runs=0; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) targets+=("$1"); shift ;;
  esac
done
((${#targets[@]})) || targets=(safetensors saved_function graph_json)

if [[ ! -x "$BUILD_DIR/tests/fuzz/fuzz_safetensors" ]]; then
  bash scripts/sanitize.sh --build-only
fi
source scripts/sanitizer_env.sh
# libFuzzer handles its own leak checks per input; LSan at exit stays on.
corpus_root="$BUILD_DIR/fuzz-corpus"
artifacts="$BUILD_DIR/fuzz-artifacts"
mkdir -p "$corpus_root" "$artifacts"
seeds="$BUILD_DIR/fuzz-seeds"
rm -rf "$seeds"
"$BUILD_DIR/tests/fuzz/make_seed_corpus" "$seeds" >/dev/null

status=0
for t in "${targets[@]}"; do
  mkdir -p "$corpus_root/$t"
  limit=(-runs="$runs")
  ((seconds)) && limit=(-max_total_time="$seconds")
  echo "==> fuzz_$t ${limit[*]}"
  log="$artifacts/fuzz_$t.log"
  start=$SECONDS
  if "$BUILD_DIR/tests/fuzz/fuzz_$t" "${limit[@]}" -rss_limit_mb=2048 -malloc_limit_mb=512 \
       -timeout=10 -max_len=65536 -print_final_stats=1 -artifact_prefix="$artifacts/$t-" \
       -dict=tests/fuzz/json.dict "$corpus_root/$t" "$seeds/$t" tests/fuzz/regressions \
       >"$log" 2>&1; then
    execs=$(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
    echo "    ok: ${execs:-?} executions in $((SECONDS - start)) s, $cov, corpus $(ls "$corpus_root/$t" | wc -l) files"
  else
    status=1
    echo "    FAILED (log: $log)"
    grep -E "ERROR|SUMMARY|Test unit written" "$log" | head -5 | sed 's/^/    /'
  fi
done
exit $status
