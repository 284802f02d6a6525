#pragma once
// Activation('relu'), ReLU, Softmax: layers that apply a function.
#include "keras_like/activations.h"
#include "keras_like/layer.h"

namespace ember::keras {

class ActivationLayer : public Layer {
 public:
  explicit ActivationLayer(const std::string& activation, LayerOptions layer = {});

 protected:
  Tensor call(const Tensor& x) override { return activation_(x); }
  void check_input(const Tensor&) const override {}

 private:
  Activation activation_;
};

class ReLU : public ActivationLayer {
 public:
  explicit ReLU(LayerOptions layer = {}) : ActivationLayer("relu", std::move(layer)) {}
};

class Softmax : public Layer {
 public:
  explicit Softmax(int64_t axis = -1, LayerOptions layer = {});

 protected:
  Tensor call(const Tensor& x) override;
  void check_input(const Tensor&) const override {}

 private:
  int64_t axis_;
};

}  // namespace ember::keras
