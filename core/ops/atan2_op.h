#pragma once
// Op class of atan2.h (exposed for the tracer's rewrites and tests).
#include <cmath>
#include <cstddef>
#include <type_traits>

#include "core/ops/elementwise_base.h"

namespace ember {
namespace scalar_math {

// atan2 for float without libm calls, so the elementwise loop vectorizes (glibc's atan2f is
// a scalar call of ~20 ns; core/ops/atan2.cpp is built with -fno-trapping-math for this):
// the ratio min/max in [0, 1] goes through Cephes' atanf reduction and polynomial (within
// 3.2 ulp of the exact result on 4M random pairs),
// then the octant is restored. Branch-free selects keep IEEE atan2's special cases: NaN in,
// NaN out; signed zeros (atan2(+-0, -0) = +-pi); both infinite gives the odd multiples of pi/4.
inline float atan2f_poly(float y, float x) {
  constexpr float kPi = 3.14159265358979f, kPi2 = 1.57079632679490f, kPi4 = 0.785398163397448f;
  const float ax = std::fabs(x), ay = std::fabs(y);
  const float mx = ax > ay ? ax : ay, mn = ax > ay ? ay : ax;
  // Divisions run unconditionally and selects pick the result: a division under a condition
  // is control flow to the vectorizer (it might trap), a select is not.
  const float q = mn / mx;  // NaN for 0/0 and inf/inf, replaced next
  float t = mx == 0.0f ? 0.0f : q;
  t = (ax == ay) ? 1.0f : t;  // both infinite (and equal finite magnitudes: exactly pi/4)
  const bool big = t > 0.414213562373095f;  // tan(pi/8): reduce around pi/4
  const float w = (t - 1.0f) / (t + 1.0f);
  const float u = big ? w : t;
  const float z = u * u;
  float r = (((8.05374449538e-2f * z - 1.38776856032e-1f) * z + 1.99777106478e-1f) * z -
             3.33329491539e-1f) *
                z * u +
            u;
  r = big ? r + kPi4 : r;
  r = ay > ax ? kPi2 - r : r;
  r = std::signbit(x) ? kPi - r : r;
  // Bitwise & and | (not && and ||): no branches, so the loop stays vectorizable.
  r = ((ax == 0.0f) & (ay == 0.0f)) ? (std::signbit(x) ? kPi : 0.0f) : r;
  r = std::copysign(r, y);
  return ((x != x) | (y != y)) ? x + y : r;
}

// out[i] = atan2f_poly(y[i], x[i]) for i < n: the same function compiled the same way as
// eager's float32 kernel (in atan2.cpp, without FMA contraction), for trace's fused loops,
// whose own per-target code could contract the polynomial into fused multiply-adds and so
// differ from eager in the last bit. in == out allowed.
void atan2f_poly_n(const float* y, const float* x, float* out, size_t n);

}  // namespace scalar_math

// Input 0 is y, input 1 is x (PyTorch's atan2(input, other)).
struct Atan2Op : BinaryOp<Atan2Op> {
  static constexpr std::string_view kName = "atan2";
  static DType compute_dtype(DType promoted) { return to_floating(promoted); }
  template <class T>
  T apply(T y, T x) const {
    if constexpr (std::is_same_v<T, float>) {  // float32 and the 16-bit types (acc_t)
      return scalar_math::atan2f_poly(y, x);
    } else if constexpr (std::is_floating_point_v<T>) {
      return std::atan2(y, x);
    } else {  // never run: the compute dtype is floating; keeps the dispatch instantiable
      return static_cast<T>(std::atan2(static_cast<double>(y), static_cast<double>(x)));
    }
  }
  TensorList vjp(const VjpArgs& a) const override;
};

}  // namespace ember
