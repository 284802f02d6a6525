#include "core/ops/unary.h"

#include <numbers>

#include "core/dispatch.h"
#include "core/ops.h"
#include "core/ops/unary_ops.h"

namespace ember {

EMBER_REGISTER_OP(NegOp);
EMBER_REGISTER_OP(AbsOp);
EMBER_REGISTER_OP(SquareOp);
EMBER_REGISTER_OP(SignOp);
EMBER_REGISTER_OP(FloorOp);
EMBER_REGISTER_OP(CeilOp);
EMBER_REGISTER_OP(RoundOp);
EMBER_REGISTER_OP(TruncOp);
EMBER_REGISTER_OP(ExpOp);
EMBER_REGISTER_OP(Expm1Op);
EMBER_REGISTER_OP(LogOp);
EMBER_REGISTER_OP(Log1pOp);
EMBER_REGISTER_OP(SqrtOp);
EMBER_REGISTER_OP(RsqrtOp);
EMBER_REGISTER_OP(ReciprocalOp);
EMBER_REGISTER_OP(SinOp);
EMBER_REGISTER_OP(CosOp);
EMBER_REGISTER_OP(TanhOp);
EMBER_REGISTER_OP(SigmoidOp);
EMBER_REGISTER_OP(ErfOp);
EMBER_REGISTER_OP(IsnanOp);
EMBER_REGISTER_OP(IsinfOp);
EMBER_REGISTER_OP(IsfiniteOp);
EMBER_REGISTER_OP(LogicalNotOp);

// The shared zero-gradient rule, instantiated here for every op that uses it.
template <class Derived>
TensorList PiecewiseConstantOp<Derived>::vjp(const VjpArgs& a) const {
  return {zeros_like(a.grads[0])};
}
template struct PiecewiseConstantOp<SignOp>;
template struct PiecewiseConstantOp<FloorOp>;
template struct PiecewiseConstantOp<CeilOp>;
template struct PiecewiseConstantOp<RoundOp>;
template struct PiecewiseConstantOp<TruncOp>;

namespace {
template <class OpT>
Tensor unary(const Tensor& t) {
  static const OpT op;
  const Tensor in[] = {t};
  return dispatch1(op, in);
}
template <class OpT>
Tensor& unary_(Tensor& t) {
  static const OpT op;
  const Tensor in[] = {t};
  dispatch_inplace(op, in);
  return t;
}
}  // namespace

Tensor neg(const Tensor& t) { return unary<NegOp>(t); }
Tensor abs(const Tensor& t) { return unary<AbsOp>(t); }
Tensor square(const Tensor& t) { return unary<SquareOp>(t); }
Tensor sign(const Tensor& t) { return unary<SignOp>(t); }
Tensor positive(const Tensor& t) {
  if (t.dtype() == DType::Bool) raise<TypeError>("[positive] does not support bool tensors");
  return t;
}
Tensor floor(const Tensor& t) { return unary<FloorOp>(t); }
Tensor ceil(const Tensor& t) { return unary<CeilOp>(t); }
Tensor round(const Tensor& t) { return unary<RoundOp>(t); }
Tensor round(const Tensor& t, int64_t decimals) {
  if (decimals == 0 || !is_floating(t.dtype())) return round(t);
  // Same formula as PyTorch's kernel, so results agree bit for bit in float64.
  const double scale = std::pow(10.0, static_cast<double>(decimals < 0 ? -decimals : decimals));
  return decimals > 0 ? div(round(mul(t, scale)), scale) : mul(round(div(t, scale)), scale);
}
Tensor trunc(const Tensor& t) { return unary<TruncOp>(t); }
Tensor exp(const Tensor& t) { return unary<ExpOp>(t); }
Tensor expm1(const Tensor& t) { return unary<Expm1Op>(t); }
Tensor log(const Tensor& t) { return unary<LogOp>(t); }
Tensor log1p(const Tensor& t) { return unary<Log1pOp>(t); }
Tensor sqrt(const Tensor& t) { return unary<SqrtOp>(t); }
Tensor rsqrt(const Tensor& t) { return unary<RsqrtOp>(t); }
Tensor reciprocal(const Tensor& t) { return unary<ReciprocalOp>(t); }
Tensor sin(const Tensor& t) { return unary<SinOp>(t); }
Tensor cos(const Tensor& t) { return unary<CosOp>(t); }
Tensor tanh(const Tensor& t) { return unary<TanhOp>(t); }
Tensor sigmoid(const Tensor& t) { return unary<SigmoidOp>(t); }
Tensor erf(const Tensor& t) { return unary<ErfOp>(t); }
Tensor isnan(const Tensor& t) { return unary<IsnanOp>(t); }
Tensor isinf(const Tensor& t) { return unary<IsinfOp>(t); }
Tensor isfinite(const Tensor& t) { return unary<IsfiniteOp>(t); }
Tensor logical_not(const Tensor& t) { return unary<LogicalNotOp>(t); }

Tensor& neg_(Tensor& t) { return unary_<NegOp>(t); }
Tensor& abs_(Tensor& t) { return unary_<AbsOp>(t); }
Tensor& exp_(Tensor& t) { return unary_<ExpOp>(t); }
Tensor& log_(Tensor& t) { return unary_<LogOp>(t); }
Tensor& sqrt_(Tensor& t) { return unary_<SqrtOp>(t); }
Tensor& sigmoid_(Tensor& t) { return unary_<SigmoidOp>(t); }
Tensor& tanh_(Tensor& t) { return unary_<TanhOp>(t); }
Tensor& floor_(Tensor& t) { return unary_<FloorOp>(t); }
Tensor& ceil_(Tensor& t) { return unary_<CeilOp>(t); }
Tensor& round_(Tensor& t) { return unary_<RoundOp>(t); }

// Backward rules, written with public ops so they are differentiable in turn.
TensorList NegOp::vjp(const VjpArgs& a) const { return {neg(a.grads[0])}; }
TensorList AbsOp::vjp(const VjpArgs& a) const { return {mul(a.grads[0], sign(a.inputs[0]))}; }
TensorList SquareOp::vjp(const VjpArgs& a) const {
  return {mul(a.grads[0], mul(a.inputs[0], 2))};
}
TensorList ExpOp::vjp(const VjpArgs& a) const { return {mul(a.grads[0], a.outputs[0])}; }
TensorList Expm1Op::vjp(const VjpArgs& a) const {
  return {mul(a.grads[0], add(a.outputs[0], 1))};
}
TensorList LogOp::vjp(const VjpArgs& a) const { return {div(a.grads[0], a.inputs[0])}; }
TensorList Log1pOp::vjp(const VjpArgs& a) const {
  return {div(a.grads[0], add(a.inputs[0], 1))};
}
TensorList SqrtOp::vjp(const VjpArgs& a) const {
  return {div(a.grads[0], mul(a.outputs[0], 2))};
}
TensorList RsqrtOp::vjp(const VjpArgs& a) const {
  // d/dx x^-1/2 = -1/2 x^-3/2 = -1/2 y^3
  const Tensor& y = a.outputs[0];
  return {mul(a.grads[0], mul(mul(square(y), y), -0.5))};
}
TensorList ReciprocalOp::vjp(const VjpArgs& a) const {
  return {mul(a.grads[0], neg(square(a.outputs[0])))};
}
TensorList SinOp::vjp(const VjpArgs& a) const { return {mul(a.grads[0], cos(a.inputs[0]))}; }
TensorList CosOp::vjp(const VjpArgs& a) const {
  return {mul(a.grads[0], neg(sin(a.inputs[0])))};
}
TensorList TanhOp::vjp(const VjpArgs& a) const {
  return {mul(a.grads[0], rsub(square(a.outputs[0]), 1))};
}
TensorList SigmoidOp::vjp(const VjpArgs& a) const {
  const Tensor& y = a.outputs[0];
  return {mul(a.grads[0], mul(y, rsub(y, 1)))};
}
TensorList ErfOp::vjp(const VjpArgs& a) const {
  // d/dx erf(x) = 2/sqrt(pi) exp(-x^2)
  const double k = 2.0 / std::sqrt(std::numbers::pi);
  return {mul(a.grads[0], mul(exp(neg(square(a.inputs[0]))), k))};
}

}  // namespace ember
