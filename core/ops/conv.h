#pragma once
// Convolutions (NCHW), as in torch.nn.functional. Pairs are (height, width). conv1d runs as
// conv2d on a height-1 view. Inputs may be batched [N, C, ...] or unbatched [C, ...].
#include <array>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace ember {

using Pair = std::array<int64_t, 2>;

Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor(),
              Pair stride = {1, 1}, Pair padding = {0, 0}, Pair dilation = {1, 1},
              int64_t groups = 1);
// String padding (conv2d_padding, as ATen names it): "same" (stride 1; an odd total pads one
// more at the bottom/right) or "valid".
Tensor conv2d_padding(const Tensor& x, const Tensor& weight, const Tensor& bias, Pair stride,
                      std::string_view padding, Pair dilation = {1, 1}, int64_t groups = 1);
Tensor conv1d(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor(),
              int64_t stride = 1, int64_t padding = 0, int64_t dilation = 1, int64_t groups = 1);
Tensor conv1d_padding(const Tensor& x, const Tensor& weight, const Tensor& bias,
                      int64_t stride, std::string_view padding, int64_t dilation = 1,
                      int64_t groups = 1);
// weight [C_in, C_out / groups, kh, kw].
Tensor conv_transpose2d(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor(),
                        Pair stride = {1, 1}, Pair padding = {0, 0}, Pair output_padding = {0, 0},
                        int64_t groups = 1, Pair dilation = {1, 1});
// The weight gradient of conv2d: for x [N, C, H, W] and grad_output [N, O, Ho, Wo], a tensor
// of weight's shape [O, C / groups, kernel_size...].
Tensor conv2d_backward_weight(const Tensor& x, const Tensor& grad_output, Pair kernel_size,
                              Pair stride, Pair padding, Pair dilation, int64_t groups);

}  // namespace ember
