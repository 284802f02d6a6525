#include "nn/embedding.h"

#include <fmt/format.h>

#include "core/ops.h"
#include "eager/autograd.h"
#include "nn/init.h"

namespace ember::nn {
namespace {

std::optional<int64_t> normalize_padding(std::optional<int64_t> pad, int64_t n, std::string_view op) {
  if (!pad) return pad;
  if (*pad < -n || *pad >= n) {
    raise<ValueError>("[{}] padding_idx {} must be within num_embeddings ({})", op, *pad, n);
  }
  return *pad < 0 ? *pad + n : *pad;
}

}  // namespace

Tensor embedding(const Tensor& indices, const Tensor& weight, std::optional<int64_t> padding_idx) {
  if (weight.dim() != 2) {
    raise<ValueError>("[embedding] weight must be 2-D [num_embeddings, embedding_dim], got shape {}",
                      shape_str(weight.shape()));
  }
  if (!is_integral(indices.dtype())) {
    raise<TypeError>("[embedding] indices must be an integer tensor, got {} of shape {}",
                     dtype_name(indices.dtype()), shape_str(indices.shape()));
  }
  const int64_t n = weight.size(0), d = weight.size(1);
  padding_idx = normalize_padding(padding_idx, n, "embedding");
  Tensor flat = reshape(indices, {-1});
  Tensor rows = index_select(weight, 0, flat);  // backward: index_add into the weight's rows
  if (padding_idx) {
    // The padding rows read through a detached weight, so no gradient reaches them.
    Tensor is_pad = unsqueeze(eq(flat, *padding_idx), 1);
    rows = where(is_pad, detach(rows), rows);
  }
  Shape out(indices.shape().begin(), indices.shape().end());
  out.push_back(d);
  return reshape(rows, out);
}

Embedding::Embedding(int64_t n, int64_t d, std::optional<int64_t> pad, Tensor weight, bool freeze,
                     DType dtype)
    : Module("Embedding"), num_embeddings(n), embedding_dim(d) {
  if (n < 0 || d < 0) {
    raise<ValueError>("[Embedding] num_embeddings and embedding_dim must be non-negative, got {} "
                      "and {}", n, d);
  }
  padding_idx = normalize_padding(pad, n, "Embedding");
  if (weight.defined()) {
    if (weight.dim() != 2 || weight.size(0) != n || weight.size(1) != d) {
      raise<ValueError>("[Embedding] weight must have shape [{}, {}], got {}", n, d,
                        shape_str(weight.shape()));
    }
    register_parameter("weight", detach(weight), !freeze);
  } else {
    register_parameter("weight", Tensor::empty({n, d}, dtype), !freeze);
    reset_parameters();
  }
}

std::shared_ptr<Embedding> Embedding::from_pretrained(const Tensor& emb, bool freeze,
                                                      std::optional<int64_t> pad) {
  if (emb.dim() != 2) {
    raise<ValueError>("[Embedding.from_pretrained] embeddings must be 2-D, got shape {}",
                      shape_str(emb.shape()));
  }
  return std::make_shared<Embedding>(emb.size(0), emb.size(1), pad, clone(detach(emb)), freeze,
                                     emb.dtype());
}

void Embedding::reset_parameters() {
  Tensor w = parameter("weight");
  init::normal_(w);
  if (padding_idx) {
    NoGradGuard ng;
    Tensor row = select(w, 0, *padding_idx);
    init::zeros_(row);
  }
}

Tensor Embedding::forward(const Tensor& indices) {
  return embedding(indices, parameter("weight"), padding_idx);
}

std::string Embedding::extra_repr() const {
  std::string s = fmt::format("{}, {}", num_embeddings, embedding_dim);
  if (padding_idx) s += fmt::format(", padding_idx={}", *padding_idx);
  return s;
}

}  // namespace ember::nn
