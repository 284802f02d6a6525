#pragma once
#include <cmath>

#include "core/ops/elementwise_base.h"

namespace ember {

struct NegOp : UnaryOp<NegOp> {
  static constexpr std::string_view kName = "neg";
  static constexpr UnaryDomain kDomain = UnaryDomain::SameAsInput;
  template <class T> T apply(T x) const { return -x; }
  bool vjp_needs_inputs() const override { return false; }
  TensorList vjp(const VjpArgs& a) const override;
};

struct ExpOp : UnaryOp<ExpOp> {
  static constexpr std::string_view kName = "exp";
  static constexpr UnaryDomain kDomain = UnaryDomain::FloatOut;
  template <class T> T apply(T x) const { return std::exp(x); }
  bool vjp_needs_inputs() const override { return false; }
  bool vjp_needs_outputs() const override { return true; }
  TensorList vjp(const VjpArgs& a) const override;
};

}  // namespace ember
