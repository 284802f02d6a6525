// Batch / layer / instance norm's forward (normalize_moments): one block per channel, two
// passes in double for the moments (as the CPU: the centred second pass keeps the variance
// accurate when |mean| >> std), then the normalized, scaled and shifted output.
#include <cmath>

#include "core/cuda/block_fold.cuh"
#include "core/cuda/device_math.cuh"

namespace ember::cuda {
namespace {

template <class T>
__global__ void normalize_moments_kernel(const T* x, T* y, T* mean, T* var, const T* weight,
                                         const T* bias, bool per_channel, int64_t a, int64_t c,
                                         int64_t b, double eps) {
  __shared__ double shared[kThreads];
  const int64_t ch = blockIdx.x, count = a * b, stride = c * b;
  auto at = [&](int64_t k) { return (k / b) * stride + ch * b + k % b; };  // k-th of (a, b)
  double s = 0;
  for (int64_t k = threadIdx.x; k < count; k += blockDim.x) s += static_cast<double>(to_acc(x[at(k)]));
  const double m = count ? block_fold(s, Fold::kSum, shared) / static_cast<double>(count) : NAN;
  double q = 0;
  for (int64_t k = threadIdx.x; k < count; k += blockDim.x) {
    const double d = static_cast<double>(to_acc(x[at(k)])) - m;
    q += d * d;
  }
  q = block_fold(q, Fold::kSum, shared);
  const double v = count ? q / static_cast<double>(count) : NAN;
  const double r = 1.0 / sqrt(v + eps);
  const bool by_channel = per_channel || (weight == nullptr && bias == nullptr);
  const double sc = r * (weight && by_channel ? static_cast<double>(to_acc(weight[ch])) : 1.0);
  const double sh = (bias && by_channel ? static_cast<double>(to_acc(bias[ch])) : 0.0) - m * sc;
  for (int64_t k = threadIdx.x; k < count; k += blockDim.x) {
    const int64_t i = at(k);
    const double xv = static_cast<double>(to_acc(x[i]));
    double z;
    if (by_channel) {
      z = xv * sc + sh;
    } else {
      const int64_t j = k % b;
      z = (xv - m) * r;
      if (weight) z *= static_cast<double>(to_acc(weight[j]));
      if (bias) z += static_cast<double>(to_acc(bias[j]));
    }
    y[i] = from_acc<T>(static_cast<acc_of<T>>(z));
  }
  if (threadIdx.x == 0) {
    mean[ch] = from_acc<T>(static_cast<acc_of<T>>(m));
    var[ch] = from_acc<T>(static_cast<acc_of<T>>(v));
  }
}

}  // namespace

void launch_normalize_moments(int dtype, const void* x, void* y, void* mean, void* var,
                              const void* weight, const void* bias, bool per_channel,
                              int64_t a, int64_t c, int64_t b, double eps, void* stream) {
  if (c == 0) return;
  auto s = static_cast<cudaStream_t>(stream);
  const unsigned grid = static_cast<unsigned>(c);
  switch (dtype) {
#define EMBER_NORM_CASE_(code_, T)                                                          \
  case code_:                                                                               \
    normalize_moments_kernel<T><<<grid, kThreads, 0, s>>>(                                  \
        static_cast<const T*>(x), static_cast<T*>(y), static_cast<T*>(mean),                \
        static_cast<T*>(var), static_cast<const T*>(weight), static_cast<const T*>(bias),   \
        per_channel, a, c, b, eps);                                                         \
    break;
    EMBER_NORM_CASE_(kFloat16, __half)
    EMBER_NORM_CASE_(kBFloat16, __nv_bfloat16)
    EMBER_NORM_CASE_(kFloat32, float)
    EMBER_NORM_CASE_(kFloat64, double)
#undef EMBER_NORM_CASE_
    default: throw std::runtime_error("[cuda] normalize_moments: expected a floating dtype");
  }
  check_launch("normalize_moments");
}

}  // namespace ember::cuda
