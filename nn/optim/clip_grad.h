#pragma once
// Gradient clipping (torch.nn.utils.clip_grad_norm_ / clip_grad_value_).
#include <vector>

#include "core/tensor.h"

namespace ember::nn::utils {

// Scales all gradients so their joint p-norm is at most max_norm; returns the norm before
// clipping (a 0-dim tensor). norm_type may be infinity.
Tensor clip_grad_norm_(const std::vector<Tensor>& params, double max_norm, double norm_type = 2.0,
                       bool error_if_nonfinite = false);
void clip_grad_value_(const std::vector<Tensor>& params, double clip_value);

}  // namespace ember::nn::utils
