#include "core/cpu/norm.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/cpu/parallel.h"
#include "core/dtype.h"
#include "core/half.h"

namespace ember::cpu {

template <class T>
void normalize_moments(const T* x, T* y, T* mean, T* var, int64_t a, int64_t c, int64_t b,
                       double eps) {
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
        for (int64_t j = 0; j < b; ++j) o[j] = static_cast<T>((static_cast<double>(p[j]) - m) * r);
      }
      mean[ch] = static_cast<T>(m);
      var[ch] = static_cast<T>(v);
    }
  });
}

template void normalize_moments<float>(const float*, float*, float*, float*, int64_t, int64_t,
                                       int64_t, double);
template void normalize_moments<double>(const double*, double*, double*, double*, int64_t,
                                        int64_t, int64_t, double);
template void normalize_moments<Half>(const Half*, Half*, Half*, Half*, int64_t, int64_t,
                                      int64_t, double);
template void normalize_moments<BFloat16>(const BFloat16*, BFloat16*, BFloat16*, BFloat16*,
                                          int64_t, int64_t, int64_t, double);

}  // namespace ember::cpu
