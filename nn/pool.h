#pragma once
// MaxPool2d, AvgPool2d, AdaptiveAvgPool2d. Sizes keep the form they were given in (one value
// or a pair) so repr matches PyTorch's.
#include <optional>
#include <vector>

#include "core/ops/pool.h"
#include "nn/module.h"

namespace ember::nn {

class MaxPool2d : public Module {
 public:
  // stride empty: stride = kernel_size.
  MaxPool2d(std::vector<int64_t> kernel_size, std::vector<int64_t> stride = {},
            std::vector<int64_t> padding = {0}, std::vector<int64_t> dilation = {1},
            bool return_indices = false, bool ceil_mode = false);
  Tensor forward(const Tensor& x) override;
  TensorList forward(const TensorList& inputs) override;  // (values, indices) if return_indices
  std::string extra_repr() const override;
  std::vector<int64_t> kernel_size, stride, padding, dilation;
  bool return_indices, ceil_mode;
};

class AvgPool2d : public Module {
 public:
  AvgPool2d(std::vector<int64_t> kernel_size, std::vector<int64_t> stride = {},
            std::vector<int64_t> padding = {0}, bool ceil_mode = false,
            bool count_include_pad = true, std::optional<int64_t> divisor_override = std::nullopt);
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;
  std::vector<int64_t> kernel_size, stride, padding;
  bool ceil_mode, count_include_pad;
  std::optional<int64_t> divisor_override;
};

class AdaptiveAvgPool2d : public Module {
 public:
  // A -1 entry keeps that input size (PyTorch's None).
  explicit AdaptiveAvgPool2d(std::vector<int64_t> output_size);
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;
  std::vector<int64_t> output_size;
};

}  // namespace ember::nn
