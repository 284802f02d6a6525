#pragma once
// Embedding: a lookup table of num_embeddings rows of size embedding_dim.
#include "core/default_dtype.h"
#include <optional>

#include "nn/module.h"

namespace ember::nn {

// weight[indices] of shape indices.shape + [embedding_dim]; indices are integers. The
// gradient reaches every looked-up row except padding_idx (negative counts from the end).
Tensor embedding(const Tensor& indices, const Tensor& weight,
                 std::optional<int64_t> padding_idx = std::nullopt);

class Embedding : public Module {
 public:
  // weight, when given, must be [num_embeddings, embedding_dim] and is used as is;
  // otherwise N(0, 1) with the padding row zeroed, as PyTorch.
  Embedding(int64_t num_embeddings, int64_t embedding_dim,
            std::optional<int64_t> padding_idx = std::nullopt, Tensor weight = Tensor(),
            bool freeze = false, DType dtype = default_dtype());
  // A table initialized from `embeddings` (2-D), not trained when freeze.
  static std::shared_ptr<Embedding> from_pretrained(const Tensor& embeddings, bool freeze = true,
                                                    std::optional<int64_t> padding_idx = std::nullopt);
  Tensor forward(const Tensor& indices) override;
  std::string extra_repr() const override;
  void reset_parameters();
  int64_t num_embeddings, embedding_dim;
  std::optional<int64_t> padding_idx;  // normalized to [0, num_embeddings)
};

}  // namespace ember::nn
