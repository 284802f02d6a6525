#include "core/dtype.h"

#include <array>

namespace ember {

std::string_view dtype_name(DType d) {
  static constexpr std::array<std::string_view, kNumDTypes> names = {
      "bool", "uint8", "int32", "int64", "float16", "bfloat16", "float32", "float64"};
  return names[static_cast<int>(d)];
}

DType dtype_from_name(std::string_view n) {
  if (n.starts_with("ember.")) n.remove_prefix(6);
  if (n.starts_with("torch.")) n.remove_prefix(6);
  if (n == "bool") return DType::Bool;
  if (n == "uint8") return DType::UInt8;
  if (n == "int32" || n == "int") return DType::Int32;
  if (n == "int64" || n == "long") return DType::Int64;
  if (n == "float16" || n == "half") return DType::Float16;
  if (n == "bfloat16") return DType::BFloat16;
  if (n == "float32" || n == "float") return DType::Float32;
  if (n == "float64" || n == "double") return DType::Float64;
  raise<TypeError>("[dtype] unknown dtype '{}'", n);
}

DType promote_types(DType a, DType b) {
  if (a == b) return a;
  // float16 with bfloat16 has no exact common 16-bit type; like PyTorch, go to float32.
  if ((a == DType::Float16 && b == DType::BFloat16) ||
      (a == DType::BFloat16 && b == DType::Float16)) {
    return DType::Float32;
  }
  // The enum is ordered by promotion rank otherwise.
  return a > b ? a : b;
}

}  // namespace ember
