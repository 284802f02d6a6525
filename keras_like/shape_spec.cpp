#include "keras_like/shape_spec.h"

namespace ember::keras {

std::string format_shape(const ShapeSpec& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += shape[i] == kNone ? "None" : std::to_string(shape[i]);
  }
  if (shape.size() == 1) s += ",";
  return s + ")";
}

ShapeSpec batch_shape(const Shape& shape) {
  ShapeSpec s(shape.begin(), shape.end());
  if (!s.empty()) s[0] = kNone;
  return s;
}

bool shape_matches(const ShapeSpec& expected, const Shape& got) {
  if (expected.size() != got.size()) return false;
  for (size_t i = 0; i < expected.size(); ++i) {
    if (expected[i] != kNone && expected[i] != got[i]) return false;
  }
  return true;
}

}  // namespace ember::keras
