// (A B)^T copied contiguous becomes one product B^T A^T.
#include <gtest/gtest.h>

#include "core/ops.h"
#include "core/ops/copy_ops.h"
#include "core/ops/linalg_ops.h"
#include "core/ops/view_ops.h"
#include "trace/executor.h"
#include "trace/passes/pipeline.h"

namespace ember::trace {
namespace {

TensorMeta f32(Shape s) { return {std::move(s), DType::Float32, kCPU}; }

Graph transposed_product_graph(bool extra_reader) {
  Graph g;
  ValueId x = g.add_input(f32({8, 3}), "x");
  ValueId gy = g.add_input(f32({8, 5}), "gy");
  ValueId xt = g.add_node(std::make_shared<PermuteOp>(Shape{1, 0}), {x}, {f32({3, 8})})[0];
  ValueId m = g.add_node(std::make_shared<MatmulOp>(), {xt, gy}, {f32({3, 5})})[0];
  ValueId p = g.add_node(std::make_shared<PermuteOp>(Shape{1, 0}), {m}, {f32({5, 3})})[0];
  ValueId c = g.add_node(std::make_shared<CloneOp>(), {p}, {f32({5, 3})})[0];
  g.set_outputs(extra_reader ? std::vector<ValueId>{c, m} : std::vector<ValueId>{c});
  return g;
}

TEST(TransposedProduct, CloneOfTransposedProductBecomesOneProduct) {
  Graph g = transposed_product_graph(false);
  const Graph before = g;
  EXPECT_EQ(fold_transposed_products(g, {}), 1);
  eliminate_dead_code(g, {});
  // permute(gy) and matmul(permute(gy), x): x's transpose is undone, no clone is left.
  ASSERT_EQ(g.num_nodes(), 2u);
  EXPECT_EQ(g.nodes()[0].op->name(), "permute");
  EXPECT_EQ(g.nodes()[1].op->name(), "matmul");
  EXPECT_EQ(g.nodes()[1].inputs[1], g.inputs()[0]);
  Tensor x = randn({8, 3}), gy = randn({8, 5});
  Tensor want = Executor(std::make_shared<Graph>(before)).run(std::vector<Tensor>{x, gy})[0];
  Tensor got = Executor(std::make_shared<Graph>(g)).run(std::vector<Tensor>{x, gy})[0];
  EXPECT_TRUE(got.is_contiguous());
  EXPECT_TRUE(allclose(got, want, 1e-6, 1e-6));
}

TEST(TransposedProduct, ProductWithOtherReadersStays) {
  Graph g = transposed_product_graph(true);
  EXPECT_EQ(fold_transposed_products(g, {}), 0);
}

}  // namespace
}  // namespace ember::trace
