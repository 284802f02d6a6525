#include "nn/dropout.h"

#include <fmt/format.h>

#include "core/ops.h"
#include "eager/autograd.h"

namespace ember::nn {
namespace {

void check_p(double p, std::string_view op) {
  if (!(p >= 0.0 && p <= 1.0)) {
    raise<ValueError>("[{}] dropout probability has to be between 0 and 1, but got {}", op, p);
  }
}

}  // namespace

Tensor dropout(const Tensor& input, double p, bool training) {
  check_p(p, "dropout");
  if (!is_floating(input.dtype())) {
    raise<TypeError>("[dropout] expected a floating input, got {} of shape {}",
                     dtype_name(input.dtype()), shape_str(input.shape()));
  }
  if (!training || p == 0.0) return input;
  if (p == 1.0) return mul(input, 0.0);
  Tensor mask;
  {
    NoGradGuard ng;  // the mask is a constant for autograd
    mask = mul(bernoulli(detach(input), 1.0 - p), 1.0 / (1.0 - p));
  }
  return mul(input, mask);
}

Dropout::Dropout(double prob, bool inp) : Module("Dropout"), p(prob), inplace(inp) {
  check_p(p, "Dropout");
}

Tensor Dropout::forward(const Tensor& x) { return dropout(x, p, is_training()); }

std::string Dropout::extra_repr() const {
  return fmt::format("p={}, inplace={}", p, inplace ? "True" : "False");
}

}  // namespace ember::nn
