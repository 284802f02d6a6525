#pragma once
#include "core/op.h"
#include "core/op_registry.h"

namespace ember {

// normalize_moments (core/ops/norm.h): inputs x [A, C, B], then weight if has_weight, then
// bias if has_bias; outputs y [A, C, B], mean [C], var [C] (biased).
struct NormalizeMomentsOp : OpImpl<NormalizeMomentsOp> {
  static constexpr std::string_view kName = "normalize_moments";
  double eps = 1e-5;
  bool has_weight = false, has_bias = false;
  int64_t axis = 1;  // NormAffineAxis: 1 params along C, 2 along B
  NormalizeMomentsOp(double e, bool w, bool b, int64_t ax)
      : eps(e), has_weight(w), has_bias(b), axis(ax) {}
  explicit NormalizeMomentsOp(const Attrs& a)
      : eps(a.get<double>("eps", kName)), has_weight(a.get<bool>("has_weight", kName)),
        has_bias(a.get<bool>("has_bias", kName)), axis(a.get<int64_t>("axis", kName)) {}
  void attributes(Attrs& out) const override {
    out.set("eps", eps);
    out.set("has_weight", has_weight);
    out.set("has_bias", has_bias);
    out.set("axis", axis);
  }
  // Backward recomputes xhat from x and the saved moments; it never reads y or the bias.
  bool vjp_needs_outputs() const override { return true; }
  bool vjp_needs_input(size_t i) const override { return i == 0 || (i == 1 && has_weight); }
  MetaList infer(std::span<const Tensor> in) const override;
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override;
  TensorList vjp(const VjpArgs& a) const override;
};

}  // namespace ember
