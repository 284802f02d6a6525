// Elementwise kernels: copy (with dtype conversion), fill, unary, binary and where, each one
// strided grid-stride kernel per compute dtype; the op is a run-time code.
#include <cmath>

#include "core/cuda/device_math.cuh"

namespace ember::cuda {
namespace {

// ---- copy / fill -----------------------------------------------------------------------

__global__ void copy_kernel(ElementwiseArgs a) {
  const bool as_int = a.dtype[0] <= kInt64 && a.dtype[1] <= kInt64;  // exact integer copies
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < a.numel;
       i += int64_t(gridDim.x) * blockDim.x) {
    int64_t off[kMaxOperands];
    operand_offsets(a, i, off);
    // A scalar source is read from its bits (offset 0 of the parameter copy).
    const void* src = a.is_scalar[1] ? static_cast<const void*>(&a.scalar_bits[1]) : a.data[1];
    const int64_t so = a.is_scalar[1] ? 0 : off[1];
    if (as_int) {
      store_i64(a.data[0], a.dtype[0], off[0], load_i64(src, a.dtype[1], so));
    } else {
      store_f64(a.data[0], a.dtype[0], off[0], load_f64(src, a.dtype[1], so));
    }
  }
}

__global__ void fill_kernel(ElementwiseArgs a, double value, int64_t int_value, bool is_int) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < a.numel;
       i += int64_t(gridDim.x) * blockDim.x) {
    int64_t off[kMaxOperands];
    operand_offsets(a, i, off);
    if (is_int) {
      store_i64(a.data[0], a.dtype[0], off[0], int_value);
    } else {
      store_f64(a.data[0], a.dtype[0], off[0], value);
    }
  }
}

// ---- scalar functions ------------------------------------------------------------------

template <class A>
__device__ __forceinline__ bool is_nan(A x) {
  if constexpr (std::is_floating_point_v<A>) return isnan(x); else return false;
}

// Integer math helpers (Python semantics, no traps on zero divisors: the result is 0).
__device__ __forceinline__ int64_t floor_div_i(int64_t x, int64_t y) {
  if (y == 0) return 0;
  if (y == -1) return static_cast<int64_t>(0ull - static_cast<uint64_t>(x));
  int64_t q = x / y;
  if ((x % y) != 0 && ((x < 0) != (y < 0))) --q;
  return q;
}
__device__ __forceinline__ int64_t py_mod_i(int64_t x, int64_t y) {
  if (y == 0 || y == -1) return 0;
  int64_t r = x % y;
  if (r != 0 && ((r < 0) != (y < 0))) r += y;
  return r;
}
__device__ __forceinline__ int64_t int_pow(int64_t b, int64_t e) {
  if (e < 0) return b == 1 ? 1 : (b == -1 ? ((e & 1) ? -1 : 1) : 0);
  uint64_t base = static_cast<uint64_t>(b), r = 1;
  for (uint64_t n = static_cast<uint64_t>(e); n; n >>= 1) {
    if (n & 1) r *= base;
    base *= base;
  }
  return static_cast<int64_t>(r);
}

