#include "keras_like/layers/reshaping.h"

#include <algorithm>

#include "core/ops.h"

namespace ember::keras {
namespace {

int64_t per_sample(const ShapeSpec& s, const char* who, const std::string& name) {
  int64_t n = 1;
  for (size_t i = 1; i < s.size(); ++i) {
    if (s[i] == kNone) {
      raise<ValueError>("[{}] layer '{}' needs defined non-batch dimensions, got input shape {}",
                        who, name, format_shape(s));
    }
    n *= s[i];
  }
  return n;
}

}  // namespace

void Flatten::build(const ShapeSpec& input_shape) {
  features_ = per_sample(input_shape, "Flatten", name());
}

Tensor Flatten::call(const Tensor& x) { return reshape(x, {-1, features_}); }

Reshape::Reshape(std::vector<int64_t> target_shape, LayerOptions layer)
    : Layer("Reshape", std::move(layer)), target_(std::move(target_shape)) {
  EMBER_CHECK(std::count(target_.begin(), target_.end(), -1) <= 1,
              "[Reshape] at most one dimension of target_shape may be -1, got {}",
              format_shape(target_));
}

void Reshape::build(const ShapeSpec& input_shape) {
  int64_t n = per_sample(input_shape, "Reshape", name());
  int64_t known = 1;
  for (int64_t d : target_) known *= d == -1 ? 1 : d;
  ShapeSpec want{kNone};
  want.insert(want.end(), target_.begin(), target_.end());
  bool free_dim = std::count(target_.begin(), target_.end(), -1) == 1;
  if (free_dim ? (known == 0 || n % known != 0) : known != n) {
    raise<ValueError>("[Reshape] layer '{}' cannot reshape input of shape {} ({} values per "
                      "sample) to {}", name(), format_shape(input_shape), n, format_shape(want));
  }
  resolved_ = target_;
  for (int64_t& d : resolved_) if (d == -1) d = n / known;
}

Tensor Reshape::call(const Tensor& x) {
  std::vector<int64_t> shape{-1};
  shape.insert(shape.end(), resolved_.begin(), resolved_.end());
  return reshape(x, shape);
}

}  // namespace ember::keras
