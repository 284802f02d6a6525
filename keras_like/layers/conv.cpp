#include "keras_like/layers/conv.h"

#include <fmt/format.h>

#include "core/ops.h"

namespace ember::keras {

std::pair<int64_t, int64_t> same_padding(int64_t in, int64_t kernel, int64_t stride,
                                         int64_t dilation) {
  int64_t out = (in + stride - 1) / stride;
  int64_t span = (kernel - 1) * dilation + 1;
  int64_t total = std::max<int64_t>((out - 1) * stride + span - in, 0);
  return {total / 2, total - total / 2};
}

Conv2D::Conv2D(int64_t filters, Pair kernel_size, Conv2DOptions options, LayerOptions layer)
    : Layer("Conv2D", std::move(layer)),
      filters_(filters),
      kernel_(kernel_size),
      options_(std::move(options)),
      activation_(get_activation(options_.activation)) {
  EMBER_CHECK(filters > 0, "[Conv2D] filters must be positive, got {}", filters);
  EMBER_CHECK(kernel_[0] > 0 && kernel_[1] > 0, "[Conv2D] kernel_size must be positive, got "
              "({}, {})", kernel_[0], kernel_[1]);
  EMBER_CHECK(options_.padding == "valid" || options_.padding == "same",
              "[Conv2D] padding must be 'valid' or 'same', got '{}'", options_.padding);
  EMBER_CHECK(options_.data_format == "channels_last" || options_.data_format == "channels_first",
              "[Conv2D] data_format must be 'channels_last' or 'channels_first', got '{}'",
              options_.data_format);
  get_initializer(options_.kernel_initializer);
  get_initializer(options_.bias_initializer);
}

void Conv2D::build(const ShapeSpec& input_shape) {
  int64_t channels = input_shape.size() == 4 ? input_shape[channels_last() ? 3 : 1] : kNone;
  if (channels == kNone) {
    raise<ValueError>("[Conv2D] layer '{}' expects 4-D input ({}) with a known channel count, "
                      "got input shape {}", name(),
                      channels_last() ? "batch, height, width, channels"
                                      : "batch, channels, height, width",
                      format_shape(input_shape));
  }
  add_weight("kernel", {kernel_[0], kernel_[1], channels, filters_},
             get_initializer(options_.kernel_initializer));
  if (options_.use_bias) add_weight("bias", {filters_}, get_initializer(options_.bias_initializer));
}

Tensor Conv2D::call(const Tensor& x) {
  Tensor nchw = channels_last() ? permute(x, {0, 3, 1, 2}) : x;
  Tensor weight = permute(parameter("kernel"), {3, 2, 0, 1});  // [filters, in, kh, kw]
  Pair padding{0, 0};
  if (options_.padding == "same") {
    auto [top, bottom] = same_padding(nchw.size(2), kernel_[0], options_.strides[0],
                                      options_.dilation_rate[0]);
    auto [left, right] = same_padding(nchw.size(3), kernel_[1], options_.strides[1],
                                      options_.dilation_rate[1]);
    if (top == bottom && left == right) {
      padding = {top, left};
    } else {
      nchw = pad(nchw, {left, right, top, bottom});
    }
  }
  Tensor bias = options_.use_bias ? parameter("bias") : Tensor();
  Tensor y = conv2d(nchw, weight, bias, options_.strides, padding, options_.dilation_rate);
  y = activation_(y);
  return channels_last() ? permute(y, {0, 2, 3, 1}) : y;
}

void Conv2D::check_input(const Tensor& x) const {
  // Height and width may change between calls; the rank and channel count may not.
  int64_t axis = channels_last() ? 3 : 1;
  if (x.dim() != 4 || x.size(axis) != input_shape()[axis]) {
    fail_shape(format_shape(channels_last() ? ShapeSpec{kNone, kNone, kNone, input_shape()[3]}
                                            : ShapeSpec{kNone, input_shape()[1], kNone, kNone}),
               x.shape());
  }
}

std::string Conv2D::extra_repr() const {
  return fmt::format("name={}, filters={}, kernel_size=({}, {}), padding={}", name(), filters_,
                     kernel_[0], kernel_[1], options_.padding);
}

}  // namespace ember::keras