template <class A>
__device__ A unary_apply(int code, const OpParams& p, A x) {
  if constexpr (std::is_floating_point_v<A>) {
    switch (code) {
      case kNeg: return -x;
      case kAbs: return fabs(x);
      case kSquare: return x * x;
      case kSign: return isnan(x) ? x : A((A(0) < x) - (x < A(0)));
      case kFloor: return floor(x);
      case kCeil: return ceil(x);
      case kRound: return nearbyint(x);
      case kTrunc: return trunc(x);
      case kExp: return exp(x);
      case kExpm1: return expm1(x);
      case kLog: return log(x);
      case kLog1p: return log1p(x);
      case kSqrt: return sqrt(x);
      case kRsqrt: return A(1) / sqrt(x);
      case kReciprocal: return A(1) / x;
      case kSin: return sin(x);
      case kCos: return cos(x);
      case kTanh: return tanh(x);
      case kSigmoid: return A(1) / (A(1) + exp(-x));
      case kErf: return erf(x);
      case kIsnan: return isnan(x) ? A(1) : A(0);
      case kIsinf: return isinf(x) ? A(1) : A(0);
      case kIsfinite: return isfinite(x) ? A(1) : A(0);
      case kLogicalNot: return x == A(0) ? A(1) : A(0);
      case kRelu: return x < A(0) ? A(0) : x;
      case kGelu: return A(0.5) * x * (A(1) + erf(x * A(0.7071067811865476)));
      case kGeluTanh: {
        const A k = A(0.7978845608028654);
        return A(0.5) * x * (A(1) + tanh(k * (x + A(0.044715) * x * x * x)));
      }
      case kSilu: return x / (A(1) + exp(-x));
      case kSoftplus: {
        const A bx = x * A(p.p0);
        return bx > A(p.p1) ? x : log1p(exp(bx)) / A(p.p0);
      }
      case kLeakyRelu: return x > A(0) ? x : x * A(p.p0);
      case kElu: return x > A(0) ? x : A(p.p0) * expm1(x);
      case kHardtanh: return x < A(p.p0) ? A(p.p0) : (x > A(p.p1) ? A(p.p1) : x);
      case kPowScalar: {
        const A e = A(p.p0);
        if (e == A(2)) return x * x;
        if (e == A(0.5)) return sqrt(x);
        if (e == A(1)) return x;
        if (e == A(-1)) return A(1) / x;
        return pow(x, e);
      }
      case kClamp: {  // NaN stays NaN
        if (isnan(x)) return x;
        A r = x;
        if (p.has_p0 && r < A(p.p0)) r = A(p.p0);
        if (p.has_p1 && r > A(p.p1)) r = A(p.p1);
        return r;
      }
      default: return x;
    }
  } else if constexpr (std::is_same_v<A, bool>) {
    switch (code) {
      case kLogicalNot:
      case kBitwiseNot: return !x;
      case kIsfinite: return true;
      case kIsnan:
      case kIsinf: return false;
      default: return x;  // abs, sign, relu, floor... are the identity on bool
    }
  } else {  // int64
    switch (code) {
      case kNeg: return static_cast<A>(0ull - static_cast<uint64_t>(x));
      case kAbs: return x < 0 ? static_cast<A>(0ull - static_cast<uint64_t>(x)) : x;
      case kSquare: return static_cast<A>(static_cast<uint64_t>(x) * static_cast<uint64_t>(x));
      case kSign: return (A(0) < x) - (x < A(0));
      case kIsnan:
      case kIsinf: return 0;
      case kIsfinite: return 1;
      case kLogicalNot: return x == 0 ? 1 : 0;
      case kRelu: return x < 0 ? 0 : x;
      case kHardtanh: {
        const A l = static_cast<A>(p.p0), h = static_cast<A>(p.p1);
        return x < l ? l : (x > h ? h : x);
      }
      case kBitwiseNot: return ~x;
      case kPowScalar: return int_pow(x, static_cast<int64_t>(p.p0));
      case kClamp: {
        A r = x;
        if (p.has_p0 && r < static_cast<A>(p.p0)) r = static_cast<A>(p.p0);
        if (p.has_p1 && r > static_cast<A>(p.p1)) r = static_cast<A>(p.p1);
        return r;
      }
      default: return x;  // floor, ceil, round, trunc: identity on integers
    }
  }
}

