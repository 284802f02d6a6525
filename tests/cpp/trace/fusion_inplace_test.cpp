// In-place update fusion on graphs built by hand: an SGD-momentum update becomes two fused
// in-place loops; groups that would reorder accesses to the same memory are not formed.
#include <gtest/gtest.h>

#include "core/ops.h"
#include "core/ops/arithmetic_ops.h"
#include "core/ops/unary_ops.h"
#include "core/ops/view_ops.h"
#include "trace/executor.h"
#include "trace/passes/pipeline.h"

namespace ember::trace {
namespace {

TensorMeta f32(Shape s) { return {std::move(s), DType::Float32, kCPU}; }
template <class T>
std::shared_ptr<const Op> op() { return std::make_shared<T>(); }

TEST(FuseInplace, MomentumUpdateBecomesTwoLoops) {
  Graph g;
  Tensor w0 = randn({100}), buf0 = randn({100});
  ValueId grad = g.add_input(f32({100}), "grad");
  ValueId w = g.add_capture(clone(w0), "w");
  ValueId buf = g.add_capture(clone(buf0), "buf");
  ValueId mom = g.add_constant(scalar_tensor(0.9));
  ValueId lr = g.add_constant(scalar_tensor(0.1));
  ValueId b1 = g.add_node(op<MulOp>(), {buf, mom}, {f32({100})}, true)[0];   // buf *= 0.9
  ValueId b2 = g.add_node(op<AddOp>(), {b1, grad}, {f32({100})}, true)[0];   // buf += grad
  ValueId step = g.add_node(op<MulOp>(), {b2, lr}, {f32({100})})[0];        // buf * lr
  g.add_node(op<SubOp>(), {w, step}, {f32({100})}, true);                    // w -= ...
  const Graph before = g;
  EXPECT_EQ(fuse_inplace_updates(g, {}), 2);
  ASSERT_EQ(g.num_nodes(), 2u);
  EXPECT_TRUE(g.nodes()[0].inplace && g.nodes()[1].inplace);
  EXPECT_EQ(g.nodes()[0].inputs[0], buf);
  EXPECT_EQ(g.nodes()[1].inputs[0], w);
  Tensor gr = randn({100});
  Executor(std::make_shared<Graph>(g)).run(std::vector<Tensor>{gr});
  Tensor want_buf = add(mul(buf0, scalar_tensor(0.9)), gr);
  Tensor want_w = sub(w0, mul(want_buf, scalar_tensor(0.1)));
  EXPECT_TRUE(allclose(g.captures()[1], want_buf, 1e-6, 1e-7));
  EXPECT_TRUE(allclose(g.captures()[0], want_w, 1e-6, 1e-7));
}

TEST(FuseInplace, WriteIsNotMovedPastAReadThroughAView) {
  Graph g;
  ValueId x = g.add_input(f32({4, 4}), "x");
  ValueId buf = g.add_capture(randn({4, 4}), "buf");
  ValueId two = g.add_constant(scalar_tensor(2.0));
  ValueId v = g.add_node(std::make_shared<PermuteOp>(Shape{1, 0}), {buf}, {f32({4, 4})})[0];
  ValueId b1 = g.add_node(op<MulOp>(), {buf, two}, {f32({4, 4})}, true)[0];
  ValueId r = g.add_node(op<ExpOp>(), {v}, {f32({4, 4})})[0];  // reads buf after the mul_
  g.add_node(op<AddOp>(), {b1, x}, {f32({4, 4})}, true);
  g.set_outputs({r});
  EXPECT_EQ(fuse_inplace_updates(g, {}), 0);
}

TEST(FuseInplace, ReadIsNotMovedPastAWrite) {
  Graph g;
  ValueId buf = g.add_capture(randn({8}), "buf");
  ValueId w = g.add_capture(randn({8}), "w");
  ValueId two = g.add_constant(scalar_tensor(2.0));
  ValueId p = g.add_node(op<MulOp>(), {w, two}, {f32({8})})[0];  // reads w
  g.add_node(op<SubOp>(), {w, two}, {f32({8})}, true);            // then w changes
  g.add_node(op<AddOp>(), {buf, p}, {f32({8})}, true);            // buf += p
  EXPECT_EQ(fuse_inplace_updates(g, {}), 0);
}

}  // namespace
}  // namespace ember::trace
