#include "core/ops/activation.h"

#include <numbers>

#include "core/dispatch.h"
#include "core/ops.h"
#include "core/ops/activation_ops.h"

namespace ember {

EMBER_REGISTER_OP(ReluOp);
EMBER_REGISTER_OP(GeluOp);
EMBER_REGISTER_OP(SiluOp);
EMBER_REGISTER_OP(SoftplusOp);
EMBER_REGISTER_OP(LeakyReluOp);
EMBER_REGISTER_OP(EluOp);
EMBER_REGISTER_OP(HardtanhOp);
EMBER_REGISTER_OP(ClampOp);

namespace {
Tensor run1(const Op& op, const Tensor& t) {
  const Tensor in[] = {t};
  return dispatch1(op, in);
}
Tensor& run1_(const Op& op, Tensor& t) {
  const Tensor in[] = {t};
  dispatch_inplace(op, in);
  return t;
}
}  // namespace

Tensor relu(const Tensor& t) {
  static const ReluOp op;
  return run1(op, t);
}
Tensor& relu_(Tensor& t) {
  static const ReluOp op;
  return run1_(op, t);
}
Tensor relu6(const Tensor& t) { return hardtanh(t, 0.0, 6.0); }

Tensor gelu(const Tensor& t, std::string_view approximate) {
  if (approximate != "none" && approximate != "tanh") {
    raise<ValueError>("[gelu] approximate must be 'none' or 'tanh', got '{}'", approximate);
  }
  return run1(GeluOp(approximate == "tanh"), t);
}
Tensor silu(const Tensor& t) {
  static const SiluOp op;
  return run1(op, t);
}
Tensor softplus(const Tensor& t, double beta, double threshold) {
  if (beta == 0) raise<ValueError>("[softplus] beta must be nonzero");
  return run1(SoftplusOp(beta, threshold), t);
}
Tensor leaky_relu(const Tensor& t, double negative_slope) {
  return run1(LeakyReluOp(negative_slope), t);
}
Tensor elu(const Tensor& t, double alpha) { return run1(EluOp(alpha), t); }
Tensor hardtanh(const Tensor& t, double min_val, double max_val) {
  if (min_val > max_val) {
    raise<ValueError>("[hardtanh] min_val ({}) must not exceed max_val ({})", min_val, max_val);
  }
  return run1(HardtanhOp(min_val, max_val), t);
}

// ---- clamp ----

namespace {
void check_bounds(bool has_min, bool has_max) {
  if (!has_min && !has_max) raise<ValueError>("[clamp] at least one of min or max must be given");
}
}  // namespace

Tensor clamp(const Tensor& t, std::optional<Scalar> min, std::optional<Scalar> max) {
  return run1(ClampOp(min, max), t);
}
Tensor& clamp_(Tensor& t, std::optional<Scalar> min, std::optional<Scalar> max) {
  return run1_(ClampOp(min, max), t);
}

// Tensor bounds compose `where`, so broadcasting, promotion and the gradients for the
// bounds come for free: x gets the gradient where min <= x <= max, a bound where it won.
Tensor clamp(const Tensor& t, const Tensor& min, const Tensor& max) {
  check_bounds(min.defined(), max.defined());
  Tensor r = t;
  if (min.defined()) r = where(lt(r, min), min, r);
  if (max.defined()) r = where(gt(r, max), max, r);
  return r;
}
Tensor& clamp_(Tensor& t, const Tensor& min, const Tensor& max) {
  Tensor r = clamp(t, min, max);
  if (r.shape() != t.shape()) {
    raise<ValueError>("[clamp_] result shape {} does not match the in-place target's shape {}",
                      shape_str(r.shape()), shape_str(t.shape()));
  }
  copy_(t, r);
  return t;
}
Tensor clamp_min(const Tensor& t, const Scalar& min) { return clamp(t, min, std::nullopt); }
Tensor clamp_max(const Tensor& t, const Scalar& max) { return clamp(t, std::nullopt, max); }
Tensor clamp_min(const Tensor& t, const Tensor& min) { return clamp(t, min, Tensor()); }
Tensor clamp_max(const Tensor& t, const Tensor& max) { return clamp(t, Tensor(), max); }

ClampOp::ClampOp(const Attrs& a) {
  if (a.has("min")) lo = a.get<Scalar>("min", kName);
  if (a.has("max")) hi = a.get<Scalar>("max", kName);
}

void ClampOp::attributes(Attrs& out) const {
  if (lo) out.set("min", *lo);
  if (hi) out.set("max", *hi);
}

MetaList ClampOp::infer(std::span<const Tensor> in) const {
  check_num_inputs(*this, in, 1);
  check_bounds(lo.has_value(), hi.has_value());
  DType d = in[0].dtype();
  for (const auto& b : {lo, hi}) {
    if (!b) continue;
    if (b->is_float() && !is_floating(d)) d = default_float_dtype();
    if (b->is_int() && d == DType::Bool) d = DType::Int64;
  }
  if (d == DType::Bool) raise<TypeError>("[clamp] does not support bool tensors");
  return {TensorMeta{in[0].shape(), d, in[0].device()}};
}

void ClampOp::eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const {
  const Tensor x = in[0].dtype() == out[0].dtype() ? in[0] : contiguous_as(in[0], out[0].dtype());
  EMBER_DISPATCH_NUMERIC(out[0].dtype(), kName, [&]<class T>() {
    using A = acc_t<T>;
    // std::max/min keep a NaN first argument, so NaN propagates.
    if (lo && hi) {
      const A l = static_cast<A>(lo->template to<T>()), h = static_cast<A>(hi->template to<T>());
      cpu::map1<T, T>(out[0], x, [l, h](A v) { return std::min(std::max(v, l), h); });
    } else if (lo) {
      const A l = static_cast<A>(lo->template to<T>());
      cpu::map1<T, T>(out[0], x, [l](A v) { return std::max(v, l); });
    } else {
      const A h = static_cast<A>(hi->template to<T>());
      cpu::map1<T, T>(out[0], x, [h](A v) { return std::min(v, h); });
    }
  });
}

TensorList ClampOp::vjp(const VjpArgs& a) const {
  const Tensor& x = a.inputs[0];
  Tensor mask;
  if (lo) mask = ge(x, *lo);
  if (hi) mask = mask.defined() ? logical_and(mask, le(x, *hi)) : le(x, *hi);
  return {where(mask, a.grads[0], 0)};
}

// ---- backward rules of the activations ----

TensorList ReluOp::vjp(const VjpArgs& a) const {
  return {where(gt(a.outputs[0], 0), a.grads[0], 0)};
}

TensorList GeluOp::vjp(const VjpArgs& a) const {
  const Tensor& x = a.inputs[0];
  Tensor d;
  if (!tanh_approx) {
    // Phi(x) + x phi(x)
    Tensor cdf = mul(add(erf(mul(x, std::numbers::sqrt2 / 2)), 1), 0.5);
    Tensor pdf = mul(exp(mul(square(x), -0.5)), 0.5 * std::numbers::inv_sqrtpi * std::numbers::sqrt2);
    d = add(cdf, mul(x, pdf));
  } else {
    // y = 0.5 x (1 + tanh(u)), u = k (x + c x^3)
    const double k = std::numbers::sqrt2 * std::numbers::inv_sqrtpi, c = 0.044715;
    Tensor x2 = square(x);
    Tensor th = tanh(mul(mul(x, add(mul(x2, c), 1)), k));
    Tensor du = mul(add(mul(x2, 3 * c), 1), k);
    d = add(mul(add(th, 1), 0.5), mul(mul(mul(x, 0.5), rsub(square(th), 1)), du));
  }
  return {mul(a.grads[0], d)};
}

TensorList SiluOp::vjp(const VjpArgs& a) const {
  const Tensor& x = a.inputs[0];
  Tensor s = sigmoid(x);
  return {mul(a.grads[0], mul(s, add(mul(x, rsub(s, 1)), 1)))};
}

TensorList SoftplusOp::vjp(const VjpArgs& a) const {
  Tensor bx = mul(a.inputs[0], beta);
  return {where(gt(bx, threshold), a.grads[0], mul(a.grads[0], sigmoid(bx)))};
}

TensorList LeakyReluOp::vjp(const VjpArgs& a) const {
  return {where(gt(a.inputs[0], 0), a.grads[0], mul(a.grads[0], slope))};
}

TensorList EluOp::vjp(const VjpArgs& a) const {
  const Tensor& x = a.inputs[0];
  return {where(gt(x, 0), a.grads[0], mul(a.grads[0], mul(exp(x), alpha)))};
}

TensorList HardtanhOp::vjp(const VjpArgs& a) const {
  const Tensor& x = a.inputs[0];
  return {where(logical_and(gt(x, lo), lt(x, hi)), a.grads[0], 0)};
}

}  // namespace ember
