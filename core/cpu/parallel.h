#pragma once
// parallel_for over [0, n): splits into contiguous chunks across the OpenMP threads when the
// work is large enough to pay for the fork (a few microseconds), else runs inline.
#include <omp.h>

#include <algorithm>
#include <cstdint>

namespace ember::cpu {

// Elements below which a loop stays on one thread.
inline constexpr int64_t kParallelGrain = 32768;

int num_threads();
void set_num_threads(int n);

template <class F>
void parallel_for(int64_t n, int64_t grain, F&& f) {
  if (n <= 0) return;
  int nt = num_threads();
  if (n <= grain || nt <= 1 || omp_in_parallel()) {
    f(int64_t{0}, n);
    return;
  }
  int64_t chunks = std::min<int64_t>(nt, (n + grain - 1) / grain);
#pragma omp parallel num_threads(static_cast<int>(chunks))
  {
    int64_t t = omp_get_thread_num();
    int64_t per = (n + chunks - 1) / chunks;
    int64_t b = t * per, e = std::min(n, b + per);
    if (b < e) f(b, e);
  }
}

}  // namespace ember::cpu
