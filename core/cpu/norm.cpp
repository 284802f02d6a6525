#include "core/cpu/norm.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/cpu/parallel.h"
#include "core/dtype.h"
#include "core/half.h"

namespace ember::cpu {

namespace {

// b == 1 ([N, C] batch norm): a channel's values are strided by c, so walk rows and keep
// per-channel accumulators for a block of channels (contiguous, vectorizable reads).
template <class T>
void moments_rows(const T* x, T* y, T* mean, T* var, const T* weight, const T* bias, int64_t a,
                  int64_t c, double eps) {
  constexpr int64_t kBlock = 256;
  const int64_t blocks = (c + kBlock - 1) / kBlock;
  const double inv_n = a ? 1.0 / static_cast<double>(a) : std::numeric_limits<double>::quiet_NaN();
  const int64_t grain = std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(a * kBlock, 1));
  parallel_for(blocks, grain, [&](int64_t b0, int64_t b1) {
    double m[kBlock], q[kBlock], r[kBlock], sh[kBlock];
    for (int64_t blk = b0; blk < b1; ++blk) {
      const int64_t c0 = blk * kBlock, w = std::min(kBlock, c - c0);
      std::fill(m, m + w, 0.0);
      std::fill(q, q + w, 0.0);
      for (int64_t i = 0; i < a; ++i) {
        const T* p = x + i * c + c0;
        for (int64_t j = 0; j < w; ++j) m[j] += static_cast<double>(p[j]);
      }
      for (int64_t j = 0; j < w; ++j) m[j] *= inv_n;
      for (int64_t i = 0; i < a; ++i) {
        const T* p = x + i * c + c0;
        for (int64_t j = 0; j < w; ++j) {
          const double d = static_cast<double>(p[j]) - m[j];
          q[j] += d * d;
        }
      }
      for (int64_t j = 0; j < w; ++j) {
        q[j] *= inv_n;
        r[j] = 1.0 / std::sqrt(q[j] + eps);
        // y = (x - m) * r * w + b = x * (r w) + (b - m r w)
        const double sc = r[j] * (weight ? static_cast<double>(weight[c0 + j]) : 1.0);
        sh[j] = (bias ? static_cast<double>(bias[c0 + j]) : 0.0) - m[j] * sc;
        r[j] = sc;
        mean[c0 + j] = static_cast<T>(m[j]);
        var[c0 + j] = static_cast<T>(q[j]);
      }
      for (int64_t i = 0; i < a; ++i) {
        const T* p = x + i * c + c0;
        T* o = y + i * c + c0;
        for (int64_t j = 0; j < w; ++j) o[j] = static_cast<T>(static_cast<double>(p[j]) * r[j] + sh[j]);
      }
    }
  });
}

}  // namespace

template <class T>
void normalize_moments(const T* x, T* y, T* mean, T* var, const T* weight, const T* bias,
                       bool per_channel, int64_t a, int64_t c, int64_t b, double eps) {
  if (b == 1 && a > 1 && (per_channel || (!weight && !bias))) {
    return moments_rows(x, y, mean, var, weight, bias, a, c, eps);
  }
  const int64_t count = a * b, stride = c * b;
  const int64_t grain = std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(count, 1));
  parallel_for(c, grain, [&](int64_t c0, int64_t c1) {
    for (int64_t ch = c0; ch < c1; ++ch) {
      // Two passes in double: the centred second pass keeps the variance accurate when
      // |mean| >> std (the naive E[x^2] - E[x]^2 cancels).
      double s = 0;
      for (int64_t i = 0; i < a; ++i) {
        const T* p = x + i * stride + ch * b;
        for (int64_t j = 0; j < b; ++j) s += static_cast<double>(p[j]);
      }
      const double m = count ? s / static_cast<double>(count)
                             : std::numeric_limits<double>::quiet_NaN();
      double q = 0;
      for (int64_t i = 0; i < a; ++i) {
        const T* p = x + i * stride + ch * b;
        for (int64_t j = 0; j < b; ++j) {
          const double d = static_cast<double>(p[j]) - m;
          q += d * d;
        }
      }
      const double v = count ? q / static_cast<double>(count)
                             : std::numeric_limits<double>::quiet_NaN();
      const double r = 1.0 / std::sqrt(v + eps);
      for (int64_t i = 0; i < a; ++i) {
        const T* p = x + i * stride + ch * b;
        T* o = y + i * stride + ch * b;
        if (per_channel || (!weight && !bias)) {
          const double sc = r * (weight ? static_cast<double>(weight[ch]) : 1.0);
          const double sh = (bias ? static_cast<double>(bias[ch]) : 0.0) - m * sc;
          for (int64_t j = 0; j < b; ++j) o[j] = static_cast<T>(static_cast<double>(p[j]) * sc + sh);
        } else {
          for (int64_t j = 0; j < b; ++j) {
            double z = (static_cast<double>(p[j]) - m) * r;
            if (weight) z *= static_cast<double>(weight[j]);
            if (bias) z += static_cast<double>(bias[j]);
            o[j] = static_cast<T>(z);
          }
        }
      }
      mean[ch] = static_cast<T>(m);
      var[ch] = static_cast<T>(v);
    }
  });
}

template void normalize_moments<float>(const float*, float*, float*, float*,
                                       const float*, const float*, bool, int64_t, int64_t,
                                       int64_t, double);
template void normalize_moments<double>(const double*, double*, double*, double*,
                                       const double*, const double*, bool, int64_t, int64_t,
                                       int64_t, double);
template void normalize_moments<Half>(const Half*, Half*, Half*, Half*,
                                       const Half*, const Half*, bool, int64_t, int64_t,
                                       int64_t, double);
template void normalize_moments<BFloat16>(const BFloat16*, BFloat16*, BFloat16*, BFloat16*,
                                       const BFloat16*, const BFloat16*, bool, int64_t, int64_t,
                                       int64_t, double);

}  // namespace ember::cpu
