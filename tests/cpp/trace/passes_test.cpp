// Each pass on a graph built by hand, showing the rewrite.
#include <gtest/gtest.h>

#include "core/ops.h"
#include "core/ops/arithmetic_ops.h"
#include "core/ops/unary_ops.h"
#include "trace/executor.h"
#include "trace/passes/pipeline.h"

namespace ember::trace {
namespace {

TensorMeta f32(Shape s) { return {std::move(s), DType::Float32, kCPU}; }
std::shared_ptr<const Op> op(std::unique_ptr<Op> o) { return std::shared_ptr<const Op>(std::move(o)); }

TEST(Passes, DeadCodeIsRemovedButInPlaceWritesStay) {
  Graph g;
  ValueId x = g.add_input(f32({4}), "x");
  ValueId w = g.add_capture(zeros({4}), "w");
  ValueId used = g.add_node(op(std::make_unique<ExpOp>()), {x}, {f32({4})})[0];
  g.add_node(op(std::make_unique<NegOp>()), {x}, {f32({4})});           // unused
  g.add_node(op(std::make_unique<AddOp>()), {w, x}, {f32({4})}, true);  // w += x
  g.set_outputs({used});
  EXPECT_EQ(eliminate_dead_code(g, {}), 1);
  ASSERT_EQ(g.num_nodes(), 2u);
  EXPECT_EQ(g.nodes()[0].op->name(), "exp");
  EXPECT_TRUE(g.nodes()[1].inplace);
}

TEST(Passes, CommonSubexpressionsMerge) {
  Graph g;
  ValueId x = g.add_input(f32({4}), "x");
  ValueId a = g.add_node(op(std::make_unique<ExpOp>()), {x}, {f32({4})})[0];
  ValueId b = g.add_node(op(std::make_unique<ExpOp>()), {x}, {f32({4})})[0];
  ValueId s = g.add_node(op(std::make_unique<AddOp>()), {a, b}, {f32({4})})[0];
  g.set_outputs({s});
  EXPECT_EQ(eliminate_common_subexpressions(g), 1);
  ASSERT_EQ(g.num_nodes(), 2u);
  EXPECT_EQ(g.nodes()[1].inputs[0], g.nodes()[1].inputs[1]);
}

TEST(Passes, CseDoesNotMergeValuesWrittenInPlace) {
  Graph g;
  ValueId x = g.add_input(f32({4}), "x");
  ValueId a = g.add_node(op(std::make_unique<ExpOp>()), {x}, {f32({4})})[0];
  ValueId b = g.add_node(op(std::make_unique<ExpOp>()), {x}, {f32({4})})[0];
  g.add_node(op(std::make_unique<AddOp>()), {b, x}, {f32({4})}, true);  // b += x
  ValueId s = g.add_node(op(std::make_unique<AddOp>()), {a, b}, {f32({4})})[0];
  g.set_outputs({s});
  EXPECT_EQ(eliminate_common_subexpressions(g), 0);
}

TEST(Passes, CseMergesAcrossInPlaceWritesToOtherMemory) {
  Graph g;
  ValueId x = g.add_input(f32({4}), "x");
  ValueId w = g.add_capture(zeros({4}), "w");
  ValueId a = g.add_node(op(std::make_unique<ExpOp>()), {x}, {f32({4})})[0];
  ValueId wx = g.add_node(op(std::make_unique<ExpOp>()), {w}, {f32({4})})[0];
  g.add_node(op(std::make_unique<AddOp>()), {w, a}, {f32({4})}, true);  // w += a
  ValueId b = g.add_node(op(std::make_unique<ExpOp>()), {x}, {f32({4})})[0];  // same as a
  ValueId wy = g.add_node(op(std::make_unique<ExpOp>()), {w}, {f32({4})})[0];  // w changed
  g.set_outputs({b, wx, wy});
  EXPECT_EQ(eliminate_common_subexpressions(g), 1);
  EXPECT_EQ(g.outputs()[0], a);
  EXPECT_NE(g.outputs()[2], wx);
}

TEST(Passes, ConstantsFold) {
  Graph g;
  ValueId x = g.add_input(f32({2}), "x");
  ValueId one = g.add_constant(scalar_tensor(1.0));
  ValueId two = g.add_constant(scalar_tensor(2.0));
  ValueId three = g.add_node(op(std::make_unique<AddOp>()), {one, two}, {f32({})})[0];
  ValueId y = g.add_node(op(std::make_unique<MulOp>()), {x, three}, {f32({2})})[0];
  g.set_outputs({y});
  EXPECT_EQ(fold_constants(g), 1);
  ASSERT_EQ(g.num_nodes(), 1u);
  const Value& c = g.value(g.nodes()[0].inputs[1]);
  ASSERT_EQ(c.kind, ValueKind::Constant);
  EXPECT_DOUBLE_EQ(read_as_double(g.constants()[c.index], 0), 3.0);
}

TEST(Passes, AlgebraicIdentitiesForwardOperands) {
  Graph g;
  ValueId x = g.add_input(f32({3}), "x");
  ValueId one = g.add_constant(scalar_tensor(1.0));
  ValueId zero = g.add_constant(scalar_tensor(0.0));
  ValueId a = g.add_node(op(std::make_unique<MulOp>()), {x, one}, {f32({3})})[0];
  ValueId b = g.add_node(op(std::make_unique<AddOp>()), {a, zero}, {f32({3})})[0];
  ValueId n1 = g.add_node(op(std::make_unique<NegOp>()), {b}, {f32({3})})[0];
  ValueId n2 = g.add_node(op(std::make_unique<NegOp>()), {n1}, {f32({3})})[0];
  g.set_outputs({n2});
  EXPECT_EQ(simplify_algebra(g), 3);
  EXPECT_EQ(g.outputs()[0], x);
  EXPECT_EQ(eliminate_dead_code(g, {}), 1);  // the first neg is now unused
  EXPECT_EQ(g.num_nodes(), 0u);
}

TEST(Passes, BroadcastingIdentityIsNotForwarded) {
  Graph g;
  ValueId x = g.add_input(f32({3}), "x");
  ValueId ones = g.add_constant(ones_like(zeros({2, 3})));
  ValueId a = g.add_node(op(std::make_unique<MulOp>()), {x, ones}, {f32({2, 3})})[0];
  g.set_outputs({a});
  EXPECT_EQ(simplify_algebra(g), 0);
}

TEST(Executor, ReplaysAndUpdatesCapturesInPlace) {
  Graph g;
  ValueId x = g.add_input(f32({2}), "x");
  Tensor live = zeros({2});
  ValueId w = g.add_capture(live, "w");
  g.add_node(op(std::make_unique<AddOp>()), {w, x}, {f32({2})}, true);
  ValueId e = g.add_node(op(std::make_unique<ExpOp>()), {x}, {f32({2})})[0];
  g.set_outputs({e});
  Executor ex(std::make_shared<Graph>(g));
  Tensor in = full({2}, 1.0);
  ex.run(std::vector<Tensor>{in});
  auto out = ex.run(std::vector<Tensor>{in});
  EXPECT_DOUBLE_EQ(read_as_double(live, 0), 2.0);
  EXPECT_NEAR(read_as_double(out[0], 1), std::exp(1.0), 1e-6);
}

}  // namespace
}  // namespace ember::trace
