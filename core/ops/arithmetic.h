#pragma once
// Broadcasting arithmetic with type promotion: add, sub, mul, div (true division or with a
// rounding mode), pow, maximum/minimum, remainder (Python's sign rule), fmod.
// Integer division, remainder and fmod raise on a zero divisor (never a hardware trap).
#include <optional>
#include <string_view>

#include "core/scalar.h"
#include "core/tensor.h"

namespace ember {

Tensor add(const Tensor& a, const Tensor& b);
Tensor add(const Tensor& a, const Tensor& b, const Scalar& alpha);  // a + alpha * b
Tensor sub(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b, const Scalar& alpha);  // a - alpha * b
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);  // true division: ints give float
// rounding_mode: "trunc" (toward zero) or "floor" (toward -inf); ints stay ints.
Tensor div(const Tensor& a, const Tensor& b, std::optional<std::string_view> rounding_mode);
Tensor floor_divide(const Tensor& a, const Tensor& b);  // div(a, b, "floor"), Python's //

Tensor pow(const Tensor& a, const Tensor& b);
Tensor pow(const Tensor& a, const Scalar& exponent);  // x**2 is exact (x*x) and fast
Tensor pow(const Scalar& base, const Tensor& exponent);
Tensor maximum(const Tensor& a, const Tensor& b);  // NaN-propagating
Tensor minimum(const Tensor& a, const Tensor& b);
Tensor remainder(const Tensor& a, const Tensor& b);  // sign of b (Python's %)
Tensor fmod(const Tensor& a, const Tensor& b);       // sign of a (C's fmod)

// A Python number as an operand: a 0-dim "wrapped number" tensor that does not raise the
// other operand's dtype. Floats are held in float64 so `x_f64 * 0.1` loses no precision.
Tensor wrapped_scalar(const Scalar& s);

Tensor add(const Tensor& a, const Scalar& b);
Tensor sub(const Tensor& a, const Scalar& b);
Tensor rsub(const Tensor& a, const Scalar& b);  // b - a
Tensor mul(const Tensor& a, const Scalar& b);
Tensor div(const Tensor& a, const Scalar& b);
Tensor remainder(const Tensor& a, const Scalar& b);
Tensor fmod(const Tensor& a, const Scalar& b);
Tensor floor_divide(const Tensor& a, const Scalar& b);

// In place: a op= b (result must fit a's shape and dtype).
Tensor& add_(Tensor& a, const Tensor& b);
Tensor& sub_(Tensor& a, const Tensor& b);
Tensor& mul_(Tensor& a, const Tensor& b);
Tensor& div_(Tensor& a, const Tensor& b);
Tensor& div_(Tensor& a, const Tensor& b, std::optional<std::string_view> rounding_mode);
Tensor& pow_(Tensor& a, const Tensor& b);
Tensor& pow_(Tensor& a, const Scalar& exponent);
Tensor& remainder_(Tensor& a, const Tensor& b);
Tensor& fmod_(Tensor& a, const Tensor& b);
Tensor& floor_divide_(Tensor& a, const Tensor& b);
const Tensor& add_(const Tensor& a, const Tensor& b);

inline Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
inline Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
inline Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
inline Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
inline Tensor operator%(const Tensor& a, const Tensor& b) { return remainder(a, b); }
inline Tensor operator+(const Tensor& a, const Scalar& b) { return add(a, b); }
inline Tensor operator-(const Tensor& a, const Scalar& b) { return sub(a, b); }
inline Tensor operator*(const Tensor& a, const Scalar& b) { return mul(a, b); }
inline Tensor operator/(const Tensor& a, const Scalar& b) { return div(a, b); }
inline Tensor operator%(const Tensor& a, const Scalar& b) { return remainder(a, b); }

}  // namespace ember
