#include "core/cpu/elementwise_loop.h"

#include "core/cpu/vec_math.h"

namespace ember::cpu {

Strides broadcast_strides(const Tensor& t, IntList shape) {
  const int64_t nd = static_cast<int64_t>(shape.size());
  const int64_t td = t.dim();
  Strides s(nd, 0);
  for (int64_t i = 0; i < td; ++i) {
    int64_t d = nd - td + i;
    s[d] = t.shape()[i] == 1 ? 0 : t.strides()[i];
  }
  return s;
}

bool map1_vec_f32(const Tensor& out, const Tensor& a, const VecCall& call) {
  const int64_t n = out.numel();
  if (out.dtype() != DType::Float32 || a.dtype() != DType::Float32 || !out.is_contiguous() ||
      !a.is_contiguous() || a.numel() != n) {
    return false;
  }
  float* po = static_cast<float*>(out.data_ptr());
  const float* pa = static_cast<const float*>(a.data_ptr());
  parallel_for(n, kParallelGrain, [&](int64_t b, int64_t e) {
    vec_math_f32(call, pa + b, po + b, static_cast<size_t>(e - b));
  });
  return true;
}

}  // namespace ember::cpu
