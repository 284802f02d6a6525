#pragma once
// Op classes for arithmetic.h (exposed for the tracer's rewrites and tests).
#include "core/ops/elementwise_base.h"

namespace ember {

struct AddOp : BinaryOp<AddOp> {
  static constexpr std::string_view kName = "add";
  template <class T> T apply(T x, T y) const { return x + y; }
  bool vjp_needs_inputs() const override { return false; }
  TensorList vjp(const VjpArgs& a) const override;
};

struct SubOp : BinaryOp<SubOp> {
  static constexpr std::string_view kName = "sub";
  template <class T> T apply(T x, T y) const { return x - y; }
  bool vjp_needs_inputs() const override { return false; }
  TensorList vjp(const VjpArgs& a) const override;
};

struct MulOp : BinaryOp<MulOp> {
  static constexpr std::string_view kName = "mul";
  template <class T> T apply(T x, T y) const {
    if constexpr (std::is_same_v<T, bool>) return x && y; else return x * y;
  }
  template <class T> static constexpr bool supports() { return true; }
  TensorList vjp(const VjpArgs& a) const override;
};

struct DivOp : BinaryOp<DivOp> {
  static constexpr std::string_view kName = "div";
  static DType compute_dtype(DType promoted) { return to_floating(promoted); }
  template <class T> T apply(T x, T y) const { return x / y; }
  TensorList vjp(const VjpArgs& a) const override;
};

}  // namespace ember
