// Vectorized float math for one SIMD target: Highway's polynomial kernels plus the fix-ups
// that give the special values numpy and PyTorch give (NaN in, NaN out; exp(inf) = inf;
// log(0) = -inf; ...). Included once per target by a file that uses hwy/foreach_target.h:
// the eager kernels (core/cpu/vec_math_hwy.cpp) and trace's fused loops
// (trace/fused_kernels/fused_tile_hwy.cpp), so both compute the same bits.
//
// Max error against float64, float32 lanes, measured over wide sweeps (tests/python/
// test_vec_math.py holds these bounds): vec_exp 1 ulp, vec_expm1 4 ulp, vec_log 1 ulp,
// vec_log1p 2.5 ulp, vec_tanh 3 ulp, vec_sigmoid 3 ulp, vec_silu 3.5 ulp for x >= -87 (below,
// where e^x is subnormal, absolute error under 2e-43), vec_elu 5 ulp, vec_softplus 4 ulp,
// vec_gelu_tanh 4 ulp of x (1 + tanh cancels for negative x, as in PyTorch); Highway's sin
// and cos 2.5 ulp for |x| <= 39000 (vec_math_hwy.cpp takes libm past that). Subnormal
// results count in units of the smallest normal's spacing. Special values (inf, -inf, NaN,
// -0.0, log's 0 and negative inputs) come out as numpy's.

// Per-target include guard (Highway's convention for -inl.h headers).
#if defined(EMBER_CORE_CPU_VEC_MATH_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef EMBER_CORE_CPU_VEC_MATH_INL_H_
#undef EMBER_CORE_CPU_VEC_MATH_INL_H_
#else
#define EMBER_CORE_CPU_VEC_MATH_INL_H_
#endif

#include <hwy/contrib/math/math-inl.h>
#include <hwy/highway.h>

#include <limits>

HWY_BEFORE_NAMESPACE();
namespace ember::cpu::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

template <class D>
HWY_INLINE hn::Vec<D> vec_inf(D d) {
  return hn::Set(d, std::numeric_limits<hn::TFromD<D>>::infinity());
}

// Highway's Exp is valid up to 104 (float) and maps NaN to 0: clamp so +inf overflows to
// inf, and pass NaN through.
template <class D, class V>
HWY_INLINE V vec_exp(D d, V x) {
  using T = hn::TFromD<D>;
  const V hi = hn::Set(d, static_cast<T>(sizeof(T) == 4 ? 100.0 : 710.0));
  return hn::IfThenElse(hn::IsNaN(x), x, hn::Exp(d, hn::Min(x, hi)));
}

// expm1: as exp, and -0.0 stays -0.0.
template <class D, class V>
HWY_INLINE V vec_expm1(D d, V x) {
  using T = hn::TFromD<D>;
  const V hi = hn::Set(d, static_cast<T>(sizeof(T) == 4 ? 100.0 : 710.0));
  const V r = hn::Expm1(d, hn::Min(x, hi));
  return hn::IfThenElse(hn::Or(hn::IsNaN(x), hn::Eq(x, hn::Zero(d))), x, r);
}

// Outside (0, inf) Highway's Log is undefined: log(0) = -inf, log(inf) = inf, else NaN.
template <class D, class V>
HWY_INLINE V vec_log(D d, V x) {
  const V zero = hn::Zero(d), inf = vec_inf(d);
  const V r = hn::Log(d, x);
  const auto inside = hn::And(hn::Gt(x, zero), hn::Lt(x, inf));
  const V edge = hn::IfThenElse(hn::Eq(x, zero), hn::Neg(inf),
                                hn::IfThenElse(hn::Eq(x, inf), inf, hn::NaN(d)));
  return hn::IfThenElse(inside, r, edge);
}

// log1p: -1 -> -inf, below -1 or NaN -> NaN, inf -> inf; -0.0 stays -0.0 (Highway's own).
template <class D, class V>
HWY_INLINE V vec_log1p(D d, V x) {
  using T = hn::TFromD<D>;
  const V neg_one = hn::Set(d, T(-1)), inf = vec_inf(d);
  const V r = hn::Log1p(d, x);
  const auto inside = hn::And(hn::Gt(x, neg_one), hn::Lt(x, inf));
  const V edge = hn::IfThenElse(hn::Eq(x, neg_one), hn::Neg(inf),
                                hn::IfThenElse(hn::Eq(x, inf), inf, hn::NaN(d)));
  return hn::IfThenElse(inside, r, edge);
}

// Highway's Tanh: odd by construction, 1 past 18.7, -0.0 kept.
template <class D, class V>
HWY_INLINE V vec_tanh(D d, V x) {
  return hn::IfThenElse(hn::IsNaN(x), x, hn::Tanh(d, x));
}

// 1 / (1 + e^-x) for x >= 0 and e^x / (1 + e^x) below, so the exponential never overflows
// and tiny results keep their precision.
template <class D, class V>
HWY_INLINE V vec_sigmoid(D d, V x) {
  using T = hn::TFromD<D>;
  const V one = hn::Set(d, T(1));
  const V e = vec_exp(d, hn::Neg(hn::Abs(x)));
  const V r = hn::Div(one, hn::Add(one, e));
  return hn::IfThenElse(hn::Lt(x, hn::Zero(d)), hn::Mul(e, r), r);
}

// x * sigmoid(x); silu(-inf) is NaN, as in PyTorch.
template <class D, class V>
HWY_INLINE V vec_silu(D d, V x) {
  return hn::Mul(x, vec_sigmoid(d, x));
}

// 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), PyTorch's approximate='tanh'.
template <class D, class V>
HWY_INLINE V vec_gelu_tanh(D d, V x) {
  using T = hn::TFromD<D>;
  const V k = hn::Set(d, T(0.7978845608028654)), c = hn::Set(d, T(0.044715));
  const V half_x = hn::Mul(hn::Set(d, T(0.5)), x);
  const V inner = hn::Mul(k, hn::MulAdd(hn::Mul(c, x), hn::Mul(x, x), x));
  // (1 + t) * half_x rather than a fused t * half_x + half_x: keeps -0.0 for large negative x.
  return hn::Mul(half_x, hn::Add(hn::Set(d, T(1)), vec_tanh(d, inner)));
}

// x > 0 ? x : alpha (e^x - 1); NaN stays NaN.
template <class D, class V>
HWY_INLINE V vec_elu(D d, V x, V alpha) {
  return hn::IfThenElse(hn::Gt(x, hn::Zero(d)), x, hn::Mul(alpha, vec_expm1(d, x)));
}

// beta x > threshold ? x : log(1 + e^(beta x)) / beta, as PyTorch's softplus.
template <class D, class V>
HWY_INLINE V vec_softplus(D d, V x, V beta, V threshold) {
  const V bx = hn::Mul(x, beta);
  const V soft = hn::Div(vec_log1p(d, vec_exp(d, bx)), beta);
  return hn::IfThenElse(hn::Gt(bx, threshold), x, soft);
}

}  // namespace ember::cpu::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // EMBER_CORE_CPU_VEC_MATH_INL_H_
