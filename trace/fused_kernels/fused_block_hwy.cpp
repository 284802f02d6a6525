// The register-level fused interpreter, compiled once per SIMD target by Highway and picked
// at run time. The whole instruction list runs on one block of kBlockVectors vectors before
// moving to the next block: the running result (Acc) stays in vector registers, results read
// later are kept in small L1 slots, and inputs are read straight from their tiles. One
// switch per instruction per block; within an instruction the block's vectors are
// independent, so long-latency steps (tanh's division) overlap.
//
// Each instruction computes exactly what fused_tile_hwy.cpp and the eager kernels compute
// (same Highway operations, same core transcendentals), so results are bit-identical.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "trace/fused_kernels/fused_block_hwy.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep

#include <hwy/highway.h>

#include "core/cpu/vec_math-inl.h"
#include "core/ops/atan2_op.h"
#include "trace/fused_kernels/fused_lane_ops-inl.h"
#include "trace/fused_kernels/fused_program.h"

HWY_BEFORE_NAMESPACE();
namespace ember::trace::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
namespace vm = ember::cpu::HWY_NAMESPACE;

#if !HWY_HAVE_SCALABLE

using D = hn::ScalableTag<float>;
using V = hn::Vec<D>;
// Vectors per block: enough independent work to hide latencies, few enough that a
// transcendental's temporaries for all of them fit in the register file.
constexpr size_t kBlockVectors = 4;
static_assert(kBlockVectors * hn::MaxLanes(D()) <= static_cast<size_t>(kFusedLaneMultiple));

struct BlockRegs {
  V v[kBlockVectors];
};

// One block's view of the operands: where inputs and slots live for the block at `pos`.
struct BlockContext {
  const float* const* inputs;
  const float* scalars;
  float* slots;
  size_t pos;  // first lane of the block within the tile

  HWY_INLINE void fetch(const FusedOperand& o, const BlockRegs& acc, BlockRegs& r) const {
    const D d;
    const size_t n = hn::Lanes(d);
    switch (o.src) {
      case FusedSource::Acc:
      default:  // (every source is listed; this keeps the compiler sure r is set)
        r = acc;
        break;
      case FusedSource::Scalar: {
        const V s = hn::Set(d, scalars[o.index]);
        for (size_t j = 0; j < kBlockVectors; ++j) r.v[j] = s;
        break;
      }
      case FusedSource::Slot: {
        const float* p = slots + static_cast<size_t>(o.index) * kFusedLaneMultiple;
        for (size_t j = 0; j < kBlockVectors; ++j) r.v[j] = hn::LoadU(d, p + j * n);
        break;
      }
      case FusedSource::Input: {
        const float* p = inputs[o.index] + pos;
        for (size_t j = 0; j < kBlockVectors; ++j) r.v[j] = hn::LoadU(d, p + j * n);
        break;
      }
    }
  }
};

template <class F>
HWY_INLINE void unary(const BlockContext& ctx, const FusedBlockInstr& in, BlockRegs& acc, F f) {
  const D d;
  BlockRegs a;
  ctx.fetch(in.a, acc, a);
  for (size_t j = 0; j < kBlockVectors; ++j) acc.v[j] = f(d, a.v[j]);
}

template <class F>
HWY_INLINE void binary(const BlockContext& ctx, const FusedBlockInstr& in, BlockRegs& acc, F f) {
  const D d;
  BlockRegs a, b;
  ctx.fetch(in.a, acc, a);
  ctx.fetch(in.b, acc, b);
  for (size_t j = 0; j < kBlockVectors; ++j) acc.v[j] = f(d, a.v[j], b.v[j]);
}

