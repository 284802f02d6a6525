// sum, prod, mean, logsumexp, all/any, and the helpers every reduction shares.
#include "core/ops/reduce.h"

#include <cmath>
#include <limits>

#include "core/cpu/reduce_loop.h"
#include "core/dispatch.h"
#include "core/ops.h"
#include "core/ops/promotion.h"
#include "core/ops/reduce_ops.h"

namespace ember {

EMBER_REGISTER_OP(SumOp);
EMBER_REGISTER_OP(ProdOp);
EMBER_REGISTER_OP(LogSumExpOp);
EMBER_REGISTER_OP(AllOp);
EMBER_REGISTER_OP(AnyOp);

void ReduceAttrs::write(Attrs& out) const {
  out.set("dims", std::vector<int64_t>(dims.begin(), dims.end()));
  out.set("keepdim", keepdim);
}
ReduceAttrs ReduceAttrs::read(const Attrs& a, std::string_view op) {
  auto& d = a.get<std::vector<int64_t>>("dims", op);
  return {Shape(d.begin(), d.end()), a.get<bool>("keepdim", op)};
}

Shape reduced_shape(const Tensor& t, IntList dims, bool keepdim, std::string_view op) {
  auto mask = reduction_mask(dims, t.dim(), op);
  Shape out;
  for (int64_t d = 0; d < t.dim(); ++d) {
    if (!mask[d]) {
      out.push_back(t.shape()[d]);
    } else if (keepdim) {
      out.push_back(1);
    }
  }
  return out;
}

int64_t reduced_count(IntList shape, IntList dims, std::string_view op) {
  auto mask = reduction_mask(dims, static_cast<int64_t>(shape.size()), op);
  int64_t n = 1;
  for (size_t d = 0; d < shape.size(); ++d)
    if (mask[d]) n *= shape[d];
  return n;
}

Tensor keepdim_view(const Tensor& g, const TensorMeta& input, IntList dims, bool keepdim) {
  int64_t nd = static_cast<int64_t>(input.shape.size());
  if (keepdim || nd == 0) return g;
  auto mask = reduction_mask(dims, nd, "backward");
  Shape kshape;
  for (int64_t d = 0; d < nd; ++d) kshape.push_back(mask[d] ? 1 : input.shape[d]);
  return reshape(g, kshape);
}

Tensor expand_reduced_grad(const Tensor& g, const TensorMeta& input, IntList dims, bool keepdim) {
  return expand(keepdim_view(g, input, dims, keepdim), input.shape);
}

namespace {

struct SumReducer {
  using Acc = double;
  Acc init() const { return 0; }
  Acc step(Acc a, Acc x) const { return a + x; }
  Acc merge(Acc a, Acc b) const { return a + b; }
  template <class O>
  O finish(Acc a, int64_t) const {
    return static_cast<O>(static_cast<acc_t<O>>(a));
  }
};
struct IntSumReducer {
  using Acc = int64_t;
  Acc init() const { return 0; }
  template <class V>
  Acc step(Acc a, V x) const {
    return a + static_cast<Acc>(x);
  }
  Acc merge(Acc a, Acc b) const { return a + b; }
  template <class O>
  O finish(Acc a, int64_t) const {
    return static_cast<O>(a);
  }
};
struct ProdReducer {
  using Acc = double;
  Acc init() const { return 1; }
  Acc step(Acc a, Acc x) const { return a * x; }
  Acc merge(Acc a, Acc b) const { return a * b; }
  template <class O>
  O finish(Acc a, int64_t) const {
    return static_cast<O>(static_cast<acc_t<O>>(a));
  }
};
struct IntProdReducer {
  using Acc = int64_t;
  Acc init() const { return 1; }
  template <class V>
  Acc step(Acc a, V x) const {
    return a * static_cast<Acc>(x);
  }
  Acc merge(Acc a, Acc b) const { return a * b; }
  template <class O>
  O finish(Acc a, int64_t) const {
    return static_cast<O>(a);
  }
};
// Online logsumexp: keeps (running max, sum of exp(x - max)), one exp per element.
struct LseReducer {
  struct Acc {
    double m = -std::numeric_limits<double>::infinity();
    double s = 0;
  };
  Acc init() const { return {}; }
  Acc step(Acc a, double x) const {
    if (std::isnan(x)) return {x, 1};
    if (x > a.m) {
      a.s = (a.s == 0 ? 0 : a.s * std::exp(a.m - x)) + 1;
      a.m = x;
    } else if (a.s != 0 || x == a.m) {
      a.s += x == a.m ? 1 : std::exp(x - a.m);
    } else if (!std::isinf(x)) {
      a.s += std::exp(x - a.m);
    }
    return a;
  }
  Acc merge(Acc a, Acc b) const {
    if (b.s == 0) return a;
    if (a.s == 0) return b;
    if (b.m > a.m) std::swap(a, b);
    a.s += b.m == a.m ? b.s : b.s * std::exp(b.m - a.m);
    return a;
  }
  template <class O>
  O finish(Acc a, int64_t) const {
    double r = a.s == 0 ? -std::numeric_limits<double>::infinity() : a.m + std::log(a.s);
    return static_cast<O>(static_cast<acc_t<O>>(r));
  }
};
template <bool kAll>
struct TruthReducer {
  using Acc = bool;
  Acc init() const { return kAll; }
  template <class V>
  Acc step(Acc a, V x) const {
    return kAll ? (a && x != V(0)) : (a || x != V(0));
  }
  Acc merge(Acc a, Acc b) const { return kAll ? (a && b) : (a || b); }
  template <class O>
  O finish(Acc a, int64_t) const {
    return static_cast<O>(a);
  }
};

// Sum/prod output dtype: floats keep theirs, integers and bool go to int64 (as PyTorch).
DType accumulate_dtype(DType in, std::optional<DType> requested) {
  return requested.value_or(is_floating(in) ? in : DType::Int64);
}

template <class FloatR, class IntR>
void sum_like_eval(const Tensor& x, const Tensor& out, const ReduceAttrs& r,
                   std::string_view name) {
  auto mask = reduction_mask(r.dims, x.dim(), name);
  EMBER_DISPATCH_ALL(x.dtype(), name, [&]<class T>() {
    EMBER_DISPATCH_ALL(out.dtype(), name, [&]<class O>() {
      if constexpr (is_floating(dtype_v<O>)) {
        cpu::reduce_into<T, O>(out, x, mask, FloatR{});
      } else {
        cpu::reduce_into<T, O>(out, x, mask, IntR{});
      }
    });
  });
}

}  // namespace

// ---- sum ----
SumOp::SumOp(const Attrs& a) : r(ReduceAttrs::read(a, kName)) {
  if (a.has("dtype")) dtype = a.get<DType>("dtype", kName);
}
void SumOp::attributes(Attrs& out) const {
  r.write(out);
  if (dtype) out.set("dtype", *dtype);
}
MetaList SumOp::infer(std::span<const Tensor> in) const {
  check_num_inputs(*this, in, 1);
  return {TensorMeta{reduced_shape(in[0], r.dims, r.keepdim, kName),
                     accumulate_dtype(in[0].dtype(), dtype), in[0].device()}};
}
void SumOp::eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const {
  sum_like_eval<SumReducer, IntSumReducer>(in[0], out[0], r, kName);
}
TensorList SumOp::vjp(const VjpArgs& a) const {
  Tensor g = expand_reduced_grad(a.grads[0], a.input_meta[0], r.dims, r.keepdim);
  if (g.dtype() != a.input_meta[0].dtype) g = to_dtype(g, a.input_meta[0].dtype);
  return {g};
}

Tensor sum(const Tensor& t, IntList dims, bool keepdim, std::optional<DType> dtype) {
  SumOp op(ReduceAttrs{Shape(dims.begin(), dims.end()), keepdim}, dtype);
  const Tensor in[] = {t};
  return dispatch1(op, in);
}

// ---- prod ----
ProdOp::ProdOp(const Attrs& a) : r(ReduceAttrs::read(a, kName)) {
  if (a.has("dtype")) dtype = a.get<DType>("dtype", kName);
}
void ProdOp::attributes(Attrs& out) const {
  r.write(out);
  if (dtype) out.set("dtype", *dtype);
}
MetaList ProdOp::infer(std::span<const Tensor> in) const {
  check_num_inputs(*this, in, 1);
  return {TensorMeta{reduced_shape(in[0], r.dims, r.keepdim, kName),
                     accumulate_dtype(in[0].dtype(), dtype), in[0].device()}};
}
void ProdOp::eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const {
  sum_like_eval<ProdReducer, IntProdReducer>(in[0], out[0], r, kName);
}
// d prod / d x_i = product of the others, computed exactly (zeros included) as the
// exclusive forward cumprod times the exclusive backward cumprod over the reduced elements.
TensorList ProdOp::vjp(const VjpArgs& a) const {
  const TensorMeta& m = a.input_meta[0];
  const int64_t nd = static_cast<int64_t>(m.shape.size());
  Tensor x = a.inputs[0];
  Tensor g = a.grads[0];
  if (x.dtype() != g.dtype()) x = to_dtype(x, g.dtype());
  if (nd == 0) return {to_dtype(g, m.dtype)};
  auto mask = reduction_mask(r.dims, nd, kName);
  Shape perm, inv(nd), flat;
  for (int64_t d = 0; d < nd; ++d)
    if (!mask[d]) {
      perm.push_back(d);
      flat.push_back(m.shape[d]);
    }
  const int64_t kept = static_cast<int64_t>(perm.size());
  for (int64_t d = 0; d < nd; ++d)
    if (mask[d]) perm.push_back(d);
  for (int64_t i = 0; i < nd; ++i) inv[perm[i]] = i;
  Shape pshape;
  for (int64_t d : perm) pshape.push_back(m.shape[d]);
  flat.push_back(reduced_count(m.shape, r.dims, kName));
  Tensor xr = reshape(permute(x, perm), flat);
  Tensor others = mul(scan(true, xr, -1, true, false), scan(true, xr, -1, true, true));
  Shape gshape(flat.begin(), flat.begin() + kept);
  gshape.push_back(1);
  Tensor gr = mul(reshape(g, gshape), others);
  Tensor gx = permute(reshape(gr, pshape), inv);
  return {gx.dtype() == m.dtype ? gx : to_dtype(gx, m.dtype)};
}

Tensor prod(const Tensor& t, IntList dims, bool keepdim, std::optional<DType> dtype) {
  ProdOp op(ReduceAttrs{Shape(dims.begin(), dims.end()), keepdim}, dtype);
  const Tensor in[] = {t};
  return dispatch1(op, in);
}

// ---- mean: sum / count ----
Tensor mean(const Tensor& t, IntList dims, bool keepdim, std::optional<DType> dtype) {
  DType d = dtype.value_or(t.dtype());
  if (!is_floating(d)) {
    raise<TypeError>(
        "[mean] could not infer the output dtype: input dtype {} is not floating point; "
        "pass dtype= (e.g. ember.float32)",
        dtype_name(d));
  }
  reduction_mask(dims, t.dim(), "mean");  // validates dims with a [mean] message
  const int64_t n = reduced_count(t.shape(), dims, "mean");
  return div(sum(t, dims, keepdim, d), static_cast<double>(n));
}

// ---- logsumexp ----
MetaList LogSumExpOp::infer(std::span<const Tensor> in) const {
  check_num_inputs(*this, in, 1);
  return {TensorMeta{reduced_shape(in[0], r.dims, r.keepdim, kName), to_floating(in[0].dtype()),
                     in[0].device()}};
}
void LogSumExpOp::eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const {
  auto mask = reduction_mask(r.dims, in[0].dim(), kName);
  EMBER_DISPATCH_NUMERIC(in[0].dtype(), kName, [&]<class T>() {
    EMBER_DISPATCH_FLOAT(out[0].dtype(), kName, [&]<class O>() {
      cpu::reduce_into<T, O>(out[0], in[0], mask, LseReducer{});
    });
  });
}
// d lse / dx = exp(x - lse) = softmax over the reduced dims.
TensorList LogSumExpOp::vjp(const VjpArgs& a) const {
  const TensorMeta& m = a.input_meta[0];
  Tensor out = keepdim_view(a.outputs[0], m, r.dims, r.keepdim);
  Tensor g = keepdim_view(a.grads[0], m, r.dims, r.keepdim);
  return {mul(g, exp(sub(a.inputs[0], out)))};
}

Tensor logsumexp(const Tensor& t, IntList dims, bool keepdim) {
  LogSumExpOp op(ReduceAttrs{Shape(dims.begin(), dims.end()), keepdim});
  const Tensor in[] = {t};
  return dispatch1(op, in);
}

// ---- all / any ----
template <class Derived>
MetaList TruthOp<Derived>::infer(std::span<const Tensor> in) const {
  check_num_inputs(*this, in, 1);
  return {TensorMeta{reduced_shape(in[0], this->r.dims, this->r.keepdim, Derived::kName),
                     DType::Bool, in[0].device()}};
}
template <class Derived>
void TruthOp<Derived>::eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const {
  auto mask = reduction_mask(this->r.dims, in[0].dim(), Derived::kName);
  EMBER_DISPATCH_ALL(in[0].dtype(), Derived::kName, [&]<class T>() {
    cpu::reduce_into<T, bool>(out[0], in[0], mask, TruthReducer<Derived::kAll>{});
  });
}

Tensor all(const Tensor& t, IntList dims, bool keepdim) {
  AllOp op(ReduceAttrs{Shape(dims.begin(), dims.end()), keepdim});
  const Tensor in[] = {t};
  return dispatch1(op, in);
}
Tensor any(const Tensor& t, IntList dims, bool keepdim) {
  AnyOp op(ReduceAttrs{Shape(dims.begin(), dims.end()), keepdim});
  const Tensor in[] = {t};
  return dispatch1(op, in);
}

// ---- sum_to_shape ----
Tensor sum_to_shape(const Tensor& g, IntList shape) {
  if (IntList(g.shape()).size() == shape.size() &&
      std::equal(shape.begin(), shape.end(), g.shape().begin())) {
    return g;
  }
  const int64_t lead = g.dim() - static_cast<int64_t>(shape.size());
  if (lead < 0) {
    raise<ValueError>("[sum_to_shape] cannot sum shape {} to the larger shape {}",
                      shape_str(g.shape()), shape_str(shape));
  }
  Shape dims;
  for (int64_t d = 0; d < g.dim(); ++d) {
    if (d < lead || (shape[d - lead] == 1 && g.shape()[d] != 1)) dims.push_back(d);
  }
  Tensor r = dims.empty() ? g : sum(g, dims, /*keepdim=*/true);
  return lead > 0 || r.shape() != Shape(shape.begin(), shape.end()) ? reshape(r, shape) : r;
}

}  // namespace ember
