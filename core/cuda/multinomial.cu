// multinomial, as the CPU's multinomial_fill (core/cpu/random_kernels.cpp): each row is
// checked (and, with replacement, summed into its CDF in the CPU's order, so the sums are
// identical) by one thread; draws with replacement are one thread each (inverse CDF by
// binary search: the CPU's numbers exactly); without replacement, each category gets its
// finishing time in the exponential race, -log1p(-u) / w, which launch_sort orders (stable,
// so equal times keep the lower category first, as the CPU's pair order). CUDA's log1p may
// differ from glibc's in the last bit, which can swap two categories whose times are within
// a rounding error of each other; otherwise the samples are the CPU's.
#include <math_constants.h>

#include <cmath>

#include "core/cuda/device_math.cuh"
#include "core/random/philox.h"

namespace ember::cuda {
namespace {

#define EMBER_GRID_LOOP_(i_, n_)                                              \
  for (int64_t i_ = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i_ < (n_); \
       i_ += int64_t(gridDim.x) * blockDim.x)

// 64-bit draw e of the stream as a double in [0, 1) (the CPU's unit64 layout).
__device__ __forceinline__ double unit64(const random::PhiloxStream& s, int64_t e) {
  const random::Philox4x32Block r = s.block(static_cast<uint64_t>(e / 2));
  const int lane = static_cast<int>(e & 1) * 2;
  return random::uniform_double(r[lane], r[lane + 1]);
}

__global__ void check_kernel(const double* w, int64_t rows, int64_t cats, int64_t k,
                             bool replacement, int* status, double* cdf, double* totals) {
  EMBER_GRID_LOOP_(r, rows) {
    const double* row = w + r * cats;
    double total = 0;
    int64_t nonzero = 0;
    int code = kMultinomialOk;
    for (int64_t c = 0; c < cats; ++c) {
      const double v = row[c];
      if (!(v >= 0 && isfinite(v))) code = kMultinomialBadValue;
      total = __dadd_rn(total, v);
      if (cdf != nullptr) cdf[r * cats + c] = total;
      nonzero += v > 0;
    }
    if (code == kMultinomialOk && !(total > 0)) code = kMultinomialZeroSum;
    if (code == kMultinomialOk && !replacement && nonzero < k) code = kMultinomialTooFew;
    status[r] = code;
    if (totals != nullptr) totals[r] = total;
  }
}

__global__ void draws_kernel(const double* cdf, const double* totals, int64_t rows,
                             int64_t cats, int64_t k, random::PhiloxStream s, int64_t* out) {
  EMBER_GRID_LOOP_(e, rows * k) {
    const int64_t r = e / k;
    const double* row = cdf + r * cats;
    const double x = __dmul_rn(unit64(s, e), totals[r]);
    // std::upper_bound: the first running sum greater than x.
    int64_t lo = 0, hi = cats;
    while (lo < hi) {
      const int64_t mid = lo + (hi - lo) / 2;
      if (x < row[mid]) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    out[e] = lo < cats - 1 ? lo : cats - 1;
  }
}

__global__ void race_keys_kernel(const double* w, int64_t rows, int64_t cats,
                                 random::PhiloxStream s, double* keys) {
  EMBER_GRID_LOOP_(e, rows * cats) {
    const double v = w[e];
    // Zero weights never finish (the CPU skips them): NaN sorts after every time.
    keys[e] = v <= 0 ? CUDART_NAN : __ddiv_rn(-log1p(-unit64(s, e)), v);
  }
}

#undef EMBER_GRID_LOOP_

}  // namespace

void launch_multinomial_check(const double* w, int64_t rows, int64_t cats, int64_t k,
                              bool replacement, int* status, double* cdf, double* totals,
                              void* stream) {
  if (rows == 0) return;
  check_kernel<<<grid_for(rows), kThreads, 0, static_cast<cudaStream_t>(stream)>>>(
      w, rows, cats, k, replacement, status, cdf, totals);
  check_launch("multinomial check");
}

void launch_multinomial_draws(const double* cdf, const double* totals, int64_t rows,
                              int64_t cats, int64_t k, uint64_t seed, uint64_t offset,
                              int64_t* out, void* stream) {
  if (rows * k == 0) return;
  draws_kernel<<<grid_for(rows * k), kThreads, 0, static_cast<cudaStream_t>(stream)>>>(
      cdf, totals, rows, cats, k, random::PhiloxStream{seed, offset}, out);
  check_launch("multinomial draws");
}

void launch_multinomial_race_keys(const double* w, int64_t rows, int64_t cats, uint64_t seed,
                                  uint64_t offset, double* keys, void* stream) {
  if (rows * cats == 0) return;
  race_keys_kernel<<<grid_for(rows * cats), kThreads, 0, static_cast<cudaStream_t>(stream)>>>(
      w, rows, cats, random::PhiloxStream{seed, offset}, keys);
  check_launch("multinomial keys");
}

}  // namespace ember::cuda
