#pragma once
// Element types, their C++ counterparts, and PyTorch-compatible type promotion.
#include <cstdint>
#include <string_view>
#include <type_traits>

#include "core/error.h"
#include "core/half.h"

namespace ember {

enum class DType : uint8_t { Bool, UInt8, Int32, Int64, Float16, BFloat16, Float32, Float64 };
inline constexpr int kNumDTypes = 8;

std::string_view dtype_name(DType d);  // "float32", ...
DType dtype_from_name(std::string_view name);  // accepts "float32", "float", "int64", "long", ...

constexpr int64_t itemsize(DType d) {
  switch (d) {
    case DType::Bool:
    case DType::UInt8: return 1;
    case DType::Float16:
    case DType::BFloat16: return 2;
    case DType::Int32:
    case DType::Float32: return 4;
    case DType::Int64:
    case DType::Float64: return 8;
  }
  return 0;
}
constexpr bool is_floating(DType d) { return d >= DType::Float16; }
constexpr bool is_integral(DType d, bool include_bool = false) {
  return d == DType::UInt8 || d == DType::Int32 || d == DType::Int64 ||
         (include_bool && d == DType::Bool);
}

// Result dtype of a binary op on tensors of dtypes a and b (PyTorch's promote_types).
DType promote_types(DType a, DType b);

// The default floating dtype (float32 unless set_default_dtype changed it; see
// core/default_dtype.h), used for creation ops and int->float promotion.
DType default_float_dtype();

template <class T> struct dtype_of;
template <> struct dtype_of<bool> { static constexpr DType value = DType::Bool; };
template <> struct dtype_of<uint8_t> { static constexpr DType value = DType::UInt8; };
template <> struct dtype_of<int32_t> { static constexpr DType value = DType::Int32; };
template <> struct dtype_of<int64_t> { static constexpr DType value = DType::Int64; };
template <> struct dtype_of<Half> { static constexpr DType value = DType::Float16; };
template <> struct dtype_of<BFloat16> { static constexpr DType value = DType::BFloat16; };
template <> struct dtype_of<float> { static constexpr DType value = DType::Float32; };
template <> struct dtype_of<double> { static constexpr DType value = DType::Float64; };
template <class T> inline constexpr DType dtype_v = dtype_of<T>::value;

// Type in which kernels compute for element type T: 16-bit floats compute in float.
template <class T> struct acc_type { using type = T; };
template <> struct acc_type<Half> { using type = float; };
template <> struct acc_type<BFloat16> { using type = float; };
template <class T> using acc_t = typename acc_type<T>::type;

}  // namespace ember

// EMBER_DISPATCH_*(dtype, "opname", [&]<class scalar_t>() {...}) calls the lambda with the
// C++ type of dtype; dtypes outside the set raise a TypeError naming the op.
#define EMBER_DTYPE_CASE_(D, T, F) \
  case ::ember::DType::D: return F.template operator()<T>();

#define EMBER_DISPATCH_ALL(dtype, name, ...)                                                    \
  [&]() -> decltype(auto) {                                                                   \
    auto&& ember_fn_ = __VA_ARGS__;                                                           \
    switch (dtype) {                                                                          \
      EMBER_DTYPE_CASE_(Bool, bool, ember_fn_)                                                        \
      EMBER_DTYPE_CASE_(UInt8, uint8_t, ember_fn_)                                                    \
      EMBER_DTYPE_CASE_(Int32, int32_t, ember_fn_)                                                    \
      EMBER_DTYPE_CASE_(Int64, int64_t, ember_fn_)                                                    \
      EMBER_DTYPE_CASE_(Float16, ::ember::Half, ember_fn_)                                            \
      EMBER_DTYPE_CASE_(BFloat16, ::ember::BFloat16, ember_fn_)                                       \
      EMBER_DTYPE_CASE_(Float32, float, ember_fn_)                                                    \
      EMBER_DTYPE_CASE_(Float64, double, ember_fn_)                                                   \
    }                                                                                         \
    ::ember::raise<::ember::TypeError>("[{}] unsupported dtype", name);                       \
  }()

#define EMBER_DISPATCH_NUMERIC(dtype, name, ...)                                                \
  [&]() -> decltype(auto) {                                                                   \
    auto&& ember_fn_ = __VA_ARGS__;                                                           \
    switch (dtype) {                                                                          \
      EMBER_DTYPE_CASE_(UInt8, uint8_t, ember_fn_)                                                    \
      EMBER_DTYPE_CASE_(Int32, int32_t, ember_fn_)                                                    \
      EMBER_DTYPE_CASE_(Int64, int64_t, ember_fn_)                                                    \
      EMBER_DTYPE_CASE_(Float16, ::ember::Half, ember_fn_)                                            \
      EMBER_DTYPE_CASE_(BFloat16, ::ember::BFloat16, ember_fn_)                                       \
      EMBER_DTYPE_CASE_(Float32, float, ember_fn_)                                                    \
      EMBER_DTYPE_CASE_(Float64, double, ember_fn_)                                                   \
      default: break;                                                                         \
    }                                                                                         \
    ::ember::raise<::ember::TypeError>("[{}] does not support dtype {}", name,                \
                                       ::ember::dtype_name(dtype));                           \
  }()

#define EMBER_DISPATCH_FLOAT(dtype, name, ...)                                                  \
  [&]() -> decltype(auto) {                                                                   \
    auto&& ember_fn_ = __VA_ARGS__;                                                           \
    switch (dtype) {                                                                          \
      EMBER_DTYPE_CASE_(Float16, ::ember::Half, ember_fn_)                                            \
      EMBER_DTYPE_CASE_(BFloat16, ::ember::BFloat16, ember_fn_)                                       \
      EMBER_DTYPE_CASE_(Float32, float, ember_fn_)                                                    \
      EMBER_DTYPE_CASE_(Float64, double, ember_fn_)                                                   \
      default: break;                                                                         \
    }                                                                                         \
    ::ember::raise<::ember::TypeError>("[{}] expected a floating dtype, got {}", name,        \
                                       ::ember::dtype_name(dtype));                           \
  }()
