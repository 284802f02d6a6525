#pragma once
#include "core/cpu/conv.h"
#include "core/op.h"
#include "core/op_registry.h"
#include "core/ops/conv.h"

namespace ember {

// Shared attributes of the convolution ops.
struct ConvAttrs {
  Pair stride{1, 1}, padding{0, 0}, dilation{1, 1};
  int64_t groups = 1;
  void write(Attrs& out) const;
  static ConvAttrs read(const Attrs& a, std::string_view op);
};

// conv2d(x [N, C, H, W], weight [O, C/groups, kh, kw], bias [O]?) -> [N, O, Ho, Wo].
struct Conv2dOp : OpImpl<Conv2dOp> {
  static constexpr std::string_view kName = "conv2d";
  ConvAttrs c;
  explicit Conv2dOp(ConvAttrs a) : c(a) {}
  explicit Conv2dOp(const Attrs& a) : c(ConvAttrs::read(a, kName)) {}
  void attributes(Attrs& out) const override { c.write(out); }
  MetaList infer(std::span<const Tensor> in) const override;
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override;
  TensorList vjp(const VjpArgs& a) const override;
};

// conv_transpose2d(x [N, Ci, H, W], weight [Ci, Co/groups, kh, kw], bias [Co]?): the adjoint
// of conv2d with respect to its input.
struct ConvTranspose2dOp : OpImpl<ConvTranspose2dOp> {
  static constexpr std::string_view kName = "conv_transpose2d";
  ConvAttrs c;
  Pair output_padding{0, 0};
  ConvTranspose2dOp(ConvAttrs a, Pair op) : c(a), output_padding(op) {}
  explicit ConvTranspose2dOp(const Attrs& a);
  void attributes(Attrs& out) const override;
  MetaList infer(std::span<const Tensor> in) const override;
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override;
  TensorList vjp(const VjpArgs& a) const override;
};

// conv2d_backward_weight(x, grad_output) -> grad weight [O, C/groups, kh, kw].
struct Conv2dBackwardWeightOp : OpImpl<Conv2dBackwardWeightOp> {
  static constexpr std::string_view kName = "conv2d_backward_weight";
  ConvAttrs c;
  Pair kernel{1, 1};
  Conv2dBackwardWeightOp(ConvAttrs a, Pair k) : c(a), kernel(k) {}
  explicit Conv2dBackwardWeightOp(const Attrs& a);
  void attributes(Attrs& out) const override;
  MetaList infer(std::span<const Tensor> in) const override;
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override;
  TensorList vjp(const VjpArgs& a) const override;
};

}  // namespace ember
