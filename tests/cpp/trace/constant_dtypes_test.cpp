// widen_scalar_constants: float32 scalar constants of float64 arithmetic become float64.
#include <gtest/gtest.h>

#include "core/ops.h"
#include "core/ops/arithmetic_ops.h"
#include "trace/executor.h"
#include "trace/passes/pipeline.h"

namespace ember::trace {
namespace {

TensorMeta f64(Shape s) { return {std::move(s), DType::Float64, kCPU}; }

TEST(ConstantDtypes, Float64StepCounterGetsAFloat64One) {
  // Adam's step counter: step += 1.0 (a float32 constant), then 1 - step (float64).
  Graph g;
  Tensor live = zeros({}, DType::Float64);
  ValueId step = g.add_capture(live, "step");
  ValueId one = g.add_constant(scalar_tensor(1.0));  // float32
  ASSERT_EQ(g.value(one).meta.dtype, DType::Float32);
  ValueId s = g.add_node(std::make_shared<AddOp>(), {step, one}, {f64({})}, true)[0];
  ValueId r = g.add_node(std::make_shared<SubOp>(), {one, s}, {f64({})})[0];
  g.set_outputs({r});
  const Graph before = g;
  EXPECT_EQ(widen_scalar_constants(g), 2);
  const ValueId wide = g.nodes()[0].inputs[1];
  EXPECT_EQ(g.value(wide).kind, ValueKind::Constant);
  EXPECT_EQ(g.value(wide).meta.dtype, DType::Float64);
  EXPECT_EQ(g.nodes()[1].inputs[0], wide);  // one float64 copy shared by both nodes
  EXPECT_EQ(g.nodes()[0].inputs[0], step);  // the in-place target is never replaced
  // Same numbers: run both graphs three times from the same state.
  Executor a(std::make_shared<Graph>(before)), b(std::make_shared<Graph>(g));
  for (int i = 1; i <= 3; ++i) {
    zero_(live);
    Tensor want;
    for (int k = 0; k < i; ++k) want = a.run(std::vector<Tensor>{})[0];
    zero_(live);
    Tensor got;
    for (int k = 0; k < i; ++k) got = b.run(std::vector<Tensor>{})[0];
    EXPECT_EQ(got.dtype(), DType::Float64);
    EXPECT_DOUBLE_EQ(read_as_double(got, 0), read_as_double(want, 0));
    EXPECT_DOUBLE_EQ(read_as_double(got, 0), 1.0 - i);
  }
}

TEST(ConstantDtypes, Float32ArithmeticAndComparisonsAreLeftAlone) {
  Graph g;
  ValueId x = g.add_input({{3}, DType::Float32, kCPU}, "x");
  ValueId one = g.add_constant(scalar_tensor(1.0));
  ValueId y = g.add_node(std::make_shared<AddOp>(), {x, one}, {{{3}, DType::Float32, kCPU}})[0];
  g.set_outputs({y});
  EXPECT_EQ(widen_scalar_constants(g), 0);
}

}  // namespace
}  // namespace ember::trace
