#pragma once
#include "core/op.h"
#include "core/op_registry.h"

namespace ember {

// normalize_moments (core/ops/norm.h): input [A, C, B]; outputs y [A, C, B], mean [C],
// var [C] (biased). Backward reads only the outputs.
struct NormalizeMomentsOp : OpImpl<NormalizeMomentsOp> {
  static constexpr std::string_view kName = "normalize_moments";
  double eps = 1e-5;
  explicit NormalizeMomentsOp(double e) : eps(e) {}
  explicit NormalizeMomentsOp(const Attrs& a) : eps(a.get<double>("eps", kName)) {}
  void attributes(Attrs& out) const override { out.set("eps", eps); }
  bool vjp_needs_inputs() const override { return false; }
  bool vjp_needs_outputs() const override { return true; }
  MetaList infer(std::span<const Tensor> in) const override;
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override;
  TensorList vjp(const VjpArgs& a) const override;
};

}  // namespace ember
