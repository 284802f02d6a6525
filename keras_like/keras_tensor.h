#pragma once
// Symbolic tensors of the functional API: `auto x = Input({64}); auto y = dense(x);` records
// which layer produced which value, with its shape (batch dim kNone), without computing.
// Functional (functional.h) turns the recorded graph into a Model.
#include <memory>
#include <string>
#include <vector>

#include "keras_like/shape_spec.h"

namespace ember::keras {

class Layer;
class KerasTensor;

// One call of a layer on symbolic inputs; inputs of an Input node are empty.
struct KerasNode {
  std::shared_ptr<Layer> layer;  // null for an Input
  std::vector<KerasTensor> inputs;
  std::string input_name;        // for an Input
};

class KerasTensor {
 public:
  KerasTensor(std::shared_ptr<const KerasNode> node, ShapeSpec shape)
      : node_(std::move(node)), shape_(std::move(shape)) {}
  const ShapeSpec& shape() const { return shape_; }
  const std::shared_ptr<const KerasNode>& node() const { return node_; }
  bool is_input() const { return node_->layer == nullptr; }

 private:
  std::shared_ptr<const KerasNode> node_;
  ShapeSpec shape_;
};

// The input of a functional model: the per-sample shape, without the batch dim.
KerasTensor Input(const ShapeSpec& shape, const std::string& name = "");

}  // namespace ember::keras
