#include "keras_like/layers/pooling.h"

#include "core/ops.h"

namespace ember::keras {
namespace {

void check_format(const std::string& who, const std::string& data_format) {
  EMBER_CHECK(data_format == "channels_last" || data_format == "channels_first",
              "[{}] data_format must be 'channels_last' or 'channels_first', got '{}'", who,
              data_format);
}

}  // namespace

Pooling2D::Pooling2D(std::string type_name, bool max, Pair pool_size, Pooling2DOptions options,
                     LayerOptions layer)
    : Layer(type_name, std::move(layer)), max_(max), pool_(pool_size), options_(std::move(options)) {
  EMBER_CHECK(pool_[0] > 0 && pool_[1] > 0, "[{}] pool_size must be positive, got ({}, {})",
              type_name, pool_[0], pool_[1]);
  if (options_.padding != "valid") {
    raise<NotImplementedError>("[{}] only padding='valid' is supported, got '{}'", type_name,
                               options_.padding);
  }
  check_format(type_name, options_.data_format);
}

void Pooling2D::check_input(const Tensor& x) const {
  if (x.dim() != 4) fail_shape("(batch, height, width, channels) [4-D]", x.shape());
}

Tensor Pooling2D::call(const Tensor& x) {
  bool last = options_.data_format == "channels_last";
  Tensor nchw = last ? permute(x, {0, 3, 1, 2}) : x;
  Pair stride = options_.strides.value_or(pool_);
  Tensor y = max_ ? max_pool2d(nchw, pool_, stride) : avg_pool2d(nchw, pool_, stride);
  return last ? permute(y, {0, 2, 3, 1}) : y;
}

GlobalAveragePooling2D::GlobalAveragePooling2D(std::string data_format, LayerOptions layer)
    : Layer("GlobalAveragePooling2D", std::move(layer)), data_format_(std::move(data_format)) {
  check_format("GlobalAveragePooling2D", data_format_);
}

void GlobalAveragePooling2D::check_input(const Tensor& x) const {
  if (x.dim() != 4) fail_shape("(batch, height, width, channels) [4-D]", x.shape());
}

Tensor GlobalAveragePooling2D::call(const Tensor& x) {
  return data_format_ == "channels_last" ? mean(x, {1, 2}) : mean(x, {2, 3});
}

}  // namespace ember::keras
