#pragma once
// Contiguous float32 loops of the fused optimizer ops (core/ops/optim_update.cpp), built
// for AVX-512 and for baseline x86-64 with the right one picked at load time; threaded over
// large tensors. Other dtypes and strided operands take the generic elementwise loops.
#include <cstdint>

namespace ember::cpu {

// out[i] = a * y[i] + b * x[i]   (or b * x[i] * x[i] with square_x). out may alias y.
void axpby_f32(float* out, const float* y, const float* x, int64_t n, float a, float b,
               bool square_x);

// out[i] = p[i] * decay - step_size * m[i] / (sqrt(v[i]) / bc2_sqrt + eps). out may alias p.
void adam_update_f32(float* out, const float* p, const float* m, const float* v, int64_t n,
                     float decay, float step_size, float bc2_sqrt, float eps);

}  // namespace ember::cpu
