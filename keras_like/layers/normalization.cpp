#include "keras_like/layers/normalization.h"

#include "core/ops.h"
#include "nn/norm.h"

namespace ember::keras {
namespace {

int64_t features(const ShapeSpec& s, const char* who, const std::string& name) {
  if (s.size() < 2 || s.back() == kNone) {
    raise<ValueError>("[{}] layer '{}' needs inputs with a known last axis, got input shape {}",
                      who, name, format_shape(s));
  }
  return s.back();
}

}  // namespace

BatchNormalization::BatchNormalization(double momentum, NormalizationOptions options,
                                       LayerOptions layer)
    : Layer("BatchNormalization", std::move(layer)), momentum_(momentum), options_(options) {
  EMBER_CHECK(momentum >= 0.0 && momentum <= 1.0,
              "[BatchNormalization] momentum must be in [0, 1], got {}", momentum);
}

void BatchNormalization::build(const ShapeSpec& input_shape) {
  int64_t c = features(input_shape, "BatchNormalization", name());
  if (options_.scale) add_weight("gamma", {c}, ones_initializer());
  if (options_.center) add_weight("beta", {c}, zeros_initializer());
  register_buffer("moving_mean", zeros({c}, dtype()));
  register_buffer("moving_variance", ones({c}, dtype()));
}

void BatchNormalization::check_input(const Tensor& x) const {
  if (x.dim() < 2 || x.size(-1) != input_shape().back()) {
    fail_shape(format_shape({kNone, input_shape().back()}) + " (any rank >= 2, last axis fixed)",
               x.shape());
  }
}

Tensor BatchNormalization::call(const Tensor& x) {
  // nn::batch_norm normalizes dim 1: move the last axis there and back.
  Tensor xc = x.dim() > 2 ? movedim(x, {-1}, {1}) : x;
  Tensor y = nn::batch_norm(xc, buffer("moving_mean"), buffer("moving_variance"),
                            options_.scale ? parameter("gamma") : Tensor(),
                            options_.center ? parameter("beta") : Tensor(), is_training(),
                            1.0 - momentum_, options_.epsilon);
  return x.dim() > 2 ? movedim(y, {1}, {-1}) : y;
}

LayerNormalization::LayerNormalization(NormalizationOptions options, LayerOptions layer)
    : Layer("LayerNormalization", std::move(layer)), options_(options) {}

void LayerNormalization::build(const ShapeSpec& input_shape) {
  int64_t c = features(input_shape, "LayerNormalization", name());
  if (options_.scale) add_weight("gamma", {c}, ones_initializer());
  if (options_.center) add_weight("beta", {c}, zeros_initializer());
}

void LayerNormalization::check_input(const Tensor& x) const {
  if (x.dim() < 2 || x.size(-1) != input_shape().back()) {
    fail_shape(format_shape({kNone, input_shape().back()}) + " (any rank >= 2, last axis fixed)",
               x.shape());
  }
}

Tensor LayerNormalization::call(const Tensor& x) {
  return nn::layer_norm(x, {x.size(-1)}, options_.scale ? parameter("gamma") : Tensor(),
                        options_.center ? parameter("beta") : Tensor(), options_.epsilon);
}

}  // namespace ember::keras
