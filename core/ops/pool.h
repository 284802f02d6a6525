#pragma once
// 2-D pooling over the last two dims of [N, C, H, W] or unbatched [C, H, W] input, as in
// torch.nn.functional. Pairs are (height, width); an empty stride means stride = kernel.
#include <optional>

#include "core/ops/conv.h"

namespace ember {

// Returns (values, indices); indices are flat positions h * W + w in each input plane.
struct PoolWithIndices {
  Tensor values, indices;
};
PoolWithIndices max_pool2d_with_indices(const Tensor& x, Pair kernel_size,
                                        std::optional<Pair> stride = std::nullopt,
                                        Pair padding = {0, 0}, Pair dilation = {1, 1},
                                        bool ceil_mode = false);
Tensor max_pool2d(const Tensor& x, Pair kernel_size, std::optional<Pair> stride = std::nullopt,
                  Pair padding = {0, 0}, Pair dilation = {1, 1}, bool ceil_mode = false);
// Gradient of max_pool2d: scatters grad_output to `indices` in planes of size input_size.
Tensor max_pool2d_backward(const Tensor& grad_output, const Tensor& indices, Pair input_size);

// divisor_override 0 means none.
Tensor avg_pool2d(const Tensor& x, Pair kernel_size, std::optional<Pair> stride = std::nullopt,
                  Pair padding = {0, 0}, bool ceil_mode = false, bool count_include_pad = true,
                  int64_t divisor_override = 0);
Tensor avg_pool2d_backward(const Tensor& grad_output, Pair input_size, Pair kernel_size,
                           Pair stride, Pair padding, bool ceil_mode, bool count_include_pad,
                           int64_t divisor_override);

Tensor adaptive_avg_pool2d(const Tensor& x, Pair output_size);
Tensor adaptive_avg_pool2d_backward(const Tensor& grad_output, Pair input_size);

}  // namespace ember
