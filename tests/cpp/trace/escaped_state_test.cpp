// State created while tracing: tensors made by traced ops and kept by code outside the
// function raise; temporaries (written in place or not) that only the outputs' autograd
// history keeps do not.
#include <gtest/gtest.h>

#include <string>

#include "core/ops.h"
#include "eager/autograd.h"
#include "trace/function.h"

namespace ember::trace {
namespace {

FunctionOptions traced_first() {
  FunctionOptions o;
  o.warmup_calls = 0;
  return o;
}

TEST(EscapedState, StateKeptOutsideRaisesEvenIfNotWrittenInPlace) {
  Tensor kept;  // like SGD's momentum buffer: a clone made on the first step, kept outside
  Function f([&](const std::vector<Tensor>& a) {
    if (!kept.defined()) kept = mul(a[0], full({3}, 0.9));
    return std::vector<Tensor>{add(a[0], full({3}, 1.0))};
  }, traced_first());
  try {
    f({full({3}, 2.0)});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("1 tensor(s) created while tracing (f32[3])"),
              std::string::npos) << e.what();
  }
}

TEST(EscapedState, TemporariesSavedForBackwardAreNotState) {
  Tensor w = full({3}, 0.5);
  set_requires_grad(w, true);
  Function f([&](const std::vector<Tensor>& a) {
    Tensor t = zeros({3});
    add_(t, a[0]);               // written in place, from the arguments
    Tensor u = full({3}, 1.0);
    mul_(u, full({3}, 3.0));     // written in place, not from the arguments
    // mul's backward saves t and u (w requires grad): autograd history, not state.
    return std::vector<Tensor>{sum(add(mul(t, w), exp(mul(u, w))))};
  }, traced_first());
  Tensor x = full({3}, 2.0);
  for (int i = 0; i < 3; ++i) backward(f({x})[0]);
  EXPECT_EQ(f.num_traces(), 1u);
  // d/dw = x + 3 exp(3 w), three calls.
  EXPECT_NEAR(read_as_double(grad_of(w), 0), 3 * (2.0 + 3 * std::exp(1.5)), 1e-3);
}

}  // namespace
}  // namespace ember::trace
