#pragma once
// Elementwise unary math. Integer inputs to float-valued functions (exp, sqrt, ...)
// promote to the default float dtype, as in PyTorch; neg/abs/square keep integer dtypes and
// the rounding functions are the identity on integers. Predicates (isnan, ...) return bool.
#include "core/tensor.h"

namespace ember {

Tensor neg(const Tensor& t);
Tensor abs(const Tensor& t);
Tensor square(const Tensor& t);
Tensor sign(const Tensor& t);
Tensor positive(const Tensor& t);  // t itself; raises on bool (like PyTorch's unary +)

Tensor floor(const Tensor& t);
Tensor ceil(const Tensor& t);
Tensor round(const Tensor& t);  // half to even
// Rounds to `decimals` decimal places (negative: to tens, hundreds, ...), like PyTorch.
Tensor round(const Tensor& t, int64_t decimals);
Tensor trunc(const Tensor& t);

Tensor exp(const Tensor& t);
Tensor expm1(const Tensor& t);
Tensor log(const Tensor& t);
Tensor log1p(const Tensor& t);
Tensor sqrt(const Tensor& t);
Tensor rsqrt(const Tensor& t);
Tensor reciprocal(const Tensor& t);
Tensor sin(const Tensor& t);
Tensor cos(const Tensor& t);
Tensor tanh(const Tensor& t);
Tensor sigmoid(const Tensor& t);
Tensor erf(const Tensor& t);

Tensor isnan(const Tensor& t);
Tensor isinf(const Tensor& t);
Tensor isfinite(const Tensor& t);
Tensor logical_not(const Tensor& t);

// In place (t.exp_()): the result must fit t's dtype (exp_ of an int tensor raises).
Tensor& neg_(Tensor& t);
Tensor& abs_(Tensor& t);
Tensor& exp_(Tensor& t);
Tensor& log_(Tensor& t);
Tensor& sqrt_(Tensor& t);
Tensor& sigmoid_(Tensor& t);
Tensor& tanh_(Tensor& t);
Tensor& floor_(Tensor& t);
Tensor& ceil_(Tensor& t);
Tensor& round_(Tensor& t);

inline Tensor operator-(const Tensor& t) { return neg(t); }

}  // namespace ember
