#pragma once
// Keras-style shapes: the batch dimension (and any other unknown one) is kNone.
#include <cstdint>
#include <string>
#include <vector>

#include "core/shape.h"

namespace ember::keras {

inline constexpr int64_t kNone = -1;
using ShapeSpec = std::vector<int64_t>;

// "(None, 64)" as Keras prints it.
std::string format_shape(const ShapeSpec& shape);
// The shape of a batch with the batch dim replaced by kNone.
ShapeSpec batch_shape(const Shape& shape);
// True when `got` fits `expected` (same rank, equal where expected is known).
bool shape_matches(const ShapeSpec& expected, const Shape& got);

}  // namespace ember::keras
