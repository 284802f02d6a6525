#pragma once
// The fused normalization primitive under batch_norm, layer_norm and group_norm (nn/norm.h
// builds those from it with reshapes).
#include <tuple>

#include "core/tensor.h"

namespace ember {

// Which axis of x [A, C, B] the optional affine weight / bias run along: kChannel, shape
// [C] (batch norm), or kInner, shape [B] (layer norm).
enum class NormAffineAxis : int64_t { kChannel = 1, kInner = 2 };

// x of shape [A, C, B] (floating): per c, the mean and biased variance over the A*B
// elements x[:, c, :], and y = (x - mean[c]) / sqrt(var[c] + eps) * weight + bias (weight and
// bias optional, in x's dtype, along `axis`). Returns (y, mean, var), mean and var of shape
// [C], all in x's dtype (accumulated in double, two passes). Differentiable in x, weight and
// bias through all three outputs (the backward is written with ops).
//   batch_norm: [N, C, H*W];  layer_norm: [1, rows, normalized numel];
//   group_norm: [1, N*groups, C/groups * spatial].
std::tuple<Tensor, Tensor, Tensor> normalize_moments(
    const Tensor& x, double eps, const Tensor& weight = Tensor(), const Tensor& bias = Tensor(),
    NormAffineAxis axis = NormAffineAxis::kChannel);

}  // namespace ember
