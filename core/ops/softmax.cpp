#include "core/ops/softmax.h"

#include <cmath>
#include <limits>
#include <vector>

#include "core/cpu/copy.h"
#include "core/cpu/parallel.h"
#include "core/dispatch.h"
#include "core/ops.h"
#include "core/ops/softmax_ops.h"

namespace ember {

EMBER_REGISTER_OP(SoftmaxOp);
EMBER_REGISTER_OP(LogSoftmaxOp);

template <class Derived>
MetaList SoftmaxBase<Derived>::infer(std::span<const Tensor> in) const {
  check_num_inputs(*this, in, 1);
  const Tensor& x = in[0];
  if (!is_floating(x.dtype())) {
    raise<TypeError>("[{}] expected a floating-point tensor, got {} (pass dtype= to cast)",
                     Derived::kName, dtype_name(x.dtype()));
  }
  normalize_dim(dim, std::max<int64_t>(x.dim(), 1), Derived::kName);
  return {TensorMeta{x.shape(), x.dtype(), x.device()}};
}

namespace {

// x viewed as [outer, n, inner] (contiguous); softmax over n. Accumulates in double.
template <bool kLog, class T>
void softmax_kernel(const T* x, T* y, int64_t outer, int64_t n, int64_t inner) {
  using A = acc_t<T>;
  if (inner == 1) {
    cpu::parallel_for(outer, std::max<int64_t>(1, cpu::kParallelGrain / std::max<int64_t>(n, 1)),
                      [&](int64_t b, int64_t e) {
                        for (int64_t o = b; o < e; ++o) {
                          const T* xr = x + o * n;
                          T* yr = y + o * n;
                          A mx = -std::numeric_limits<A>::infinity();
                          for (int64_t i = 0; i < n; ++i) mx = std::max(mx, static_cast<A>(xr[i]));
                          if (std::isinf(mx) && mx < 0) mx = 0;  // an all -inf row: avoid inf - inf
                          double s = 0;
                          if constexpr (kLog) {
                            for (int64_t i = 0; i < n; ++i)
                              s += std::exp(static_cast<A>(xr[i]) - mx);
                            const A lse = mx + static_cast<A>(std::log(s));
                            for (int64_t i = 0; i < n; ++i)
                              yr[i] = static_cast<T>(static_cast<A>(xr[i]) - lse);
                          } else {
                            for (int64_t i = 0; i < n; ++i) {
                              A v = std::exp(static_cast<A>(xr[i]) - mx);
                              yr[i] = static_cast<T>(v);
                              s += v;
                            }
                            const A inv = static_cast<A>(1.0 / s);
                            for (int64_t i = 0; i < n; ++i)
                              yr[i] = static_cast<T>(static_cast<A>(yr[i]) * inv);
                          }
                        }
                      });
    return;
  }
  // Reduced dim is not innermost: sweep rows of `inner` contiguous values, vectorizable.
  cpu::parallel_for(
      outer * inner, cpu::kParallelGrain / std::max<int64_t>(n, 1) + 1, [&](int64_t b, int64_t e) {
        std::vector<A> mx;
        std::vector<double> s;
        for (int64_t start = b; start < e;) {
          const int64_t o = start / inner, j0 = start % inner;
          const int64_t j1 = std::min(inner, j0 + (e - start));
          const int64_t w = j1 - j0;
          const T* xo = x + o * n * inner + j0;
          T* yo = y + o * n * inner + j0;
          mx.assign(w, -std::numeric_limits<A>::infinity());
          s.assign(w, 0.0);
          for (int64_t i = 0; i < n; ++i) {
            for (int64_t j = 0; j < w; ++j)
              mx[j] = std::max(mx[j], static_cast<A>(xo[i * inner + j]));
          }
          for (int64_t j = 0; j < w; ++j)
            if (std::isinf(mx[j]) && mx[j] < 0) mx[j] = 0;
          for (int64_t i = 0; i < n; ++i) {
            for (int64_t j = 0; j < w; ++j) {
              A v = std::exp(static_cast<A>(xo[i * inner + j]) - mx[j]);
              s[j] += v;
              if constexpr (!kLog) yo[i * inner + j] = static_cast<T>(v);
            }
          }
          for (int64_t i = 0; i < n; ++i) {
            for (int64_t j = 0; j < w; ++j) {
              if constexpr (kLog) {
                yo[i * inner + j] = static_cast<T>(static_cast<A>(xo[i * inner + j]) - mx[j] -
                                                   static_cast<A>(std::log(s[j])));
              } else {
                yo[i * inner + j] =
                    static_cast<T>(static_cast<A>(yo[i * inner + j]) / static_cast<A>(s[j]));
              }
            }
          }
          start += w;
        }
      });
}

template <bool kLog>
void softmax_eval(int64_t dim, const Tensor& in, const Tensor& out, std::string_view name) {
  Tensor x = contiguous_raw(in);
  const int64_t nd = x.dim();
  if (nd == 0) {
    Tensor flat = make_view(x, {1}, {1}, x.offset());
    Tensor oflat = make_view(out, {1}, {1}, out.offset());
    return softmax_eval<kLog>(0, flat, oflat, name);
  }
  const int64_t d = normalize_dim(dim, nd, name);
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < d; ++i) outer *= x.shape()[i];
  for (int64_t i = d + 1; i < nd; ++i) inner *= x.shape()[i];
  const int64_t n = x.shape()[d];
  if (x.numel() == 0) return;
  EMBER_DISPATCH_FLOAT(x.dtype(), name, [&]<class T>() {
    softmax_kernel<kLog, T>(static_cast<const T*>(x.data_ptr()), static_cast<T*>(out.data_ptr()),
                            outer, n, inner);
  });
}

template <class OpT>
Tensor run(const Tensor& t, int64_t dim, std::optional<DType> dtype) {
  OpT op(dim);
  const Tensor in[] = {dtype ? to_dtype(t, *dtype) : t};
  return dispatch1(op, in);
}

}  // namespace

void SoftmaxOp::eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const {
  softmax_eval<false>(dim, in[0], out[0], kName);
}
void LogSoftmaxOp::eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const {
  softmax_eval<true>(dim, in[0], out[0], kName);
}

// dx = y * (g - sum(g * y))
TensorList SoftmaxOp::vjp(const VjpArgs& a) const {
  const Tensor& y = a.outputs[0];
  if (y.dim() == 0) return {mul(a.grads[0], 0.0)};
  Tensor s = sum(mul(a.grads[0], y), {dim}, /*keepdim=*/true);
  return {mul(y, sub(a.grads[0], s))};
}

// dx = g - softmax * sum(g)
TensorList LogSoftmaxOp::vjp(const VjpArgs& a) const {
  const Tensor& y = a.outputs[0];
  if (y.dim() == 0) return {mul(a.grads[0], 0.0)};
  Tensor s = sum(a.grads[0], {dim}, /*keepdim=*/true);
  return {sub(a.grads[0], mul(exp(y), s))};
}

Tensor softmax(const Tensor& t, int64_t dim, std::optional<DType> dtype) {
  return run<SoftmaxOp>(t, dim, dtype);
}
Tensor log_softmax(const Tensor& t, int64_t dim, std::optional<DType> dtype) {
  return run<LogSoftmaxOp>(t, dim, dtype);
}

}  // namespace ember
