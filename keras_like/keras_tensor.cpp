#include "keras_like/keras_tensor.h"

#include "keras_like/layer.h"

namespace ember::keras {

KerasTensor Input(const ShapeSpec& shape, const std::string& name) {
  ShapeSpec full{kNone};
  full.insert(full.end(), shape.begin(), shape.end());
  for (size_t i = 1; i < full.size(); ++i) {
    EMBER_CHECK(full[i] > 0, "[Input] the per-sample shape must be known and positive, got {}",
                format_shape(shape));
  }
  auto node = std::make_shared<KerasNode>();
  node->input_name = name.empty() ? unique_layer_name("InputLayer") : name;
  return KerasTensor(node, full);
}

}  // namespace ember::keras
