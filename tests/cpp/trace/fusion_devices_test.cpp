// Elementwise fusion by device: CUDA chains fuse as CPU chains do (the CUDA backend runs them
// as NVRTC kernels), and a group never mixes devices. Graphs are built by hand from metadata,
// so no GPU is needed.
#include <gtest/gtest.h>

#include "core/ops/arithmetic_ops.h"
#include "core/ops/unary_ops.h"
#include "trace/fused_elementwise.h"
#include "trace/passes/pipeline.h"

namespace ember::trace {
namespace {

const Device kCuda(DeviceType::CUDA, 0);

TensorMeta meta(Shape s, Device d) { return {std::move(s), DType::Float32, d}; }
std::shared_ptr<const Op> op(std::unique_ptr<Op> o) { return std::shared_ptr<const Op>(std::move(o)); }

const FusedElementwiseOp* fused(const Node& n) { return dynamic_cast<const FusedElementwiseOp*>(n.op.get()); }

TEST(FusionDevices, CudaChainFusesWithAProgram) {
  Graph g;
  ValueId x = g.add_input(meta({8}, kCuda), "x");
  ValueId y = g.add_input(meta({8}, kCuda), "y");
  ValueId a = g.add_node(op(std::make_unique<ExpOp>()), {x}, {meta({8}, kCuda)})[0];
  ValueId b = g.add_node(op(std::make_unique<MulOp>()), {a, y}, {meta({8}, kCuda)})[0];
  ValueId c = g.add_node(op(std::make_unique<TanhOp>()), {b}, {meta({8}, kCuda)})[0];
  g.set_outputs({c});
  EXPECT_EQ(fuse_elementwise(g, {}), 1);
  ASSERT_EQ(g.num_nodes(), 1u);
  const FusedElementwiseOp* f = fused(g.nodes()[0]);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->steps().size(), 3u);
  ASSERT_TRUE(f->program().has_value());  // what the CUDA kernel is generated from
  EXPECT_EQ(f->program()->code.size(), 3u);
  EXPECT_EQ(g.value(g.nodes()[0].outputs[0]).meta.device, kCuda);
}

TEST(FusionDevices, GroupsDoNotMixDevices) {
  Graph g;
  ValueId x = g.add_input(meta({8}, kCPU), "x");
  ValueId a = g.add_node(op(std::make_unique<ExpOp>()), {x}, {meta({8}, kCPU)})[0];
  ValueId b = g.add_node(op(std::make_unique<NegOp>()), {a}, {meta({8}, kCPU)})[0];
  // A node on CUDA reading the CPU chain (as a cross-device op would) starts its own group.
  ValueId c = g.add_node(op(std::make_unique<ExpOp>()), {b}, {meta({8}, kCuda)})[0];
  ValueId d = g.add_node(op(std::make_unique<TanhOp>()), {c}, {meta({8}, kCuda)})[0];
  g.set_outputs({d});
  EXPECT_EQ(fuse_elementwise(g, {}), 2);
  ASSERT_EQ(g.num_nodes(), 2u);
  for (const Node& n : g.nodes()) {
    const FusedElementwiseOp* f = fused(n);
    ASSERT_NE(f, nullptr);
    const Device dev = g.value(n.outputs[0]).meta.device;
    for (const FusedStep& s : f->steps()) EXPECT_EQ(s.meta.device, dev);
  }
}

}  // namespace
}  // namespace ember::trace
