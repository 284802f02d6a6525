// The fused-loop program: which chains compile, how scratch slots are shared, and the
// vectorized / scalar interpreters against eager kernels.
#include <gtest/gtest.h>

#include "core/dispatch.h"
#include "core/ops.h"
#include "core/ops/arithmetic_ops.h"
#include "core/ops/unary_ops.h"
#include "trace/fused_elementwise.h"

namespace ember::trace {
namespace {

TensorMeta meta(Shape s, DType d = DType::Float32) { return {std::move(s), d, kCPU}; }

// exp(x) * y, tanh(.), + x, neg(.): registers 0 (x), 1 (y), then steps 2..5.
std::vector<FusedStep> chain(Shape s) {
  return {{std::make_shared<ExpOp>(), {0}, meta(s)},
          {std::make_shared<MulOp>(), {2, 1}, meta(s)},
          {std::make_shared<TanhOp>(), {3}, meta(s)},
          {std::make_shared<AddOp>(), {4, 0}, meta(s)},
          {std::make_shared<NegOp>(), {5}, meta(s)}};
}

TEST(FusedProgram, StepsShareScratchSlotsOnceDead) {
  auto p = compile_fused_program(2, chain({8}));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->code.size(), 5u);
  // Each step reads only the previous one: two slots alternate; the last writes the output.
  EXPECT_EQ(p->num_slots, 2);
  EXPECT_EQ(p->slot_of.back(), -1);
}

TEST(FusedProgram, RejectsOpsAndDtypesWithoutAVectorForm) {
  std::vector<FusedStep> pow{{std::make_shared<PowOp>(), {0, 1}, meta({8})}};
  EXPECT_FALSE(compile_fused_program(2, pow));
  EXPECT_TRUE(compile_scalar_program(2, pow));  // one-element chains evaluate pow in double
  std::vector<FusedStep> ints{{std::make_shared<AddOp>(), {0, 1}, meta({8}, DType::Int64)}};
  EXPECT_FALSE(compile_fused_program(2, ints));
  EXPECT_FALSE(compile_scalar_program(2, ints));
}

TEST(FusedProgram, VectorizedChainMatchesEagerKernels) {
  for (int64_t n : {1, 63, 2048, 5000}) {
    Tensor x = randn({n}), y = randn({n});
    FusedElementwiseOp op(2, chain({n}));
    const Tensor in[] = {x, y};
    Tensor got = run_op(op, in)[0];
    Tensor want = neg(add(tanh(mul(exp(x), y)), x));
    EXPECT_TRUE(allclose(got, want, 1e-6, 1e-6)) << "n=" << n;
  }
}

TEST(FusedProgram, BroadcastRowAndScalarInputs) {
  Tensor x = randn({30, 70}), row = randn({70}), s = scalar_tensor(0.5);
  std::vector<FusedStep> steps{{std::make_shared<MulOp>(), {0, 2}, meta({30, 70})},
                               {std::make_shared<AddOp>(), {3, 1}, meta({30, 70})}};
  FusedElementwiseOp op(3, steps);
  const Tensor in[] = {x, row, s};
  EXPECT_TRUE(allclose(run_op(op, in)[0], add(mul(x, s), row), 1e-6, 1e-7));
}

TEST(FusedProgram, PerRowColumnAndExpandedScalarInputsStayVectorized) {
  // log_softmax's backward: exp(x) * rowsum - g, with rowsum [rows, 1]; and a scalar grad
  // expanded to the output's shape (all strides 0).
  for (int64_t rows : {3, 16, 700}) {
    Tensor x = randn({rows, 5}), col = randn({rows, 1}), g = randn({rows, 5});
    Tensor s = expand(reshape(scalar_tensor(0.25), {1, 1}), {rows, 5});
    ASSERT_FALSE(s.is_contiguous());
    std::vector<FusedStep> steps{{std::make_shared<ExpOp>(), {0}, meta({rows, 5})},
                                 {std::make_shared<MulOp>(), {4, 1}, meta({rows, 5})},
                                 {std::make_shared<SubOp>(), {5, 2}, meta({rows, 5})},
                                 {std::make_shared<MulOp>(), {6, 3}, meta({rows, 5})}};
    auto p = compile_fused_program(4, steps);
    ASSERT_TRUE(p);
    const Tensor in[] = {x, col, g, s};
    Tensor out = Tensor::empty({rows, 5}, DType::Float32, kCPU);
    EXPECT_TRUE(run_fused_program(*p, in, out)) << "rows=" << rows;  // no op-by-op fallback
    Tensor want = mul(sub(mul(exp(x), col), g), s);
    EXPECT_TRUE(allclose(out, want, 1e-6, 1e-6)) << "rows=" << rows;
  }
}

}  // namespace
}  // namespace ember::trace
