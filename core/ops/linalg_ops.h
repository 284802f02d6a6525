#pragma once
#include "core/op.h"
#include "core/op_registry.h"

namespace ember {

// The one matrix-product primitive: a[..., m, k] @ b[..., k, n] with both inputs at least
// 2-D and batch dims broadcast. matmul/mm/bmm/mv/dot are views around it.
struct MatmulOp : OpImpl<MatmulOp> {
  static constexpr std::string_view kName = "matmul";
  MatmulOp() = default;
  explicit MatmulOp(const Attrs&) {}
  MetaList infer(std::span<const Tensor> in) const override;
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override;
  TensorList vjp(const VjpArgs& a) const override;
};

}  // namespace ember
