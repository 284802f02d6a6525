#pragma once
#include "core/op.h"
#include "core/op_registry.h"

namespace ember {

// Shared attributes of reductions: dims (empty = all) and keepdim.
struct ReduceAttrs {
  Shape dims;
  bool keepdim = false;
  void write(Attrs& out) const;
  static ReduceAttrs read(const Attrs& a, std::string_view op);
};

struct SumOp : OpImpl<SumOp> {
  static constexpr std::string_view kName = "sum";
  ReduceAttrs r;
  std::optional<DType> dtype;
  SumOp(ReduceAttrs ra, std::optional<DType> d) : r(std::move(ra)), dtype(d) {}
  explicit SumOp(const Attrs& a);
  void attributes(Attrs& out) const override;
  bool vjp_needs_inputs() const override { return false; }
  MetaList infer(std::span<const Tensor> in) const override;
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override;
  TensorList vjp(const VjpArgs& a) const override;
};

// Gradient of a reduction: g (reduced shape) broadcast back over the input's shape.
Tensor expand_reduced_grad(const Tensor& g, const TensorMeta& input, IntList dims, bool keepdim);

}  // namespace ember
