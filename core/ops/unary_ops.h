#pragma once
// Op classes for unary.h. Each supplies its scalar function (`apply`, called with the
// compute type: float for the 16-bit floats) and its backward rule (unary.cpp).
#include <cmath>
#include <optional>
#include <type_traits>

#include "core/cpu/vec_math.h"

#include "core/ops/elementwise_base.h"

namespace ember {

// Storage types a float-valued kernel is instantiated for (ints were promoted before).
template <class T>
inline constexpr bool kFloatKernel = !std::is_integral_v<T>;

// Float-valued functions: ints promote to the default float dtype.
template <class Derived>
struct FloatUnaryOp : UnaryOp<Derived> {
  static constexpr UnaryDomain kDomain = UnaryDomain::FloatOut;
  template <class T> static constexpr bool supports() { return kFloatKernel<T>; }
};

// Zero-gradient ops (sign, floor, ...) and boolean predicates share these rules.
template <class Derived>
struct PiecewiseConstantOp : UnaryOp<Derived> {
  bool vjp_needs_inputs() const override { return false; }
  TensorList vjp(const VjpArgs& a) const override;
};
template <class Derived>
struct PredicateOp : UnaryOp<Derived> {
  static constexpr UnaryDomain kDomain = UnaryDomain::BoolOut;
  bool is_differentiable() const override { return false; }
  bool vjp_needs_inputs() const override { return false; }
};

struct NegOp : UnaryOp<NegOp> {
  static constexpr std::string_view kName = "neg";
  static constexpr UnaryDomain kDomain = UnaryDomain::SameAsInput;
  template <class T> T apply(T x) const { return static_cast<T>(-x); }
  bool vjp_needs_inputs() const override { return false; }
  TensorList vjp(const VjpArgs& a) const override;
};

struct AbsOp : UnaryOp<AbsOp> {
  static constexpr std::string_view kName = "abs";
  static constexpr UnaryDomain kDomain = UnaryDomain::SameAsInput;
  template <class T> T apply(T x) const {
    if constexpr (std::is_unsigned_v<T>) {
      return x;
    } else if constexpr (std::is_floating_point_v<T>) {
      return std::fabs(x);  // clears the sign bit: abs(-0.0) is +0.0, as numpy and PyTorch
    } else {
      return static_cast<T>(x < T(0) ? -x : x);
    }
  }
  TensorList vjp(const VjpArgs& a) const override;
};

struct SquareOp : UnaryOp<SquareOp> {
  static constexpr std::string_view kName = "square";
  static constexpr UnaryDomain kDomain = UnaryDomain::SameAsInput;
  template <class T> T apply(T x) const { return static_cast<T>(x * x); }
  TensorList vjp(const VjpArgs& a) const override;
};

struct SignOp : PiecewiseConstantOp<SignOp> {
  static constexpr std::string_view kName = "sign";
  static constexpr UnaryDomain kDomain = UnaryDomain::AllSame;
  template <class T> static constexpr bool supports() { return true; }
  template <class T> T apply(T x) const {
    if constexpr (std::is_same_v<T, bool>) {
      return x;
    } else if constexpr (std::is_floating_point_v<T>) {
      return std::isnan(x) ? x : static_cast<T>((T(0) < x) - (x < T(0)));
    } else {
      return static_cast<T>((T(0) < x) - (x < T(0)));
    }
  }
};

// Rounding: the identity on integers (as in PyTorch).
#define EMBER_ROUNDING_OP_(Class, opname, fn)                               \
  struct Class : PiecewiseConstantOp<Class> {                               \
    static constexpr std::string_view kName = opname;                       \
    static constexpr UnaryDomain kDomain = UnaryDomain::SameAsInput;        \
    template <class T> T apply(T x) const {                                 \
      if constexpr (std::is_integral_v<T>) return x; else return fn(x);     \
    }                                                                       \
  }
EMBER_ROUNDING_OP_(FloorOp, "floor", std::floor);
EMBER_ROUNDING_OP_(CeilOp, "ceil", std::ceil);
EMBER_ROUNDING_OP_(RoundOp, "round", std::nearbyint);  // half to even, like PyTorch
EMBER_ROUNDING_OP_(TruncOp, "trunc", std::trunc);
#undef EMBER_ROUNDING_OP_

struct ExpOp : FloatUnaryOp<ExpOp> {
  static constexpr std::string_view kName = "exp";
  std::optional<cpu::VecCall> vec_call() const { return cpu::VecCall{cpu::VecFn::Exp}; }
  template <class T> T apply(T x) const { return std::exp(x); }
  bool vjp_needs_inputs() const override { return false; }
  bool vjp_needs_outputs() const override { return true; }
  TensorList vjp(const VjpArgs& a) const override;
};

struct Expm1Op : FloatUnaryOp<Expm1Op> {
  static constexpr std::string_view kName = "expm1";
  std::optional<cpu::VecCall> vec_call() const { return cpu::VecCall{cpu::VecFn::Expm1}; }
  template <class T> T apply(T x) const { return std::expm1(x); }
  bool vjp_needs_inputs() const override { return false; }
  bool vjp_needs_outputs() const override { return true; }
  TensorList vjp(const VjpArgs& a) const override;
};

struct LogOp : FloatUnaryOp<LogOp> {
  static constexpr std::string_view kName = "log";
  std::optional<cpu::VecCall> vec_call() const { return cpu::VecCall{cpu::VecFn::Log}; }
  template <class T> T apply(T x) const { return std::log(x); }
  TensorList vjp(const VjpArgs& a) const override;
};

struct Log1pOp : FloatUnaryOp<Log1pOp> {
  static constexpr std::string_view kName = "log1p";
  std::optional<cpu::VecCall> vec_call() const { return cpu::VecCall{cpu::VecFn::Log1p}; }
  template <class T> T apply(T x) const { return std::log1p(x); }
  TensorList vjp(const VjpArgs& a) const override;
};

struct SqrtOp : FloatUnaryOp<SqrtOp> {
  static constexpr std::string_view kName = "sqrt";
  template <class T> T apply(T x) const { return std::sqrt(x); }
  bool vjp_needs_inputs() const override { return false; }
  bool vjp_needs_outputs() const override { return true; }
  TensorList vjp(const VjpArgs& a) const override;
};

struct RsqrtOp : FloatUnaryOp<RsqrtOp> {
  static constexpr std::string_view kName = "rsqrt";
  template <class T> T apply(T x) const { return T(1) / std::sqrt(x); }
  bool vjp_needs_inputs() const override { return false; }
  bool vjp_needs_outputs() const override { return true; }
  TensorList vjp(const VjpArgs& a) const override;
};

struct ReciprocalOp : FloatUnaryOp<ReciprocalOp> {
  static constexpr std::string_view kName = "reciprocal";
  template <class T> T apply(T x) const { return T(1) / x; }
  bool vjp_needs_inputs() const override { return false; }
  bool vjp_needs_outputs() const override { return true; }
  TensorList vjp(const VjpArgs& a) const override;
};

struct SinOp : FloatUnaryOp<SinOp> {
  static constexpr std::string_view kName = "sin";
  std::optional<cpu::VecCall> vec_call() const { return cpu::VecCall{cpu::VecFn::Sin}; }
  template <class T> T apply(T x) const { return std::sin(x); }
  TensorList vjp(const VjpArgs& a) const override;
};

struct CosOp : FloatUnaryOp<CosOp> {
  static constexpr std::string_view kName = "cos";
  std::optional<cpu::VecCall> vec_call() const { return cpu::VecCall{cpu::VecFn::Cos}; }
  template <class T> T apply(T x) const { return std::cos(x); }
  TensorList vjp(const VjpArgs& a) const override;
};

struct TanhOp : FloatUnaryOp<TanhOp> {
  static constexpr std::string_view kName = "tanh";
  std::optional<cpu::VecCall> vec_call() const { return cpu::VecCall{cpu::VecFn::Tanh}; }
  template <class T> T apply(T x) const {
    if constexpr (std::is_same_v<T, float>) {
      return fast_tanh(x);
    } else {
      return std::tanh(x);
    }
  }
  // glibc's tanhf is ~8x slower than its expf: use exp, with a series near 0 where
  // 1 - 2 / (e^2x + 1) would cancel. Max error a few ulp.
  static float fast_tanh(float x) {
    const float ax = std::fabs(x);
    if (ax < 0.125f) {
      const float x2 = x * x;
      return x + x * x2 * (-1.f / 3 + x2 * (2.f / 15 + x2 * (-17.f / 315 + x2 * (62.f / 2835))));
    }
    const float r = 1.f - 2.f / (std::exp(2.f * ax) + 1.f);
    return std::copysign(r, x);
  }
  bool vjp_needs_inputs() const override { return false; }
  bool vjp_needs_outputs() const override { return true; }
  TensorList vjp(const VjpArgs& a) const override;
};

struct SigmoidOp : FloatUnaryOp<SigmoidOp> {
  static constexpr std::string_view kName = "sigmoid";
  std::optional<cpu::VecCall> vec_call() const { return cpu::VecCall{cpu::VecFn::Sigmoid}; }
  template <class T> T apply(T x) const { return T(1) / (T(1) + std::exp(-x)); }
  bool vjp_needs_inputs() const override { return false; }
  bool vjp_needs_outputs() const override { return true; }
  TensorList vjp(const VjpArgs& a) const override;
};

struct ErfOp : FloatUnaryOp<ErfOp> {
  static constexpr std::string_view kName = "erf";
  template <class T> T apply(T x) const { return std::erf(x); }
  TensorList vjp(const VjpArgs& a) const override;
};

struct IsnanOp : PredicateOp<IsnanOp> {
  static constexpr std::string_view kName = "isnan";
  template <class T> bool apply(T x) const {
    if constexpr (std::is_floating_point_v<T>) return std::isnan(x); else return false;
  }
};

struct IsinfOp : PredicateOp<IsinfOp> {
  static constexpr std::string_view kName = "isinf";
  template <class T> bool apply(T x) const {
    if constexpr (std::is_floating_point_v<T>) return std::isinf(x); else return false;
  }
};

struct IsfiniteOp : PredicateOp<IsfiniteOp> {
  static constexpr std::string_view kName = "isfinite";
  template <class T> bool apply(T x) const {
    if constexpr (std::is_floating_point_v<T>) return std::isfinite(x); else return true;
  }
};

struct LogicalNotOp : PredicateOp<LogicalNotOp> {
  static constexpr std::string_view kName = "logical_not";
  template <class T> bool apply(T x) const { return !(x != T(0)); }
};

}  // namespace ember
