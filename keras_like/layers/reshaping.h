#pragma once
// Flatten and Reshape: per-sample reshapes; the batch dim stays free (-1), so a traced
// model takes any batch size.
#include "keras_like/layer.h"

namespace ember::keras {

class Flatten : public Layer {
 public:
  explicit Flatten(LayerOptions layer = {}) : Layer("Flatten", std::move(layer)) {}

 protected:
  void build(const ShapeSpec& input_shape) override;
  Tensor call(const Tensor& x) override;

 private:
  int64_t features_ = 0;
};

class Reshape : public Layer {
 public:
  explicit Reshape(std::vector<int64_t> target_shape, LayerOptions layer = {});

 protected:
  void build(const ShapeSpec& input_shape) override;
  Tensor call(const Tensor& x) override;

 private:
  std::vector<int64_t> target_, resolved_;
};

}  // namespace ember::keras
