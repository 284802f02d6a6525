// cumsum and cumprod (scans along one dim), with exclusive / reverse forms for backward,
// and cumprod_backward (exact where the input has zeros).
#include <vector>

#include "core/cpu/copy.h"
#include "core/cpu/parallel.h"
#include "core/dispatch.h"
#include "core/ops.h"
#include "core/ops/reduce.h"
#include "core/ops/reduce_ops.h"

namespace ember {

EMBER_REGISTER_OP(CumsumOp);
EMBER_REGISTER_OP(CumprodOp);
EMBER_REGISTER_OP(CumprodBackwardOp);

template <class Derived>
ScanOp<Derived>::ScanOp(const Attrs& a)
    : dim(a.get<int64_t>("dim", Derived::kName)),
      exclusive(a.get<bool>("exclusive", Derived::kName)),
      reverse(a.get<bool>("reverse", Derived::kName)) {
  if (a.has("dtype")) dtype = a.get<DType>("dtype", Derived::kName);
}
template <class Derived>
void ScanOp<Derived>::attributes(Attrs& out) const {
  out.set("dim", dim);
  out.set("exclusive", exclusive);
  out.set("reverse", reverse);
  if (dtype) out.set("dtype", *dtype);
}
template <class Derived>
MetaList ScanOp<Derived>::infer(std::span<const Tensor> in) const {
  check_num_inputs(*this, in, 1);
  const Tensor& x = in[0];
  normalize_dim(dim, std::max<int64_t>(x.dim(), 1), Derived::kName);
  DType d = dtype.value_or(is_floating(x.dtype()) ? x.dtype() : DType::Int64);
  return {TensorMeta{x.shape(), d, x.device()}};
}

namespace {
// x, y contiguous [outer, n, inner]; y = scan of x over n.
template <bool kProd, class T, class A>
void scan_kernel(const T* x, T* y, int64_t outer, int64_t n, int64_t inner, bool exclusive,
                 bool reverse) {
  cpu::parallel_for(outer,
                    std::max<int64_t>(1, cpu::kParallelGrain / std::max<int64_t>(1, n * inner)),
                    [&](int64_t b, int64_t e) {
                      std::vector<A> acc(inner);
                      for (int64_t o = b; o < e; ++o) {
                        std::fill(acc.begin(), acc.end(), kProd ? A(1) : A(0));
                        for (int64_t s = 0; s < n; ++s) {
                          const int64_t i = reverse ? n - 1 - s : s;
                          const T* xr = x + (o * n + i) * inner;
                          T* yr = y + (o * n + i) * inner;
                          for (int64_t j = 0; j < inner; ++j) {
                            const A v = static_cast<A>(static_cast<acc_t<T>>(xr[j]));
                            if (exclusive) yr[j] = static_cast<T>(static_cast<acc_t<T>>(acc[j]));
                            acc[j] = kProd ? acc[j] * v : acc[j] + v;
                            if (!exclusive) yr[j] = static_cast<T>(static_cast<acc_t<T>>(acc[j]));
                          }
                        }
                      }
                    });
}
}  // namespace

template <class Derived>
void ScanOp<Derived>::eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const {
  Tensor x = contiguous_as(in[0], out[0].dtype());
  int64_t outer = 1, n = 1, inner = 1;
  if (x.dim() > 0) {
    const int64_t d = normalize_dim(dim, x.dim(), Derived::kName);
    n = x.shape()[d];
    for (int64_t i = 0; i < d; ++i) outer *= x.shape()[i];
    for (int64_t i = d + 1; i < x.dim(); ++i) inner *= x.shape()[i];
  }
  if (x.numel() == 0) return;
  EMBER_DISPATCH_NUMERIC(x.dtype(), Derived::kName, [&]<class T>() {
    using A = std::conditional_t<is_floating(dtype_v<T>), double, int64_t>;
    scan_kernel<Derived::kProd, T, A>(static_cast<const T*>(x.data_ptr()),
                                      static_cast<T*>(out[0].data_ptr()), outer, n, inner,
                                      exclusive, reverse);
  });
}

// cumsum: the gradient is the scan of g run the other way. cumprod: cumprod_backward.
template <class Derived>
TensorList ScanOp<Derived>::vjp(const VjpArgs& a) const {
  const TensorMeta& m = a.input_meta[0];
  const Tensor& g = a.grads[0];
  Tensor gx;
  if constexpr (Derived::kProd) {
    CumprodBackwardOp op(dim, exclusive, reverse);
    const Tensor in[] = {
        g, a.inputs[0].dtype() == g.dtype() ? a.inputs[0] : to_dtype(a.inputs[0], g.dtype())};
    gx = dispatch1(op, in);
  } else {
    gx = scan(false, g, dim, exclusive, !reverse);
  }
  return {gx.dtype() == m.dtype ? gx : to_dtype(gx, m.dtype)};
}

// ---- cumprod_backward ----
CumprodBackwardOp::CumprodBackwardOp(const Attrs& a)
    : dim(a.get<int64_t>("dim", kName)),
      exclusive(a.get<bool>("exclusive", kName)),
      reverse(a.get<bool>("reverse", kName)) {}
void CumprodBackwardOp::attributes(Attrs& out) const {
  out.set("dim", dim);
  out.set("exclusive", exclusive);
  out.set("reverse", reverse);
}
MetaList CumprodBackwardOp::infer(std::span<const Tensor> in) const {
  check_num_inputs(*this, in, 2);
  if (in[0].shape() != in[1].shape() || in[0].dtype() != in[1].dtype()) {
    raise<ValueError>("[{}] expected grad and input of one shape and dtype, got {} {} and {} {}",
                      kName, shape_str(in[0].shape()), dtype_name(in[0].dtype()),
                      shape_str(in[1].shape()), dtype_name(in[1].dtype()));
  }
  normalize_dim(dim, std::max<int64_t>(in[1].dim(), 1), kName);
  return {TensorMeta{in[1].shape(), in[1].dtype(), in[1].device()}};
}

namespace {
// One row: x, g read with stride `st` in scan order (reverse handled by the caller's
// pointer/stride), gx written likewise. dy_j/dx_i = prod over j's set without i, where the
// set is k <= j (inclusive) or k < j (exclusive, equal to inclusive with g shifted by one).
template <class T>
void cumprod_grad_row(const T* x, const T* g, T* gx, int64_t n, int64_t st, bool exclusive) {
  auto X = [&](int64_t k) { return static_cast<double>(static_cast<acc_t<T>>(x[k * st])); };
  auto G = [&](int64_t j) {  // the gradient reaching the inclusive product ending at j
    if (!exclusive) return static_cast<double>(static_cast<acc_t<T>>(g[j * st]));
    return j + 1 < n ? static_cast<double>(static_cast<acc_t<T>>(g[(j + 1) * st])) : 0.0;
  };
  int64_t z = 0;
  while (z < n && X(z) != 0) ++z;
  // Before the first zero: sum_{i <= j < z} g_j y_j / x_i (products after z are all 0).
  double acc = 0, y_before_z = 1;
  for (int64_t j = 0; j < z; ++j) y_before_z *= X(j);
  double y = y_before_z;
  for (int64_t i = z - 1; i >= 0; --i) {
    acc += G(i) * y;
    gx[i * st] = static_cast<T>(static_cast<acc_t<T>>(acc / X(i)));
    y /= X(i);
  }
  if (z == n) return;
  // At the first zero: sum_{j >= z} g_j prod_{k <= j, k != z} x_k.
  double p = y_before_z, s = G(z) * p;
  for (int64_t j = z + 1; j < n; ++j) {
    p *= X(j);
    s += G(j) * p;
  }
  gx[z * st] = static_cast<T>(static_cast<acc_t<T>>(s));
  for (int64_t i = z + 1; i < n; ++i) gx[i * st] = static_cast<T>(0);
}
}  // namespace

void CumprodBackwardOp::eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const {
  Tensor g = contiguous_raw(in[0]), x = contiguous_raw(in[1]);
  int64_t outer = 1, n = 1, inner = 1;
  if (x.dim() > 0) {
    const int64_t d = normalize_dim(dim, x.dim(), kName);
    n = x.shape()[d];
    for (int64_t i = 0; i < d; ++i) outer *= x.shape()[i];
    for (int64_t i = d + 1; i < x.dim(); ++i) inner *= x.shape()[i];
  }
  if (x.numel() == 0) return;
  EMBER_DISPATCH_FLOAT(x.dtype(), kName, [&]<class T>() {
    const T* px = static_cast<const T*>(x.data_ptr());
    const T* pg = static_cast<const T*>(g.data_ptr());
    T* po = static_cast<T*>(out[0].data_ptr());
    cpu::parallel_for(outer * inner,
                      std::max<int64_t>(1, cpu::kParallelGrain / std::max<int64_t>(n, 1)),
                      [&](int64_t b, int64_t e) {
                        for (int64_t r = b; r < e; ++r) {
                          const int64_t base = (r / inner) * n * inner + r % inner;
                          const int64_t first = reverse ? base + (n - 1) * inner : base;
                          const int64_t st = reverse ? -inner : inner;
                          cumprod_grad_row<T>(px + first, pg + first, po + first, n, st, exclusive);
                        }
                      });
  });
}

// With F = cumprod_backward(g, x) = sum_j g_j dy_j/dx (y = the scan's products) and a
// cotangent v:  dg = y * scansum(v / x),  dx = -v F / x + cumprod_backward(g * scansum(v / x), x).
// The divisions by x only enter second-order terms.
TensorList CumprodBackwardOp::vjp(const VjpArgs& a) const {
  const Tensor& v = a.grads[0];
  const Tensor& g = a.inputs[0];
  const Tensor& x = a.inputs[1];
  Tensor w = scan(false, div(v, x), dim, exclusive, reverse);
  Tensor gg, gx;
  if (a.needs_grad[0]) gg = mul(scan(true, x, dim, exclusive, reverse), w);
  if (a.needs_grad[1]) {
    CumprodBackwardOp op(dim, exclusive, reverse);
    const Tensor in[] = {mul(g, w), x};
    gx = sub(dispatch1(op, in), div(mul(v, a.outputs[0]), x));
  }
  return {gg, gx};
}

Tensor scan(bool prod, const Tensor& t, int64_t dim, bool exclusive, bool reverse,
            std::optional<DType> dtype) {
  const Tensor in[] = {t};
  if (prod) {
    CumprodOp op(dim, exclusive, reverse, dtype);
    return dispatch1(op, in);
  }
  CumsumOp op(dim, exclusive, reverse, dtype);
  return dispatch1(op, in);
}

Tensor cumsum(const Tensor& t, int64_t dim, std::optional<DType> dtype) {
  return scan(false, t, dim, false, false, dtype);
}
Tensor cumprod(const Tensor& t, int64_t dim, std::optional<DType> dtype) {
  return scan(true, t, dim, false, false, dtype);
}

}  // namespace ember
