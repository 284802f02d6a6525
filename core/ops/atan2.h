#pragma once
// atan2(y, x): the angle of the point (x, y) in radians, in [-pi, pi], elementwise over
// broadcast(y, x). Integer and bool inputs promote to default_dtype(), as in PyTorch.
// Gradient: d/dy = x / (x^2 + y^2), d/dx = -y / (x^2 + y^2) (NaN at the origin, as PyTorch).
#include "core/scalar.h"
#include "core/tensor.h"

namespace ember {

Tensor atan2(const Tensor& y, const Tensor& x);
Tensor atan2(const Tensor& y, const Scalar& x);
// In place: y becomes atan2(y, x); y must be floating and keep its shape.
Tensor& atan2_(Tensor& y, const Tensor& x);

}  // namespace ember
