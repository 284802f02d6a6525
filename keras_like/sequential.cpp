#include "keras_like/sequential.h"

namespace ember::keras {

Sequential::Sequential(std::vector<std::shared_ptr<Layer>> layers, LayerOptions layer)
    : Model(std::move(layer), "Sequential") {
  declared_ = declared_input_shape();
  for (auto& l : layers) append(std::move(l));
  if (declared_ && !layers_.empty()) rebuild();
}

void Sequential::append(std::shared_ptr<Layer> layer) {
  EMBER_CHECK(layer != nullptr, "[Sequential.add] model '{}' got a null layer", name());
  if (layers_.empty() && !declared_ && layer->declared_input_shape()) {
    declared_ = layer->declared_input_shape();
  }
  register_module(std::to_string(layers_.size()), layer);
  layers_.push_back(std::move(layer));
}

void Sequential::rebuild() {
  ShapeSpec shape = built() ? input_shape() : *declared_;
  if (declared_ && !shape_matches(*declared_, Shape(shape.begin(), shape.end()))) {
    raise<ValueError>("[Sequential] model '{}' expects input of shape {}, got {}", name(),
                      format_shape(*declared_), format_shape(shape));
  }
  // Run the stack again: built layers keep their weights, new ones create theirs.
  reset_built();
  build_model(shape);
}

void Sequential::add(std::shared_ptr<Layer> layer) {
  bool known = declared_.has_value() || built();
  append(std::move(layer));
  if (known) rebuild();
}

std::shared_ptr<Layer> Sequential::pop() {
  EMBER_CHECK(!layers_.empty(), "[Sequential.pop] model '{}' has no layers", name());
  auto last = layers_.back();
  layers_.pop_back();
  remove(std::to_string(layers_.size()));
  return last;
}

Tensor Sequential::call(const Tensor& x) {
  EMBER_CHECK(!layers_.empty(), "[Sequential] model '{}' has no layers", name());
  Tensor h = x;
  for (auto& layer : layers_) h = (*layer)(h);
  return h;
}

}  // namespace ember::keras
