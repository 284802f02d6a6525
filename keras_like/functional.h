#pragma once
// The functional API: a Model from symbolic inputs to outputs.
//
//   auto inputs = keras::Input({64});
//   auto h = (*std::make_shared<keras::Dense>(64, keras::DenseOptions{.activation = "relu"}))(inputs);
//   auto outputs = (*std::make_shared<keras::Dense>(10))(keras::add({h, skip}));
//   auto model = std::make_shared<keras::Functional>(std::vector{inputs}, std::vector{outputs});
//
// Layers run in a topological order of the recorded graph; a layer used twice shares its
// weights. Layers register under their names ("dense_1.kernel" in the state dict).
#include <memory>
#include <vector>

#include "keras_like/model.h"

namespace ember::keras {

class Functional : public Model {
 public:
  Functional(std::vector<KerasTensor> inputs, std::vector<KerasTensor> outputs,
             LayerOptions layer = {});
  // Several inputs and outputs: one tensor per Input, one result per output.
  TensorList forward(const TensorList& inputs) override;
  size_t num_inputs() const { return num_inputs_; }

 protected:
  Tensor call(const Tensor& x) override;

 private:
  struct Step {
    std::shared_ptr<Layer> layer;
    std::vector<size_t> args;  // value slots
  };
  TensorList run(const TensorList& inputs);
  std::vector<Step> steps_;  // step i writes slot num_inputs_ + i
  std::vector<size_t> outputs_;
  std::vector<ShapeSpec> input_shapes_;
  size_t num_inputs_ = 0;
};

}  // namespace ember::keras
