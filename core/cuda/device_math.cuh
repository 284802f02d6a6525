#pragma once
// Device-side helpers shared by the .cu files: element loads/stores by dtype code and the
// compute type of each storage type (16-bit floats compute in float).
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "core/cuda/kernel_args.h"

namespace ember::cuda {

template <class T> struct AccOf { using type = T; };
template <> struct AccOf<__half> { using type = float; };
template <> struct AccOf<__nv_bfloat16> { using type = float; };
template <class T> using acc_of = typename AccOf<T>::type;

template <class T>
__device__ __forceinline__ acc_of<T> to_acc(T v) {
  if constexpr (std::is_same_v<T, __half>) {
    return __half2float(v);
  } else if constexpr (std::is_same_v<T, __nv_bfloat16>) {
    return __bfloat162float(v);
  } else {
    return v;
  }
}

template <class T, class A>
__device__ __forceinline__ T from_acc(A v) {
  if constexpr (std::is_same_v<T, __half>) {
    return __float2half(static_cast<float>(v));
  } else if constexpr (std::is_same_v<T, __nv_bfloat16>) {
    return __float2bfloat16(static_cast<float>(v));
  } else if constexpr (std::is_same_v<T, bool>) {
    return v != A(0);
  } else {
    return static_cast<T>(v);
  }
}

// Any dtype read as double (floats) or int64 (integers and bool); used by copies.
__device__ __forceinline__ double load_f64(const void* p, int dtype, int64_t i) {
  switch (dtype) {
    case kBool: return static_cast<const bool*>(p)[i] ? 1.0 : 0.0;
    case kUInt8: return static_cast<const uint8_t*>(p)[i];
    case kInt32: return static_cast<const int32_t*>(p)[i];
    case kInt64: return static_cast<double>(static_cast<const int64_t*>(p)[i]);
    case kFloat16: return __half2float(static_cast<const __half*>(p)[i]);
    case kBFloat16: return __bfloat162float(static_cast<const __nv_bfloat16*>(p)[i]);
    case kFloat32: return static_cast<const float*>(p)[i];
    default: return static_cast<const double*>(p)[i];
  }
}

__device__ __forceinline__ int64_t load_i64(const void* p, int dtype, int64_t i) {
  switch (dtype) {
    case kBool: return static_cast<const bool*>(p)[i] ? 1 : 0;
    case kUInt8: return static_cast<const uint8_t*>(p)[i];
    case kInt32: return static_cast<const int32_t*>(p)[i];
    case kInt64: return static_cast<const int64_t*>(p)[i];
    default: return static_cast<int64_t>(load_f64(p, dtype, i));
  }
}

__device__ __forceinline__ void store_f64(void* p, int dtype, int64_t i, double v) {
  switch (dtype) {
    case kBool: static_cast<bool*>(p)[i] = v != 0.0; break;
    case kUInt8: static_cast<uint8_t*>(p)[i] = static_cast<uint8_t>(static_cast<int64_t>(v)); break;
    case kInt32: static_cast<int32_t*>(p)[i] = static_cast<int32_t>(static_cast<int64_t>(v)); break;
    case kInt64: static_cast<int64_t*>(p)[i] = static_cast<int64_t>(v); break;
    case kFloat16: static_cast<__half*>(p)[i] = __float2half(static_cast<float>(v)); break;
    case kBFloat16: static_cast<__nv_bfloat16*>(p)[i] = __float2bfloat16(static_cast<float>(v)); break;
    case kFloat32: static_cast<float*>(p)[i] = static_cast<float>(v); break;
    default: static_cast<double*>(p)[i] = v; break;
  }
}

__device__ __forceinline__ void store_i64(void* p, int dtype, int64_t i, int64_t v) {
  switch (dtype) {
    case kBool: static_cast<bool*>(p)[i] = v != 0; break;
    case kUInt8: static_cast<uint8_t*>(p)[i] = static_cast<uint8_t>(v); break;
    case kInt32: static_cast<int32_t*>(p)[i] = static_cast<int32_t>(v); break;
    case kInt64: static_cast<int64_t*>(p)[i] = v; break;
    default: store_f64(p, dtype, i, static_cast<double>(v)); break;
  }
}

// Element offsets of every operand for linear index i over the output's shape.
__device__ __forceinline__ void operand_offsets(const ElementwiseArgs& a, int64_t i,
                                                int64_t* off) {
  if (a.all_dense) {
    for (int k = 0; k < a.num_operands; ++k) off[k] = a.dense[k] ? i : 0;
    return;
  }
  for (int k = 0; k < a.num_operands; ++k) off[k] = 0;
  for (int d = a.ndim - 1; d >= 0; --d) {
    const int64_t s = a.sizes[d];
    const int64_t c = i % s;
    i /= s;
    for (int k = 0; k < a.num_operands; ++k) off[k] += c * a.strides[k][d];
  }
}

// Operand k at element offset `off`: from memory, or the scalar carried in the parameters.
template <class T>
__device__ __forceinline__ T load_operand(const ElementwiseArgs& a, int k, int64_t off) {
  if (a.is_scalar[k]) {
    T v;
    memcpy(&v, &a.scalar_bits[k], sizeof(T));
    return v;
  }
  return static_cast<const T*>(a.data[k])[off];
}

constexpr int kThreads = 256;

inline unsigned grid_for(int64_t n) {
  int64_t blocks = (n + kThreads - 1) / kThreads;
  if (blocks > (int64_t{1} << 20)) blocks = int64_t{1} << 20;  // grid-stride loops cover the rest
  return static_cast<unsigned>(blocks < 1 ? 1 : blocks);
}

inline void check_launch(const char* what) {
  cudaError_t e = cudaGetLastError();
  if (e != cudaSuccess) {
    throw std::runtime_error(std::string("[cuda] ") + what + " kernel failed to launch: " +
                             cudaGetErrorString(e));
  }
}

}  // namespace ember::cuda
