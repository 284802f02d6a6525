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
EMBER_REGISTER_OP(FloorDivideOp);
EMBER_REGISTER_OP(TruncDivideOp);
EMBER_REGISTER_OP(RemainderOp);
EMBER_REGISTER_OP(FmodOp);
EMBER_REGISTER_OP(PowOp);
EMBER_REGISTER_OP(PowScalarOp);
EMBER_REGISTER_OP(MaximumOp);
EMBER_REGISTER_OP(MinimumOp);

namespace {

enum class Rounding { None, Trunc, Floor };
Rounding rounding_of(std::optional<std::string_view> mode) {
  if (!mode) return Rounding::None;
  if (*mode == "trunc") return Rounding::Trunc;
  if (*mode == "floor") return Rounding::Floor;
  raise<ValueError>("[div] rounding_mode must be None, 'trunc' or 'floor', got '{}'", *mode);
}
}  // namespace

void check_int_divisor(std::span<const Tensor> in, std::string_view op) {
  if (in.size() != 2 || !is_integral(result_type(in[0], in[1]), /*include_bool=*/true)) return;
  const Tensor b = contiguous_raw(in[1]);
  bool zero = EMBER_DISPATCH_ALL(b.dtype(), op, [&]<class T>() {
    const T* p = static_cast<const T*>(b.data_ptr());
    const int64_t n = b.numel();
    bool found = false;
    for (int64_t i = 0; i < n; ++i) found |= (static_cast<acc_t<T>>(p[i]) == acc_t<T>(0));
    return found;
  });
  if (zero) {
    raise<Error>("[{}] integer division by zero (divisor of shape {} and dtype {} contains 0)",
                 op, shape_str(in[1].shape()), dtype_name(in[1].dtype()));
  }
}

Tensor wrapped_scalar(const Scalar& s) {
  Tensor t = scalar_tensor(s, s.is_float() ? std::optional<DType>(DType::Float64) : std::nullopt);
  t.impl()->set_wrapped_number(true);
  return t;
}

Tensor add(const Tensor& a, const Tensor& b) { return dispatch_binary<AddOp>(a, b); }
Tensor sub(const Tensor& a, const Tensor& b) { return dispatch_binary<SubOp>(a, b); }
Tensor mul(const Tensor& a, const Tensor& b) { return dispatch_binary<MulOp>(a, b); }
Tensor div(const Tensor& a, const Tensor& b) { return dispatch_binary<DivOp>(a, b); }
Tensor div(const Tensor& a, const Tensor& b, std::optional<std::string_view> rounding_mode) {
  switch (rounding_of(rounding_mode)) {
    case Rounding::Trunc: return dispatch_binary<TruncDivideOp>(a, b);
    case Rounding::Floor: return dispatch_binary<FloorDivideOp>(a, b);
    case Rounding::None: break;
  }
  return dispatch_binary<DivOp>(a, b);
}
Tensor floor_divide(const Tensor& a, const Tensor& b) { return dispatch_binary<FloorDivideOp>(a, b); }
Tensor add(const Tensor& a, const Tensor& b, const Scalar& alpha) {
  if (alpha == Scalar(1)) return add(a, b);
  return add(a, mul(b, alpha));
}
Tensor sub(const Tensor& a, const Tensor& b, const Scalar& alpha) {
  if (alpha == Scalar(1)) return sub(a, b);
  return sub(a, mul(b, alpha));
}
Tensor pow(const Tensor& a, const Tensor& b) { return dispatch_binary<PowOp>(a, b); }
Tensor pow(const Tensor& a, const Scalar& exponent) {
  PowScalarOp op(exponent);
  const Tensor in[] = {a};
  return dispatch1(op, in);
}
Tensor pow(const Scalar& base, const Tensor& exponent) {
  return pow(wrapped_scalar(base), exponent);
}
Tensor maximum(const Tensor& a, const Tensor& b) { return dispatch_binary<MaximumOp>(a, b); }
Tensor minimum(const Tensor& a, const Tensor& b) { return dispatch_binary<MinimumOp>(a, b); }
Tensor remainder(const Tensor& a, const Tensor& b) { return dispatch_binary<RemainderOp>(a, b); }
Tensor fmod(const Tensor& a, const Tensor& b) { return dispatch_binary<FmodOp>(a, b); }

Tensor add(const Tensor& a, const Scalar& b) { return add(a, wrapped_scalar(b)); }
Tensor sub(const Tensor& a, const Scalar& b) { return sub(a, wrapped_scalar(b)); }
Tensor rsub(const Tensor& a, const Scalar& b) { return sub(wrapped_scalar(b), a); }
Tensor mul(const Tensor& a, const Scalar& b) { return mul(a, wrapped_scalar(b)); }
Tensor div(const Tensor& a, const Scalar& b) { return div(a, wrapped_scalar(b)); }
Tensor remainder(const Tensor& a, const Scalar& b) { return remainder(a, wrapped_scalar(b)); }
Tensor fmod(const Tensor& a, const Scalar& b) { return fmod(a, wrapped_scalar(b)); }
Tensor floor_divide(const Tensor& a, const Scalar& b) {
  return floor_divide(a, wrapped_scalar(b));
}

