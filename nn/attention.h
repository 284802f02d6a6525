#pragma once
// MultiheadAttention and TransformerEncoderLayer with PyTorch's signatures and parameter
// names (in_proj_weight, in_proj_bias, out_proj.weight, out_proj.bias; self_attn.*,
// linear1/linear2, norm1/norm2), so state dicts load from PyTorch. Composed from matmul,
// softmax, masked_fill and friends; autograd comes free.
#include "core/default_dtype.h"
#include <memory>
#include <string>

#include "nn/linear.h"
#include "nn/module.h"

namespace ember::nn {

class MultiheadAttention : public Module {
 public:
  // kdim/vdim must equal embed_dim (or be 0 meaning "embed_dim"); add_bias_kv and
  // add_zero_attn are not supported (NotImplementedError).
  MultiheadAttention(int64_t embed_dim, int64_t num_heads, double dropout = 0.0, bool bias = true,
                     bool add_bias_kv = false, bool add_zero_attn = false, int64_t kdim = 0,
                     int64_t vdim = 0, bool batch_first = false, DType dtype = default_dtype());

  // query [Lq, B, E] ([B, Lq, E] when batch_first, or unbatched [Lq, E]); key/value likewise
  // with Lk. key_padding_mask [B, Lk] (unbatched [Lk]); attn_mask [Lq, Lk] or [B*heads, Lq, Lk].
  // Masks are bool (true = not attended) or float (added to the scores). Returns
  // {attn_output, attn_weights}; weights are undefined when !need_weights, else
  // [B, Lq, Lk] averaged over heads or [B, heads, Lq, Lk].
  TensorList attend(const Tensor& query, const Tensor& key, const Tensor& value,
                    const Tensor& key_padding_mask = Tensor(), bool need_weights = true,
                    const Tensor& attn_mask = Tensor(), bool average_attn_weights = true,
                    bool is_causal = false);
  TensorList forward(const TensorList& inputs) override;  // {query, key, value}
  Tensor forward(const Tensor& x) override;              // self-attention output

  void reset_parameters();
  std::string extra_repr() const override;

  int64_t embed_dim, num_heads, head_dim;
  double dropout;
  bool batch_first;
};

// A LayerNorm over the last dim with weight/bias, used by TransformerEncoderLayer until a
// fused nn::LayerNorm exists (composite: mean/var over the last dim).
class EncoderLayerNorm : public Module {
 public:
  EncoderLayerNorm(int64_t d_model, double eps, DType dtype);
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;
  int64_t normalized_size;
  double eps;
};

Tensor layer_norm_composite(const Tensor& x, const Tensor& weight, const Tensor& bias,
                            double eps);

class TransformerEncoderLayer : public Module {
 public:
  TransformerEncoderLayer(int64_t d_model, int64_t nhead, int64_t dim_feedforward = 2048,
                          double dropout = 0.1, const std::string& activation = "relu",
                          double layer_norm_eps = 1e-5, bool batch_first = false,
                          bool norm_first = false, bool bias = true,
                          DType dtype = default_dtype());

  Tensor encode(const Tensor& src, const Tensor& src_mask = Tensor(),
                const Tensor& src_key_padding_mask = Tensor(), bool is_causal = false);
  Tensor forward(const Tensor& src) override { return encode(src); }
  TensorList forward(const TensorList& inputs) override;  // {src[, src_mask[, padding]]}
  std::string extra_repr() const override;

  double dropout;
  std::string activation;
  bool norm_first;
  std::shared_ptr<MultiheadAttention> self_attn;
  std::shared_ptr<Linear> linear1, linear2;
  std::shared_ptr<EncoderLayerNorm> norm1, norm2;

 private:
  Tensor self_attention_block(const Tensor& x, const Tensor& mask, const Tensor& padding,
                              bool is_causal);
  Tensor feed_forward_block(const Tensor& x);
};

}  // namespace ember::nn
