#pragma once
// Op classes for comparison.h.
#include <cmath>
#include <type_traits>

#include "core/ops/elementwise_base.h"

namespace ember {

// Bool-valued binary ops: any dtype in (compared in the promoted dtype), bool out, no
// gradient.
template <class Derived>
struct BoolBinaryOp : BinaryOp<Derived> {
  static constexpr bool kBoolOut = true;
  static DType out_dtype(DType) { return DType::Bool; }
  template <class T> static constexpr bool supports() { return true; }
  bool is_differentiable() const override { return false; }
  bool vjp_needs_inputs() const override { return false; }
};

#define EMBER_COMPARISON_OP_(Class, opname, expr)          \
  struct Class : BoolBinaryOp<Class> {                     \
    static constexpr std::string_view kName = opname;      \
    template <class T> bool apply(T x, T y) const { return expr; } \
  }
EMBER_COMPARISON_OP_(EqOp, "eq", x == y);
EMBER_COMPARISON_OP_(NeOp, "ne", x != y);
EMBER_COMPARISON_OP_(LtOp, "lt", x < y);
EMBER_COMPARISON_OP_(LeOp, "le", x <= y);
EMBER_COMPARISON_OP_(GtOp, "gt", x > y);
EMBER_COMPARISON_OP_(GeOp, "ge", x >= y);
EMBER_COMPARISON_OP_(LogicalAndOp, "logical_and", (x != T(0)) && (y != T(0)));
EMBER_COMPARISON_OP_(LogicalOrOp, "logical_or", (x != T(0)) || (y != T(0)));
EMBER_COMPARISON_OP_(LogicalXorOp, "logical_xor", (x != T(0)) != (y != T(0)));
#undef EMBER_COMPARISON_OP_

// Bitwise ops: bool and integer dtypes only.
template <class Derived>
struct BitwiseOp : BinaryOp<Derived> {
  template <class T> static constexpr bool supports() { return std::is_integral_v<T>; }
  bool is_differentiable() const override { return false; }
  bool vjp_needs_inputs() const override { return false; }
  MetaList infer(std::span<const Tensor> in) const override {
    MetaList m = BinaryOp<Derived>::infer(in);
    if (is_floating(m[0].dtype)) {
      raise<TypeError>("[{}] expected bool or integer tensors, got {} and {}", Derived::kName,
                       dtype_name(in[0].dtype()), dtype_name(in[1].dtype()));
    }
    return m;
  }
};

struct BitwiseAndOp : BitwiseOp<BitwiseAndOp> {
  static constexpr std::string_view kName = "bitwise_and";
  template <class T> T apply(T x, T y) const { return static_cast<T>(x & y); }
};
struct BitwiseOrOp : BitwiseOp<BitwiseOrOp> {
  static constexpr std::string_view kName = "bitwise_or";
  template <class T> T apply(T x, T y) const { return static_cast<T>(x | y); }
};
struct BitwiseXorOp : BitwiseOp<BitwiseXorOp> {
  static constexpr std::string_view kName = "bitwise_xor";
  template <class T> T apply(T x, T y) const { return static_cast<T>(x ^ y); }
};

struct BitwiseNotOp : UnaryOp<BitwiseNotOp> {
  static constexpr std::string_view kName = "bitwise_not";
  static constexpr UnaryDomain kDomain = UnaryDomain::AllSame;
  template <class T> static constexpr bool supports() { return std::is_integral_v<T>; }
  template <class T> T apply(T x) const {
    if constexpr (std::is_same_v<T, bool>) return !x; else return static_cast<T>(~x);
  }
  bool is_differentiable() const override { return false; }
  bool vjp_needs_inputs() const override { return false; }
  MetaList infer(std::span<const Tensor> in) const override {
    MetaList m = UnaryOp<BitwiseNotOp>::infer(in);
    if (is_floating(m[0].dtype)) {
      raise<TypeError>("[bitwise_not] expected a bool or integer tensor, got {}",
                       dtype_name(in[0].dtype()));
    }
    return m;
  }
};

struct IscloseOp : BoolBinaryOp<IscloseOp> {
  static constexpr std::string_view kName = "isclose";
  double rtol = 1e-5, atol = 1e-8;
  bool equal_nan = false;
  IscloseOp(double r, double a, bool n) : rtol(r), atol(a), equal_nan(n) {}
  explicit IscloseOp(const Attrs& a)
      : rtol(a.get<double>("rtol", kName)), atol(a.get<double>("atol", kName)),
        equal_nan(a.get<bool>("equal_nan", kName)) {}
  void attributes(Attrs& out) const override {
    out.set("rtol", rtol);
    out.set("atol", atol);
    out.set("equal_nan", equal_nan);
  }
  template <class T> bool apply(T x, T y) const {
    if constexpr (std::is_same_v<T, bool>) {
      return x == y;
    } else {
      if (x == y) return true;  // also equal infinities
      using F = std::conditional_t<std::is_same_v<T, float>, float, double>;
      const F fx = static_cast<F>(x), fy = static_cast<F>(y);
      if (std::isnan(fx) || std::isnan(fy)) return equal_nan && std::isnan(fx) && std::isnan(fy);
      if (std::isinf(fx) || std::isinf(fy)) return false;
      return std::abs(fx - fy) <= static_cast<F>(atol) + static_cast<F>(rtol) * std::abs(fy);
    }
  }
};

// where(cond, a, b): three inputs; cond must be bool.
struct WhereOp : OpImpl<WhereOp> {
  static constexpr std::string_view kName = "where";
  bool is_elementwise() const override { return true; }
  MetaList infer(std::span<const Tensor> in) const override;
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override;
  TensorList vjp(const VjpArgs& a) const override;
};

}  // namespace ember
