#pragma once
// Conv1d, Conv2d, ConvTranspose2d (zero padding), initialized as PyTorch does.
#include "core/default_dtype.h"
#include <string>
#include <vector>

#include "core/ops/conv.h"
#include "nn/module.h"

namespace ember::nn {

// Shared by the convolution modules: sizes are per spatial dim (1 for Conv1d, 2 for 2-D).
class ConvNd : public Module {
 public:
  ConvNd(std::string type_name, int64_t in_channels, int64_t out_channels,
         std::vector<int64_t> kernel_size, std::vector<int64_t> stride,
         std::vector<int64_t> padding, std::string padding_str, std::vector<int64_t> dilation,
         std::vector<int64_t> output_padding, int64_t groups, bool bias, bool transposed,
         DType dtype);
  std::string extra_repr() const override;
  void reset_parameters();

  int64_t in_channels, out_channels;
  std::vector<int64_t> kernel_size, stride, padding, dilation, output_padding;
  std::string padding_str;  // "same" / "valid" when padding was given as a string, else ""
  int64_t groups;
  bool transposed;

 protected:
  // Raises "[Conv2d] ..." unless x is [N, C, ...] or [C, ...] with in_channels channels.
  void check_input(const Tensor& x) const;
  std::string type_name_for_errors() const;
};

class Conv1d : public ConvNd {
 public:
  Conv1d(int64_t in_channels, int64_t out_channels, int64_t kernel_size, int64_t stride = 1,
         int64_t padding = 0, int64_t dilation = 1, int64_t groups = 1, bool bias = true,
         DType dtype = default_dtype(), std::string padding_str = "");
  Tensor forward(const Tensor& x) override;
};

class Conv2d : public ConvNd {
 public:
  Conv2d(int64_t in_channels, int64_t out_channels, Pair kernel_size, Pair stride = {1, 1},
         Pair padding = {0, 0}, Pair dilation = {1, 1}, int64_t groups = 1, bool bias = true,
         DType dtype = default_dtype(), std::string padding_str = "");
  Tensor forward(const Tensor& x) override;
};

class ConvTranspose2d : public ConvNd {
 public:
  ConvTranspose2d(int64_t in_channels, int64_t out_channels, Pair kernel_size,
                  Pair stride = {1, 1}, Pair padding = {0, 0}, Pair output_padding = {0, 0},
                  int64_t groups = 1, bool bias = true, Pair dilation = {1, 1},
                  DType dtype = default_dtype());
  Tensor forward(const Tensor& x) override;
};

}  // namespace ember::nn
