#include "core/ops/unary.h"

#include "core/dispatch.h"
#include "core/ops.h"
#include "core/ops/unary_ops.h"

namespace ember {

EMBER_REGISTER_OP(NegOp);
EMBER_REGISTER_OP(ExpOp);

namespace {
template <class OpT>
Tensor unary(const Tensor& t) {
  static const OpT op;
  const Tensor in[] = {t};
  return dispatch1(op, in);
}
}  // namespace

Tensor neg(const Tensor& t) { return unary<NegOp>(t); }
Tensor exp(const Tensor& t) { return unary<ExpOp>(t); }

TensorList NegOp::vjp(const VjpArgs& a) const { return {neg(a.grads[0])}; }
TensorList ExpOp::vjp(const VjpArgs& a) const { return {mul(a.grads[0], a.outputs[0])}; }

}  // namespace ember
