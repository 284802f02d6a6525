#pragma once
// BatchNormalization and LayerNormalization over the last axis (Keras's defaults:
// epsilon 1e-3; BatchNormalization momentum 0.99, i.e. moving = 0.99 * moving + 0.01 * batch).
#include "keras_like/layer.h"

namespace ember::keras {

struct NormalizationOptions {
  double epsilon = 1e-3;
  bool center = true;  // beta
  bool scale = true;   // gamma
};

class BatchNormalization : public Layer {
 public:
  explicit BatchNormalization(double momentum = 0.99, NormalizationOptions options = {},
                              LayerOptions layer = {});

 protected:
  void build(const ShapeSpec& input_shape) override;
  Tensor call(const Tensor& x) override;
  void check_input(const Tensor& x) const override;

 private:
  double momentum_;
  NormalizationOptions options_;
};

class LayerNormalization : public Layer {
 public:
  explicit LayerNormalization(NormalizationOptions options = {}, LayerOptions layer = {});

 protected:
  void build(const ShapeSpec& input_shape) override;
  Tensor call(const Tensor& x) override;
  void check_input(const Tensor& x) const override;

 private:
  NormalizationOptions options_;
};

}  // namespace ember::keras
