// Lane operations shared by the fused interpreters (fused_tile_hwy.cpp, fused_block_hwy.cpp)
// where the plain Highway operation differs from what the eager kernels compute. Included
// once per SIMD target, after hwy/foreach_target.h.
//
// Eager comparisons are C++'s: x != y is true when either is NaN, but Highway's Ne is an
// ordered compare (false on NaN), so "not equal" and "nonzero" are written Not(Eq(...)).

// Per-target include guard (Highway's convention for -inl.h headers).
#if defined(EMBER_TRACE_FUSED_LANE_OPS_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef EMBER_TRACE_FUSED_LANE_OPS_INL_H_
#undef EMBER_TRACE_FUSED_LANE_OPS_INL_H_
#else
#define EMBER_TRACE_FUSED_LANE_OPS_INL_H_
#endif

#include <hwy/highway.h>

HWY_BEFORE_NAMESPACE();
namespace ember::trace::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// x != y as C++ compares (true when either is NaN).
template <class V>
HWY_INLINE auto ne_unordered(V x, V y) {
  return hn::Not(hn::Eq(x, y));
}

// x != 0 (NaN counts as nonzero, as in a cast to bool).
template <class D, class V>
HWY_INLINE auto nonzero(D d, V x) {
  return hn::Not(hn::Eq(x, hn::Zero(d)));
}

}  // namespace ember::trace::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // EMBER_TRACE_FUSED_LANE_OPS_INL_H_
