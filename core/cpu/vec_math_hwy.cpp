// The per-target loops behind vec_math.h: full vectors straight from memory, the tail
// through a one-vector buffer (no masked loads in every Highway version we build with).
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "core/cpu/vec_math_hwy.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include <cmath>

#include "core/cpu/vec_math-inl.h"
#include "core/cpu/vec_math.h"

HWY_BEFORE_NAMESPACE();
namespace ember::cpu::HWY_NAMESPACE {

// f(d, v) over in[0, n); in == out allowed.
template <class F>
HWY_INLINE void map_f32(const float* in, float* out, size_t n, F f) {
  const hn::ScalableTag<float> d;
  const size_t lanes = hn::Lanes(d);
  size_t i = 0;
  for (; i + lanes <= n; i += lanes) hn::StoreU(f(d, hn::LoadU(d, in + i)), d, out + i);
  if (i == n) return;
  HWY_ALIGN float buf[hn::MaxLanes(d)] = {};
  for (size_t k = 0; k < n - i; ++k) buf[k] = in[i + k];
  hn::Store(f(d, hn::Load(d, buf)), d, buf);
  for (size_t k = 0; k < n - i; ++k) out[i + k] = buf[k];
}

// Highway's sin and cos reduce the argument with a short pi: accurate for |x| <= 39000 (see
// tests/python/test_vec_math.py). A vector with any lane past that, or inf or NaN, takes libm.
constexpr float kTrigLimit = 39000.0f;

template <bool kSin>
HWY_INLINE void map_trig(const float* in, float* out, size_t n) {
  map_f32(in, out, n, [](auto d, auto x) {
    if (HWY_LIKELY(hn::AllTrue(d, hn::Le(hn::Abs(x), hn::Set(d, kTrigLimit))))) {
      return kSin ? hn::Sin(d, x) : hn::Cos(d, x);
    }
    HWY_ALIGN float buf[hn::MaxLanes(d)];
    hn::Store(x, d, buf);
    for (size_t k = 0; k < hn::Lanes(d); ++k) buf[k] = kSin ? std::sin(buf[k]) : std::cos(buf[k]);
    return hn::Load(d, buf);
  });
}

void VecMathF32(const VecCall& call, const float* in, float* out, size_t n) {
  switch (call.fn) {
    case VecFn::Exp:
      return map_f32(in, out, n, [](auto d, auto x) { return vec_exp(d, x); });
    case VecFn::Expm1:
      return map_f32(in, out, n, [](auto d, auto x) { return vec_expm1(d, x); });
    case VecFn::Log:
      return map_f32(in, out, n, [](auto d, auto x) { return vec_log(d, x); });
    case VecFn::Log1p:
      return map_f32(in, out, n, [](auto d, auto x) { return vec_log1p(d, x); });
    case VecFn::Tanh:
      return map_f32(in, out, n, [](auto d, auto x) { return vec_tanh(d, x); });
    case VecFn::Sigmoid:
      return map_f32(in, out, n, [](auto d, auto x) { return vec_sigmoid(d, x); });
    case VecFn::Silu:
      return map_f32(in, out, n, [](auto d, auto x) { return vec_silu(d, x); });
    case VecFn::GeluTanh:
      return map_f32(in, out, n, [](auto d, auto x) { return vec_gelu_tanh(d, x); });
    case VecFn::Elu: {
      const float alpha = call.a;
      return map_f32(in, out, n,
                     [alpha](auto d, auto x) { return vec_elu(d, x, hn::Set(d, alpha)); });
    }
    case VecFn::Softplus: {
      const float beta = call.a, threshold = call.b;
      return map_f32(in, out, n, [beta, threshold](auto d, auto x) {
        return vec_softplus(d, x, hn::Set(d, beta), hn::Set(d, threshold));
      });
    }
    case VecFn::Sin:
      return map_trig<true>(in, out, n);
    case VecFn::Cos:
      return map_trig<false>(in, out, n);
  }
}

}  // namespace ember::cpu::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace ember::cpu {
HWY_EXPORT(VecMathF32);

void vec_math_f32(const VecCall& call, const float* in, float* out, size_t n) {
  HWY_DYNAMIC_DISPATCH(VecMathF32)(call, in, out, n);
}
}  // namespace ember::cpu
#endif
