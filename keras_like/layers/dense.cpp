#include "keras_like/layers/dense.h"

#include <fmt/format.h>

#include "core/ops.h"

namespace ember::keras {

Dense::Dense(int64_t units, DenseOptions options, LayerOptions layer)
    : Layer("Dense", std::move(layer)),
      units_(units),
      options_(std::move(options)),
      activation_(get_activation(options_.activation)) {
  EMBER_CHECK(units > 0, "[Dense] units must be a positive integer, got {}", units);
  // Resolve the names now, so a typo fails at construction rather than at build time.
  get_initializer(options_.kernel_initializer);
  get_initializer(options_.bias_initializer);
}

void Dense::build(const ShapeSpec& input_shape) {
  if (input_shape.size() < 2 || input_shape.back() == kNone) {
    raise<ValueError>("[Dense] layer '{}' needs inputs with a defined last dimension and a "
                      "batch dimension, got input shape {}", name(), format_shape(input_shape));
  }
  add_weight("kernel", {input_shape.back(), units_}, get_initializer(options_.kernel_initializer));
  if (options_.use_bias) add_weight("bias", {units_}, get_initializer(options_.bias_initializer));
}

void Dense::check_input(const Tensor& x) const {
  if (x.dim() < 2 || x.size(-1) != input_shape().back()) {
    fail_shape(fmt::format("(..., {}) (built for {})", input_shape().back(),
                           format_shape(input_shape())), x.shape());
  }
}

Tensor Dense::call(const Tensor& x) {
  Tensor y = matmul(x, parameter("kernel"));
  if (options_.use_bias) y = y + parameter("bias");
  return activation_(y);
}

std::string Dense::extra_repr() const {
  return fmt::format("name={}, units={}, activation={}", name(), units_, activation_.name);
}

}  // namespace ember::keras
