// The register-level fused interpreter (trace/fused_kernels/fused_block_hwy.cpp): how
// operands map to registers, slots and inputs, and bit-for-bit equality with eager kernels
// for every opcode, every operand source, broadcast inputs and lengths that are not a
// multiple of the vector block.
#include <gtest/gtest.h>

#include <cmath>
#include <algorithm>
#include <cstring>
#include <functional>
#include <limits>

#include "core/dispatch.h"
#include "core/ops.h"
#include "core/ops/activation_ops.h"
#include "core/ops/arithmetic_ops.h"
#include "core/ops/atan2_op.h"
#include "core/ops/comparison_ops.h"
#include "core/ops/copy_ops.h"
#include "core/ops/unary_ops.h"
#include "core/random/generator.h"
#include "trace/fused_elementwise.h"

namespace ember::trace {
namespace {

using OpPtr = std::shared_ptr<const Op>;

// A chain described like FusedStep but without metadata: registers [0, inputs) are the
// inputs, then one register per step.
struct Step {
  OpPtr op;
  std::vector<int> operands;
};

// Runs `chain` eagerly (op by op) and returns each step's result.
std::vector<Tensor> run_eager(const std::vector<Step>& chain, const std::vector<Tensor>& inputs) {
  std::vector<Tensor> regs(inputs);
  for (const Step& s : chain) {
    TensorList in;
    for (int r : s.operands) in.push_back(regs[r]);
    regs.push_back(run_op(*s.op, in)[0]);
  }
  return {regs.begin() + inputs.size(), regs.end()};
}

std::vector<FusedStep> fused_steps(const std::vector<Step>& chain, const std::vector<Tensor>& eager) {
  std::vector<FusedStep> steps;
  for (size_t k = 0; k < chain.size(); ++k) {
    steps.push_back({chain[k].op, chain[k].operands, TensorMeta{eager[k].shape(), eager[k].dtype(), kCPU}});
  }
  return steps;
}

// Equal bits, or both NaN (NaN payloads are not part of the contract).
::testing::AssertionResult same_floats(const Tensor& got, const Tensor& want) {
  if (got.shape() != want.shape() || got.dtype() != DType::Float32 || want.dtype() != DType::Float32) {
    return ::testing::AssertionFailure() << "shape or dtype differs";
  }
  Tensor g = contiguous(got), w = contiguous(want);
  const float* a = g.data<float>();
  const float* b = w.data<float>();
  for (int64_t i = 0; i < g.numel(); ++i) {
    if (std::isnan(a[i]) && std::isnan(b[i])) continue;
    if (std::memcmp(&a[i], &b[i], sizeof(float)) != 0) {
      return ::testing::AssertionFailure() << "element " << i << ": fused " << a[i] << ", eager " << b[i];
    }
  }
  return ::testing::AssertionSuccess();
}

// Runs `chain` fused (the register-level path must accept it) and eagerly; compares.
void expect_fused_equals_eager(const std::vector<Step>& chain, const std::vector<Tensor>& inputs,
                               const std::string& what) {
  SCOPED_TRACE(what);
  std::vector<Tensor> eager = run_eager(chain, inputs);
  std::vector<FusedStep> steps = fused_steps(chain, eager);
  auto program = compile_fused_program(static_cast<int>(inputs.size()), steps);
  ASSERT_TRUE(program);
  ASSERT_EQ(program->block_code.size(), chain.size());
  Tensor out = Tensor::empty(eager.back().shape(), DType::Float32, kCPU);
  ASSERT_TRUE(run_fused_program(*program, inputs, out));
  EXPECT_TRUE(same_floats(out, eager.back()));
  // Through the op as the executor runs it.
  FusedElementwiseOp op(static_cast<int>(inputs.size()), steps);
  EXPECT_TRUE(op.vectorized());
  EXPECT_TRUE(same_floats(run_op(op, inputs)[0], eager.back()));
}

// x with special values sprinkled in (NaN, infinities, signed zeros, the edges of log and
// log1p), so every fix-up of the vectorized math is exercised.
Tensor special_randn(Shape shape) {
  Tensor x = contiguous(randn(shape));
  float* p = x.data<float>();
  const float inf = std::numeric_limits<float>::infinity();
  const float specials[] = {std::nanf(""), inf, -inf, 0.f, -0.f, -1.f, 1.f, 100.f, -100.f, 20.f};
  for (int64_t i = 0, k = 0; i < x.numel(); i += 7, ++k) p[i] = specials[k % std::size(specials)];
  return x;
}

Tensor from_blob_copy(const std::vector<float>& v, int64_t n) {
  Tensor t = Tensor::empty({n}, DType::Float32, kCPU);
  std::copy_n(v.data(), n, t.data<float>());
  return t;
}

const std::vector<int64_t> kLengths = {1, 7, 63, 64, 65, 1000, 2048 + 5, 3 * 2048 + 17};

std::vector<std::pair<std::string, OpPtr>> unary_ops() {
  return {{"neg", std::make_shared<NegOp>()},         {"abs", std::make_shared<AbsOp>()},
          {"relu", std::make_shared<ReluOp>()},       {"exp", std::make_shared<ExpOp>()},
          {"expm1", std::make_shared<Expm1Op>()},     {"log", std::make_shared<LogOp>()},
          {"log1p", std::make_shared<Log1pOp>()},     {"tanh", std::make_shared<TanhOp>()},
          {"sigmoid", std::make_shared<SigmoidOp>()}, {"silu", std::make_shared<SiluOp>()},
          {"sqrt", std::make_shared<SqrtOp>()},       {"rsqrt", std::make_shared<RsqrtOp>()},
          {"reciprocal", std::make_shared<ReciprocalOp>()},
          {"square", std::make_shared<SquareOp>()},   {"cast", std::make_shared<CastOp>(DType::Float32)}};
}

std::vector<std::pair<std::string, OpPtr>> binary_ops() {
  return {{"add", std::make_shared<AddOp>()},         {"sub", std::make_shared<SubOp>()},
          {"mul", std::make_shared<MulOp>()},         {"div", std::make_shared<DivOp>()},
          {"maximum", std::make_shared<MaximumOp>()}, {"minimum", std::make_shared<MinimumOp>()},
          {"atan2", std::make_shared<Atan2Op>()}};
}

std::vector<std::pair<std::string, OpPtr>> predicate_ops() {
  return {{"eq", std::make_shared<EqOp>()},   {"ne", std::make_shared<NeOp>()},
          {"lt", std::make_shared<LtOp>()},   {"le", std::make_shared<LeOp>()},
          {"gt", std::make_shared<GtOp>()},   {"ge", std::make_shared<GeOp>()},
          {"logical_and", std::make_shared<LogicalAndOp>()},
          {"logical_or", std::make_shared<LogicalOrOp>()}};
}

TEST(FusedBlockProgram, OperandsComeFromAccumulatorSlotsOrInputs) {
  // t0 = exp(x); t1 = t0 * y; t2 = tanh(t1); t3 = t2 + t0; t4 = t3 * t3.
  // Registers: x 0, y 1, t0 2, t1 3, t2 4, t3 5, t4 6.
  TensorMeta m{{8}, DType::Float32, kCPU};
  std::vector<FusedStep> steps{{std::make_shared<ExpOp>(), {0}, m},
                               {std::make_shared<MulOp>(), {2, 1}, m},
                               {std::make_shared<TanhOp>(), {3}, m},
                               {std::make_shared<AddOp>(), {4, 2}, m},
                               {std::make_shared<MulOp>(), {5, 5}, m}};
  auto p = compile_fused_program(2, steps);
  ASSERT_TRUE(p);
  const auto& c = p->block_code;
  ASSERT_EQ(c.size(), 5u);
  EXPECT_EQ(c[0].a.src, FusedSource::Input);
  EXPECT_EQ(c[0].a.index, 0);
  EXPECT_EQ(c[0].spill, 0);  // t0 is read again by step 3
  EXPECT_EQ(c[1].a.src, FusedSource::Acc);
  EXPECT_EQ(c[1].b.src, FusedSource::Input);
  EXPECT_EQ(c[1].b.index, 1);
  EXPECT_EQ(c[1].spill, -1);
  EXPECT_EQ(c[3].a.src, FusedSource::Acc);
  EXPECT_EQ(c[3].b.src, FusedSource::Slot);
  EXPECT_EQ(c[3].b.index, 0);
  EXPECT_EQ(c[4].a.src, FusedSource::Acc);
  EXPECT_EQ(c[4].b.src, FusedSource::Acc);
  EXPECT_EQ(p->num_block_slots, 1);
}

TEST(FusedBlockProgram, SlotsAreReusedOnceTheirLastReaderRan) {
  // Two spilled values whose lives do not overlap share one slot:
  // t0 = neg(x); t1 = abs(t0); t2 = t1 + t0 (t0's last read); t3 = exp(t2); t4 = sqrt(t3);
  // t5 = t4 * t3 (t3 spilled, may take t0's slot).
  TensorMeta m{{8}, DType::Float32, kCPU};
  std::vector<FusedStep> steps{{std::make_shared<NegOp>(), {0}, m},  {std::make_shared<AbsOp>(), {1}, m},
                               {std::make_shared<AddOp>(), {2, 1}, m}, {std::make_shared<ExpOp>(), {3}, m},
                               {std::make_shared<SqrtOp>(), {4}, m}, {std::make_shared<MulOp>(), {5, 4}, m}};
  auto p = compile_fused_program(1, steps);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->num_block_slots, 1);
  EXPECT_EQ(p->block_code[0].spill, 0);
  EXPECT_EQ(p->block_code[3].spill, 0);
  EXPECT_EQ(p->block_code[5].b.src, FusedSource::Slot);
}

TEST(FusedBlockEval, EveryUnaryOpReadingInputAccumulatorAndSlot) {
  manual_seed(1);
  for (int64_t n : kLengths) {
    Tensor x = special_randn({n}), y = randn({n});
    for (const auto& [name, u] : unary_ops()) {
      // t0 = u(x) [Input]; t1 = t0 * y; t2 = u(t1) [Acc]; t3 = t2 + t0 [Slot]; t4 = u(t3).
      std::vector<Step> chain{{u, {0}},
                              {std::make_shared<MulOp>(), {2, 1}},
                              {u, {3}},
                              {std::make_shared<AddOp>(), {4, 2}},
                              {u, {5}}};
      expect_fused_equals_eager(chain, {x, y}, name + " n=" + std::to_string(n));
    }
  }
}

TEST(FusedBlockEval, EveryBinaryOpWithEachOperandSource) {
  manual_seed(2);
  for (int64_t n : kLengths) {
    Tensor x = special_randn({n}), y = special_randn({n}), s = scalar_tensor(0.75f);
    for (const auto& [name, op] : binary_ops()) {
      // t0 = neg(x); t1 = op(t0, y) [Acc, Input]; t2 = op(y, t1) [Input, Acc];
      // t3 = op(t2, t0) [Acc, Slot]; t4 = op(s, t3) [Scalar, Acc]; t5 = op(t4, t4) [Acc, Acc];
      // t6 = op(t0, t5) [Slot, Acc].
      std::vector<Step> chain{{std::make_shared<NegOp>(), {0}}, {op, {3, 1}}, {op, {1, 4}},
                              {op, {5, 3}},                    {op, {2, 6}}, {op, {7, 7}},
                              {op, {3, 8}}};
      expect_fused_equals_eager(chain, {x, y, s}, name + " n=" + std::to_string(n));
    }
  }
}

TEST(FusedBlockEval, PredicatesWhereAndCastsHoldBoolsAsZeroOne) {
  manual_seed(3);
  for (int64_t n : kLengths) {
    Tensor x = special_randn({n}), y = randn({n}), s = scalar_tensor(0.25f);
    for (const auto& [name, pred] : predicate_ops()) {
      // b0 = pred(x, y); f1 = where(b0, x, y); b2 = pred(f1, s); b3 = logical_not(b2);
      // b4 = pred(b3, b0) (bools in); f5 = cast(b4); f6 = f5 * x; b7 = cast_bool(f6);
      // f8 = where(b7, f6, s).
      std::vector<Step> chain{{pred, {0, 1}},
                              {std::make_shared<WhereOp>(), {3, 0, 1}},
                              {pred, {4, 2}},
                              {std::make_shared<LogicalNotOp>(), {5}},
                              {pred, {6, 3}},
                              {std::make_shared<CastOp>(DType::Float32), {7}},
                              {std::make_shared<MulOp>(), {8, 0}},
                              {std::make_shared<CastOp>(DType::Bool), {9}},
                              {std::make_shared<WhereOp>(), {10, 9, 2}}};
      expect_fused_equals_eager(chain, {x, y, s}, name + " n=" + std::to_string(n));
    }
  }
}

TEST(FusedBlockEval, BroadcastRowsColumnsAndScalars) {
  manual_seed(4);
  for (Shape shape : std::vector<Shape>{{3, 5}, {33, 31}, {70, 129}, {2, 3, 1000}}) {
    const int64_t rows = shape[0];
    Shape row_shape(shape.begin() + 1, shape.end());
    Shape col_shape(shape.size(), 1);
    col_shape[0] = rows;
    Tensor x = special_randn(shape), row = randn(row_shape), col = randn(col_shape);
    Tensor s = scalar_tensor(1.5f);
    Tensor expanded = expand(reshape(scalar_tensor(-0.5f), Shape(shape.size(), 1)), shape);
    // t0 = x * row; t1 = tanh(t0); t2 = t1 - col; t3 = t2 * s; t4 = maximum(t3, expanded);
    // t5 = t4 + t0.
    std::vector<Step> chain{{std::make_shared<MulOp>(), {0, 1}},   {std::make_shared<TanhOp>(), {5}},
                            {std::make_shared<SubOp>(), {6, 2}},   {std::make_shared<MulOp>(), {7, 3}},
                            {std::make_shared<MaximumOp>(), {8, 4}}, {std::make_shared<AddOp>(), {9, 5}}};
    expect_fused_equals_eager(chain, {x, row, col, s, expanded}, "shape " + std::to_string(shape.size()) +
                                                                    "d, rows=" + std::to_string(rows));
  }
}

TEST(FusedBlockEval, TheBenchmarkChainMatchesEager) {
  // bench/bench_trace.py's chain: x*1.5+0.5, tanh, *x, -0.25, relu, +x, *0.5.
  manual_seed(5);
  Tensor x = randn({1000003});
  Tensor c15 = scalar_tensor(1.5f), c05 = scalar_tensor(0.5f), c025 = scalar_tensor(0.25f);
  std::vector<Step> chain{{std::make_shared<MulOp>(), {0, 1}}, {std::make_shared<AddOp>(), {4, 2}},
                          {std::make_shared<TanhOp>(), {5}},   {std::make_shared<MulOp>(), {6, 0}},
                          {std::make_shared<SubOp>(), {7, 3}}, {std::make_shared<ReluOp>(), {8}},
                          {std::make_shared<AddOp>(), {9, 0}}, {std::make_shared<MulOp>(), {10, 2}}};
  expect_fused_equals_eager(chain, {x, c15, c05, c025}, "bench chain");
}

// The per-op tile kernel (the fallback where vectors cannot be held in arrays) and the
// register-level kernel, called directly on the same program, agree bit for bit.
TEST(FusedBlockEval, TileKernelAndBlockKernelAgree) {
  manual_seed(7);
  const int64_t n = 3 * kFusedLaneMultiple;
  Tensor x = special_randn({n}), y = special_randn({n});
  std::vector<std::vector<Step>> chains;
  for (const auto& [name, u] : unary_ops()) chains.push_back({{u, {0}}, {std::make_shared<MulOp>(), {2, 1}}, {u, {3}}});
  for (const auto& [name, b] : binary_ops()) chains.push_back({{b, {0, 1}}, {b, {2, 0}}, {b, {1, 3}}});
  for (const auto& [name, pred] : predicate_ops()) {
    chains.push_back({{pred, {0, 1}}, {std::make_shared<WhereOp>(), {2, 1, 0}}});
  }
  for (const std::vector<Step>& chain : chains) {
    SCOPED_TRACE(std::string(chain[0].op->name()));
    std::vector<Tensor> eager = run_eager(chain, {x, y});
    auto p = compile_fused_program(2, fused_steps(chain, eager));
    ASSERT_TRUE(p);
    // Tile kernel: one buffer per register.
    std::vector<std::vector<float>> bufs(2 + chain.size(), std::vector<float>(n));
    std::copy_n(x.data<float>(), n, bufs[0].begin());
    std::copy_n(y.data<float>(), n, bufs[1].begin());
    std::vector<float*> regs;
    for (auto& b : bufs) regs.push_back(b.data());
    run_fused_tile(p->code.data(), p->code.size(), regs.data(), n);
    Tensor tile_out = from_blob_copy(bufs.back(), n);
    // Block kernel.
    const float* inputs[] = {x.data<float>(), y.data<float>()};
    const float scalars[] = {0.f, 0.f};
    std::vector<float> slots(std::max(1, p->num_block_slots) * kFusedLaneMultiple);
    Tensor block_out = Tensor::empty({n}, DType::Float32, kCPU);
    run_fused_blocks(p->block_code.data(), p->block_code.size(), inputs, scalars, slots.data(),
                     block_out.data<float>(), n);
    EXPECT_TRUE(same_floats(tile_out, block_out));
    EXPECT_TRUE(same_floats(block_out, eager.back()));
  }
}

TEST(FusedBlockEval, InputsTheTilesCannotReadFallBackToEagerKernels) {
  // A transposed (non-contiguous) input: the vectorized driver declines, the op still
  // computes the chain (op by op).
  manual_seed(6);
  Tensor x = transpose(randn({40, 30}), 0, 1), y = randn({30, 40});
  std::vector<Step> chain{{std::make_shared<MulOp>(), {0, 1}}, {std::make_shared<TanhOp>(), {2}}};
  std::vector<Tensor> eager = run_eager(chain, {x, y});
  std::vector<FusedStep> steps = fused_steps(chain, eager);
  auto program = compile_fused_program(2, steps);
  ASSERT_TRUE(program);
  Tensor out = Tensor::empty({30, 40}, DType::Float32, kCPU);
  const Tensor in[] = {x, y};
  EXPECT_FALSE(run_fused_program(*program, in, out));
  FusedElementwiseOp op(2, steps);
  EXPECT_TRUE(same_floats(run_op(op, in)[0], eager.back()));
}

}  // namespace
}  // namespace ember::trace