template <class A>
__device__ A binary_apply(int code, const OpParams& p, A x, A y) {
  if constexpr (std::is_same_v<A, bool>) {
    switch (code) {
      case kAdd: case kMaximum: case kLogicalOr: case kBitwiseOr: return x || y;
      case kMul: case kMinimum: case kLogicalAnd: case kBitwiseAnd: return x && y;
      case kEq: case kIsclose: return x == y;
      case kNe: case kLogicalXor: case kBitwiseXor: return x != y;
      case kLt: return !x && y;
      case kLe: return !x || y;
      case kGt: return x && !y;
      case kGe: return x || !y;
      default: return x;
    }
  } else {
    switch (code) {
      case kAdd: return x + y;
      case kSub: return x - y;
      case kMul: return x * y;
      case kEq: return A(x == y);
      case kNe: return A(x != y);
      case kLt: return A(x < y);
      case kLe: return A(x <= y);
      case kGt: return A(x > y);
      case kGe: return A(x >= y);
      case kLogicalAnd: return A(x != A(0) && y != A(0));
      case kLogicalOr: return A(x != A(0) || y != A(0));
      case kLogicalXor: return A((x != A(0)) != (y != A(0)));
      case kMaximum: return is_nan(x) ? x : (is_nan(y) ? y : (x > y ? x : y));
      case kMinimum: return is_nan(x) ? x : (is_nan(y) ? y : (x < y ? x : y));
      default: break;
    }
    if constexpr (std::is_floating_point_v<A>) {
      switch (code) {
        case kDiv: return x / y;
        case kTruncDivide: return trunc(x / y);
        case kFloorDivide: {
          if (y == A(0)) return x / y;
          const A mod = fmod(x, y);
          A d = (x - mod) / y;
          if (mod != A(0) && ((y < A(0)) != (mod < A(0)))) d -= A(1);
          if (d == A(0)) return copysign(A(0), x / y);
          A fd = floor(d);
          if (d - fd > A(0.5)) fd += A(1);
          return fd;
        }
        case kRemainder: {
          A r = fmod(x, y);
          if (r == A(0)) return copysign(A(0), y);
          if ((r < A(0)) != (y < A(0))) r += y;
          return r;
        }
        case kFmod: return fmod(x, y);
        case kPow: return pow(x, y);
        case kAtan2: return atan2(x, y);  // x is atan2's first input (y of the point)
        case kIsclose: {
          if (x == y) return A(1);
          if (isnan(x) || isnan(y)) return A(p.has_p0 && isnan(x) && isnan(y));
          if (isinf(x) || isinf(y)) return A(0);
          return A(fabs(x - y) <= A(p.p1) + A(p.p0) * fabs(y));
        }
        default: return x;
      }
    } else {  // int64
      switch (code) {
        case kDiv:
        case kTruncDivide:
          if (y == 0) return 0;
          if (y == -1) return static_cast<A>(0ull - static_cast<uint64_t>(x));
          return x / y;
        case kFloorDivide: return floor_div_i(x, y);
        case kRemainder: return py_mod_i(x, y);
        case kFmod: return (y == 0 || y == -1) ? 0 : x % y;
        case kPow: return int_pow(x, y);
        case kBitwiseAnd: return x & y;
        case kBitwiseOr: return x | y;
        case kBitwiseXor: return x ^ y;
        case kIsclose: {
          if (x == y) return 1;
          const double fx = double(x), fy = double(y);
          return A(fabs(fx - fy) <= p.p1 + p.p0 * fabs(fy));
        }
        default: return x;
      }
    }
  }
}

// The output is either T or bool (predicates, comparisons).
template <class T, class A>
__device__ __forceinline__ void store_result(const ElementwiseArgs& a, int64_t off, A r) {
  if (a.dtype[0] == kBool) {
    static_cast<bool*>(a.data[0])[off] = r != A(0);
  } else {
    static_cast<T*>(a.data[0])[off] = from_acc<T>(r);
  }
}

template <class T>
__global__ void unary_kernel(int code, OpParams p, ElementwiseArgs a) {
  using A = acc_of<T>;
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < a.numel;
       i += int64_t(gridDim.x) * blockDim.x) {
    int64_t off[kMaxOperands];
    operand_offsets(a, i, off);
    store_result<T, A>(a, off[0], unary_apply<A>(code, p, to_acc(load_operand<T>(a, 1, off[1]))));
  }
}

