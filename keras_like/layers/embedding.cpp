#include "keras_like/layers/embedding.h"

#include "core/ops.h"
#include "nn/embedding.h"

namespace ember::keras {

Embedding::Embedding(int64_t input_dim, int64_t output_dim, std::string embeddings_initializer,
                     LayerOptions layer)
    : Layer("Embedding", std::move(layer)), input_dim_(input_dim), output_dim_(output_dim),
      initializer_(std::move(embeddings_initializer)) {
  EMBER_CHECK(input_dim > 0 && output_dim > 0, "[Embedding] input_dim and output_dim must be "
              "positive, got {} and {}", input_dim, output_dim);
  get_initializer(initializer_);
}

void Embedding::build(const ShapeSpec&) {
  add_weight("embeddings", {input_dim_, output_dim_}, get_initializer(initializer_));
}

Tensor Embedding::call(const Tensor& x) {
  Tensor idx = is_floating(x.dtype()) ? to_dtype(x, DType::Int64) : x;
  return nn::embedding(idx, parameter("embeddings"));
}

}  // namespace ember::keras