Tensor& add_(Tensor& a, const Tensor& b) { return dispatch_binary_<AddOp>(a, b); }
Tensor& sub_(Tensor& a, const Tensor& b) { return dispatch_binary_<SubOp>(a, b); }
Tensor& mul_(Tensor& a, const Tensor& b) { return dispatch_binary_<MulOp>(a, b); }
Tensor& div_(Tensor& a, const Tensor& b) { return dispatch_binary_<DivOp>(a, b); }
Tensor& div_(Tensor& a, const Tensor& b, std::optional<std::string_view> rounding_mode) {
  switch (rounding_of(rounding_mode)) {
    case Rounding::Trunc: return dispatch_binary_<TruncDivideOp>(a, b);
    case Rounding::Floor: return dispatch_binary_<FloorDivideOp>(a, b);
    case Rounding::None: break;
  }
  return dispatch_binary_<DivOp>(a, b);
}
Tensor& pow_(Tensor& a, const Tensor& b) { return dispatch_binary_<PowOp>(a, b); }
Tensor& pow_(Tensor& a, const Scalar& exponent) {
  if (exponent.is_float() && !is_floating(a.dtype())) {  // name the public op, not pow_scalar
    raise<TypeError>("[pow_] result dtype {} cannot be cast to the in-place target's dtype {}",
                     dtype_name(default_float_dtype()), dtype_name(a.dtype()));
  }
  PowScalarOp op(exponent);
  const Tensor in[] = {a};
  dispatch_inplace(op, in);
  return a;
}
Tensor& remainder_(Tensor& a, const Tensor& b) { return dispatch_binary_<RemainderOp>(a, b); }
Tensor& fmod_(Tensor& a, const Tensor& b) { return dispatch_binary_<FmodOp>(a, b); }
Tensor& floor_divide_(Tensor& a, const Tensor& b) { return dispatch_binary_<FloorDivideOp>(a, b); }
const Tensor& add_(const Tensor& a, const Tensor& b) {
  Tensor h = a;
  dispatch_binary_<AddOp>(h, b);
  return a;
}

// ---- pow with a scalar exponent ----

MetaList PowScalarOp::infer(std::span<const Tensor> in) const {
  check_num_inputs(*this, in, 1);
  DType d = in[0].dtype();
  if (exponent.is_float() && !is_floating(d)) d = default_float_dtype();
  if (exponent.is_int() && d == DType::Bool) d = DType::Int64;
  if (d == DType::Bool) raise<TypeError>("[pow] does not support bool ** bool");
  if (!is_floating(d) && exponent.to_int() < 0) {
    raise<ValueError>("[pow] integers to negative integer powers are not allowed (input {} "
                      "of dtype {}, exponent {})",
                      shape_str(in[0].shape()), dtype_name(d), exponent.to_int());
  }
  return {TensorMeta{in[0].shape(), d, in[0].device()}};
}

void PowScalarOp::eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const {
  const Tensor x = in[0].dtype() == out[0].dtype() ? in[0] : contiguous_as(in[0], out[0].dtype());
  const Tensor& o = out[0];
  EMBER_DISPATCH_NUMERIC(o.dtype(), kName, [&]<class T>() {
    using A = acc_t<T>;
    if constexpr (std::is_integral_v<T>) {
      const T e = exponent.to<T>();
      if (e == T(2)) {
        cpu::map1<T, T>(o, x, [](A v) { return static_cast<T>(v * v); });
      } else {
        cpu::map1<T, T>(o, x, [e](A v) { return scalar_math::int_pow<T>(v, e); });
      }
    } else {
      // Exact special cases first: each is its own loop, so each vectorizes.
      const double e = exponent.to_double();
      if (e == 2) {
        cpu::map1<T, T>(o, x, [](A v) { return v * v; });
      } else if (e == 1) {
        cpu::map1<T, T>(o, x, [](A v) { return v; });
      } else if (e == 0) {
        cpu::map1<T, T>(o, x, [](A) { return A(1); });
      } else if (e == 3) {
        cpu::map1<T, T>(o, x, [](A v) { return v * v * v; });
      } else if (e == 0.5) {
        cpu::map1<T, T>(o, x, [](A v) { return std::sqrt(v); });
      } else if (e == -0.5) {
        cpu::map1<T, T>(o, x, [](A v) { return A(1) / std::sqrt(v); });
      } else if (e == -1) {
        cpu::map1<T, T>(o, x, [](A v) { return A(1) / v; });
      } else if (e == -2) {
        cpu::map1<T, T>(o, x, [](A v) { return A(1) / (v * v); });
      } else {
        const A ea = static_cast<A>(e);
        cpu::map1<T, T>(o, x, [ea](A v) { return std::pow(v, ea); });
      }
    }
  });
}

