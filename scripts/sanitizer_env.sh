# Sourced by the sanitizer and fuzz scripts: runtime options for ASan/UBSan/LSan.
# halt_on_error / abort: the first report fails the test. detect_leaks stays on; the only
# suppressions are third-party runtimes we do not build (scripts/lsan.supp, documented in
# docs/reliability.md).
_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:abort_on_error=1:detect_stack_use_after_return=0:allocator_may_return_null=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$_root/scripts/lsan.supp:print_suppressions=0}
# OpenMP worker threads outlive main(); keep the pool small on a 2-core machine.
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-2}
unset _root
