#pragma once
// Fused optimizer updates: one pass over a parameter (or its state) instead of a chain of
// elementwise ops, each writing a temporary. The optimizers in nn/optim call these; they are
// ordinary ops (dispatched, traced), so a traced training step contains them and reads the
// scalar options (lr, betas, ...) as 0-dim tensors on every replay.
#include "core/tensor.h"

namespace ember {

// alpha * y + beta * x, or alpha * y + beta * x * x with `square_x`. alpha and beta are
// one-element tensors; x has y's shape; the result has y's dtype.
Tensor axpby(const Tensor& y, const Tensor& x, const Tensor& alpha, const Tensor& beta,
             bool square_x = false);
// In place: y = alpha * y + beta * x (* x). Returns y. Momentum buffers and Adam moments.
Tensor axpby_(const Tensor& y, const Tensor& x, const Tensor& alpha, const Tensor& beta,
              bool square_x = false);

// Adam's parameter update, in place on `param` (PyTorch's rule, step counted from 1):
//   param *= 1 - lr * weight_decay                       (only if decoupled_weight_decay)
//   param -= lr / (1 - beta1^step) * exp_avg / (sqrt(second) / sqrt(1 - beta2^step) + eps)
// `second` is exp_avg_sq (or its running max under amsgrad); step, lr, beta1, beta2, eps and
// weight_decay are one-element tensors. Returns param.
Tensor adam_update_(const Tensor& param, const Tensor& exp_avg, const Tensor& second,
                    const Tensor& step, const Tensor& lr, const Tensor& beta1,
                    const Tensor& beta2, const Tensor& eps, const Tensor& weight_decay,
                    bool decoupled_weight_decay);

}  // namespace ember
