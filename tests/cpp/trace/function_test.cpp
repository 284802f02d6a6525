// trace::Function from C++: tracing, replay equal to eager, retrace reasons, errors.
#include <gtest/gtest.h>

#include "core/ops.h"
#include "eager/autograd.h"
#include "trace/function.h"

namespace ember::trace {
namespace {

TEST(Function, ReplayMatchesEagerAndRetracesWithReasons) {
  int python_calls = 0;
  Function f([&](const std::vector<Tensor>& a) {
    ++python_calls;
    return std::vector<Tensor>{add(mul(a[0], a[0]), exp(a[1]))};
  }, FunctionOptions{.arg_names = {"x", "y"}});
  Tensor x = full({3}, 2.0), y = full({3}, 0.5);
  for (int i = 0; i < 4; ++i) {
    auto out = f({x, y});
    EXPECT_NEAR(read_as_double(out[0], 0), 4.0 + std::exp(0.5), 1e-6);
  }
  EXPECT_EQ(python_calls, 2);  // one eager warm-up, one trace, then replays
  EXPECT_EQ(f.num_traces(), 1u);
  f({full({5}, 1.0), full({5}, 1.0)});
  ASSERT_EQ(f.retrace_log().size(), 2u);
  EXPECT_NE(f.retrace_log()[1].find("argument 0 (x): shape float32[3] -> float32[5]"),
            std::string::npos) << f.retrace_log()[1];
}

TEST(Function, TrainingStepUpdatesLiveWeights) {
  Tensor w = full({2}, 1.0);
  set_requires_grad(w, true);
  Function step([&](const std::vector<Tensor>& a) {
    set_grad(w, Tensor());
    Tensor loss = sum(mul(mul(w, w), a[0]));
    backward(loss);
    NoGradGuard ng;
    Tensor pw = w;
    sub_(pw, mul(grad_of(w), scalar_tensor(0.1)));
    return std::vector<Tensor>{loss};
  });
  Tensor x = full({2}, 1.0);
  // Eager reference: w <- w - 0.1 * 2w = 0.8 w each step.
  for (int i = 0; i < 5; ++i) step({x});
  EXPECT_NEAR(read_as_double(w, 0), std::pow(0.8, 5), 1e-6);
  EXPECT_NEAR(read_as_double(grad_of(w), 0), 2 * std::pow(0.8, 4), 1e-6);
}

TEST(Function, DynamicDimAvoidsRetrace) {
  Function f([](const std::vector<Tensor>& a) { return std::vector<Tensor>{sum(mul(a[0], a[0]), {1})}; },
             FunctionOptions{.dynamic_dims = {{0}}});
  for (int64_t n : {8, 8, 8, 3}) {
    auto out = f({full({n, 4}, 1.0)});
    EXPECT_EQ(out[0].shape(), (Shape{n}));
    EXPECT_DOUBLE_EQ(read_as_double(out[0], 0), 4.0);
  }
  EXPECT_EQ(f.num_traces(), 1u);
}

TEST(Function, CacheBoundRunsNewSignaturesEagerly) {
  std::vector<std::string> warnings;
  Function f([](const std::vector<Tensor>& a) { return std::vector<Tensor>{neg(a[0])}; },
             FunctionOptions{.max_cache_size = 2, .warmup_calls = 0});
  f.set_warn([&](const std::string& w) { warnings.push_back(w); });
  for (int64_t n = 1; n <= 4; ++n) f({full({n}, 1.0)});
  EXPECT_EQ(f.cache_size(), 2u);
  EXPECT_EQ(warnings.size(), 2u);
  EXPECT_NE(warnings[0].find("cache is full"), std::string::npos);
}

}  // namespace
}  // namespace ember::trace
