#pragma once
// Conv2D on channels_last input [N, H, W, C] (Keras's default) or channels_first
// [N, C, H, W], with a Keras-layout kernel [kh, kw, in, filters]. padding "valid" or "same"
// ("same" pads like TensorFlow: the extra row/column goes to the bottom/right).
#include "core/ops/conv.h"
#include "keras_like/activations.h"
#include "keras_like/layer.h"

namespace ember::keras {

struct Conv2DOptions {
  Pair strides{1, 1};
  std::string padding = "valid";
  std::string data_format = "channels_last";
  Pair dilation_rate{1, 1};
  std::string activation;
  bool use_bias = true;
  std::string kernel_initializer = "glorot_uniform";
  std::string bias_initializer = "zeros";
};

class Conv2D : public Layer {
 public:
  Conv2D(int64_t filters, Pair kernel_size, Conv2DOptions options = {}, LayerOptions layer = {});
  std::string extra_repr() const override;

 protected:
  void build(const ShapeSpec& input_shape) override;
  Tensor call(const Tensor& x) override;
  void check_input(const Tensor& x) const override;

 private:
  bool channels_last() const { return options_.data_format == "channels_last"; }
  int64_t filters_;
  Pair kernel_;
  Conv2DOptions options_;
  Activation activation_;
};

// TensorFlow's "same" padding along one axis: (before, after) for this input size.
std::pair<int64_t, int64_t> same_padding(int64_t in, int64_t kernel, int64_t stride,
                                         int64_t dilation);

}  // namespace ember::keras