// A binary op run by an array function over the block's lanes (an out-of-line kernel that
// must be the very one eager runs): operands go through a stack buffer.
template <class F>
HWY_INLINE void binary_via_memory(const BlockContext& ctx, const FusedBlockInstr& in, BlockRegs& acc,
                                  F f) {
  const D d;
  const size_t n = hn::Lanes(d);
  constexpr size_t kMax = kBlockVectors * hn::MaxLanes(D());
  BlockRegs a, b;
  ctx.fetch(in.a, acc, a);
  ctx.fetch(in.b, acc, b);
  HWY_ALIGN float xa[kMax], xb[kMax];
  for (size_t j = 0; j < kBlockVectors; ++j) {
    hn::Store(a.v[j], d, xa + j * n);
    hn::Store(b.v[j], d, xb + j * n);
  }
  f(xa, xb, xa, kBlockVectors * n);
  for (size_t j = 0; j < kBlockVectors; ++j) acc.v[j] = hn::Load(d, xa + j * n);
}

// Comparisons and logical ops produce 1.0 / 0.0.
template <class M>
HWY_INLINE V one_if(D d, M m) {
  return hn::IfThenElseZero(m, hn::Set(d, 1.0f));
}

HWY_INLINE void run_instr(const BlockContext& ctx, const FusedBlockInstr& in, BlockRegs& acc) {
  using O = FusedOpcode;
  switch (in.code) {
    case O::Copy: unary(ctx, in, acc, [](D, V x) { return x; }); break;
    case O::Neg: unary(ctx, in, acc, [](D, V x) { return hn::Neg(x); }); break;
    case O::Abs: unary(ctx, in, acc, [](D, V x) { return hn::Abs(x); }); break;
    case O::Relu:  // x < 0 ? 0 : x, so NaN stays NaN (as eager)
      unary(ctx, in, acc, [](D d, V x) { return hn::IfThenZeroElse(hn::Lt(x, hn::Zero(d)), x); });
      break;
    case O::Exp: unary(ctx, in, acc, [](D d, V x) { return vm::vec_exp(d, x); }); break;
    case O::Expm1: unary(ctx, in, acc, [](D d, V x) { return vm::vec_expm1(d, x); }); break;
    case O::Log: unary(ctx, in, acc, [](D d, V x) { return vm::vec_log(d, x); }); break;
    case O::Log1p: unary(ctx, in, acc, [](D d, V x) { return vm::vec_log1p(d, x); }); break;
    case O::Tanh: unary(ctx, in, acc, [](D d, V x) { return vm::vec_tanh(d, x); }); break;
    case O::Sigmoid: unary(ctx, in, acc, [](D d, V x) { return vm::vec_sigmoid(d, x); }); break;
    case O::Silu: unary(ctx, in, acc, [](D d, V x) { return vm::vec_silu(d, x); }); break;
    case O::Sqrt: unary(ctx, in, acc, [](D, V x) { return hn::Sqrt(x); }); break;
    case O::Rsqrt:
      unary(ctx, in, acc, [](D d, V x) { return hn::Div(hn::Set(d, 1.0f), hn::Sqrt(x)); });
      break;
    case O::Reciprocal:
      unary(ctx, in, acc, [](D d, V x) { return hn::Div(hn::Set(d, 1.0f), x); });
      break;
    case O::Square: unary(ctx, in, acc, [](D, V x) { return hn::Mul(x, x); }); break;
    case O::NotZero:
      unary(ctx, in, acc, [](D d, V x) { return one_if(d, nonzero(d, x)); });
      break;
    case O::LogicalNot:
      unary(ctx, in, acc, [](D d, V x) { return one_if(d, hn::Eq(x, hn::Zero(d))); });
      break;
    case O::Add: binary(ctx, in, acc, [](D, V x, V y) { return hn::Add(x, y); }); break;
    case O::Sub: binary(ctx, in, acc, [](D, V x, V y) { return hn::Sub(x, y); }); break;
    case O::Mul: binary(ctx, in, acc, [](D, V x, V y) { return hn::Mul(x, y); }); break;
    case O::Div: binary(ctx, in, acc, [](D, V x, V y) { return hn::Div(x, y); }); break;
    case O::Maximum:  // NaN in either propagates (as eager)
      binary(ctx, in, acc, [](D, V x, V y) {
        return hn::IfThenElse(hn::Or(hn::IsNaN(x), hn::Gt(x, y)), x, y);
      });
      break;
    case O::Minimum:
      binary(ctx, in, acc, [](D, V x, V y) {
        return hn::IfThenElse(hn::Or(hn::IsNaN(x), hn::Lt(x, y)), x, y);
      });
      break;
    case O::Eq: binary(ctx, in, acc, [](D d, V x, V y) { return one_if(d, hn::Eq(x, y)); }); break;
    case O::Ne: binary(ctx, in, acc, [](D d, V x, V y) { return one_if(d, ne_unordered(x, y)); }); break;
    case O::Lt: binary(ctx, in, acc, [](D d, V x, V y) { return one_if(d, hn::Lt(x, y)); }); break;
    case O::Le: binary(ctx, in, acc, [](D d, V x, V y) { return one_if(d, hn::Le(x, y)); }); break;
    case O::Gt: binary(ctx, in, acc, [](D d, V x, V y) { return one_if(d, hn::Gt(x, y)); }); break;
    case O::Ge: binary(ctx, in, acc, [](D d, V x, V y) { return one_if(d, hn::Ge(x, y)); }); break;
    case O::LogicalAnd:
      binary(ctx, in, acc, [](D d, V x, V y) {
        return one_if(d, hn::And(nonzero(d, x), nonzero(d, y)));
      });
      break;
    case O::LogicalOr:
      binary(ctx, in, acc, [](D d, V x, V y) {
        return one_if(d, hn::Or(nonzero(d, x), nonzero(d, y)));
      });
      break;
    case O::Where: {
      const D d;
      BlockRegs a, b, c;
      ctx.fetch(in.a, acc, a);
      ctx.fetch(in.b, acc, b);
      ctx.fetch(in.c, acc, c);
      for (size_t j = 0; j < kBlockVectors; ++j) {
        acc.v[j] = hn::IfThenElse(nonzero(d, a.v[j]), b.v[j], c.v[j]);
      }
      break;
    }
    case O::Atan2:
      binary_via_memory(ctx, in, acc, scalar_math::atan2f_poly_n);
      break;
    case O::Pow:  // not in vector programs (compile_fused_program rejects it)
      break;
  }
}

