#pragma once
// Embedding: integer indices [...] -> vectors [..., output_dim] from a table
// [input_dim, output_dim] (Keras's default init: uniform on [-0.05, 0.05]). Float inputs
// (fit casts x to float32) are cast back to integers, as Keras does.
#include "keras_like/layer.h"

namespace ember::keras {

class Embedding : public Layer {
 public:
  Embedding(int64_t input_dim, int64_t output_dim,
            std::string embeddings_initializer = "uniform", LayerOptions layer = {});

 protected:
  void build(const ShapeSpec& input_shape) override;
  Tensor call(const Tensor& x) override;
  void check_input(const Tensor&) const override {}

 private:
  int64_t input_dim_, output_dim_;
  std::string initializer_;
};

}  // namespace ember::keras
