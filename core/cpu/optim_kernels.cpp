#include "core/cpu/optim_kernels.h"

#include <cmath>
#include <limits>

#include "core/cpu/parallel.h"

// GCC/Clang function multi-versioning: one clone per target, resolved once at load time.
#define EMBER_SIMD_CLONES \
  __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
// Clones for kernels that call std::fma: only run where has_fma() (the default clone is
// there for the resolver and would call the slow library fma).
#define EMBER_FMA_CLONES EMBER_SIMD_CLONES

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

// PyTorch's formula, m / (sqrt(v) / bc2_sqrt + eps), divides twice per element; the divides
// were the kernel's cost. The first one, by the same bc2_sqrt for every element, is done as a
// multiply by its reciprocal plus one FMA correction (Markstein): with the reciprocal
// correctly rounded this gives the correctly rounded quotient, equal to the divide, for every
// square root a float v can have (tested over 3e7 values and bias corrections; only overflow
// and subnormal quotients differ, and sqrt(v) lies in [2^-75, 2^64], bc2_sqrt in (0, 1]). An
// infinite v keeps PyTorch's infinite denominator. Needs a hardware FMA (adam_update_f32
// picks adam_range_divide otherwise).
EMBER_FMA_CLONES void adam_range_fma(float* out, const float* p, const float* m, const float* v,
                                     int64_t n, float decay, float step_size, float bc2_sqrt,
                                     float inv_bc2_sqrt, float eps) {
  for (int64_t i = 0; i < n; ++i) {
    const float s = std::sqrt(v[i]);
    const float q = s * inv_bc2_sqrt;
    const float r = std::fma(-q, bc2_sqrt, s);  // exact remainder s - q * bc2_sqrt
    const float corrected = std::fma(r, inv_bc2_sqrt, q);
    // Vectorized as a blend (the file is built with -fno-trapping-math, core/CMakeLists.txt).
    const float scaled = s == std::numeric_limits<float>::infinity() ? s : corrected;
    out[i] = p[i] * decay - step_size * (m[i] / (scaled + eps));
  }
}

EMBER_SIMD_CLONES void adam_range_divide(float* out, const float* p, const float* m, const float* v,
                                         int64_t n, float decay, float step_size, float bc2_sqrt,
                                         float eps) {
  for (int64_t i = 0; i < n; ++i) {
    out[i] = p[i] * decay - step_size * (m[i] / (std::sqrt(v[i]) / bc2_sqrt + eps));
  }
}

bool has_fma() {
  static const bool fma = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("fma");
  }();
  return fma;
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
  const auto inv_bc2_sqrt = static_cast<float>(1.0 / static_cast<double>(bc2_sqrt));
  const bool fma = has_fma();
  parallel_for(n, kParallelGrain, [&](int64_t s, int64_t e) {
    if (fma) {
      adam_range_fma(out + s, p + s, m + s, v + s, e - s, decay, step_size, bc2_sqrt, inv_bc2_sqrt,
                     eps);
    } else {
      adam_range_divide(out + s, p + s, m + s, v + s, e - s, decay, step_size, bc2_sqrt, eps);
    }
  });
}

}  // namespace ember::cpu
