#pragma once
// Elementwise unary math. Integer inputs to float-valued functions (exp, sqrt, ...)
// promote to the default float dtype, as in PyTorch.
#include "core/tensor.h"

namespace ember {

Tensor neg(const Tensor& t);
Tensor exp(const Tensor& t);

inline Tensor operator-(const Tensor& t) { return neg(t); }

}  // namespace ember
