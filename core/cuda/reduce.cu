// Row reductions and softmax over a contiguous [rows, cols] input: one block per row, each
// thread folding a strided slice, then a shared-memory tree.
#include <cfloat>
#include <cmath>

#include "core/cuda/device_math.cuh"

namespace ember::cuda {
namespace {

// Accumulator type: float for 16-bit floats and float, double, int64 for integers.
template <class T>
using red_acc = std::conditional_t<std::is_same_v<T, bool>, int64_t, acc_of<T>>;

template <class A>
__device__ __forceinline__ bool nan_of(A x) {
  if constexpr (std::is_floating_point_v<A>) return isnan(x); else return false;
}

template <class A>
__device__ __forceinline__ A identity(int code) {
  switch (code) {
    case kProd:
    case kAll: return A(1);
    case kMax:
    case kArgMax:
      if constexpr (std::is_floating_point_v<A>) return -INFINITY; else return A(INT64_MIN);
    case kMin:
    case kArgMin:
      if constexpr (std::is_floating_point_v<A>) return INFINITY; else return A(INT64_MAX);
    default: return A(0);
  }
}

// Folds (b, bi) into (a, ai). Extremes propagate NaN; ties keep the smaller index.
template <class A>
__device__ __forceinline__ void combine(int code, A& a, int64_t& ai, A b, int64_t bi) {
  switch (code) {
    case kSum: a += b; break;
    case kProd: a *= b; break;
    case kAll: a = (a != A(0)) && (b != A(0)); break;
    case kAny: a = (a != A(0)) || (b != A(0)); break;
    default: {
      const bool want_max = code == kMax || code == kArgMax;
      if (nan_of(a)) {
        if (nan_of(b) && bi < ai) ai = bi;
        break;
      }
      const bool take = nan_of(b) || (want_max ? b > a : b < a) || (b == a && bi < ai);
      if (take) {
        a = b;
        ai = bi;
      }
    }
  }
}

template <class T>
__global__ void reduce_kernel(int code, const T* in, void* out, T* values, int64_t cols) {
  using A = red_acc<T>;
  __shared__ A sv[kThreads];
  __shared__ int64_t si[kThreads];
  const int64_t row = blockIdx.x;
  const T* p = in + row * cols;
  A acc = identity<A>(code);
  int64_t idx = INT64_MAX;
  for (int64_t c = threadIdx.x; c < cols; c += blockDim.x) {
    combine<A>(code, acc, idx, static_cast<A>(to_acc(p[c])), c);
  }
  sv[threadIdx.x] = acc;
  si[threadIdx.x] = idx;
  __syncthreads();
  for (int s = blockDim.x / 2; s > 0; s >>= 1) {
    if (threadIdx.x < s) {
      A a = sv[threadIdx.x];
      int64_t ai = si[threadIdx.x];
      combine<A>(code, a, ai, sv[threadIdx.x + s], si[threadIdx.x + s]);
      sv[threadIdx.x] = a;
      si[threadIdx.x] = ai;
    }
    __syncthreads();
  }
  if (threadIdx.x == 0) {
    if (code == kArgMax || code == kArgMin) {
      static_cast<int64_t*>(out)[row] = si[0] == INT64_MAX ? 0 : si[0];
      if (values) values[row] = from_acc<T>(sv[0]);
    } else if (code == kAll || code == kAny) {
      static_cast<bool*>(out)[row] = sv[0] != A(0);
    } else {
      static_cast<T*>(out)[row] = from_acc<T>(sv[0]);
    }
  }
}

// Block-wide reduction of one value per thread (max or sum), result broadcast to all.
template <class A, bool kMaxOp>
__device__ A block_reduce(A v, A* shared) {
  shared[threadIdx.x] = v;
  __syncthreads();
  for (int s = blockDim.x / 2; s > 0; s >>= 1) {
    if (threadIdx.x < s) {
      const A o = shared[threadIdx.x + s];
      shared[threadIdx.x] = kMaxOp ? (o > shared[threadIdx.x] ? o : shared[threadIdx.x])
                                   : shared[threadIdx.x] + o;
    }
    __syncthreads();
  }
  const A r = shared[0];
  __syncthreads();
  return r;
}

template <class T>
__global__ void softmax_kernel(bool log_out, const T* in, T* out, int64_t cols) {
  using A = acc_of<T>;
  __shared__ A shared[kThreads];
  const T* p = in + blockIdx.x * cols;
  T* q = out + blockIdx.x * cols;
  A m = -INFINITY;
  for (int64_t c = threadIdx.x; c < cols; c += blockDim.x) m = fmax(m, to_acc(p[c]));
  m = block_reduce<A, true>(m, shared);
  if (isinf(m) && m < A(0)) m = A(0);  // an all -inf row: avoid inf - inf
  A s = 0;
  for (int64_t c = threadIdx.x; c < cols; c += blockDim.x) s += exp(to_acc(p[c]) - m);
  s = block_reduce<A, false>(s, shared);
  const A log_s = log(s);
  for (int64_t c = threadIdx.x; c < cols; c += blockDim.x) {
    const A x = to_acc(p[c]) - m;
    q[c] = from_acc<T>(log_out ? x - log_s : exp(x) / s);
  }
}

}  // namespace

void launch_reduce(int code, int dtype, const void* in, void* out, void* values, int64_t rows,
                   int64_t cols, void* stream) {
  if (rows == 0) return;
  auto s = static_cast<cudaStream_t>(stream);
  const unsigned grid = static_cast<unsigned>(rows);
  switch (dtype) {
#define EMBER_REDUCE_CASE_(code_, T)                                                        \
  case code_:                                                                               \
    reduce_kernel<T><<<grid, kThreads, 0, s>>>(code, static_cast<const T*>(in), out,        \
                                               static_cast<T*>(values), cols);              \
    break;
    EMBER_REDUCE_CASE_(kBool, bool)
    EMBER_REDUCE_CASE_(kInt64, int64_t)
    EMBER_REDUCE_CASE_(kFloat16, __half)
    EMBER_REDUCE_CASE_(kBFloat16, __nv_bfloat16)
    EMBER_REDUCE_CASE_(kFloat32, float)
    EMBER_REDUCE_CASE_(kFloat64, double)
#undef EMBER_REDUCE_CASE_
    default: throw std::runtime_error("[cuda] reduce: no kernel for this dtype");
  }
  check_launch("reduce");
}

void launch_softmax(bool log, int dtype, const void* in, void* out, int64_t rows, int64_t cols,
                    void* stream) {
  if (rows == 0 || cols == 0) return;
  auto s = static_cast<cudaStream_t>(stream);
  const unsigned grid = static_cast<unsigned>(rows);
  switch (dtype) {
    case kFloat16:
      softmax_kernel<__half><<<grid, kThreads, 0, s>>>(log, static_cast<const __half*>(in),
                                                       static_cast<__half*>(out), cols);
      break;
    case kBFloat16:
      softmax_kernel<__nv_bfloat16><<<grid, kThreads, 0, s>>>(
          log, static_cast<const __nv_bfloat16*>(in), static_cast<__nv_bfloat16*>(out), cols);
      break;
    case kFloat32:
      softmax_kernel<float><<<grid, kThreads, 0, s>>>(log, static_cast<const float*>(in),
                                                      static_cast<float*>(out), cols);
      break;
    case kFloat64:
      softmax_kernel<double><<<grid, kThreads, 0, s>>>(log, static_cast<const double*>(in),
                                                       static_cast<double*>(out), cols);
      break;
    default: throw std::runtime_error("[cuda] softmax: expected a floating dtype");
  }
  check_launch("softmax");
}

}  // namespace ember::cuda
