#include "nn/norm.h"

#include <fmt/format.h>

#include "core/ops.h"
#include "core/ops/norm.h"
#include "eager/autograd.h"
#include "nn/init.h"

namespace ember::nn {
namespace {

// (C) -> (1, C, 1, ..., 1) for an input of `ndim` dims.
Tensor channel_view(const Tensor& t, int64_t ndim) {
  Shape s(static_cast<size_t>(ndim), 1);
  s[1] = t.numel();
  return reshape(t, s);
}

void check_channel_tensor(const Tensor& t, int64_t c, std::string_view what, const Tensor& input,
                          std::string_view op) {
  if (t.defined() && (t.dim() != 1 || t.size(0) != c)) {
    raise<ValueError>("[{}] {} must have shape [{}] (one per channel of input {}), got {}", op,
                      what, c, shape_str(input.shape()), shape_str(t.shape()));
  }
}

void check_floating(const Tensor& x, std::string_view op) {
  if (!is_floating(x.dtype())) {
    raise<TypeError>("[{}] expected a floating input, got {} of shape {}", op,
                     dtype_name(x.dtype()), shape_str(x.shape()));
  }
}

int64_t prod_from(const Tensor& t, int64_t d) {
  int64_t p = 1;
  for (; d < t.dim(); ++d) p *= t.size(d);
  return p;
}

int64_t prod_to(const Tensor& t, int64_t d) {
  int64_t p = 1;
  for (int64_t i = 0; i < d; ++i) p *= t.size(i);
  return p;
}

// Whether weight / bias can go into the fused kernel (same dtype as the input; otherwise
// the separate ops apply type promotion).
bool fusable(const Tensor& x, const Tensor& w, const Tensor& b) {
  return (!w.defined() || w.dtype() == x.dtype()) && (!b.defined() || b.dtype() == x.dtype());
}

Tensor affine(Tensor y, const Tensor& w, const Tensor& b, int64_t ndim) {
  if (w.defined()) y = mul(y, channel_view(w, ndim));
  if (b.defined()) y = add(y, channel_view(b, ndim));
  return y;
}

}  // namespace

Tensor batch_norm(const Tensor& input, const Tensor& running_mean, const Tensor& running_var,
                  const Tensor& weight, const Tensor& bias, bool training, double momentum,
                  double eps) {
  if (input.dim() < 2) {
    raise<ValueError>("[batch_norm] input must be (N, C) or (N, C, *), got shape {}",
                      shape_str(input.shape()));
  }
  check_floating(input, "batch_norm");
  const int64_t c = input.size(1), nd = input.dim();
  check_channel_tensor(running_mean, c, "running_mean", input, "batch_norm");
  check_channel_tensor(running_var, c, "running_var", input, "batch_norm");
  check_channel_tensor(weight, c, "weight", input, "batch_norm");
  check_channel_tensor(bias, c, "bias", input, "batch_norm");
  if (running_mean.defined() != running_var.defined()) {
    raise<ValueError>("[batch_norm] running_mean and running_var must both be given or both None");
  }
  if (training || !running_mean.defined()) {
    const int64_t n = input.size(0), s = prod_from(input, 2), count = n * s;
    if (training && count <= 1) {
      raise<ValueError>("[batch_norm] expected more than 1 value per channel when training, got "
                        "input of shape {}", shape_str(input.shape()));
    }
    const bool fuse = fusable(input, weight, bias);
    auto [y, m, v] = fuse ? normalize_moments(reshape(input, {n, c, s}), eps, weight, bias)
                          : normalize_moments(reshape(input, {n, c, s}), eps);
    if (training && running_mean.defined()) {
      // In-place dispatched updates (no autograd), so traced steps replay them.
      NoGradGuard ng;
      const double unbias = static_cast<double>(count) / static_cast<double>(count - 1);
      Tensor rm = running_mean, rv = running_var;
      mul_(rm, wrapped_scalar(1.0 - momentum));
      add_(rm, mul(detach(m), momentum));
      mul_(rv, wrapped_scalar(1.0 - momentum));
      add_(rv, mul(detach(v), momentum * unbias));
    }
    y = reshape(y, input.shape());
    return fuse ? y : affine(y, weight, bias, nd);
  }
  Tensor invstd = channel_view(rsqrt(add(running_var, eps)), nd);
  return affine(mul(sub(input, channel_view(running_mean, nd)), invstd), weight, bias, nd);
}

Tensor layer_norm(const Tensor& input, IntList normalized_shape, const Tensor& weight,
                  const Tensor& bias, double eps) {
  const int64_t k = static_cast<int64_t>(normalized_shape.size());
  bool ok = k > 0 && input.dim() >= k;
  for (int64_t i = 0; ok && i < k; ++i) ok = input.size(input.dim() - k + i) == normalized_shape[i];
  if (!ok) {
    raise<ValueError>("[layer_norm] input of shape {} does not end in normalized_shape {}",
                      shape_str(input.shape()), shape_str(normalized_shape));
  }
  check_floating(input, "layer_norm");
  Shape ns(normalized_shape.begin(), normalized_shape.end());
  for (const Tensor* t : {&weight, &bias}) {
    if (t->defined() && Shape(t->shape().begin(), t->shape().end()) != ns) {
      raise<ValueError>("[layer_norm] {} must have normalized_shape {}, got {}",
                        t == &weight ? "weight" : "bias", shape_str(ns), shape_str(t->shape()));
    }
  }
  const int64_t inner = numel_of(normalized_shape);
  const int64_t rows = inner ? input.numel() / inner : prod_to(input, input.dim() - k);
  Tensor x3 = reshape(input, {1, rows, inner});
  if (fusable(input, weight, bias)) {
    auto flat = [&](const Tensor& t) { return t.defined() ? reshape(t, {inner}) : t; };
    return reshape(std::get<0>(normalize_moments(x3, eps, flat(weight), flat(bias),
                                                 NormAffineAxis::kInner)),
                   input.shape());
  }
  Tensor y = reshape(std::get<0>(normalize_moments(x3, eps)), input.shape());
  if (weight.defined()) y = mul(y, weight);
  if (bias.defined()) y = add(y, bias);
  return y;
}

Tensor group_norm(const Tensor& input, int64_t num_groups, const Tensor& weight, const Tensor& bias,
                  double eps) {
  if (input.dim() < 2) {
    raise<ValueError>("[group_norm] input must be (N, C, *), got shape {}", shape_str(input.shape()));
  }
  check_floating(input, "group_norm");
  const int64_t n = input.size(0), c = input.size(1);
  if (num_groups <= 0 || c % num_groups != 0) {
    raise<ValueError>("[group_norm] num_groups {} must be positive and divide the {} channels of "
                      "input of shape {}", num_groups, c, shape_str(input.shape()));
  }
  check_channel_tensor(weight, c, "weight", input, "group_norm");
  check_channel_tensor(bias, c, "bias", input, "group_norm");
  Tensor g = reshape(input, {1, n * num_groups, c / num_groups * prod_from(input, 2)});
  Tensor y = reshape(std::get<0>(normalize_moments(g, eps)), input.shape());
  return affine(y, weight, bias, input.dim());
}

// ---- modules ----

BatchNorm::BatchNorm(std::string type, int64_t nf, double e, std::optional<double> mom, bool aff,
                     bool track, DType dtype)
    : Module(std::move(type)), num_features(nf), eps(e), momentum(mom), affine(aff),
      track_running_stats(track) {
  if (nf <= 0) raise<ValueError>("[{}] num_features must be positive, got {}", type_name(), nf);
  // Absent ones are registered as None, as PyTorch does.
  register_parameter("weight", affine ? Tensor::empty({nf}, dtype) : Tensor());
  register_parameter("bias", affine ? Tensor::empty({nf}, dtype) : Tensor());
  register_buffer("running_mean", track ? zeros({nf}, dtype) : Tensor());
  register_buffer("running_var", track ? ones({nf}, dtype) : Tensor());
  register_buffer("num_batches_tracked", track ? zeros({}, DType::Int64) : Tensor());
  reset_parameters();
}

void BatchNorm::reset_running_stats() {
  if (!track_running_stats) return;
  init::zeros_(buffer("running_mean"));
  init::ones_(buffer("running_var"));
  init::zeros_(buffer("num_batches_tracked"));
}

void BatchNorm::reset_parameters() {
  reset_running_stats();
  if (affine) {
    init::ones_(parameter("weight"));
    init::zeros_(parameter("bias"));
  }
}

Tensor BatchNorm::forward(const Tensor& x) {
  check_input_dim(x);
  if (x.size(1) != num_features) {
    raise<ValueError>("[{}] expected input with {} channels (dim 1), got input of shape {}",
                      type_name(), num_features, shape_str(x.shape()));
  }
  double factor = momentum.value_or(0.0);
  const bool training = is_training();
  if (training && track_running_stats) {
    Tensor nbt = buffer("num_batches_tracked");
    if (nbt.defined()) {
      NoGradGuard ng;
      add_(nbt, wrapped_scalar(int64_t{1}));
      if (!momentum) factor = 1.0 / static_cast<double>(nbt.item<int64_t>());
    }
  }
  Tensor rm = buffer("running_mean"), rv = buffer("running_var");
  const bool use_batch = training || !rm.defined();
  if (training && !track_running_stats) rm = rv = Tensor();
  return batch_norm(x, rm, rv, parameter("weight"), parameter("bias"), use_batch, factor, eps);
}

std::string BatchNorm::extra_repr() const {
  return fmt::format("{}, eps={}, momentum={}, affine={}, track_running_stats={}", num_features,
                     eps, momentum ? fmt::format("{}", *momentum) : "None",
                     affine ? "True" : "False", track_running_stats ? "True" : "False");
}

void BatchNorm1d::check_input_dim(const Tensor& x) const {
  if (x.dim() != 2 && x.dim() != 3) {
    raise<ValueError>("[BatchNorm1d] expected 2D or 3D input (N, C) or (N, C, L), got {}D input "
                      "of shape {}", x.dim(), shape_str(x.shape()));
  }
}

void BatchNorm2d::check_input_dim(const Tensor& x) const {
  if (x.dim() != 4) {
    raise<ValueError>("[BatchNorm2d] expected 4D input (N, C, H, W), got {}D input of shape {}",
                      x.dim(), shape_str(x.shape()));
  }
}

LayerNorm::LayerNorm(std::vector<int64_t> shape, double e, bool aff, bool bias, DType dtype)
    : Module("LayerNorm"), normalized_shape(std::move(shape)), eps(e), elementwise_affine(aff) {
  for (int64_t s : normalized_shape) {
    if (s < 0) raise<ValueError>("[LayerNorm] invalid normalized_shape {}", shape_str(normalized_shape));
  }
  Shape s(normalized_shape.begin(), normalized_shape.end());
  register_parameter("weight", aff ? Tensor::empty(s, dtype) : Tensor());
  register_parameter("bias", aff && bias ? Tensor::empty(s, dtype) : Tensor());
  reset_parameters();
}

void LayerNorm::reset_parameters() {
  if (Tensor w = parameter("weight"); w.defined()) init::ones_(w);
  if (Tensor b = parameter("bias"); b.defined()) init::zeros_(b);
}

Tensor LayerNorm::forward(const Tensor& x) {
  const int64_t k = static_cast<int64_t>(normalized_shape.size());
  bool ok = x.dim() >= k;
  for (int64_t i = 0; ok && i < k; ++i) ok = x.size(x.dim() - k + i) == normalized_shape[i];
  if (!ok) {
    raise<ValueError>("[LayerNorm] input of shape {} does not end in normalized_shape {}",
                      shape_str(x.shape()), shape_str(normalized_shape));
  }
  return layer_norm(x, normalized_shape, parameter("weight"), parameter("bias"), eps);
}

std::string LayerNorm::extra_repr() const {
  std::string s = "(";
  for (size_t i = 0; i < normalized_shape.size(); ++i) {
    s += std::to_string(normalized_shape[i]) + (normalized_shape.size() == 1 || i + 1 < normalized_shape.size() ? "," : "");
    if (i + 1 < normalized_shape.size()) s += " ";
  }
  s += ")";
  return fmt::format("{}, eps={}, elementwise_affine={}", s, eps,
                     elementwise_affine ? "True" : "False");
}

GroupNorm::GroupNorm(int64_t g, int64_t c, double e, bool aff, DType dtype)
    : Module("GroupNorm"), num_groups(g), num_channels(c), eps(e), affine(aff) {
  if (g <= 0 || c % g != 0) {
    raise<ValueError>("[GroupNorm] num_channels ({}) must be divisible by num_groups ({})", c, g);
  }
  register_parameter("weight", aff ? Tensor::empty({c}, dtype) : Tensor());
  register_parameter("bias", aff ? Tensor::empty({c}, dtype) : Tensor());
  reset_parameters();
}

void GroupNorm::reset_parameters() {
  if (!affine) return;
  init::ones_(parameter("weight"));
  init::zeros_(parameter("bias"));
}

Tensor GroupNorm::forward(const Tensor& x) {
  if (x.dim() < 2 || x.size(1) != num_channels) {
    raise<ValueError>("[GroupNorm] expected input (N, {}, *) with {} channels, got shape {}",
                      num_channels, num_channels, shape_str(x.shape()));
  }
  return group_norm(x, num_groups, parameter("weight"), parameter("bias"), eps);
}

std::string GroupNorm::extra_repr() const {
  return fmt::format("{}, {}, eps={}, affine={}", num_groups, num_channels, eps,
                     affine ? "True" : "False");
}

}  // namespace ember::nn