void RunFusedBlocks(const FusedBlockInstr* code, size_t num_instr, const float* const* inputs,
                    const float* scalars, float* slots, float* out, size_t len) {
  const D d;
  const size_t n = hn::Lanes(d), block = kBlockVectors * n;
  for (size_t pos = 0; pos < len; pos += block) {
    const BlockContext ctx{inputs, scalars, slots, pos};
    BlockRegs acc;
    for (size_t k = 0; k < num_instr; ++k) {
      const FusedBlockInstr& in = code[k];
      run_instr(ctx, in, acc);
      if (in.spill >= 0) {
        float* p = slots + static_cast<size_t>(in.spill) * kFusedLaneMultiple;
        for (size_t j = 0; j < kBlockVectors; ++j) hn::StoreU(acc.v[j], d, p + j * n);
      }
    }
    for (size_t j = 0; j < kBlockVectors; ++j) hn::StoreU(acc.v[j], d, out + pos + j * n);
  }
}

bool FusedBlocksSupported() { return true; }

#else  // scalable vectors cannot live in arrays: callers use the per-op tile kernel

void RunFusedBlocks(const FusedBlockInstr*, size_t, const float* const*, const float*, float*,
                    float*, size_t) {}
bool FusedBlocksSupported() { return false; }

#endif

}  // namespace ember::trace::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace ember::trace {
HWY_EXPORT(RunFusedBlocks);
HWY_EXPORT(FusedBlocksSupported);

void run_fused_blocks(const FusedBlockInstr* code, size_t num_instr, const float* const* inputs,
                      const float* scalars, float* slots, float* out, size_t len) {
  HWY_DYNAMIC_DISPATCH(RunFusedBlocks)(code, num_instr, inputs, scalars, slots, out, len);
}

bool fused_blocks_supported() { return HWY_DYNAMIC_DISPATCH(FusedBlocksSupported)(); }
}  // namespace ember::trace
#endif
