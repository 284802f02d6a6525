#pragma once
// Sequential: a linear stack of layers. Layers register as children "0", "1", ... (their
// state-dict prefixes, as in Python's ember.keras), so weights load into a fresh model of the
// same layout. A model whose first layer declares input_shape builds at once.
#include <memory>
#include <vector>

#include "keras_like/model.h"

namespace ember::keras {

class Sequential : public Model {
 public:
  explicit Sequential(std::vector<std::shared_ptr<Layer>> layers = {}, LayerOptions layer = {});
  // Appends a layer; a model with a known input shape builds it at once.
  void add(std::shared_ptr<Layer> layer);
  std::shared_ptr<Layer> pop();
  const std::vector<std::shared_ptr<Layer>>& layers() const { return layers_; }

 protected:
  Tensor call(const Tensor& x) override;

 private:
  void append(std::shared_ptr<Layer> layer);
  void rebuild();
  std::vector<std::shared_ptr<Layer>> layers_;
  std::optional<ShapeSpec> declared_;
};

}  // namespace ember::keras
