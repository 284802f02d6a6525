#include "keras_like/layers/merge.h"

#include "core/ops.h"

namespace ember::keras {

TensorList MergeLayer::forward(const TensorList& inputs) {
  EMBER_CHECK(inputs.size() >= 2, "[{}] layer '{}' merges at least 2 inputs, got {}", type_name(),
              name(), inputs.size());
  return TensorList{merge(inputs)};
}

Tensor Add::merge(const TensorList& inputs) {
  Tensor out = inputs[0];
  for (size_t i = 1; i < inputs.size(); ++i) out = out + inputs[i];
  return out;
}

Tensor Multiply::merge(const TensorList& inputs) {
  Tensor out = inputs[0];
  for (size_t i = 1; i < inputs.size(); ++i) out = out * inputs[i];
  return out;
}

Tensor Concatenate::merge(const TensorList& inputs) {
  std::vector<Tensor> parts(inputs.begin(), inputs.end());
  return cat(parts, axis_);
}

KerasTensor add(const std::vector<KerasTensor>& xs) { return (*std::make_shared<Add>())(xs); }
KerasTensor multiply(const std::vector<KerasTensor>& xs) {
  return (*std::make_shared<Multiply>())(xs);
}
KerasTensor concatenate(const std::vector<KerasTensor>& xs, int64_t axis) {
  return (*std::make_shared<Concatenate>(axis))(xs);
}

}  // namespace ember::keras
