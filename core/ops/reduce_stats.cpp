// var, std (Welford in double), var_mean, std_mean, and the vector p-norm.
#include <cmath>
#include <limits>

#include "core/cpu/elementwise_loop.h"
#include "core/cpu/reduce_loop.h"
#include "core/dispatch.h"
#include "core/ops.h"
#include "core/ops/reduce.h"
#include "core/ops/reduce_ops.h"

namespace ember {

EMBER_REGISTER_OP(VarOp);
EMBER_REGISTER_OP(StdOp);
EMBER_REGISTER_OP(NormOp);
EMBER_REGISTER_OP(NormGradOp);

namespace {

// Welford's running mean and sum of squared deviations; merge is Chan et al.'s formula.
struct MomentReducer {
  struct Acc {
    double n = 0, mean = 0, m2 = 0;
  };
  double correction = 1;
  bool take_sqrt = false;
  Acc init() const { return {}; }
  Acc step(Acc a, double x) const {
    a.n += 1;
    const double d = x - a.mean;
    a.mean += d / a.n;
    a.m2 += d * (x - a.mean);
    return a;
  }
  Acc merge(Acc a, Acc b) const {
    if (b.n == 0) return a;
    if (a.n == 0) return b;
    const double n = a.n + b.n, d = b.mean - a.mean;
    return {n, a.mean + d * b.n / n, a.m2 + b.m2 + d * d * a.n * b.n / n};
  }
  template <class O>
  O finish(Acc a, int64_t) const {
    const double v = a.m2 / std::max(0.0, a.n - correction);
    return static_cast<O>(static_cast<acc_t<O>>(take_sqrt ? std::sqrt(v) : v));
  }
};

void check_float(std::string_view op, const Tensor& t) {
  if (!is_floating(t.dtype())) {
    raise<TypeError>("[{}] expected a floating-point tensor, got {}", op, dtype_name(t.dtype()));
  }
}

}  // namespace

template <class Derived>
MetaList MomentOp<Derived>::infer(std::span<const Tensor> in) const {
  check_num_inputs(*this, in, 1);
  check_float(Derived::kName, in[0]);
  return {TensorMeta{reduced_shape(in[0], this->r.dims, this->r.keepdim, Derived::kName),
                     in[0].dtype(), in[0].device()}};
}
template <class Derived>
void MomentOp<Derived>::eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const {
  auto mask = reduction_mask(this->r.dims, in[0].dim(), Derived::kName);
  EMBER_DISPATCH_FLOAT(in[0].dtype(), Derived::kName, [&]<class T>() {
    cpu::reduce_into<T, T>(out[0], in[0], mask, MomentReducer{correction, Derived::kSqrt});
  });
}
// var: g * 2 (x - mean) / (N - c);  std: g * (x - mean) / ((N - c) * std).
template <class Derived>
TensorList MomentOp<Derived>::vjp(const VjpArgs& a) const {
  const TensorMeta& m = a.input_meta[0];
  const Tensor& x = a.inputs[0];
  const double n = static_cast<double>(reduced_count(m.shape, this->r.dims, Derived::kName));
  Tensor centered = sub(x, mean(x, this->r.dims, /*keepdim=*/true));
  Tensor g = keepdim_view(a.grads[0], m, this->r.dims, this->r.keepdim);
  const double denom = std::max(0.0, n - correction);
  if constexpr (Derived::kSqrt) {
    Tensor s = keepdim_view(a.outputs[0], m, this->r.dims, this->r.keepdim);
    return {mul(div(g, mul(s, denom)), centered)};
  } else {
    return {mul(g, mul(centered, 2.0 / denom))};
  }
}

namespace {
template <class OpT>
Tensor run_moment(const Tensor& t, IntList dims, double correction, bool keepdim) {
  OpT op(ReduceAttrs{Shape(dims.begin(), dims.end()), keepdim}, correction);
  const Tensor in[] = {t};
  return dispatch1(op, in);
}
}  // namespace

Tensor var(const Tensor& t, IntList dims, double correction, bool keepdim) {
  return run_moment<VarOp>(t, dims, correction, keepdim);
}
Tensor std(const Tensor& t, IntList dims, double correction, bool keepdim) {
  return run_moment<StdOp>(t, dims, correction, keepdim);
}
std::pair<Tensor, Tensor> var_mean(const Tensor& t, IntList dims, double correction, bool keepdim) {
  Tensor v = var(t, dims, correction, keepdim);
  return {v, mean(t, dims, keepdim)};
}
std::pair<Tensor, Tensor> std_mean(const Tensor& t, IntList dims, double correction, bool keepdim) {
  Tensor s = ember::std(t, dims, correction, keepdim);
  return {s, mean(t, dims, keepdim)};
}

// ---- norm ----
namespace {
enum class PKind { Zero, One, Two, Inf, NegInf, General };
PKind p_kind(double p) {
  if (p == 0) return PKind::Zero;
  if (p == 1) return PKind::One;
  if (p == 2) return PKind::Two;
  if (std::isinf(p)) return p > 0 ? PKind::Inf : PKind::NegInf;
  return PKind::General;
}

struct NormReducer {
  using Acc = double;
  PKind kind;
  double p;
  Acc init() const { return kind == PKind::NegInf ? std::numeric_limits<double>::infinity() : 0.0; }
  Acc step(Acc a, double x) const {
    const double ax = std::abs(x);
    switch (kind) {
      case PKind::Zero:
        return a + (x != 0);
      case PKind::One:
        return a + ax;
      case PKind::Two:
        return a + x * x;
      case PKind::Inf:
        return std::isnan(ax) || ax > a ? ax : a;
      case PKind::NegInf:
        return std::isnan(ax) || ax < a ? ax : a;
      case PKind::General:
        return a + std::pow(ax, p);
    }
    return a;
  }
  Acc merge(Acc a, Acc b) const {
    switch (kind) {
      case PKind::Inf:
        return std::isnan(b) || b > a ? b : a;
      case PKind::NegInf:
        return std::isnan(b) || b < a ? b : a;
      default:
        return a + b;
    }
  }
  template <class O>
  O finish(Acc a, int64_t) const {
    double r = a;
    if (kind == PKind::Two) r = std::sqrt(a);
    if (kind == PKind::General) r = std::pow(a, 1.0 / p);
    return static_cast<O>(static_cast<acc_t<O>>(r));
  }
};
}  // namespace

MetaList NormOp::infer(std::span<const Tensor> in) const {
  check_num_inputs(*this, in, 1);
  check_float(kName, in[0]);
  return {
      TensorMeta{reduced_shape(in[0], r.dims, r.keepdim, kName), in[0].dtype(), in[0].device()}};
}
void NormOp::eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const {
  auto mask = reduction_mask(r.dims, in[0].dim(), kName);
  EMBER_DISPATCH_FLOAT(in[0].dtype(), kName, [&]<class T>() {
    cpu::reduce_into<T, T>(out[0], in[0], mask, NormReducer{p_kind(p), p});
  });
}
TensorList NormOp::vjp(const VjpArgs& a) const {
  const TensorMeta& m = a.input_meta[0];
  const Tensor& x = a.inputs[0];
  Tensor g = keepdim_view(a.grads[0], m, r.dims, r.keepdim);
  Tensor out = keepdim_view(a.outputs[0], m, r.dims, r.keepdim);
  switch (p_kind(p)) {
    case PKind::Two: {
      // g * x / |x|, with 0 (not 0/0) where the norm is 0, as PyTorch; the mask is a
      // constant, so this stays differentiable twice.
      static const TieMaskOp is_zero;
      const Tensor zin[] = {detach(out), scalar_tensor(0.0, out.dtype())};
      Tensor safe = add(out, dispatch1(is_zero, zin));
      return {mul(g, div(x, safe))};
    }
    case PKind::Zero:
      return {mul(g, mul(detach(x), 0.0))};
    default:
      break;
  }
  NormGradOp op(p);
  const Tensor gin[] = {detach(x), detach(out)};
  Tensor scale = dispatch1(op, gin);
  if (std::isinf(p)) {
    // Ties for the extreme share the gradient evenly.
    NormGradOp tie(0);  // p = 0 here means "is |x| the extreme": a 0/1 mask
    Tensor count = sum(dispatch1(tie, gin), r.dims, /*keepdim=*/true);
    scale = div(scale, count);
  }
  return {mul(g, scale)};
}

// d|x|_p/dx, elementwise over x and the broadcast norm n:
//   p = 1: sign(x);  p = +-inf: sign(x) where |x| == n;  else sign(x) |x|^(p-1) / n^(p-1).
// (p = 0 is used internally as the tie mask |x| == n.)
MetaList NormGradOp::infer(std::span<const Tensor> in) const {
  check_num_inputs(*this, in, 2);
  return {TensorMeta{in[0].shape(), in[0].dtype(), in[0].device()}};
}
void NormGradOp::eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const {
  const PKind k = p_kind(p);
  const double pv = p;
  EMBER_DISPATCH_FLOAT(in[0].dtype(), kName, [&]<class T>() {
    using A = acc_t<T>;
    cpu::map2<T, T, T>(out[0], in[0], in[1], [=](A x, A n) -> A {
      const A sg = static_cast<A>((x > 0) - (x < 0));
      switch (k) {
        case PKind::Zero:
          return static_cast<A>(std::abs(x) == n ? 1 : 0);
        case PKind::One:
          return sg;
        case PKind::Inf:
        case PKind::NegInf:
          return std::abs(x) == n ? sg : A(0);
        default:
          return static_cast<A>(sg * std::pow(std::abs(x) / n, static_cast<A>(pv - 1)));
      }
    });
  });
}

Tensor norm(const Tensor& t, double p, IntList dims, bool keepdim) {
  NormOp op(ReduceAttrs{Shape(dims.begin(), dims.end()), keepdim}, p);
  const Tensor in[] = {t};
  return dispatch1(op, in);
}

}  // namespace ember
