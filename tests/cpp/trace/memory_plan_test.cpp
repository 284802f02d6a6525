// Memory planning (liveness -> offsets in one arena) on graphs built by hand, and the
// executor replaying from the arena.
#include <gtest/gtest.h>

#include <thread>

#include "core/ops.h"
#include "core/ops/arithmetic_ops.h"
#include "core/ops/linalg_ops.h"
#include "core/ops/unary_ops.h"
#include "core/ops/view_ops.h"
#include "trace/executor.h"
#include "trace/passes/memory_plan.h"

namespace ember::trace {
namespace {

TensorMeta f32(Shape s) { return {std::move(s), DType::Float32, kCPU}; }
template <class T, class... A>
std::shared_ptr<const Op> op(A&&... a) { return std::make_shared<T>(std::forward<A>(a)...); }

bool overlap(const MemoryPlan& p, ValueId a, ValueId b) {
  return p.offset[a] < p.offset[b] + p.nbytes[b] && p.offset[b] < p.offset[a] + p.nbytes[a];
}

// x -> a = exp -> b = neg -> c = exp -> out = neg: a dies when b is made, so c takes a's
// bytes; b never shares with a (a is still read while b is written).
TEST(MemoryPlan, ChainReusesDeadBuffers) {
  Graph g;
  ValueId x = g.add_input(f32({256}), "x");
  ValueId a = g.add_node(op<ExpOp>(), {x}, {f32({256})})[0];
  ValueId b = g.add_node(op<NegOp>(), {a}, {f32({256})})[0];
  ValueId c = g.add_node(op<ExpOp>(), {b}, {f32({256})})[0];
  ValueId out = g.add_node(op<NegOp>(), {c}, {f32({256})})[0];
  g.set_outputs({out});
  MemoryPlan p = plan_memory(g);
  EXPECT_EQ(p.num_planned(), 3);
  EXPECT_FALSE(p.planned(out));  // returned to the caller: fresh memory
  EXPECT_FALSE(p.planned(x));
  EXPECT_FALSE(overlap(p, a, b));
  EXPECT_FALSE(overlap(p, b, c));
  EXPECT_EQ(p.offset[c], p.offset[a]);
  EXPECT_EQ(p.naive_bytes, 3 * 1024);
  EXPECT_EQ(p.arena_bytes, 2 * 1024);
  for (ValueId v : {a, b, c}) EXPECT_EQ(p.offset[v] % MemoryPlan::kAlignment, 0);
  EXPECT_NE(p.str(g).find("arena 2048 B for 3 values (3072 B without reuse)"), std::string::npos);
}

// A view of a keeps a's bytes alive until the view's last reader.
TEST(MemoryPlan, ViewsExtendTheLifetimeOfTheirBase) {
  Graph g;
  ValueId x = g.add_input(f32({4, 8}), "x");
  ValueId a = g.add_node(op<ExpOp>(), {x}, {f32({4, 8})})[0];
  ValueId v = g.add_node(op<PermuteOp>(Shape{1, 0}), {a}, {f32({8, 4})})[0];
  ValueId xt = g.add_node(op<PermuteOp>(Shape{1, 0}), {x}, {f32({8, 4})})[0];
  ValueId b = g.add_node(op<NegOp>(), {xt}, {f32({8, 4})})[0];
  ValueId c = g.add_node(op<AddOp>(), {v, b}, {f32({8, 4})})[0];
  ValueId d = g.add_node(op<ExpOp>(), {c}, {f32({8, 4})})[0];
  g.set_outputs({d});
  MemoryPlan p = plan_memory(g);
  EXPECT_FALSE(p.planned(v));  // views own no memory
  EXPECT_TRUE(p.planned(a) && p.planned(b) && p.planned(c));
  EXPECT_FALSE(overlap(p, a, b));  // a is read (through v) after b is made
  EXPECT_FALSE(overlap(p, a, c));
  EXPECT_FALSE(overlap(p, b, c));
}

// Values whose memory leaves the call are never planned: outputs, views of outputs' bases,
// values written into in place that are outputs, and side-effect values (.grad writes).
TEST(MemoryPlan, EscapingValuesGetTheirOwnMemory) {
  Graph g;
  ValueId x = g.add_input(f32({4, 8}), "x");
  ValueId a = g.add_node(op<ExpOp>(), {x}, {f32({4, 8})})[0];
  ValueId at = g.add_node(op<PermuteOp>(Shape{1, 0}), {a}, {f32({8, 4})})[0];
  ValueId b = g.add_node(op<NegOp>(), {x}, {f32({4, 8})})[0];
  ValueId b2 = g.add_node(op<AddOp>(), {b, x}, {f32({4, 8})}, /*inplace=*/true)[0];
  ValueId grad = g.add_node(op<ExpOp>(), {x}, {f32({4, 8})})[0];
  ValueId tmp = g.add_node(op<NegOp>(), {grad}, {f32({4, 8})})[0];
  ValueId out2 = g.add_node(op<AddOp>(), {tmp, b2}, {f32({4, 8})})[0];
  g.set_outputs({at, out2});
  MemoryPlan p = plan_memory(g, {grad});
  EXPECT_FALSE(p.planned(a));     // its view is an output
  EXPECT_FALSE(p.planned(grad));  // handed to a leaf's .grad
  EXPECT_TRUE(p.planned(b));      // written in place, but only read inside the call
  EXPECT_TRUE(p.planned(tmp));
  EXPECT_FALSE(overlap(p, b, tmp));  // b (via its in-place result b2) is read with tmp
}

Graph two_layer_graph() {
  Graph g;
  ValueId x = g.add_input(f32({64, 64}), "x");
  ValueId w = g.add_capture(full({64, 64}, 0.01), "w");
  ValueId h = g.add_node(op<MatmulOp>(), {x, w}, {f32({64, 64})})[0];
  ValueId t = g.add_node(op<TanhOp>(), {h}, {f32({64, 64})})[0];
  ValueId h2 = g.add_node(op<MatmulOp>(), {t, w}, {f32({64, 64})})[0];
  ValueId y = g.add_node(op<ExpOp>(), {h2}, {f32({64, 64})})[0];
  g.add_node(op<MulOp>(), {w, g.add_constant(scalar_tensor(1.0))}, {f32({64, 64})}, true);
  g.set_outputs({y});
  return g;
}

Tensor two_layer_eager(const Tensor& x, const Tensor& w) { return exp(matmul(tanh(matmul(x, w)), w)); }

TEST(Executor, ReplaysFromOneReusedArenaAndOutputsDoNotAliasIt) {
  auto g = std::make_shared<Graph>(two_layer_graph());
  Executor planned(g), unplanned(g, {}, /*plan_memory=*/false);
  EXPECT_EQ(planned.memory_plan().num_planned(), 3);
  EXPECT_EQ(unplanned.memory_plan().num_planned(), 0);
  Tensor x1 = randn({64, 64}), x2 = randn({64, 64});
  Tensor y1 = planned.run(std::vector<Tensor>{x1})[0];
  Tensor y1_copy = clone(y1);
  Tensor y2 = planned.run(std::vector<Tensor>{x2})[0];
  EXPECT_EQ(planned.num_arenas(), 1u);  // the second call reused the first one's arena
  EXPECT_TRUE(allclose(y1, y1_copy, 0, 0));  // not overwritten by the second call
  EXPECT_TRUE(allclose(y1, two_layer_eager(x1, g->captures()[0]), 1e-6, 1e-7));
  EXPECT_TRUE(allclose(y2, unplanned.run(std::vector<Tensor>{x2})[0], 1e-6, 1e-7));
  // Other shapes than the graph's take the inferring path and still compute right.
  Tensor x3 = randn({3, 64});
  EXPECT_TRUE(allclose(planned.run(std::vector<Tensor>{x3})[0],
                       two_layer_eager(x3, g->captures()[0]), 1e-6, 1e-7));
}

TEST(Executor, ConcurrentCallsEachTakeAnArena) {
  auto g = std::make_shared<Graph>(two_layer_graph());
  Executor ex(g);
  const Tensor w = g->captures()[0];
  std::vector<Tensor> xs, expected;
  for (int i = 0; i < 4; ++i) {
    xs.push_back(randn({64, 64}));
    expected.push_back(two_layer_eager(xs.back(), w));
  }
  std::vector<bool> ok(4, false);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      bool good = true;
      for (int k = 0; k < 20; ++k) good = good && allclose(ex.run(std::vector<Tensor>{xs[i]})[0], expected[i], 1e-6, 1e-7);
      ok[i] = good;
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(ok[i]) << "thread " << i;
  EXPECT_GE(ex.num_arenas(), 1u);
  EXPECT_LE(ex.num_arenas(), 4u);
}

}  // namespace
}  // namespace ember::trace
