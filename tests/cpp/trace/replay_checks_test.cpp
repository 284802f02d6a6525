// Safety checks of differentiable replays: check mode compares outputs and gradients with
// eager (a deliberately wrong backward graph is caught), and an in-place change of a
// captured tensor the backward graph reads, between forward and backward, raises.
#include <gtest/gtest.h>

#include <string>

#include "core/ops.h"
#include "eager/autograd.h"
#include "trace/function.h"

namespace ember::trace {
namespace {

bool is_backward_graph(const Graph& g) {
  for (ValueId v : g.inputs()) {
    if (g.value(v).name.rfind("grad_out", 0) == 0) return true;
  }
  return false;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(ReplayCheck, CatchesAWrongBackwardGraph) {
  Tensor w = full({3}, 1.5);
  set_requires_grad(w, true);
  FunctionOptions o;
  o.check_calls = 1;
  // Breaks the backward graph: its gradient becomes the output gradient itself.
  o.passes.after_passes = [](Graph& g) {
    if (is_backward_graph(g) && !g.outputs().empty()) g.mutable_outputs()[0] = g.inputs()[0];
  };
  Function f([&](const std::vector<Tensor>& a) {
    return std::vector<Tensor>{mul(mul(a[0], w), w)};
  }, o);
  Tensor x = full({3}, 2.0);
  f({x});  // eager warmup
  f({x});  // traced
  std::string err = error_of([&] { f({x}); });
  EXPECT_NE(err.find("check]"), std::string::npos) << err;
  EXPECT_NE(err.find("gradient of captured tensor 0"), std::string::npos) << err;
  EXPECT_NE(err.find("max difference"), std::string::npos) << err;
  EXPECT_FALSE(grad_of(w).defined());  // the check uses grad(), never .grad
}

TEST(ReplayCheck, CatchesAWrongForwardOutput) {
  Tensor w = full({3}, 1.5);
  set_requires_grad(w, true);
  FunctionOptions o;
  o.check_calls = 1;
  // Breaks the forward graph: output 0 becomes a copy of the input (same shape).
  o.passes.after_passes = [](Graph& g) {
    if (!is_backward_graph(g) && g.inputs().size() == 1 && !g.outputs().empty() &&
        g.value(g.outputs()[0]).meta.shape == g.value(g.inputs()[0]).meta.shape) {
      g.mutable_outputs()[0] = g.inputs()[0];
    }
  };
  Function f([&](const std::vector<Tensor>& a) {
    return std::vector<Tensor>{mul(exp(a[0]), w)};
  }, o);
  Tensor x = full({3}, 0.5);
  f({x});
  f({x});
  std::string err = error_of([&] { f({x}); });
  EXPECT_NE(err.find("output 0: max difference"), std::string::npos) << err;
}

TEST(ReplayCheck, CorrectFunctionsPassAndGradientsAccumulateOnce) {
  Tensor w = full({3}, 0.5);
  set_requires_grad(w, true);
  FunctionOptions o;
  o.check_calls = 2;
  Function f([&](const std::vector<Tensor>& a) {
    return std::vector<Tensor>{sum(tanh(mul(a[0], w)))};
  }, o);
  Tensor x = full({3}, 2.0);
  set_requires_grad(x, true);
  const int calls = 5;
  for (int i = 0; i < calls; ++i) {
    auto out = f({x});
    backward(out[0]);
    if (i >= 2) EXPECT_EQ(grad_fn(out[0])->name(), "TracedFunctionBackward");
  }
  // Accumulated over the calls, once per call (the checks leave .grad alone).
  const double t = std::tanh(1.0), d = 1 - t * t;
  for (int k = 0; k < 3; ++k) {
    EXPECT_NEAR(read_as_double(grad_of(w), k), calls * 2.0 * d, 1e-5);
    EXPECT_NEAR(read_as_double(grad_of(x), k), calls * 0.5 * d, 1e-5);
  }
  EXPECT_EQ(f.num_traces(), 1u);
}

TEST(ReplayVersionCheck, InPlaceChangeOfAReadParameterBeforeBackwardRaises) {
  Tensor w = full({2, 2}, 0.5);
  set_requires_grad(w, true);
  // d/dx of sum(x @ w) reads w: the backward graph captures it.
  Function f([&](const std::vector<Tensor>& a) {
    return std::vector<Tensor>{sum(matmul(a[0], w))};
  });
  Tensor x = full({3, 2}, 1.0);
  set_requires_grad(x, true);
  for (int i = 0; i < 2; ++i) backward(f({x})[0]);
  auto out = f({x});
  ASSERT_EQ(grad_fn(out[0])->name(), "TracedFunctionBackward");
  const uint32_t before = w.version();
  {
    NoGradGuard no_grad;
    add_(w, full({2, 2}, 1.0));
  }
  std::string err = error_of([&] { backward(out[0]); });
  EXPECT_NE(err.find("modified by an in-place"), std::string::npos) << err;
  EXPECT_NE(err.find("[2, 2]"), std::string::npos) << err;
  EXPECT_NE(err.find(std::to_string(before)), std::string::npos) << err;
  // Eager raises the same way.
  Tensor y = sum(matmul(x, w));
  {
    NoGradGuard no_grad;
    add_(w, full({2, 2}, 1.0));
  }
  EXPECT_NE(error_of([&] { backward(y); }).find("modified by an in-place"), std::string::npos);
  // Untouched, the next replay's backward runs.
  auto ok = f({x});
  EXPECT_EQ(error_of([&] { backward(ok[0]); }), "");
}

}  // namespace
}  // namespace ember::trace
