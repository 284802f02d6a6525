#include "core/cpu/optim_kernels.h"

#include <cmath>

#include "core/cpu/parallel.h"

// GCC/Clang function multi-versioning: one clone per target, resolved once at load time.
#define EMBER_SIMD_CLONES __attribute__((target_clones("arch=x86-64-v4", "default")))

namespace ember::cpu {
namespace {

EMBER_SIMD_CLONES void axpby_range(float* out, const float* y, const float* x, int64_t n, float a,
                                   float b) {
  for (int64_t i = 0; i < n; ++i) out[i] = a * y[i] + b * x[i];
}

EMBER_SIMD_CLONES void axpby_sq_range(float* out, const float* y, const float* x, int64_t n,
                                      float a, float b) {
  for (int64_t i = 0; i < n; ++i) out[i] = a * y[i] + b * (x[i] * x[i]);
}

EMBER_SIMD_CLONES void adam_range(float* out, const float* p, const float* m, const float* v,
                                  int64_t n, float decay, float step_size, float bc2_sqrt,
                                  float eps) {
  for (int64_t i = 0; i < n; ++i) {
    out[i] = p[i] * decay - step_size * (m[i] / (std::sqrt(v[i]) / bc2_sqrt + eps));
  }
}

}  // namespace

void axpby_f32(float* out, const float* y, const float* x, int64_t n, float a, float b,
               bool square_x) {
  parallel_for(n, kParallelGrain, [&](int64_t s, int64_t e) {
    if (square_x) {
      axpby_sq_range(out + s, y + s, x + s, e - s, a, b);
    } else {
      axpby_range(out + s, y + s, x + s, e - s, a, b);
    }
  });
}

void adam_update_f32(float* out, const float* p, const float* m, const float* v, int64_t n,
                     float decay, float step_size, float bc2_sqrt, float eps) {
  parallel_for(n, kParallelGrain, [&](int64_t s, int64_t e) {
    adam_range(out + s, p + s, m + s, v + s, e - s, decay, step_size, bc2_sqrt, eps);
  });
}

}  // namespace ember::cpu
