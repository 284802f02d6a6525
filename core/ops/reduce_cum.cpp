// cumsum and cumprod (scans along one dim), with exclusive / reverse forms for backward.
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

// cumsum: the gradient is the scan of g run the other way.
// cumprod: sum_{j >= i} g_j y_j / x_i (undefined where x has zeros; prod's own backward
// is exact with zeros).
template <class Derived>
TensorList ScanOp<Derived>::vjp(const VjpArgs& a) const {
  const TensorMeta& m = a.input_meta[0];
  const Tensor& g = a.grads[0];
  Tensor gx;
  if constexpr (Derived::kProd) {
    gx = div(scan(false, mul(g, a.outputs[0]), dim, exclusive, !reverse), a.inputs[0]);
  } else {
    gx = scan(false, g, dim, exclusive, !reverse);
  }
  return {gx.dtype() == m.dtype ? gx : to_dtype(gx, m.dtype)};
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
