#pragma once
// Op classes for arithmetic.h (exposed for the tracer's rewrites and tests).
#include <cmath>
#include <type_traits>

#include "core/ops/elementwise_base.h"

namespace ember {

// Scalar kernels shared by the division family. Integer versions never trap: a zero
// divisor is rejected before the loop (check_int_divisor), and x / -1 wraps like PyTorch.
namespace scalar_math {

template <class T>
T wrap_neg(T x) {
  return static_cast<T>(std::make_unsigned_t<T>(0) - static_cast<std::make_unsigned_t<T>>(x));
}

template <class T>
bool is_neg(T x) {
  if constexpr (std::is_unsigned_v<T>) return false; else return x < T(0);
}

template <class T>
T trunc_div(T x, T y) {
  if constexpr (std::is_integral_v<T>) {
    if (y == T(0)) return T(0);
    if constexpr (std::is_signed_v<T>) {
      if (y == T(-1)) return wrap_neg(x);
    }
    return static_cast<T>(x / y);
  } else {
    return std::trunc(x / y);
  }
}

// Python's //: rounds toward -inf. The float form follows CPython (and PyTorch) so results
// match `a // b` exactly, including when a / b rounds across an integer.
template <class T>
T floor_div(T x, T y) {
  if constexpr (std::is_integral_v<T>) {
    if (y == T(0)) return T(0);
    if constexpr (std::is_signed_v<T>) {
      if (y == T(-1)) return wrap_neg(x);
    }
    T q = static_cast<T>(x / y);
    if (static_cast<T>(x % y) != T(0) && (is_neg(x) != is_neg(y))) --q;
    return q;
  } else {
    if (y == T(0)) return x / y;
    T mod = std::fmod(x, y);
    T d = (x - mod) / y;
    if (mod != T(0) && (y < T(0)) != (mod < T(0))) d -= T(1);
    if (d == T(0)) return std::copysign(T(0), x / y);
    T fd = std::floor(d);
    if (d - fd > T(0.5)) fd += T(1);
    return fd;
  }
}

// Python's %: the result takes the divisor's sign.
template <class T>
T py_mod(T x, T y) {
  if constexpr (std::is_integral_v<T>) {
    if (y == T(0)) return T(0);
    if constexpr (std::is_signed_v<T>) {
      if (y == T(-1)) return T(0);
    }
    T r = static_cast<T>(x % y);
    if (r != T(0) && is_neg(r) != is_neg(y)) r = static_cast<T>(r + y);
    return r;
  } else {
    T r = std::fmod(x, y);
    if (r == T(0)) return std::copysign(T(0), y);  // like Python: -2.0 % 2 == 0.0
    if ((r < T(0)) != (y < T(0))) r += y;
    return r;
  }
}

// C's fmod: the result takes the dividend's sign.
template <class T>
T c_fmod(T x, T y) {
  if constexpr (std::is_integral_v<T>) {
    if (y == T(0)) return T(0);
    if constexpr (std::is_signed_v<T>) {
      if (y == T(-1)) return T(0);
    }
    return static_cast<T>(x % y);
  } else {
    return std::fmod(x, y);
  }
}

// Integer power by squaring (wrapping like PyTorch); negative exponents give 1/x^n
// truncated: 0 except for bases 1 and -1.
template <class T>
T int_pow(T base, T e) {
  if constexpr (std::is_signed_v<T>) {
    if (e < T(0)) {
      if (base == T(1)) return T(1);
      if (base == T(-1)) return (e & T(1)) ? T(-1) : T(1);
      return T(0);
    }
  }
  using U = std::make_unsigned_t<T>;
  U b = static_cast<U>(base), r = 1;
  for (U n = static_cast<U>(e); n; n >>= 1) {
    if (n & 1) r = static_cast<U>(r * b);
    b = static_cast<U>(b * b);
  }
  return static_cast<T>(r);
}

}  // namespace scalar_math

// Raises "[op] integer division by zero" when the division is integral and b holds a 0.
void check_int_divisor(std::span<const Tensor> in, std::string_view op);

struct AddOp : BinaryOp<AddOp> {
  static constexpr std::string_view kName = "add";
  template <class T> T apply(T x, T y) const {
    if constexpr (std::is_same_v<T, bool>) return x || y; else return x + y;  // bool: or
  }
  template <class T> static constexpr bool supports() { return true; }
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

// Integer-or-float division family: dtype follows promotion (ints stay ints).
template <class Derived>
struct IntDivisionOp : BinaryOp<Derived> {
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override {
    if (out[0].numel() > 0) check_int_divisor(in, Derived::kName);  // empty: nothing divides
    BinaryOp<Derived>::eval_cpu(in, out);
  }
};

// div(a, b, rounding_mode="floor") and a // b.
struct FloorDivideOp : IntDivisionOp<FloorDivideOp> {
  static constexpr std::string_view kName = "floor_divide";
  template <class T> T apply(T x, T y) const { return scalar_math::floor_div(x, y); }
  bool vjp_needs_inputs() const override { return false; }
  TensorList vjp(const VjpArgs& a) const override;
};

// div(a, b, rounding_mode="trunc").
struct TruncDivideOp : IntDivisionOp<TruncDivideOp> {
  static constexpr std::string_view kName = "trunc_divide";
  template <class T> T apply(T x, T y) const { return scalar_math::trunc_div(x, y); }
  bool vjp_needs_inputs() const override { return false; }
  TensorList vjp(const VjpArgs& a) const override;
};

struct RemainderOp : IntDivisionOp<RemainderOp> {
  static constexpr std::string_view kName = "remainder";
  template <class T> T apply(T x, T y) const { return scalar_math::py_mod(x, y); }
  TensorList vjp(const VjpArgs& a) const override;
};

struct FmodOp : IntDivisionOp<FmodOp> {
  static constexpr std::string_view kName = "fmod";
  template <class T> T apply(T x, T y) const { return scalar_math::c_fmod(x, y); }
  TensorList vjp(const VjpArgs& a) const override;
};

// tensor ** tensor (and scalar ** tensor, the scalar being a wrapped 0-dim tensor).
struct PowOp : BinaryOp<PowOp> {
  static constexpr std::string_view kName = "pow";
  template <class T> T apply(T x, T y) const {
    if constexpr (std::is_integral_v<T>) return scalar_math::int_pow(x, y); else return std::pow(x, y);
  }
  bool vjp_needs_outputs() const override { return true; }
  TensorList vjp(const VjpArgs& a) const override;
};

// tensor ** number: the exponent is an attribute so common powers (2, 3, 0.5, -1, ...)
// get exact, vectorizable kernels instead of std::pow.
struct PowScalarOp : OpImpl<PowScalarOp> {
  static constexpr std::string_view kName = "pow_scalar";
  Scalar exponent;
  explicit PowScalarOp(Scalar e) : exponent(e) {}
  explicit PowScalarOp(const Attrs& a) : exponent(a.get<Scalar>("exponent", kName)) {}
  void attributes(Attrs& out) const override { out.set("exponent", exponent); }
  bool is_elementwise() const override { return true; }
  MetaList infer(std::span<const Tensor> in) const override;
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override;
  TensorList vjp(const VjpArgs& a) const override;
};

struct MaximumOp : BinaryOp<MaximumOp> {
  static constexpr std::string_view kName = "maximum";
  template <class T> static constexpr bool supports() { return true; }
  template <class T> T apply(T x, T y) const {
    if constexpr (std::is_same_v<T, bool>) {
      return x || y;
    } else if constexpr (std::is_floating_point_v<T>) {
      return std::isnan(x) ? x : (x > y ? x : y);  // NaN in either propagates
    } else {
      return x > y ? x : y;
    }
  }
  TensorList vjp(const VjpArgs& a) const override;
};

struct MinimumOp : BinaryOp<MinimumOp> {
  static constexpr std::string_view kName = "minimum";
  template <class T> static constexpr bool supports() { return true; }
  template <class T> T apply(T x, T y) const {
    if constexpr (std::is_same_v<T, bool>) {
      return x && y;
    } else if constexpr (std::is_floating_point_v<T>) {
      return std::isnan(x) ? x : (x < y ? x : y);
    } else {
      return x < y ? x : y;
    }
  }
  TensorList vjp(const VjpArgs& a) const override;
};

}  // namespace ember
