// amax/amin, max/min (whole tensor or along a dim with indices), argmax/argmin, and the two
// mask ops their backward rules use.
#include <cmath>
#include <limits>
#include <vector>

#include "core/cpu/elementwise_loop.h"
#include "core/cpu/reduce_loop.h"
#include "core/dispatch.h"
#include "core/ops.h"
#include "core/ops/reduce.h"
#include "core/ops/reduce_ops.h"

namespace ember {

EMBER_REGISTER_OP(AmaxOp);
EMBER_REGISTER_OP(AminOp);
EMBER_REGISTER_OP(MaxDimOp);
EMBER_REGISTER_OP(MinDimOp);
EMBER_REGISTER_OP(ArgmaxOp);
EMBER_REGISTER_OP(ArgminOp);
EMBER_REGISTER_OP(IndexOneHotOp);
EMBER_REGISTER_OP(TieMaskOp);

namespace {

template <class V>
bool is_nan(V v) {
  return v != v;  // NOLINT: false for integers and bool
}

// True when x should replace the current extreme `best` (NaN wins, as in PyTorch).
template <bool kMax, class V>
bool better(V x, V best) {
  if (is_nan(x)) return !is_nan(best);
  if (is_nan(best)) return false;
  return kMax ? x > best : x < best;
}

template <bool kMax, class A>
struct ExtremeReducer {
  using Acc = A;
  Acc init() const {
    if constexpr (std::is_floating_point_v<A>) {
      return kMax ? -std::numeric_limits<A>::infinity() : std::numeric_limits<A>::infinity();
    } else {
      return kMax ? std::numeric_limits<A>::lowest() : std::numeric_limits<A>::max();
    }
  }
  template <class V>
  Acc step(Acc a, V x) const {
    const Acc v = static_cast<Acc>(x);
    return better<kMax>(v, a) ? v : a;
  }
  Acc merge(Acc a, Acc b) const { return better<kMax>(b, a) ? b : a; }
  template <class O>
  O finish(Acc a, int64_t) const {
    return static_cast<O>(static_cast<acc_t<O>>(a));
  }
};

void check_nonempty(std::string_view op, const Tensor& t, IntList dims) {
  auto mask = reduction_mask(dims, t.dim(), op);
  for (int64_t d = 0; d < t.dim(); ++d) {
    if (mask[d] && t.shape()[d] == 0) {
      raise<ValueError>("[{}] cannot reduce over a zero-size dim {} of a tensor of shape {}", op, d,
                        shape_str(t.shape()));
    }
  }
}

}  // namespace

// ---- amax / amin ----
template <class Derived>
MetaList ExtremeOp<Derived>::infer(std::span<const Tensor> in) const {
  check_num_inputs(*this, in, 1);
  check_nonempty(Derived::kName, in[0], this->r.dims);
  return {TensorMeta{reduced_shape(in[0], this->r.dims, this->r.keepdim, Derived::kName),
                     in[0].dtype(), in[0].device()}};
}
template <class Derived>
void ExtremeOp<Derived>::eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const {
  auto mask = reduction_mask(this->r.dims, in[0].dim(), Derived::kName);
  EMBER_DISPATCH_ALL(in[0].dtype(), Derived::kName, [&]<class T>() {
    using A = std::conditional_t<is_floating(dtype_v<T>), double, int64_t>;
    cpu::reduce_into<T, T>(out[0], in[0], mask, ExtremeReducer<Derived::kMax, A>{});
  });
}
// The gradient is shared evenly by all elements equal to the extreme (as PyTorch).
template <class Derived>
TensorList ExtremeOp<Derived>::vjp(const VjpArgs& a) const {
  const TensorMeta& m = a.input_meta[0];
  Tensor out = keepdim_view(a.outputs[0], m, this->r.dims, this->r.keepdim);
  Tensor g = keepdim_view(a.grads[0], m, this->r.dims, this->r.keepdim);
  static const TieMaskOp tie;
  const Tensor tin[] = {detach(a.inputs[0]), detach(out)};
  Tensor mask = dispatch1(tie, tin);
  Tensor count = sum(mask, this->r.dims, /*keepdim=*/true);
  return {mul(g, div(mask, count))};
}

Tensor amax(const Tensor& t, IntList dims, bool keepdim) {
  AmaxOp op(ReduceAttrs{Shape(dims.begin(), dims.end()), keepdim});
  const Tensor in[] = {t};
  return dispatch1(op, in);
}
Tensor amin(const Tensor& t, IntList dims, bool keepdim) {
  AminOp op(ReduceAttrs{Shape(dims.begin(), dims.end()), keepdim});
  const Tensor in[] = {t};
  return dispatch1(op, in);
}
Tensor max(const Tensor& t) {
  if (t.numel() == 0) {
    raise<ValueError>("[max] cannot reduce an empty tensor of shape {} (specify a dim)",
                      shape_str(t.shape()));
  }
  return amax(t);
}
Tensor min(const Tensor& t) {
  if (t.numel() == 0) {
    raise<ValueError>("[min] cannot reduce an empty tensor of shape {} (specify a dim)",
                      shape_str(t.shape()));
  }
  return amin(t);
}

// ---- max/min along a dim, argmax/argmin ----
template <class Derived>
ArgExtremeOp<Derived>::ArgExtremeOp(const Attrs& a)
    : dim(a.get<int64_t>("dim", Derived::kName)),
      has_dim(a.get<bool>("has_dim", Derived::kName)),
      keepdim(a.get<bool>("keepdim", Derived::kName)) {}
template <class Derived>
void ArgExtremeOp<Derived>::attributes(Attrs& out) const {
  out.set("dim", dim);
  out.set("has_dim", has_dim);
  out.set("keepdim", keepdim);
}

template <class Derived>
MetaList ArgExtremeOp<Derived>::infer(std::span<const Tensor> in) const {
  check_num_inputs(*this, in, 1);
  const Tensor& x = in[0];
  Shape shape;
  if (has_dim) {
    const int64_t d = normalize_dim(dim, std::max<int64_t>(x.dim(), 1), Derived::kName);
    if (x.dim() > 0) {
      check_nonempty(Derived::kName, x, {d});
      shape = reduced_shape(x, {d}, keepdim, Derived::kName);
    }
  } else {
    if (x.numel() == 0) {
      raise<ValueError>("[{}] cannot reduce an empty tensor of shape {} (specify a dim)",
                        Derived::kName, shape_str(x.shape()));
    }
    if (keepdim) shape.assign(x.dim(), 1);
  }
  MetaList out;
  if constexpr (Derived::kValues) out.push_back(TensorMeta{shape, x.dtype(), x.device()});
  out.push_back(TensorMeta{shape, DType::Int64, x.device()});
  return out;
}

namespace {
// x contiguous, viewed as [outer, n, inner]: extreme over n with its first index.
template <bool kMax, class T>
void arg_extreme_kernel(const T* x, T* values, int64_t* idx, int64_t outer, int64_t n,
                        int64_t inner) {
  using A = acc_t<T>;
  if (inner == 1) {  // the reduced dim is innermost: one scalar scan per row
    cpu::parallel_for(outer, std::max<int64_t>(1, cpu::kParallelGrain / std::max<int64_t>(n, 1)),
                      [&](int64_t b, int64_t e) {
                        for (int64_t o = b; o < e; ++o) {
                          const T* xr = x + o * n;
                          A best = static_cast<A>(xr[0]);
                          int64_t bi = 0;
                          for (int64_t i = 1; i < n; ++i) {
                            const A v = static_cast<A>(xr[i]);
                            if (better<kMax>(v, best)) {
                              best = v;
                              bi = i;
                            }
                          }
                          if (values) values[o] = static_cast<T>(best);
                          idx[o] = bi;
                        }
                      });
    return;
  }
  cpu::parallel_for(outer * inner,
                    std::max<int64_t>(1, cpu::kParallelGrain / std::max<int64_t>(n, 1)),
                    [&](int64_t b, int64_t e) {
                      std::vector<A> best;
                      std::vector<int64_t> bi;
                      for (int64_t start = b; start < e;) {
                        const int64_t o = start / inner, j0 = start % inner;
                        const int64_t w = std::min(inner - j0, e - start);
                        const T* xo = x + o * n * inner + j0;
                        best.resize(w);
                        for (int64_t j = 0; j < w; ++j) best[j] = static_cast<A>(xo[j]);
                        bi.assign(w, 0);
                        for (int64_t i = 1; i < n; ++i) {
                          for (int64_t j = 0; j < w; ++j) {
                            const A v = static_cast<A>(xo[i * inner + j]);
                            if (better<kMax, A>(v, A(best[j]))) {
                              best[j] = v;
                              bi[j] = i;
                            }
                          }
                        }
                        for (int64_t j = 0; j < w; ++j) {
                          if (values) values[o * inner + j0 + j] = static_cast<T>(best[j]);
                          idx[o * inner + j0 + j] = bi[j];
                        }
                        start += w;
                      }
                    });
}
}  // namespace

template <class Derived>
void ArgExtremeOp<Derived>::eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const {
  Tensor x = contiguous_raw(in[0]);
  int64_t outer = 1, n = x.numel(), inner = 1;
  if (has_dim && x.dim() > 0) {
    const int64_t d = normalize_dim(dim, x.dim(), Derived::kName);
    n = x.shape()[d];
    for (int64_t i = 0; i < d; ++i) outer *= x.shape()[i];
    for (int64_t i = d + 1; i < x.dim(); ++i) inner *= x.shape()[i];
  }
  if (outer * inner == 0) return;
  Tensor& indices = out[Derived::kValues ? 1 : 0];
  EMBER_DISPATCH_ALL(x.dtype(), Derived::kName, [&]<class T>() {
    T* values = Derived::kValues ? static_cast<T*>(out[0].data_ptr()) : nullptr;
    arg_extreme_kernel<Derived::kMax, T>(static_cast<const T*>(x.data_ptr()), values,
                                         indices.template data<int64_t>(), outer, n, inner);
  });
}

// The values' gradient goes to the chosen index only.
template <class Derived>
TensorList ArgExtremeOp<Derived>::vjp(const VjpArgs& a) const {
  const TensorMeta& m = a.input_meta[0];
  const Tensor& g = a.grads[0];
  if (!g.defined()) return {Tensor()};
  const int64_t nd = static_cast<int64_t>(m.shape.size());
  if (nd == 0) return {reshape(g, {})};
  const int64_t d = normalize_dim(dim, nd, Derived::kName);
  Tensor gi = keepdim ? g : unsqueeze(g, d);
  Tensor ii = keepdim ? a.outputs[1] : unsqueeze(a.outputs[1], d);
  IndexOneHotOp hot(d, m.shape[d], g.dtype());
  const Tensor hin[] = {ii};
  return {mul(gi, dispatch1(hot, hin))};
}

namespace {
template <class OpT>
ValuesIndices run_dim(const Tensor& t, int64_t dim, bool keepdim) {
  OpT op(dim, keepdim);
  const Tensor in[] = {t};
  TensorList r = dispatch(op, in);
  return {r[0], r[1]};
}
template <class OpT>
Tensor run_arg(const Tensor& t, std::optional<int64_t> dim, bool keepdim) {
  OpT op(dim, keepdim);
  const Tensor in[] = {t};
  return dispatch1(op, in);
}
}  // namespace

ValuesIndices max(const Tensor& t, int64_t dim, bool keepdim) {
  return run_dim<MaxDimOp>(t, dim, keepdim);
}
ValuesIndices min(const Tensor& t, int64_t dim, bool keepdim) {
  return run_dim<MinDimOp>(t, dim, keepdim);
}
Tensor argmax(const Tensor& t, std::optional<int64_t> dim, bool keepdim) {
  return run_arg<ArgmaxOp>(t, dim, keepdim);
}
Tensor argmin(const Tensor& t, std::optional<int64_t> dim, bool keepdim) {
  return run_arg<ArgminOp>(t, dim, keepdim);
}

// ---- mask ops ----
IndexOneHotOp::IndexOneHotOp(const Attrs& a)
    : dim(a.get<int64_t>("dim", kName)),
      size(a.get<int64_t>("size", kName)),
      dtype(a.get<DType>("dtype", kName)) {}
void IndexOneHotOp::attributes(Attrs& out) const {
  out.set("dim", dim);
  out.set("size", size);
  out.set("dtype", dtype);
}
MetaList IndexOneHotOp::infer(std::span<const Tensor> in) const {
  check_num_inputs(*this, in, 1);
  if (in[0].dtype() != DType::Int64) {
    raise<TypeError>("[{}] expected int64 indices, got {}", kName, dtype_name(in[0].dtype()));
  }
  const int64_t d = normalize_dim(dim, in[0].dim(), kName);
  Shape s = in[0].shape();
  s[d] = size;
  return {TensorMeta{std::move(s), dtype, in[0].device()}};
}
void IndexOneHotOp::eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const {
  Tensor idx = contiguous_raw(in[0]);
  fill_raw(out[0], 0);
  const int64_t d = normalize_dim(dim, idx.dim(), kName);
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < d; ++i) outer *= idx.shape()[i];
  for (int64_t i = d + 1; i < idx.dim(); ++i) inner *= idx.shape()[i];
  const int64_t* pi = idx.data<int64_t>();
  EMBER_DISPATCH_ALL(dtype, kName, [&]<class T>() {
    T* po = static_cast<T*>(out[0].data_ptr());
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t j = 0; j < inner; ++j) {
        const int64_t k = pi[o * inner + j];
        if (k >= 0 && k < size) po[(o * size + k) * inner + j] = static_cast<T>(1);
      }
    }
  });
}

MetaList TieMaskOp::infer(std::span<const Tensor> in) const {
  check_num_inputs(*this, in, 2);
  return {TensorMeta{in[0].shape(), in[0].dtype(), in[0].device()}};
}
void TieMaskOp::eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const {
  EMBER_DISPATCH_ALL(in[0].dtype(), kName, [&]<class T>() {
    cpu::map2<T, T, T>(out[0], in[0], in[1], [](acc_t<T> x, acc_t<T> y) {
      return static_cast<acc_t<T>>(x == y ? 1 : 0);
    });
  });
}

}  // namespace ember
