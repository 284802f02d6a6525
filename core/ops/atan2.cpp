#include "core/ops/atan2.h"

#include "core/ops/arithmetic.h"
#include "core/ops/atan2_op.h"
#include "core/ops/grad_utils.h"
#include "core/ops/unary.h"

namespace ember {

EMBER_REGISTER_OP(Atan2Op);

void scalar_math::atan2f_poly_n(const float* y, const float* x, float* out, size_t n) {
  for (size_t i = 0; i < n; ++i) out[i] = atan2f_poly(y[i], x[i]);
}

TensorList Atan2Op::vjp(const VjpArgs& a) const {
  const Tensor& g = a.grads[0];
  const Tensor& y = a.inputs[0];
  const Tensor& x = a.inputs[1];
  // Both partials share g / (x^2 + y^2).
  const Tensor scaled = div(g, add(mul(x, x), mul(y, y)));
  Tensor gy = a.needs_grad[0] ? reduce_grad(mul(scaled, x), a.input_meta[0]) : Tensor();
  Tensor gx = a.needs_grad[1] ? reduce_grad(mul(scaled, neg(y)), a.input_meta[1]) : Tensor();
  return {gy, gx};
}

Tensor atan2(const Tensor& y, const Tensor& x) { return dispatch_binary<Atan2Op>(y, x); }
Tensor atan2(const Tensor& y, const Scalar& x) { return atan2(y, wrapped_scalar(x)); }
Tensor& atan2_(Tensor& y, const Tensor& x) { return dispatch_binary_<Atan2Op>(y, x); }

}  // namespace ember
