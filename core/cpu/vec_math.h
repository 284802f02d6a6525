#pragma once
// Vectorized elementwise math over contiguous float32 arrays, compiled for every x86 SIMD
// level (SSE4, AVX2, AVX-512) and picked at run time for the CPU at hand. The lane
// functions live in vec_math-inl.h, shared with trace's fused loops; errors per function
// are listed there.
#include <cstddef>

namespace ember::cpu {

enum class VecFn { Exp, Expm1, Log, Log1p, Tanh, Sigmoid, Silu, GeluTanh, Elu, Softplus, Sin, Cos };

// A function and its parameters: elu's alpha in a; softplus's beta in a, threshold in b.
struct VecCall {
  VecFn fn;
  float a = 0, b = 0;
};

// out[i] = fn(in[i]) for i < n, on the calling thread. in == out is allowed.
void vec_math_f32(const VecCall& call, const float* in, float* out, size_t n);

}  // namespace ember::cpu
