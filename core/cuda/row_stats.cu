// Row statistics over a contiguous [rows, cols] input, one block per row, in double: var and
// std (two passes: the mean, then squared deviations), logsumexp (the max, then the sum of
// shifted exponentials) and the vector p-norms. NaN and infinities follow the CPU reducers.
#include <cmath>

#include "core/cuda/block_fold.cuh"
#include "core/cuda/device_math.cuh"

namespace ember::cuda {
namespace {

template <class T>
__device__ __forceinline__ double value_at(const T* p, int64_t c) {
  return static_cast<double>(to_acc(p[c]));
}

template <class T>
__device__ double row_moment(const T* p, int64_t cols, double correction, bool take_sqrt,
                             double* shared) {
  double s = 0;
  for (int64_t c = threadIdx.x; c < cols; c += blockDim.x) s += value_at(p, c);
  const double mean = block_fold(s, Fold::kSum, shared) / static_cast<double>(cols);
  double m2 = 0;
  for (int64_t c = threadIdx.x; c < cols; c += blockDim.x) {
    const double d = value_at(p, c) - mean;
    m2 += d * d;
  }
  m2 = block_fold(m2, Fold::kSum, shared);
  const double v = m2 / fmax(0.0, static_cast<double>(cols) - correction);
  return take_sqrt ? sqrt(v) : v;
}

template <class T>
__device__ double row_logsumexp(const T* p, int64_t cols, double* shared) {
  double m = -INFINITY;
  for (int64_t c = threadIdx.x; c < cols; c += blockDim.x) {
    const double x = value_at(p, c);
    if (isnan(x) || x > m) m = isnan(m) ? m : x;
  }
  m = block_fold(m, Fold::kMax, shared);
  if (isnan(m) || isinf(m)) return m;  // NaN; all -inf (empty too) -> -inf; any +inf -> +inf
  double s = 0;
  for (int64_t c = threadIdx.x; c < cols; c += blockDim.x) s += exp(value_at(p, c) - m);
  s = block_fold(s, Fold::kSum, shared);
  return m + log(s);
}

template <class T>
__device__ double row_norm(const T* p, int64_t cols, double pv, double* shared) {
  if (isinf(pv)) {
    const bool neg = pv < 0;
    double e = neg ? INFINITY : 0.0;
    for (int64_t c = threadIdx.x; c < cols; c += blockDim.x) {
      const double ax = fabs(value_at(p, c));
      if (isnan(ax) || (!isnan(e) && (neg ? ax < e : ax > e))) e = ax;
    }
    return block_fold(e, neg ? Fold::kMin : Fold::kMax, shared);
  }
  double s = 0;
  for (int64_t c = threadIdx.x; c < cols; c += blockDim.x) {
    const double x = value_at(p, c), ax = fabs(x);
    if (pv == 0) {
      s += x != 0 ? 1.0 : 0.0;
    } else if (pv == 1) {
      s += ax;
    } else if (pv == 2) {
      s += x * x;
    } else {
      s += pow(ax, pv);
    }
  }
  s = block_fold(s, Fold::kSum, shared);
  if (pv == 2) return sqrt(s);
  if (pv != 0 && pv != 1) return pow(s, 1.0 / pv);
  return s;
}

template <class T>
__global__ void row_stat_kernel(int code, double param, const T* in, int out_dtype, void* out,
                                int64_t cols) {
  __shared__ double shared[kThreads];
  const T* p = in + blockIdx.x * cols;
  double r;
  switch (code) {
    case kStatVar: r = row_moment(p, cols, param, false, shared); break;
    case kStatStd: r = row_moment(p, cols, param, true, shared); break;
    case kStatLogSumExp: r = row_logsumexp(p, cols, shared); break;
    default: r = row_norm(p, cols, param, shared); break;
  }
  // As the CPU's finish: through the output's compute type (float for 16-bit floats).
  if (threadIdx.x == 0) {
    if (out_dtype == kFloat16 || out_dtype == kBFloat16) r = static_cast<float>(r);
    store_f64(out, out_dtype, blockIdx.x, r);
  }
}

}  // namespace

void launch_row_stat(int code, double param, int in_dtype, const void* in, int out_dtype,
                     void* out, int64_t rows, int64_t cols, void* stream) {
  if (rows == 0) return;
  auto s = static_cast<cudaStream_t>(stream);
  const unsigned grid = static_cast<unsigned>(rows);
  switch (in_dtype) {
#define EMBER_ROW_STAT_CASE_(code_, T)                                                     \
  case code_:                                                                              \
    row_stat_kernel<T><<<grid, kThreads, 0, s>>>(code, param, static_cast<const T*>(in),   \
                                                 out_dtype, out, cols);                    \
    break;
    EMBER_ROW_STAT_CASE_(kInt64, int64_t)
    EMBER_ROW_STAT_CASE_(kFloat16, __half)
    EMBER_ROW_STAT_CASE_(kBFloat16, __nv_bfloat16)
    EMBER_ROW_STAT_CASE_(kFloat32, float)
    EMBER_ROW_STAT_CASE_(kFloat64, double)
#undef EMBER_ROW_STAT_CASE_
    default: throw std::runtime_error("[cuda] row statistic: no kernel for this dtype");
  }
  check_launch("row statistic");
}

}  // namespace ember::cuda
