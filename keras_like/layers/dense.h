#pragma once
// Dense: activation(x @ kernel + bias) with kernel [in, units] (Keras's layout), on the
// last axis of inputs of any rank >= 2.
#include "keras_like/activations.h"
#include "keras_like/layer.h"

namespace ember::keras {

struct DenseOptions {
  std::string activation;  // empty: linear
  bool use_bias = true;
  std::string kernel_initializer = "glorot_uniform";
  std::string bias_initializer = "zeros";
};

class Dense : public Layer {
 public:
  explicit Dense(int64_t units, DenseOptions options = {}, LayerOptions layer = {});
  int64_t units() const { return units_; }
  std::string extra_repr() const override;

 protected:
  void build(const ShapeSpec& input_shape) override;
  Tensor call(const Tensor& x) override;
  void check_input(const Tensor& x) const override;

 private:
  int64_t units_;
  DenseOptions options_;
  Activation activation_;
};

}  // namespace ember::keras
