// cumsum / cumprod: one thread per (outer, inner) line walks the scanned dim in order,
// accumulating in double (floats) or int64 (integers) exactly as the CPU loop does, so the
// results match the CPU bit for bit. Threads of a warp take adjacent inner positions, so
// their loads coalesce when inner > 1.
#include "core/cuda/device_math.cuh"

namespace ember::cuda {
namespace {

template <class T>
__global__ void scan_kernel(bool prod, const T* x, T* y, int64_t outer, int64_t n, int64_t inner,
                            bool exclusive, bool reverse) {
  using A = std::conditional_t<std::is_floating_point_v<acc_of<T>>, double, int64_t>;
  const int64_t lines = outer * inner;
  for (int64_t l = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; l < lines;
       l += int64_t(gridDim.x) * blockDim.x) {
    const int64_t o = l / inner, j = l % inner;
    A acc = prod ? A(1) : A(0);
    for (int64_t s = 0; s < n; ++s) {
      const int64_t i = (o * n + (reverse ? n - 1 - s : s)) * inner + j;
      const A v = static_cast<A>(to_acc(x[i]));
      if (exclusive) y[i] = from_acc<T>(static_cast<acc_of<T>>(acc));
      acc = prod ? acc * v : acc + v;
      if (!exclusive) y[i] = from_acc<T>(static_cast<acc_of<T>>(acc));
    }
  }
}

}  // namespace

void launch_scan(bool prod, int dtype, const void* in, void* out, int64_t outer, int64_t n,
                 int64_t inner, bool exclusive, bool reverse, void* stream) {
  const int64_t lines = outer * inner;
  if (lines == 0 || n == 0) return;
  auto s = static_cast<cudaStream_t>(stream);
  switch (dtype) {
#define EMBER_SCAN_CASE_(code_, T)                                                          \
  case code_:                                                                               \
    scan_kernel<T><<<grid_for(lines), kThreads, 0, s>>>(prod, static_cast<const T*>(in),    \
                                                        static_cast<T*>(out), outer, n,     \
                                                        inner, exclusive, reverse);         \
    break;
    EMBER_SCAN_CASE_(kInt64, int64_t)
    EMBER_SCAN_CASE_(kFloat16, __half)
    EMBER_SCAN_CASE_(kBFloat16, __nv_bfloat16)
    EMBER_SCAN_CASE_(kFloat32, float)
    EMBER_SCAN_CASE_(kFloat64, double)
#undef EMBER_SCAN_CASE_
    default: throw std::runtime_error("[cuda] scan: no kernel for this dtype");
  }
  check_launch("scan");
}

}  // namespace ember::cuda
