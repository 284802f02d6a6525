#pragma once
// A Python-like number (bool, int or float) for op attributes such as clamp bounds or a
// fill value. Keeps its kind so `int_tensor + 2` stays integral and `+ 2.5` promotes.
#include <cstdint>
#include <variant>

#include "core/dtype.h"

namespace ember {

class Scalar {
 public:
  Scalar() : v_(int64_t{0}) {}
  Scalar(bool b) : v_(b) {}                          // NOLINT
  Scalar(int v) : v_(static_cast<int64_t>(v)) {}     // NOLINT
  Scalar(int64_t v) : v_(v) {}                       // NOLINT
  Scalar(float v) : v_(static_cast<double>(v)) {}    // NOLINT
  Scalar(double v) : v_(v) {}                        // NOLINT

  bool is_bool() const { return std::holds_alternative<bool>(v_); }
  bool is_int() const { return std::holds_alternative<int64_t>(v_); }
  bool is_float() const { return std::holds_alternative<double>(v_); }

  template <class T>
  T to() const {
    return std::visit([](auto x) { return static_cast<T>(static_cast<acc_t<T>>(x)); }, v_);
  }
  double to_double() const { return to<double>(); }
  int64_t to_int() const { return to<int64_t>(); }

  // The dtype a 0-dim tensor made from this scalar gets: bool, int64 or the default float.
  DType natural_dtype() const {
    return is_bool() ? DType::Bool : is_int() ? DType::Int64 : default_float_dtype();
  }
  friend bool operator==(const Scalar&, const Scalar&) = default;

 private:
  std::variant<bool, int64_t, double> v_;
};

}  // namespace ember
