// Differentiable replay: the joint forward+backward graph, its split into a forward and a
// backward graph (which values are saved), and replays whose gradients equal eager's.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "core/ops.h"
#include "eager/autograd.h"
#include "trace/differentiable_replay.h"
#include "trace/function.h"
#include "trace/tracer.h"

namespace ember::trace {
namespace {

bool contains(const std::vector<ValueId>& vs, ValueId v) {
  return std::find(vs.begin(), vs.end(), v) != vs.end();
}

TEST(JointGraphPartition, SavesWhatTheBackwardReadsAndNothingElse) {
  // out = sum(exp(x * w)): exp's backward reads its output, mul's backward (for w) reads x.
  // Nothing in the backward reads x * w, so it is not saved.
  Tensor w = full({3}, 0.5);
  set_requires_grad(w, true);
  Tensor x = full({3}, 2.0);
  Tracer tracer;
  ValueId xv = tracer.add_input(x, "x");
  Tensor h = mul(x, w);
  Tensor y = exp(h);
  Tensor out = sum(y);
  tracer.set_outputs({out});
  const ValueId hv = tracer.value_of(h), yv = tracer.value_of(y);
  auto r = DifferentiableReplay::record(tracer, {x}, {out}, PassOptions{}, -1);
  ASSERT_TRUE(r->unsupported().empty()) << r->unsupported();
  const JointGraphSplit* s = r->split(-1);
  ASSERT_NE(s, nullptr);
  EXPECT_TRUE(contains(s->saved, yv)) << s->forward.str();
  EXPECT_TRUE(contains(s->saved, xv));
  EXPECT_FALSE(contains(s->saved, hv));
  EXPECT_EQ(s->saved.size(), 2u);
  EXPECT_EQ(s->num_user_outputs, 1u);
  // forward: x -> out, then the saved values; backward: grad_out, then saved -> grad w.
  EXPECT_EQ(s->forward.inputs().size(), 1u);
  EXPECT_EQ(s->forward.outputs().size(), 1u + s->saved.size());
  EXPECT_EQ(s->forward.num_nodes(), 3u);
  EXPECT_EQ(s->backward.inputs().size(), 1u + s->saved.size());
  ASSERT_EQ(s->backward.outputs().size(), 1u);
  EXPECT_EQ(s->gradient_slot, std::vector<int>{0});
  // mul's backward for w is grad * x: w itself is not read (x does not require grad).
  EXPECT_TRUE(s->backward.captures().empty()) << s->backward.str();
  // Eager history of the tracing call itself is kept (retain_graph).
  backward(out);
  EXPECT_NEAR(read_as_double(grad_of(w), 0), 2.0 * std::exp(1.0), 1e-5);
}

TEST(JointGraphPartition, NoOutputNeedsGradMeansNoBackwardGraph) {
  Tensor w = full({3}, 0.5);  // does not require grad
  Tensor x = full({3}, 2.0);
  Tracer tracer;
  tracer.add_input(x, "x");
  Tensor out = sum(mul(x, w));
  tracer.set_outputs({out});
  auto r = DifferentiableReplay::record(tracer, {x}, {out}, PassOptions{}, -1);
  EXPECT_FALSE(r->needs_grad({x}));
  const JointGraphSplit* s = r->split(-1);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->backward.num_nodes(), 0u);
  EXPECT_TRUE(s->saved.empty());
}

TEST(JointGraphPartition, CapturesTheBackwardReadsStayCaptures) {
  // out = sum(tanh(x) * w): the gradient for x reads w, a parameter bound by reference in
  // the backward graph (not a saved value); tanh's backward reads its output (saved).
  Tensor w = full({3}, 0.5);
  set_requires_grad(w, true);
  Tensor x = full({3}, 2.0);
  set_requires_grad(x, true);
  Tracer tracer;
  tracer.add_input(x, "x");
  Tensor t = tanh(x);
  Tensor out = sum(mul(t, w));
  tracer.set_outputs({out});
  const ValueId tv = tracer.value_of(t);
  auto r = DifferentiableReplay::record(tracer, {x}, {out}, PassOptions{}, -1);
  const JointGraphSplit* s = r->split(-1);
  ASSERT_NE(s, nullptr) << r->unsupported();
  EXPECT_TRUE(contains(s->saved, tv));
  ASSERT_EQ(s->backward.captures().size(), 1u) << s->backward.str();
  EXPECT_EQ(s->backward.captures()[0].impl(), w.impl());
  EXPECT_EQ(s->backward.outputs().size(), 2u);  // gradients for x and for w
}

TEST(DifferentiableReplay, ReplaysAccumulateParameterAndArgumentGradientsLikeEager) {
  Tensor w = full({3}, 0.5);
  set_requires_grad(w, true);
  auto body = [&](const std::vector<Tensor>& a) {
    return std::vector<Tensor>{sum(exp(mul(a[0], w)))};
  };
  Function f(body);
  Tensor x = full({3}, 2.0);
  set_requires_grad(x, true);
  const int calls = 4;
  for (int i = 0; i < calls; ++i) {
    auto out = f({x});
    ASSERT_TRUE(out[0].requires_grad());
    backward(out[0]);
    if (i >= 2) EXPECT_EQ(grad_fn(out[0])->name(), "TracedFunctionBackward");
  }
  EXPECT_EQ(f.num_traces(), 1u);
  for (int k = 0; k < 3; ++k) {
    // d/dw sum(exp(x w)) = x exp(x w); d/dx = w exp(x w); accumulated over the calls.
    EXPECT_NEAR(read_as_double(grad_of(w), k), calls * 2.0 * std::exp(1.0), 1e-4);
    EXPECT_NEAR(read_as_double(grad_of(x), k), calls * 0.5 * std::exp(1.0), 1e-5);
  }
}

TEST(DifferentiableReplay, SecondBackwardWithoutRetainGraphRaises) {
  Tensor w = full({2}, 1.5);
  set_requires_grad(w, true);
  Function f([&](const std::vector<Tensor>& a) {
    return std::vector<Tensor>{sum(mul(mul(a[0], w), w))};
  });
  Tensor x = full({2}, 1.0);
  for (int i = 0; i < 2; ++i) f({x});
  auto out = f({x});
  ASSERT_EQ(grad_fn(out[0])->name(), "TracedFunctionBackward");
  backward(out[0]);
  try {
    backward(out[0]);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("retain_graph"), std::string::npos) << e.what();
  }
  // create_graph works (double_backward_test.cpp): d/dw sum(x w w) = 2 x w.
  out = f({x});
  Tensor gw = grad(std::vector<Tensor>{out[0]}, std::vector<Tensor>{w}, {}, std::nullopt, true)[0];
  EXPECT_TRUE(gw.requires_grad());
  EXPECT_NEAR(read_as_double(gw, 0), 3.0, 1e-6);
}

}  // namespace
}  // namespace ember::trace

namespace ember::trace {
namespace {

TEST(DifferentiableReplay, DynamicSizeWithAnArgumentThatRequiresGradIsFittedOnce) {
  Tensor w = full({3}, 0.5);
  set_requires_grad(w, true);
  FunctionOptions o;
  o.dynamic_dims = {{0}};
  Function f([&](const std::vector<Tensor>& a) {
    return std::vector<Tensor>{sum(tanh(mul(a[0], w)))};
  }, o);
  for (int64_t n : {4, 4, 4, 2, 7}) {
    Tensor x = full({n, 3}, 2.0);
    set_requires_grad(x, true);
    backward(f({x})[0]);
    const double t = std::tanh(1.0);
    EXPECT_NEAR(read_as_double(grad_of(x), 0), 0.5 * (1 - t * t), 1e-5);
    EXPECT_EQ(grad_of(x).shape(), (Shape{n, 3}));
  }
  EXPECT_EQ(f.num_traces(), 1u);
}

}  // namespace
}  // namespace ember::trace
