// The fused-program interpreter's inner loops, compiled once per SIMD target (SSE4, AVX2,
// AVX-512, ...) by Highway and picked at run time for the CPU at hand: one loop per
// instruction over a cache-resident tile, so dispatch costs one switch per op per tile.
// The fallback of the register-level kernel (fused_block_hwy.cpp), for SIMD targets whose
// vectors cannot be held in arrays (SVE, RVV).
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "trace/fused_kernels/fused_tile_hwy.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep

#include <hwy/highway.h>

#include "core/cpu/vec_math-inl.h"
#include "core/ops/atan2_op.h"
#include "trace/fused_kernels/fused_lane_ops-inl.h"
#include "trace/fused_kernels/fused_program.h"

HWY_BEFORE_NAMESPACE();
namespace ember::trace::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
// The transcendental functions are core's, so fused loops and eager kernels agree bit for bit.
namespace vm = ember::cpu::HWY_NAMESPACE;

template <class F>
HWY_INLINE void map1(const float* HWY_RESTRICT a, float* dst, size_t len, F f) {
  const hn::ScalableTag<float> d;
  for (size_t i = 0; i < len; i += hn::Lanes(d)) hn::StoreU(f(d, hn::LoadU(d, a + i)), d, dst + i);
}

template <class F>
HWY_INLINE void map2(const float* a, const float* b, float* dst, size_t len, F f) {
  const hn::ScalableTag<float> d;
  for (size_t i = 0; i < len; i += hn::Lanes(d)) {
    hn::StoreU(f(d, hn::LoadU(d, a + i), hn::LoadU(d, b + i)), d, dst + i);
  }
}

// Comparisons produce 1.0 / 0.0.
#define EMBER_FUSED_CMP(expr)                                                       \
  map2(A, B, D, len, [](auto d, auto x, auto y) {                                   \
    return hn::IfThenElseZero(expr, hn::Set(d, 1.0f));                              \
  })

void RunFusedTile(const FusedInstr* code, size_t num_instr, float* const* regs, size_t len) {
  using O = FusedOpcode;
  for (size_t k = 0; k < num_instr; ++k) {
    const FusedInstr& in = code[k];
    float* D = regs[in.dst];
    const float* A = regs[in.a];
    const float* B = in.b >= 0 ? regs[in.b] : nullptr;
    switch (in.code) {
      case O::Copy: map1(A, D, len, [](auto, auto x) { return x; }); break;
      case O::Neg: map1(A, D, len, [](auto, auto x) { return hn::Neg(x); }); break;
      case O::Abs: map1(A, D, len, [](auto, auto x) { return hn::Abs(x); }); break;
      case O::Relu:  // x < 0 ? 0 : x, so NaN stays NaN (as eager)
        map1(A, D, len, [](auto d, auto x) { return hn::IfThenZeroElse(hn::Lt(x, hn::Zero(d)), x); });
        break;
      case O::Exp: map1(A, D, len, [](auto d, auto x) { return vm::vec_exp(d, x); }); break;
      case O::Expm1: map1(A, D, len, [](auto d, auto x) { return vm::vec_expm1(d, x); }); break;
      case O::Log: map1(A, D, len, [](auto d, auto x) { return vm::vec_log(d, x); }); break;
      case O::Log1p: map1(A, D, len, [](auto d, auto x) { return vm::vec_log1p(d, x); }); break;
      case O::Tanh: map1(A, D, len, [](auto d, auto x) { return vm::vec_tanh(d, x); }); break;
      case O::Sigmoid:
        map1(A, D, len, [](auto d, auto x) { return vm::vec_sigmoid(d, x); });
        break;
      case O::Silu: map1(A, D, len, [](auto d, auto x) { return vm::vec_silu(d, x); }); break;
      case O::Sqrt: map1(A, D, len, [](auto, auto x) { return hn::Sqrt(x); }); break;
      case O::Rsqrt:
        map1(A, D, len, [](auto d, auto x) { return hn::Div(hn::Set(d, 1.0f), hn::Sqrt(x)); });
        break;
      case O::Reciprocal:
        map1(A, D, len, [](auto d, auto x) { return hn::Div(hn::Set(d, 1.0f), x); });
        break;
      case O::Square: map1(A, D, len, [](auto, auto x) { return hn::Mul(x, x); }); break;
      case O::NotZero:
        map1(A, D, len, [](auto d, auto x) {
          return hn::IfThenElseZero(nonzero(d, x), hn::Set(d, 1.0f));
        });
        break;
      case O::LogicalNot:
        map1(A, D, len, [](auto d, auto x) {
          return hn::IfThenElseZero(hn::Eq(x, hn::Zero(d)), hn::Set(d, 1.0f));
        });
        break;
      case O::Add: map2(A, B, D, len, [](auto, auto x, auto y) { return hn::Add(x, y); }); break;
      case O::Sub: map2(A, B, D, len, [](auto, auto x, auto y) { return hn::Sub(x, y); }); break;
      case O::Mul: map2(A, B, D, len, [](auto, auto x, auto y) { return hn::Mul(x, y); }); break;
      case O::Div: map2(A, B, D, len, [](auto, auto x, auto y) { return hn::Div(x, y); }); break;
      case O::Maximum:  // NaN in either propagates (as eager)
        map2(A, B, D, len, [](auto, auto x, auto y) {
          return hn::IfThenElse(hn::Or(hn::IsNaN(x), hn::Gt(x, y)), x, y);
        });
        break;
      case O::Minimum:
        map2(A, B, D, len, [](auto, auto x, auto y) {
          return hn::IfThenElse(hn::Or(hn::IsNaN(x), hn::Lt(x, y)), x, y);
        });
        break;
      case O::Eq: EMBER_FUSED_CMP(hn::Eq(x, y)); break;
      case O::Ne: EMBER_FUSED_CMP(ne_unordered(x, y)); break;
      case O::Lt: EMBER_FUSED_CMP(hn::Lt(x, y)); break;
      case O::Le: EMBER_FUSED_CMP(hn::Le(x, y)); break;
      case O::Gt: EMBER_FUSED_CMP(hn::Gt(x, y)); break;
      case O::Ge: EMBER_FUSED_CMP(hn::Ge(x, y)); break;
      case O::LogicalAnd:
        EMBER_FUSED_CMP(hn::And(nonzero(d, x), nonzero(d, y)));
        break;
      case O::LogicalOr:
        EMBER_FUSED_CMP(hn::Or(nonzero(d, x), nonzero(d, y)));
        break;
      case O::Atan2: scalar_math::atan2f_poly_n(A, B, D, len); break;
      case O::Pow:  // not in vector programs (compile_fused_program rejects it)
        break;
      case O::Where: {
        const hn::ScalableTag<float> d;
        const float* C = regs[in.c];
        for (size_t i = 0; i < len; i += hn::Lanes(d)) {
          auto m = nonzero(d, hn::LoadU(d, A + i));
          hn::StoreU(hn::IfThenElse(m, hn::LoadU(d, B + i), hn::LoadU(d, C + i)), d, D + i);
        }
        break;
      }
    }
  }
}
#undef EMBER_FUSED_CMP

}  // namespace ember::trace::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace ember::trace {
HWY_EXPORT(RunFusedTile);

void run_fused_tile(const FusedInstr* code, size_t num_instr, float* const* regs, size_t len) {
  HWY_DYNAMIC_DISPATCH(RunFusedTile)(code, num_instr, regs, len);
}
}  // namespace ember::trace
#endif
