#include "nn/linear.h"

#include <cmath>

#include "core/ops.h"
#include "nn/init.h"

namespace ember::nn {

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  if (weight.dim() != 2) {
    raise<ValueError>("[linear] weight must be 2-D [out_features, in_features], got shape {}",
                      shape_str(weight.shape()));
  }
  if (x.dim() == 0 || x.size(-1) != weight.size(1)) {
    raise<ValueError>("[linear] input of shape {} has {} features, but the layer expects {} "
                      "(weight shape {})", shape_str(x.shape()), x.dim() ? x.size(-1) : 0,
                      weight.size(1), shape_str(weight.shape()));
  }
  Tensor wt = transpose(weight, 0, 1);
  if (bias.defined() && x.dim() == 2) return addmm(bias, x, wt);
  Tensor y = matmul(x, wt);
  return bias.defined() ? add(y, bias) : y;
}

Tensor bilinear(const Tensor& x1, const Tensor& x2, const Tensor& weight, const Tensor& bias) {
  if (weight.dim() != 3 || x1.size(-1) != weight.size(1) || x2.size(-1) != weight.size(2)) {
    raise<ValueError>("[bilinear] inputs of shapes {} and {} do not match weight {}",
                      shape_str(x1.shape()), shape_str(x2.shape()), shape_str(weight.shape()));
  }
  // y[..., o] = sum_ij x1[..., i] W[o, i, j] x2[..., j]
  int64_t out = weight.size(0), in1 = weight.size(1), in2 = weight.size(2);
  Tensor w2 = reshape(permute(weight, {1, 0, 2}), {in1, out * in2});        // [in1, out*in2]
  Tensor xw = reshape(matmul(x1, w2), [&] {                                  // [..., out, in2]
    Shape s(x1.shape().begin(), x1.shape().end() - 1);
    s.push_back(out);
    s.push_back(in2);
    return s;
  }());
  Tensor y = squeeze(matmul(xw, unsqueeze(x2, -1)), {-1});                  // [..., out]
  return bias.defined() ? add(y, bias) : y;
}

Linear::Linear(int64_t in, int64_t out, bool bias, DType dtype)
    : Module("Linear"), in_features(in), out_features(out) {
  if (in < 0 || out < 0) {
    raise<ValueError>("[Linear] in_features and out_features must be non-negative, got {} and {}",
                      in, out);
  }
  register_parameter("weight", Tensor::empty({out, in}, dtype));
  register_parameter("bias", bias ? Tensor::empty({out}, dtype) : Tensor());  // None, as torch
  reset_parameters();
}

void Linear::reset_parameters() {
  // PyTorch: kaiming_uniform_(a=sqrt(5)) == U(-1/sqrt(in), 1/sqrt(in)), bias the same bound.
  init::kaiming_uniform_(parameter("weight"), std::sqrt(5.0));
  Tensor b = parameter("bias");
  if (b.defined()) {
    double bound = in_features > 0 ? 1.0 / std::sqrt(static_cast<double>(in_features)) : 0.0;
    init::uniform_(b, -bound, bound);
  }
}

Tensor Linear::forward(const Tensor& x) {
  if (x.dim() == 0 || x.size(-1) != in_features) {
    raise<ValueError>("[Linear] expected input with {} features in its last dim, got shape {}",
                      in_features, shape_str(x.shape()));
  }
  return linear(x, parameter("weight"), parameter("bias"));
}

std::string Linear::extra_repr() const {
  return fmt::format("in_features={}, out_features={}, bias={}", in_features, out_features,
                     has_parameter("bias") && parameter("bias").defined() ? "True" : "False");
}

Bilinear::Bilinear(int64_t in1, int64_t in2, int64_t out, bool bias, DType dtype)
    : Module("Bilinear"), in1_features(in1), in2_features(in2), out_features(out) {
  register_parameter("weight", Tensor::empty({out, in1, in2}, dtype));
  double bound = 1.0 / std::sqrt(static_cast<double>(std::max<int64_t>(in1, 1)));
  init::uniform_(parameter("weight"), -bound, bound);
  register_parameter("bias", bias ? Tensor::empty({out}, dtype) : Tensor());  // None, as torch
  if (bias) init::uniform_(parameter("bias"), -bound, bound);
}

TensorList Bilinear::forward(const TensorList& in) {
  if (in.size() != 2) raise<ValueError>("[Bilinear] forward takes 2 inputs, got {}", in.size());
  return {bilinear(in[0], in[1], parameter("weight"), parameter("bias"))};
}

std::string Bilinear::extra_repr() const {
  return fmt::format("in1_features={}, in2_features={}, out_features={}, bias={}", in1_features,
                     in2_features, out_features, parameter("bias").defined() ? "True" : "False");
}

Flatten::Flatten(int64_t s, int64_t e) : Module("Flatten"), start_dim(s), end_dim(e) {}
Tensor Flatten::forward(const Tensor& x) { return flatten(x, start_dim, end_dim); }
std::string Flatten::extra_repr() const {
  return fmt::format("start_dim={}, end_dim={}", start_dim, end_dim);
}

Unflatten::Unflatten(int64_t d, std::vector<int64_t> s)
    : Module("Unflatten"), dim(d), sizes(std::move(s)) {}
Tensor Unflatten::forward(const Tensor& x) {
  int64_t d = normalize_dim(dim, x.dim(), "Unflatten");
  Shape sz(sizes.begin(), sizes.end());
  int64_t known = 1, infer = -1;
  for (size_t i = 0; i < sz.size(); ++i) {
    if (sz[i] == -1) {
      if (infer >= 0) raise<ValueError>("[Unflatten] only one size may be -1, got {}", shape_str(sizes));
      infer = static_cast<int64_t>(i);
    } else {
      known *= sz[i];
    }
  }
  if (infer >= 0 && known > 0 && x.shape()[d] % known == 0) sz[infer] = x.shape()[d] / known;
  if (numel_of(sz) != x.shape()[d]) {
    raise<ValueError>("[Unflatten] sizes {} don't multiply up to dim {} of size {} (input "
                      "shape {})", shape_str(sizes), dim, x.shape()[d], shape_str(x.shape()));
  }
  Shape shape(x.shape().begin(), x.shape().begin() + d);
  shape.insert(shape.end(), sz.begin(), sz.end());
  shape.insert(shape.end(), x.shape().begin() + d + 1, x.shape().end());
  return reshape(x, shape);
}
std::string Unflatten::extra_repr() const {
  return fmt::format("dim={}, unflattened_size={}", dim, shape_str(sizes));
}

}  // namespace ember::nn
