#include "core/ops/arithmetic.h"

#include "core/dispatch.h"
#include "core/ops.h"
#include "core/ops/arithmetic_ops.h"
#include "core/ops/grad_utils.h"

namespace ember {

EMBER_REGISTER_OP(AddOp);
EMBER_REGISTER_OP(SubOp);
EMBER_REGISTER_OP(MulOp);
EMBER_REGISTER_OP(DivOp);

namespace {
template <class OpT>
Tensor binary(const Tensor& a, const Tensor& b) {
  static const OpT op;
  const Tensor in[] = {a, b};
  return dispatch1(op, in);
}
template <class OpT>
Tensor& binary_(Tensor& a, const Tensor& b) {
  static const OpT op;
  const Tensor in[] = {a, b};
  dispatch_inplace(op, in);
  return a;
}
}  // namespace

Tensor add(const Tensor& a, const Tensor& b) { return binary<AddOp>(a, b); }
Tensor sub(const Tensor& a, const Tensor& b) { return binary<SubOp>(a, b); }
Tensor mul(const Tensor& a, const Tensor& b) { return binary<MulOp>(a, b); }
Tensor div(const Tensor& a, const Tensor& b) { return binary<DivOp>(a, b); }
Tensor add(const Tensor& a, const Tensor& b, const Scalar& alpha) {
  if (alpha == Scalar(1)) return add(a, b);
  return add(a, mul(b, alpha));
}

Tensor add(const Tensor& a, const Scalar& b) { return add(a, scalar_tensor(b)); }
Tensor sub(const Tensor& a, const Scalar& b) { return sub(a, scalar_tensor(b)); }
Tensor mul(const Tensor& a, const Scalar& b) { return mul(a, scalar_tensor(b)); }
Tensor div(const Tensor& a, const Scalar& b) { return div(a, scalar_tensor(b)); }

Tensor& add_(Tensor& a, const Tensor& b) { return binary_<AddOp>(a, b); }
Tensor& sub_(Tensor& a, const Tensor& b) { return binary_<SubOp>(a, b); }
Tensor& mul_(Tensor& a, const Tensor& b) { return binary_<MulOp>(a, b); }
Tensor& div_(Tensor& a, const Tensor& b) { return binary_<DivOp>(a, b); }
const Tensor& add_(const Tensor& a, const Tensor& b) {
  Tensor h = a;
  binary_<AddOp>(h, b);
  return a;
}

TensorList AddOp::vjp(const VjpArgs& a) const {
  return {a.needs_grad[0] ? reduce_grad(a.grads[0], a.input_meta[0]) : Tensor(),
          a.needs_grad[1] ? reduce_grad(a.grads[0], a.input_meta[1]) : Tensor()};
}

TensorList SubOp::vjp(const VjpArgs& a) const {
  return {a.needs_grad[0] ? reduce_grad(a.grads[0], a.input_meta[0]) : Tensor(),
          a.needs_grad[1] ? reduce_grad(neg(a.grads[0]), a.input_meta[1]) : Tensor()};
}

TensorList MulOp::vjp(const VjpArgs& a) const {
  const Tensor& g = a.grads[0];
  return {a.needs_grad[0] ? reduce_grad(mul(g, a.inputs[1]), a.input_meta[0]) : Tensor(),
          a.needs_grad[1] ? reduce_grad(mul(g, a.inputs[0]), a.input_meta[1]) : Tensor()};
}

TensorList DivOp::vjp(const VjpArgs& a) const {
  const Tensor& g = a.grads[0];
  const Tensor& x = a.inputs[0];
  const Tensor& y = a.inputs[1];
  Tensor gx = a.needs_grad[0] ? reduce_grad(div(g, y), a.input_meta[0]) : Tensor();
  // d(x/y)/dy = -x / y^2
  Tensor gy = a.needs_grad[1] ? reduce_grad(neg(div(mul(g, x), mul(y, y))), a.input_meta[1])
                              : Tensor();
  return {gx, gy};
}

}  // namespace ember