template <class T>
__global__ void binary_kernel(int code, OpParams p, ElementwiseArgs a) {
  using A = acc_of<T>;
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < a.numel;
       i += int64_t(gridDim.x) * blockDim.x) {
    int64_t off[kMaxOperands];
    operand_offsets(a, i, off);
    const A x = to_acc(load_operand<T>(a, 1, off[1]));
    const A y = to_acc(load_operand<T>(a, 2, off[2]));
    store_result<T, A>(a, off[0], binary_apply<A>(code, p, x, y));
  }
}

// Moves bytes, so one instantiation per element size serves every dtype.
template <class Bits>
__global__ void where_kernel(ElementwiseArgs a) {
  Bits* o = static_cast<Bits*>(a.data[0]);
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < a.numel;
       i += int64_t(gridDim.x) * blockDim.x) {
    int64_t off[kMaxOperands];
    operand_offsets(a, i, off);
    o[off[0]] = load_operand<bool>(a, 1, off[1]) ? load_operand<Bits>(a, 2, off[2])
                                                 : load_operand<Bits>(a, 3, off[3]);
  }
}

// Calls f(T{}) for the compute dtypes kernels are instantiated for.
template <class F>
void by_compute_dtype(int dtype, const char* what, F&& f) {
  switch (dtype) {
    case kBool: f(bool{}); break;
    case kInt64: f(int64_t{}); break;
    case kFloat16: f(__half{}); break;
    case kBFloat16: f(__nv_bfloat16{}); break;
    case kFloat32: f(float{}); break;
    case kFloat64: f(double{}); break;
    default:
      throw std::runtime_error(std::string("[cuda] ") + what +
                               ": no kernel for this dtype (compute in int64 instead)");
  }
}

}  // namespace

void launch_copy(const ElementwiseArgs& a, void* stream) {
  if (a.numel == 0) return;
  copy_kernel<<<grid_for(a.numel), kThreads, 0, static_cast<cudaStream_t>(stream)>>>(a);
  check_launch("copy");
}

void launch_fill(const ElementwiseArgs& a, double value, int64_t int_value, bool is_int,
                 void* stream) {
  if (a.numel == 0) return;
  fill_kernel<<<grid_for(a.numel), kThreads, 0, static_cast<cudaStream_t>(stream)>>>(
      a, value, int_value, is_int);
  check_launch("fill");
}

void launch_unary(int code, const OpParams& p, const ElementwiseArgs& a, void* stream) {
  if (a.numel == 0) return;
  by_compute_dtype(a.dtype[1], "unary", [&](auto t) {
    using T = decltype(t);
    unary_kernel<T><<<grid_for(a.numel), kThreads, 0, static_cast<cudaStream_t>(stream)>>>(code, p, a);
  });
  check_launch("unary");
}

void launch_binary(int code, const OpParams& p, const ElementwiseArgs& a, void* stream) {
  if (a.numel == 0) return;
  by_compute_dtype(a.dtype[1], "binary", [&](auto t) {
    using T = decltype(t);
    binary_kernel<T><<<grid_for(a.numel), kThreads, 0, static_cast<cudaStream_t>(stream)>>>(code, p, a);
  });
  check_launch("binary");
}

void launch_where(const ElementwiseArgs& a, void* stream) {
  if (a.numel == 0) return;
  auto s = static_cast<cudaStream_t>(stream);
  switch (a.dtype[0]) {
    case kBool:
    case kUInt8: where_kernel<uint8_t><<<grid_for(a.numel), kThreads, 0, s>>>(a); break;
    case kFloat16:
    case kBFloat16: where_kernel<uint16_t><<<grid_for(a.numel), kThreads, 0, s>>>(a); break;
    case kInt32:
    case kFloat32: where_kernel<uint32_t><<<grid_for(a.numel), kThreads, 0, s>>>(a); break;
    default: where_kernel<uint64_t><<<grid_for(a.numel), kThreads, 0, s>>>(a); break;
  }
  check_launch("where");
}

}  // namespace ember::cuda
