// Double backward (create_graph) through differentiable replays: the recompute plan, values
// equal to eager's, random draws reused, unsupported cases and version errors that name
// the tensor.
#include <gtest/gtest.h>

#include <cmath>

#include "core/dispatch.h"
#include "core/ops.h"
#include "eager/autograd.h"
#include "trace/differentiable_replay.h"
#include "trace/function.h"
#include "trace/tracer.h"

namespace ember::trace {
namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

Tensor leaf(std::vector<float> v) {
  Tensor t = Tensor::empty({static_cast<int64_t>(v.size())}, DType::Float32, kCPU);
  std::copy(v.begin(), v.end(), static_cast<float*>(t.data_ptr()));
  set_requires_grad(t, true);
  return t;
}

Tensor grad1(const Tensor& y, const Tensor& x, bool create_graph) {
  return grad(std::vector<Tensor>{y}, std::vector<Tensor>{x}, {}, std::nullopt, create_graph)[0];
}

// Replays of `body` (the third call on replays), with x as the argument.
std::vector<Tensor> replay(Function& f, const Tensor& x) {
  for (int i = 0; i < 2; ++i) f({x});
  std::vector<Tensor> out = f({x});
  EXPECT_EQ(grad_fn(out[0])->name(), "TracedFunctionBackward");
  return out;
}

TEST(DoubleBackward, SecondDerivativeOfACubeEqualsEagerAndTheFormula) {
  Function f([](const std::vector<Tensor>& a) {
    return std::vector<Tensor>{mul(mul(a[0], a[0]), a[0])};
  });
  Tensor x = leaf({0.5f, -1.0f, 2.0f});
  Tensor y = replay(f, x)[0];
  Tensor g = grad1(sum(y), x, /*create_graph=*/true);
  ASSERT_TRUE(g.requires_grad());
  Tensor g2 = grad1(sum(g), x, false);
  Tensor ye = mul(mul(x, x), x);
  Tensor ge = grad1(sum(ye), x, true);
  Tensor g2e = grad1(sum(ge), x, false);
  for (int64_t i = 0; i < 3; ++i) {
    const double xi = read_as_double(x, i);
    EXPECT_NEAR(read_as_double(g, i), 3 * xi * xi, 1e-5);
    EXPECT_NEAR(read_as_double(g2, i), 6 * xi, 1e-5);
    EXPECT_EQ(read_as_double(g, i), read_as_double(ge, i));
    EXPECT_EQ(read_as_double(g2, i), read_as_double(g2e, i));
  }
}

TEST(DoubleBackward, GradientPenaltyReachesTheParametersAsInEager) {
  // A critic sum(tanh(x * w) * v); penalty = sum(grad_x^2), differentiated by w and v.
  Tensor w = leaf({0.3f, -0.7f, 1.1f}), v = leaf({1.5f, 0.2f, -0.4f});
  auto critic = [&](const std::vector<Tensor>& a) {
    return std::vector<Tensor>{sum(mul(tanh(mul(a[0], w)), v))};
  };
  Function f(critic);
  Tensor x = leaf({0.2f, 0.9f, -1.3f});
  auto penalty_grads = [&](const Tensor& out) {
    Tensor gx = grad1(out, x, true);
    Tensor gp = sum(mul(gx, gx));
    return grad(std::vector<Tensor>{gp}, std::vector<Tensor>{w, v});
  };
  std::vector<Tensor> got = penalty_grads(replay(f, x)[0]);
  std::vector<Tensor> want = penalty_grads(critic({x})[0]);
  for (size_t p = 0; p < 2; ++p) {
    for (int64_t i = 0; i < 3; ++i) {
      EXPECT_NEAR(read_as_double(got[p], i), read_as_double(want[p], i), 1e-6) << p << " " << i;
    }
  }
}

TEST(DoubleBackward, RandomDrawsOfTheReplayAreReusedNotRedrawn) {
  // y = tanh(x + r), r a fresh draw per call: tanh's output is saved; recomputing x + r
  // needs the replay's r, which the forward graph returns as a kept value.
  Function f([](const std::vector<Tensor>& a) {
    return std::vector<Tensor>{tanh(add(a[0], rand_like(a[0])))};
  });
  Tensor x = leaf({0.1f, -0.4f, 0.8f, 1.6f});
  Tensor y = replay(f, x)[0];
  Tensor g = grad1(sum(y), x, true);
  Tensor g2 = grad1(sum(g), x, false);
  for (int64_t i = 0; i < 4; ++i) {
    const double t = read_as_double(y, i);
    EXPECT_NEAR(read_as_double(g, i), 1 - t * t, 1e-6);
    EXPECT_NEAR(read_as_double(g2, i), -2 * t * (1 - t * t), 1e-5);
  }
}

TEST(ForwardRecompute, KeepsUnsavedDrawsAndSkipsValuesWithoutHistory) {
  Tensor x = leaf({0.5f, 1.0f});
  Tensor c = full({2}, 3.0);  // a capture that does not require grad
  Tracer tracer;
  tracer.add_input(x, "x");
  Tensor r = rand_like(x);
  Tensor y = tanh(add(x, r));
  Tensor out = sum(mul(y, exp(c)));  // exp(c) has no history: saved, taken from the replay
  tracer.set_outputs({out});
  const ValueId rv = tracer.value_of(r);
  auto rep = DifferentiableReplay::record(tracer, {x}, {out}, PassOptions{}, -1);
  const JointGraphSplit* s = rep->split(-1);
  ASSERT_NE(s, nullptr) << rep->unsupported();
  const ForwardRecompute& plan = s->recompute;
  EXPECT_TRUE(plan.unsupported.empty()) << plan.unsupported;
  ASSERT_EQ(plan.kept, std::vector<ValueId>{rv});
  EXPECT_EQ(plan.args, std::vector<size_t>{0});
  EXPECT_EQ(s->forward.outputs().size(), 1 + s->saved.size() + 1);
  // add and tanh are dispatched again; rand and exp(c) are not.
  std::vector<std::string> ops;
  for (int32_t n : plan.nodes) ops.emplace_back(s->forward.nodes()[n].op->name());
  EXPECT_EQ(ops, (std::vector<std::string>{"add", "tanh"}));
}

TEST(ForwardRecompute, AWriteIntoAnArgumentAfterReadingItIsUnsupportedForCreateGraphOnly) {
  // c = b * 2 is read by the recompute (x + c), then b is overwritten: the live b holds the
  // new values, so the recompute cannot rebuild c. First-order backward is unaffected.
  Function f([](const std::vector<Tensor>& a) {
    Tensor c = mul(a[1], 2.0);
    Tensor b = a[1];
    add_(b, wrapped_scalar(1.0));
    return std::vector<Tensor>{sum(tanh(add(a[0], c)))};
  });
  Tensor x = leaf({0.5f, -0.5f});
  Tensor b = full({2}, 0.25);
  for (int i = 0; i < 2; ++i) f({x, b});
  Tensor out = f({x, b})[0];
  ASSERT_EQ(grad_fn(out)->name(), "TracedFunctionBackward");
  std::string msg = error_of([&] { grad1(out, x, /*create_graph=*/true); });
  EXPECT_NE(msg.find("create_graph=True"), std::string::npos) << msg;
  EXPECT_NE(msg.find("argument 1"), std::string::npos) << msg;
  EXPECT_NE(msg.find("add_"), std::string::npos) << msg;
  Tensor g = grad1(f({x, b})[0], x, false);
  const double t = std::tanh(0.5 + 2 * read_as_double(b, 0) - 2.0);  // c was read before +1
  EXPECT_NEAR(read_as_double(g, 0), 1 - t * t, 1e-3);
}

// An op whose vjp uses an op that has none: its second derivative raises in eager.
struct TwiceOp : OpImpl<TwiceOp> {
  static constexpr std::string_view kName = "test_twice";
  MetaList infer(std::span<const Tensor> in) const override {
    return {{in[0].shape(), in[0].dtype(), in[0].device()}};
  }
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override {
    Tensor src = in[0].is_contiguous() ? in[0] : ember::clone(in[0]);
    const float* a = static_cast<const float*>(src.data_ptr());
    float* o = static_cast<float*>(out[0].data_ptr());
    for (int64_t i = 0; i < src.numel(); ++i) o[i] = 2 * a[i];
  }
};

struct SquareOp : OpImpl<SquareOp> {
  static constexpr std::string_view kName = "test_square";
  MetaList infer(std::span<const Tensor> in) const override {
    return {{in[0].shape(), in[0].dtype(), in[0].device()}};
  }
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override {
    Tensor src = in[0].is_contiguous() ? in[0] : ember::clone(in[0]);
    const float* a = static_cast<const float*>(src.data_ptr());
    float* o = static_cast<float*>(out[0].data_ptr());
    for (int64_t i = 0; i < src.numel(); ++i) o[i] = a[i] * a[i];
  }
  TensorList vjp(const VjpArgs& a) const override {
    Tensor twice = dispatch1(TwiceOp{}, std::vector<Tensor>{a.inputs[0]});
    return {mul(a.grads[0], twice)};
  }
};

TEST(DoubleBackward, AVjpThatIsNotDifferentiableRaisesAsInEager) {
  auto body = [](const std::vector<Tensor>& a) {
    return std::vector<Tensor>{dispatch1(SquareOp{}, std::vector<Tensor>{a[0]})};
  };
  Function f(body);
  Tensor x = leaf({1.0f, 2.0f});
  Tensor g = grad1(sum(replay(f, x)[0]), x, true);
  EXPECT_NEAR(read_as_double(g, 1), 4.0, 1e-6);
  std::string replayed = error_of([&] { grad1(sum(g), x, false); });
  Tensor ge = grad1(sum(body({x})[0]), x, true);
  std::string eager = error_of([&] { grad1(sum(ge), x, false); });
  EXPECT_NE(eager.find("test_twice"), std::string::npos) << eager;
  EXPECT_EQ(replayed, eager);
}

TEST(DoubleBackward, BackwardWithCreateGraphLeavesADifferentiableGrad) {
  Function f([](const std::vector<Tensor>& a) { return std::vector<Tensor>{sum(tanh(a[0]))}; });
  Tensor x = leaf({0.3f, -0.6f});
  backward(replay(f, x)[0], Tensor(), false, /*create_graph=*/true);
  Tensor gx = grad_of(x);
  ASSERT_TRUE(gx.requires_grad());
  Tensor g2 = grad1(sum(gx), x, false);
  for (int64_t i = 0; i < 2; ++i) {
    const double t = std::tanh(read_as_double(x, i));
    EXPECT_NEAR(read_as_double(g2, i), -2 * t * (1 - t * t), 1e-5);
  }
  // x.grad's history holds x: the reference cycle PyTorch documents for
  // backward(create_graph=True). Reset it, as users are told to, so nothing leaks.
  set_grad(x, Tensor());
}

TEST(DifferentiableReplay, AnInPlaceChangeOfACaptureNamesItAndTheVersions) {
  Tensor w = leaf({1.0f, 2.0f});
  Function f([&](const std::vector<Tensor>& a) {
    return std::vector<Tensor>{sum(mul(a[0], w))};  // the gradient for x reads w
  });
  Tensor x = leaf({3.0f, 4.0f});
  Tensor out = replay(f, x)[0];
  {
    NoGradGuard no_grad;
    add_(w, wrapped_scalar(1.0));
  }
  std::string msg = error_of([&] { backward(out); });
  EXPECT_NE(msg.find("captured tensor #0"), std::string::npos) << msg;
  EXPECT_NE(msg.find("shape [2], float32"), std::string::npos) << msg;
  EXPECT_NE(msg.find("modified by an in-place operation"), std::string::npos) << msg;
  EXPECT_NE(msg.find("at version 1, expected version 0"), std::string::npos) << msg;
}

TEST(DifferentiableReplay, AnInPlaceChangeOfASavedArgumentNamesTheArgument) {
  Tensor w = leaf({1.0f, 2.0f});
  FunctionOptions o;
  o.arg_names = {"inp"};
  Function f([&](const std::vector<Tensor>& a) {
    return std::vector<Tensor>{sum(mul(a[0], w))};  // the gradient for w reads x
  }, o);
  Tensor x = full({2}, 3.0);
  Tensor out = replay(f, x)[0];
  add_(x, wrapped_scalar(1.0));
  std::string msg = error_of([&] { backward(out); });
  EXPECT_NE(msg.find("argument 0 ('inp')"), std::string::npos) << msg;
  EXPECT_NE(msg.find("at version 1, expected version 0"), std::string::npos) << msg;
}

}  // namespace
}  // namespace ember::trace
