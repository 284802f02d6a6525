#include "nn/optim/clip_grad.h"

#include <cmath>

#include "core/ops.h"
#include "eager/autograd.h"

namespace ember::nn::utils {

Tensor clip_grad_norm_(const std::vector<Tensor>& params, double max_norm, double norm_type,
                       bool error_if_nonfinite) {
  NoGradGuard ng;
  std::vector<Tensor> grads;
  for (const Tensor& p : params) {
    Tensor g = grad_of(p);
    if (g.defined()) grads.push_back(g);
  }
  if (grads.empty()) return zeros({});
  Tensor total;
  if (std::isinf(norm_type)) {
    for (const Tensor& g : grads) {
      Tensor m = amax(abs(g));
      total = total.defined() ? maximum(total, m) : m;
    }
  } else {
    for (const Tensor& g : grads) {
      Tensor s = sum(pow(abs(to_dtype(g, DType::Float64)), Scalar(norm_type)));
      total = total.defined() ? add(total, s) : s;
    }
    total = pow(total, Scalar(1.0 / norm_type));
  }
  total = to_dtype(total, grads[0].dtype());
  double n = total.item<double>();
  if (error_if_nonfinite && !std::isfinite(n)) {
    raise<Error>("[clip_grad_norm_] the total norm of order {} for gradients is non-finite, so "
                 "it cannot be clipped", norm_type);
  }
  double coef = max_norm / (n + 1e-6);
  if (coef < 1) {
    // In each gradient's dtype: a float32 coefficient would round float64 gradients.
    for (Tensor& g : grads) mul_(g, scalar_tensor(coef, g.dtype()));
  }
  return total;
}

void clip_grad_value_(const std::vector<Tensor>& params, double clip_value) {
  NoGradGuard ng;
  for (const Tensor& p : params) {
    Tensor g = grad_of(p);
    if (g.defined()) clamp_(g, Scalar(-clip_value), Scalar(clip_value));
  }
}

}  // namespace ember::nn::utils
