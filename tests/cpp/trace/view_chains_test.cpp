// fold_view_chains: permute(permute(x)) composed, clones of private buffers dropped.
#include <gtest/gtest.h>

#include "core/ops.h"
#include "core/ops/copy_ops.h"
#include "core/ops/linalg_ops.h"
#include "core/ops/reduce_ops.h"
#include "core/ops/view_ops.h"
#include "trace/executor.h"
#include "trace/passes/pipeline.h"

namespace ember::trace {
namespace {

TensorMeta f32(Shape s) { return {std::move(s), DType::Float32, kCPU}; }

Tensor run(const Graph& g, const std::vector<Tensor>& args) {
  return Executor(std::make_shared<Graph>(g)).run(args)[0];
}

// What autograd leaves for Linear's weight gradient: clone(permute(permute(matmul))).
Graph weight_grad_graph(bool matmul_read_again) {
  Graph g;
  ValueId a = g.add_input(f32({4, 8}), "a");
  ValueId b = g.add_input(f32({8, 5}), "b");
  ValueId m = g.add_node(std::make_shared<MatmulOp>(), {a, b}, {f32({4, 5})})[0];
  ValueId p = g.add_node(std::make_shared<PermuteOp>(Shape{1, 0}), {m}, {f32({5, 4})})[0];
  ValueId q = g.add_node(std::make_shared<PermuteOp>(Shape{1, 0}), {p}, {f32({4, 5})})[0];
  ValueId c = g.add_node(std::make_shared<CloneOp>(), {q}, {f32({4, 5})})[0];
  g.set_outputs(matmul_read_again ? std::vector<ValueId>{c, m} : std::vector<ValueId>{c});
  return g;
}

TEST(ViewChains, DoubleTransposeAndCloneOfPrivateProductVanish) {
  Graph g = weight_grad_graph(false);
  const Graph before = g;
  const ValueId c = g.outputs()[0];
  EXPECT_EQ(fold_view_chains(g, {}), 2);  // one permute chain, one clone
  eliminate_dead_code(g, {});
  ASSERT_EQ(g.num_nodes(), 1u);
  EXPECT_EQ(g.nodes()[0].op->name(), "matmul");
  EXPECT_EQ(g.nodes()[0].outputs[0], c);  // the product now writes the clone's value
  Tensor a = randn({4, 8}), b = randn({8, 5});
  Tensor want = run(before, {a, b}), got = run(g, {a, b});
  EXPECT_TRUE(equal(got, want));
}

TEST(ViewChains, CloneOfSharedProductStays) {
  // The product is also an output: copying it is needed, only the identity permute goes.
  Graph g = weight_grad_graph(true);
  EXPECT_EQ(fold_view_chains(g, {}), 1);
  eliminate_dead_code(g, {});
  ASSERT_EQ(g.num_nodes(), 2u);
  EXPECT_EQ(g.nodes()[1].op->name(), "clone");
  EXPECT_EQ(g.nodes()[1].inputs[0], g.nodes()[0].outputs[0]);
}

TEST(ViewChains, CloneOfInputOrKeptValueStays) {
  Graph g;
  ValueId x = g.add_input(f32({3, 2}), "x");
  ValueId c = g.add_node(std::make_shared<CloneOp>(), {x}, {f32({3, 2})})[0];
  g.set_outputs({c});
  EXPECT_EQ(fold_view_chains(g, {}), 0);  // cloning an input protects it from later writes

  Graph h = weight_grad_graph(false);
  const ValueId m2 = h.nodes()[0].outputs[0];
  EXPECT_EQ(fold_view_chains(h, {m2}), 1);  // the product is kept (a .grad write): clone stays
}

TEST(ViewChains, PermuteChainsCompose) {
  Graph g;
  ValueId x = g.add_input(f32({2, 3, 4}), "x");
  ValueId p = g.add_node(std::make_shared<PermuteOp>(Shape{2, 0, 1}), {x}, {f32({4, 2, 3})})[0];
  ValueId q = g.add_node(std::make_shared<PermuteOp>(Shape{0, 2, 1}), {p}, {f32({4, 3, 2})})[0];
  ValueId c = g.add_node(std::make_shared<CloneOp>(), {q}, {f32({4, 3, 2})})[0];
  g.set_outputs({c});
  const Graph before = g;
  EXPECT_EQ(fold_view_chains(g, {}), 1);
  eliminate_dead_code(g, {});
  ASSERT_EQ(g.num_nodes(), 2u);
  auto* perm = dynamic_cast<const PermuteOp*>(g.nodes()[0].op.get());
  ASSERT_NE(perm, nullptr);
  EXPECT_EQ(g.nodes()[0].inputs[0], x);
  EXPECT_EQ(perm->dims, (Shape{2, 1, 0}));
  Tensor t = randn({2, 3, 4});
  EXPECT_TRUE(equal(run(g, {t}), run(before, {t})));
}

// A bias gradient: sum(g, dims=[0], keepdim=true) viewed as [n] and copied.
Graph bias_grad_graph(bool view_read_again) {
  Graph g;
  ValueId x = g.add_input(f32({6, 5}), "g");
  ValueId s = g.add_node(std::make_shared<SumOp>(ReduceAttrs{{0}, true}, std::nullopt), {x},
                         {f32({1, 5})})[0];
  ValueId v = g.add_node(std::make_shared<ReshapeViewOp>(Shape{5}), {s}, {f32({5})})[0];
  ValueId c = g.add_node(std::make_shared<CloneOp>(), {v}, {f32({5})})[0];
  g.set_outputs(view_read_again ? std::vector<ValueId>{c, v} : std::vector<ValueId>{c});
  return g;
}

TEST(ViewChains, CopyOfReshapedKeepdimSumIsTheSumWithoutKeepdim) {
  Graph g = bias_grad_graph(false);
  const Graph before = g;
  EXPECT_EQ(fold_view_chains(g, {}), 1);
  eliminate_dead_code(g, {});
  ASSERT_EQ(g.num_nodes(), 1u);
  EXPECT_EQ(g.nodes()[0].op->name(), "sum");
  EXPECT_EQ(g.nodes()[0].outputs[0], g.outputs()[0]);
  Attrs a;
  g.nodes()[0].op->attributes(a);
  EXPECT_FALSE(a.get<bool>("keepdim", "sum"));
  Tensor t = randn({6, 5});
  Tensor got = run(g, {t});
  EXPECT_EQ(got.shape(), (Shape{5}));
  EXPECT_TRUE(equal(got, run(before, {t})));
}

TEST(ViewChains, CopyOfSharedViewStays) {
  Graph g = bias_grad_graph(true);
  EXPECT_EQ(fold_view_chains(g, {}), 0);
}

}  // namespace
}  // namespace ember::trace
