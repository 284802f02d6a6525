// Backward helpers of norm and cumprod, as the CPU's (core/ops/reduce_stats.cpp,
// core/ops/reduce_cum.cpp):
//  - norm_backward: elementwise over x and the broadcast norm n, in x's compute type:
//    [|x| == n] (p = 0), sign(x) (p = 1), sign(x) [|x| == n] (p = +-inf), else
//    sign(x) (|x| / n)^(p - 1) with CUDA's pow (equal to the CPU up to pow's last bit).
//  - cumprod_backward: one thread per scanned line, the CPU's first-zero rule in double with
//    its operation order (the _rn intrinsics keep nvcc from fusing), so the results are
//    identical.
#include <cmath>

#include "core/cuda/device_math.cuh"

namespace ember::cuda {
namespace {

__device__ __forceinline__ float pow_of(float b, float e) { return powf(b, e); }
__device__ __forceinline__ double pow_of(double b, double e) { return pow(b, e); }

template <class T>
__global__ void norm_grad_kernel(double p, ElementwiseArgs a) {
  using A = acc_of<T>;
  const bool zero = p == 0, one = p == 1, inf = isinf(p);
  const A exponent = static_cast<A>(p - 1);
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < a.numel;
       i += int64_t(gridDim.x) * blockDim.x) {
    int64_t off[kMaxOperands];
    operand_offsets(a, i, off);
    const A x = to_acc(load_operand<T>(a, 1, off[1]));
    const A n = to_acc(load_operand<T>(a, 2, off[2]));
    const A sg = static_cast<A>((x > A(0)) - (x < A(0)));
    A r;
    if (zero) {
      r = static_cast<A>(fabs(x) == n ? 1 : 0);
    } else if (one) {
      r = sg;
    } else if (inf) {
      r = fabs(x) == n ? sg : A(0);
    } else {
      r = sg * pow_of(fabs(x) / n, exponent);
    }
    static_cast<T*>(a.data[0])[off[0]] = from_acc<T>(r);
  }
}

template <class T>
__device__ __forceinline__ double as_double(T v) {
  return static_cast<double>(to_acc(v));
}

// One line: x, g, gx at element stride st from their first element (in scan order).
template <class T>
__device__ void cumprod_grad_line(const T* x, const T* g, T* gx, int64_t n, int64_t st,
                                  bool exclusive) {
  auto X = [&](int64_t k) { return as_double(x[k * st]); };
  auto G = [&](int64_t j) {  // the gradient reaching the inclusive product ending at j
    if (!exclusive) return as_double(g[j * st]);
    return j + 1 < n ? as_double(g[(j + 1) * st]) : 0.0;
  };
  int64_t z = 0;
  while (z < n && X(z) != 0) ++z;
  double acc = 0, y_before_z = 1;
  for (int64_t j = 0; j < z; ++j) y_before_z = __dmul_rn(y_before_z, X(j));
  double y = y_before_z;
  for (int64_t i = z - 1; i >= 0; --i) {
    acc = __dadd_rn(acc, __dmul_rn(G(i), y));
    gx[i * st] = from_acc<T>(static_cast<acc_of<T>>(__ddiv_rn(acc, X(i))));
    y = __ddiv_rn(y, X(i));
  }
  if (z == n) return;
  double p = y_before_z, s = __dmul_rn(G(z), p);
  for (int64_t j = z + 1; j < n; ++j) {
    p = __dmul_rn(p, X(j));
    s = __dadd_rn(s, __dmul_rn(G(j), p));
  }
  gx[z * st] = from_acc<T>(static_cast<acc_of<T>>(s));
  for (int64_t i = z + 1; i < n; ++i) gx[i * st] = from_acc<T>(acc_of<T>(0));
}

template <class T>
__global__ void cumprod_grad_kernel(const T* g, const T* x, T* gx, int64_t outer, int64_t n,
                                    int64_t inner, bool exclusive, bool reverse) {
  const int64_t lines = outer * inner;
  for (int64_t l = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; l < lines;
       l += int64_t(gridDim.x) * blockDim.x) {
    const int64_t base = (l / inner) * n * inner + l % inner;
    const int64_t first = reverse ? base + (n - 1) * inner : base;
    const int64_t st = reverse ? -inner : inner;
    cumprod_grad_line<T>(x + first, g + first, gx + first, n, st, exclusive);
  }
}

}  // namespace

void launch_norm_grad(double p, const ElementwiseArgs& a, void* stream) {
  if (a.numel == 0) return;
  auto s = static_cast<cudaStream_t>(stream);
  switch (a.dtype[0]) {
    case kFloat16: norm_grad_kernel<__half><<<grid_for(a.numel), kThreads, 0, s>>>(p, a); break;
    case kBFloat16:
      norm_grad_kernel<__nv_bfloat16><<<grid_for(a.numel), kThreads, 0, s>>>(p, a);
      break;
    case kFloat32: norm_grad_kernel<float><<<grid_for(a.numel), kThreads, 0, s>>>(p, a); break;
    case kFloat64: norm_grad_kernel<double><<<grid_for(a.numel), kThreads, 0, s>>>(p, a); break;
    default: throw std::runtime_error("[cuda] norm_backward: expected a floating dtype");
  }
  check_launch("norm_backward");
}

void launch_cumprod_grad(int dtype, const void* g, const void* x, void* gx, int64_t outer,
                         int64_t n, int64_t inner, bool exclusive, bool reverse, void* stream) {
  const int64_t lines = outer * inner;
  if (lines == 0 || n == 0) return;
  auto s = static_cast<cudaStream_t>(stream);
  switch (dtype) {
#define EMBER_CUMPROD_GRAD_CASE_(code_, T)                                                  \
  case code_:                                                                               \
    cumprod_grad_kernel<T><<<grid_for(lines), kThreads, 0, s>>>(                            \
        static_cast<const T*>(g), static_cast<const T*>(x), static_cast<T*>(gx), outer, n,  \
        inner, exclusive, reverse);                                                         \
    break;
    EMBER_CUMPROD_GRAD_CASE_(kFloat16, __half)
    EMBER_CUMPROD_GRAD_CASE_(kBFloat16, __nv_bfloat16)
    EMBER_CUMPROD_GRAD_CASE_(kFloat32, float)
    EMBER_CUMPROD_GRAD_CASE_(kFloat64, double)
#undef EMBER_CUMPROD_GRAD_CASE_
    default: throw std::runtime_error("[cuda] cumprod_backward: expected a floating dtype");
  }
  check_launch("cumprod_backward");
}

}  // namespace ember::cuda