TensorList PowScalarOp::vjp(const VjpArgs& a) const {
  const Tensor& g = a.grads[0];
  if (exponent.to_double() == 0) return {zeros_like(g)};
  Scalar em1 = exponent.is_float() ? Scalar(exponent.to_double() - 1) : Scalar(exponent.to_int() - 1);
  if (em1 == Scalar(int64_t{1})) return {mul(g, mul(a.inputs[0], exponent))};  // x**2
  return {mul(g, mul(pow(a.inputs[0], em1), exponent))};
}

// ---- backward rules ----

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

namespace {
// Rounded division is piecewise constant: zero gradients (as in PyTorch).
TensorList zero_grads(const VjpArgs& a) {
  TensorList out;
  for (size_t i = 0; i < a.input_meta.size(); ++i) {
    out.push_back(a.needs_grad[i] ? zeros(a.input_meta[i].shape, a.input_meta[i].dtype)
                                  : Tensor());
  }
  return out;
}
}  // namespace

TensorList FloorDivideOp::vjp(const VjpArgs& a) const { return zero_grads(a); }
TensorList TruncDivideOp::vjp(const VjpArgs& a) const { return zero_grads(a); }

TensorList RemainderOp::vjp(const VjpArgs& a) const {
  const Tensor& g = a.grads[0];
  // a % b = a - floor(a / b) * b
  return {a.needs_grad[0] ? reduce_grad(g, a.input_meta[0]) : Tensor(),
          a.needs_grad[1]
              ? reduce_grad(mul(neg(g), floor_divide(a.inputs[0], a.inputs[1])), a.input_meta[1])
              : Tensor()};
}

TensorList FmodOp::vjp(const VjpArgs& a) const {
  const Tensor& g = a.grads[0];
  // fmod(a, b) = a - trunc(a / b) * b
  return {a.needs_grad[0] ? reduce_grad(g, a.input_meta[0]) : Tensor(),
          a.needs_grad[1]
              ? reduce_grad(mul(neg(g), div(a.inputs[0], a.inputs[1], "trunc")), a.input_meta[1])
              : Tensor()};
}

TensorList PowOp::vjp(const VjpArgs& a) const {
  const Tensor& g = a.grads[0];
  const Tensor& x = a.inputs[0];
  const Tensor& y = a.inputs[1];
  Tensor gx, gy;
  if (a.needs_grad[0]) {
    // y * x^(y-1), defined as 0 where y == 0 (so 0^0 has gradient 0, as in PyTorch)
    Tensor d = where(eq(y, 0), 0, mul(y, pow(x, sub(y, 1))));
    gx = reduce_grad(mul(g, d), a.input_meta[0]);
  }
  if (a.needs_grad[1]) {
    // x^y * log(x), defined as 0 where x == 0 and y >= 0
    Tensor d = where(logical_and(eq(x, 0), ge(y, 0)), 0, mul(a.outputs[0], log(x)));
    gy = reduce_grad(mul(g, d), a.input_meta[1]);
  }
  return {gx, gy};
}

namespace {
// Gradient of maximum/minimum for the input that wins where `wins`; ties split evenly.
Tensor select_grad(const Tensor& g, const Tensor& wins, const Tensor& tie, const TensorMeta& m) {
  return reduce_grad(where(tie, mul(g, 0.5), where(wins, g, 0)), m);
}
}  // namespace

TensorList MaximumOp::vjp(const VjpArgs& a) const {
  const Tensor& x = a.inputs[0];
  const Tensor& y = a.inputs[1];
  Tensor tie = eq(x, y);
  return {a.needs_grad[0] ? select_grad(a.grads[0], gt(x, y), tie, a.input_meta[0]) : Tensor(),
          a.needs_grad[1] ? select_grad(a.grads[0], gt(y, x), tie, a.input_meta[1]) : Tensor()};
}

TensorList MinimumOp::vjp(const VjpArgs& a) const {
  const Tensor& x = a.inputs[0];
  const Tensor& y = a.inputs[1];
  Tensor tie = eq(x, y);
  return {a.needs_grad[0] ? select_grad(a.grads[0], lt(x, y), tie, a.input_meta[0]) : Tensor(),
          a.needs_grad[1] ? select_grad(a.grads[0], lt(y, x), tie, a.input_meta[1]) : Tensor()};
}

}  // namespace ember
