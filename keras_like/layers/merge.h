#pragma once
// Merge layers of the functional API: Add, Multiply, Concatenate (several inputs, one output).
#include "keras_like/layer.h"

namespace ember::keras {

class MergeLayer : public Layer {
 public:
  using Layer::Layer;
  using Layer::operator();
  TensorList forward(const TensorList& inputs) override;

 protected:
  virtual Tensor merge(const TensorList& inputs) = 0;
  Tensor call(const Tensor& x) override { return merge(TensorList{x}); }
};

class Add : public MergeLayer {
 public:
  explicit Add(LayerOptions layer = {}) : MergeLayer("Add", std::move(layer)) {}

 protected:
  Tensor merge(const TensorList& inputs) override;
};

class Multiply : public MergeLayer {
 public:
  explicit Multiply(LayerOptions layer = {}) : MergeLayer("Multiply", std::move(layer)) {}

 protected:
  Tensor merge(const TensorList& inputs) override;
};

class Concatenate : public MergeLayer {
 public:
  explicit Concatenate(int64_t axis = -1, LayerOptions layer = {})
      : MergeLayer("Concatenate", std::move(layer)), axis_(axis) {}

 protected:
  Tensor merge(const TensorList& inputs) override;

 private:
  int64_t axis_;
};

// Shorthands: keras::add({a, b}) makes an Add layer and calls it.
KerasTensor add(const std::vector<KerasTensor>& xs);
KerasTensor multiply(const std::vector<KerasTensor>& xs);
KerasTensor concatenate(const std::vector<KerasTensor>& xs, int64_t axis = -1);

}  // namespace ember::keras
