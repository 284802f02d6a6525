#include "nn/attention.h"

#include <cmath>
#include <limits>

#include "core/ops.h"
#include "nn/init.h"
#include "nn/rnn.h"  // detail::dropout

namespace ember::nn {

namespace {

void check_mask_dtype(const Tensor& m, const char* what) {
  if (m.dtype() != DType::Bool && !is_floating(m.dtype())) {
    raise<TypeError>("[MultiheadAttention] only bool and floating types of {} are supported, "
                     "got {}", what, dtype_name(m.dtype()));
  }
}

// Bool masks (true = not attended) become -inf; float masks are added to the scores.
Tensor apply_mask(const Tensor& scores, const Tensor& mask) {
  if (mask.dtype() == DType::Bool) {
    return masked_fill(scores, mask, -std::numeric_limits<double>::infinity());
  }
  return add(scores, mask);
}

}  // namespace

// ---- MultiheadAttention -----------------------------------------------------------------

MultiheadAttention::MultiheadAttention(int64_t e, int64_t heads, double p, bool bias,
                                       bool add_bias_kv, bool add_zero_attn, int64_t kdim,
                                       int64_t vdim, bool bf, DType dtype)
    : Module("MultiheadAttention"), embed_dim(e), num_heads(heads), head_dim(0), dropout(p),
      batch_first(bf) {
  if (e <= 0 || heads <= 0) {
    raise<ValueError>("[MultiheadAttention] embed_dim and num_heads must be positive, got "
                      "embed_dim={} and num_heads={}", e, heads);
  }
  if (e % heads != 0) {
    raise<ValueError>("[MultiheadAttention] embed_dim must be divisible by num_heads, got "
                      "embed_dim={} and num_heads={}", e, heads);
  }
  if (!(p >= 0.0 && p <= 1.0)) {
    raise<ValueError>("[MultiheadAttention] dropout should be in range [0, 1], got {}", p);
  }
  if ((kdim != 0 && kdim != e) || (vdim != 0 && vdim != e)) {
    raise<NotImplementedError>("[MultiheadAttention] kdim and vdim different from embed_dim "
                               "are not supported (embed_dim={}, kdim={}, vdim={})", e, kdim,
                               vdim);
  }
  if (add_bias_kv || add_zero_attn) {
    raise<NotImplementedError>("[MultiheadAttention] add_bias_kv and add_zero_attn are not "
                               "supported");
  }
  head_dim = e / heads;
  register_parameter("in_proj_weight", Tensor::empty({3 * e, e}, dtype));
  if (bias) register_parameter("in_proj_bias", Tensor::empty({3 * e}, dtype));
  register_module("out_proj", std::make_shared<Linear>(e, e, bias, dtype));
  reset_parameters();
}

void MultiheadAttention::reset_parameters() {
  init::xavier_uniform_(parameter("in_proj_weight"));
  if (has_parameter("in_proj_bias")) init::zeros_(parameter("in_proj_bias"));
  auto out = std::static_pointer_cast<Linear>(child("out_proj"));
  out->reset_parameters();
  if (Tensor b = out->parameter("bias"); b.defined()) init::zeros_(b);
}

std::string MultiheadAttention::extra_repr() const { return ""; }  // as PyTorch: children only

TensorList MultiheadAttention::attend(const Tensor& query, const Tensor& key, const Tensor& value,
                                      const Tensor& key_padding_mask, bool need_weights,
                                      const Tensor& attn_mask, bool average_attn_weights,
                                      bool is_causal) {
  const int64_t E = embed_dim, H = num_heads, hd = head_dim;
  if (query.dim() != 2 && query.dim() != 3) {
    raise<ValueError>("[MultiheadAttention] query should be unbatched 2-D or batched 3-D, got "
                      "shape {}", shape_str(query.shape()));
  }
  if (key.dim() != query.dim() || value.dim() != query.dim()) {
    raise<ValueError>("[MultiheadAttention] query, key and value must have the same rank, got "
                      "shapes {}, {} and {}", shape_str(query.shape()), shape_str(key.shape()),
                      shape_str(value.shape()));
  }
  if (query.size(-1) != E || key.size(-1) != E || value.size(-1) != E) {
    raise<ValueError>("[MultiheadAttention] expected query, key and value with embed_dim={} "
                      "features, got shapes {}, {} and {}", E, shape_str(query.shape()),
                      shape_str(key.shape()), shape_str(value.shape()));
  }
  Tensor w = parameter("in_proj_weight"), b = parameter("in_proj_bias");
  for (const Tensor* t : {&query, &key, &value}) {
    if (t->dtype() != w.dtype()) {
      raise<TypeError>("[MultiheadAttention] input dtype {} does not match the parameter dtype "
                       "{}", dtype_name(t->dtype()), dtype_name(w.dtype()));
    }
  }
  const bool batched = query.dim() == 3;
  // Internal layout: [B, L, E].
  auto to_internal = [&](const Tensor& t) {
    if (!batched) return unsqueeze(t, 0);
    return batch_first ? t : transpose(t, 0, 1);
  };
  Tensor q = to_internal(query), k = to_internal(key), v = to_internal(value);
  const int64_t B = q.size(0), Lq = q.size(1), Lk = k.size(1);
  if (k.size(0) != B || v.size(0) != B || v.size(1) != Lk) {
    raise<ValueError>("[MultiheadAttention] key and value must have the batch size of the "
                      "query and equal sequence lengths, got shapes {}, {} and {}",
                      shape_str(query.shape()), shape_str(key.shape()), shape_str(value.shape()));
  }

  // Input projections: one matmul for self-attention, else one per input.
  if (query.is_same(key) && key.is_same(value)) {
    std::vector<Tensor> qkv = chunk(linear(q, w, b), 3, -1);
    q = qkv[0], k = qkv[1], v = qkv[2];
  } else {
    std::vector<Tensor> ws = chunk(w, 3, 0);
    std::vector<Tensor> bs = b.defined() ? chunk(b, 3, 0) : std::vector<Tensor>(3);
    q = linear(q, ws[0], bs[0]);
    k = linear(k, ws[1], bs[1]);
    v = linear(v, ws[2], bs[2]);
  }
  auto heads = [&](const Tensor& t, int64_t L) {  // [B, L, E] -> [B, H, L, hd]
    return transpose(reshape(t, {B, L, H, hd}), 1, 2);
  };
  q = heads(q, Lq), k = heads(k, Lk), v = heads(v, Lk);
  Tensor scores = matmul(mul(q, 1.0 / std::sqrt(static_cast<double>(hd))),
                         transpose(k, -2, -1));  // [B, H, Lq, Lk]

  if (attn_mask.defined()) {
    check_mask_dtype(attn_mask, "attn_mask");
    Tensor m;
    if (attn_mask.dim() == 2 && attn_mask.size(0) == Lq && attn_mask.size(1) == Lk) {
      m = attn_mask;
    } else if (attn_mask.dim() == 3 && attn_mask.size(0) == B * H && attn_mask.size(1) == Lq &&
               attn_mask.size(2) == Lk) {
      m = reshape(attn_mask, {B, H, Lq, Lk});
    } else {
      raise<ValueError>("[MultiheadAttention] attn_mask should have shape [{}, {}] or [{}, {}, "
                        "{}], got {}", Lq, Lk, B * H, Lq, Lk, shape_str(attn_mask.shape()));
    }
    scores = apply_mask(scores, m);
  } else if (is_causal) {
    Tensor future = gt(unsqueeze(arange(Lk, DType::Int64), 0), unsqueeze(arange(Lq, DType::Int64), 1));
    scores = apply_mask(scores, future);
  }
  if (key_padding_mask.defined()) {
    check_mask_dtype(key_padding_mask, "key_padding_mask");
    Shape expected = batched ? Shape{B, Lk} : Shape{Lk};
    if (key_padding_mask.shape() != expected) {
      raise<ValueError>("[MultiheadAttention] key_padding_mask should have shape {}, got {}",
                        shape_str(expected), shape_str(key_padding_mask.shape()));
    }
    scores = apply_mask(scores, reshape(key_padding_mask, {B, 1, 1, Lk}));
  }
  Tensor attn = softmax(scores, -1);
  attn = detail::dropout(attn, dropout, is_training(), "MultiheadAttention");
  Tensor out = reshape(transpose(matmul(attn, v), 1, 2), {B, Lq, E});
  out = (*child("out_proj"))(out);
  if (!batched) {
    out = squeeze(out, {0});
  } else if (!batch_first) {
    out = transpose(out, 0, 1);
  }
  Tensor weights;
  if (need_weights) {
    weights = average_attn_weights ? mean(attn, {1}) : attn;
    if (!batched) weights = squeeze(weights, {0});
  }
  return {out, weights};
}

TensorList MultiheadAttention::forward(const TensorList& in) {
  if (in.size() != 3) {
    raise<ValueError>("[MultiheadAttention] forward takes query, key and value, got {} tensors",
                      in.size());
  }
  return attend(in[0], in[1], in[2]);
}

Tensor MultiheadAttention::forward(const Tensor& x) { return attend(x, x, x, {}, false).at(0); }

// ---- LayerNorm (composite) --------------------------------------------------------------

Tensor layer_norm_composite(const Tensor& x, const Tensor& weight, const Tensor& bias,
                            double eps) {
  auto [var, mu] = var_mean(x, {-1}, 0, true);
  Tensor y = mul(sub(x, mu), rsqrt(add(var, eps)));
  if (weight.defined()) y = mul(y, weight);
  if (bias.defined()) y = add(y, bias);
  return y;
}

EncoderLayerNorm::EncoderLayerNorm(int64_t d, double e, DType dtype)
    : Module("LayerNorm"), normalized_size(d), eps(e) {
  register_parameter("weight", ones({d}, dtype));
  register_parameter("bias", zeros({d}, dtype));
}

Tensor EncoderLayerNorm::forward(const Tensor& x) {
  if (x.dim() == 0 || x.size(-1) != normalized_size) {
    raise<ValueError>("[LayerNorm] expected input with last dim {}, got shape {}",
                      normalized_size, shape_str(x.shape()));
  }
  return layer_norm_composite(x, parameter("weight"), parameter("bias"), eps);
}

std::string EncoderLayerNorm::extra_repr() const {
  return fmt::format("({},), eps={}, elementwise_affine=True, bias={}", normalized_size, eps,
                     parameter("bias").defined() ? "True" : "False");
}

// ---- TransformerEncoderLayer ------------------------------------------------------------

TransformerEncoderLayer::TransformerEncoderLayer(int64_t d_model, int64_t nhead, int64_t ff,
                                                 double p, const std::string& act, double eps,
                                                 bool batch_first, bool nf, bool bias,
                                                 DType dtype)
    : Module("TransformerEncoderLayer"), dropout(p), activation(act), norm_first(nf) {
  if (act != "relu" && act != "gelu") {
    raise<ValueError>("[TransformerEncoderLayer] activation should be relu/gelu, not {}", act);
  }
  if (!(p >= 0.0 && p <= 1.0)) {
    raise<ValueError>("[TransformerEncoderLayer] dropout should be in range [0, 1], got {}", p);
  }
  self_attn = register_module("self_attn", std::make_shared<MultiheadAttention>(
      d_model, nhead, p, bias, false, false, 0, 0, batch_first, dtype));
  linear1 = register_module("linear1", std::make_shared<Linear>(d_model, ff, bias, dtype));
  linear2 = register_module("linear2", std::make_shared<Linear>(ff, d_model, bias, dtype));
  norm1 = register_module("norm1", std::make_shared<EncoderLayerNorm>(d_model, eps, dtype));
  norm2 = register_module("norm2", std::make_shared<EncoderLayerNorm>(d_model, eps, dtype));
  if (!bias) {
    norm1->set_parameter("bias", Tensor());
    norm2->set_parameter("bias", Tensor());
  }
}

std::string TransformerEncoderLayer::extra_repr() const { return ""; }  // children only

Tensor TransformerEncoderLayer::self_attention_block(const Tensor& x, const Tensor& mask,
                                                     const Tensor& padding, bool is_causal) {
  Tensor y = self_attn->attend(x, x, x, padding, false, mask, true, is_causal).at(0);
  return detail::dropout(y, dropout, is_training(), "TransformerEncoderLayer");
}

Tensor TransformerEncoderLayer::feed_forward_block(const Tensor& x) {
  Tensor h = (*linear1)(x);
  h = activation == "gelu" ? gelu(h) : relu(h);
  h = detail::dropout(h, dropout, is_training(), "TransformerEncoderLayer");
  h = (*linear2)(h);
  return detail::dropout(h, dropout, is_training(), "TransformerEncoderLayer");
}

Tensor TransformerEncoderLayer::encode(const Tensor& src, const Tensor& src_mask,
                                       const Tensor& padding, bool is_causal) {
  if (src.dim() != 2 && src.dim() != 3) {
    raise<ValueError>("[TransformerEncoderLayer] src should be unbatched 2-D or batched 3-D, "
                      "got shape {}", shape_str(src.shape()));
  }
  Tensor x = src;
  if (norm_first) {
    x = add(x, self_attention_block((*norm1)(x), src_mask, padding, is_causal));
    x = add(x, feed_forward_block((*norm2)(x)));
  } else {
    x = (*norm1)(add(x, self_attention_block(x, src_mask, padding, is_causal)));
    x = (*norm2)(add(x, feed_forward_block(x)));
  }
  return x;
}

TensorList TransformerEncoderLayer::forward(const TensorList& in) {
  if (in.empty() || in.size() > 3) {
    raise<ValueError>("[TransformerEncoderLayer] forward takes src[, src_mask[, "
                      "src_key_padding_mask]], got {} tensors", in.size());
  }
  return {encode(in[0], in.size() > 1 ? in[1] : Tensor(), in.size() > 2 ? in[2] : Tensor())};
}

}  // namespace ember::nn
