#pragma once
// Dispatch from a kernel dtype code (kernel_args.h) to its device storage type, for kernels
// instantiated for every storage type (creation, sort): calls f(T{}).
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cstdint>
#include <stdexcept>
#include <string>

#include "core/cuda/kernel_args.h"

namespace ember::cuda {

template <class F>
void with_storage_type(int dtype, const char* op, F&& f) {
  switch (dtype) {
    case kBool: f(bool{}); break;
    case kUInt8: f(uint8_t{}); break;
    case kInt32: f(int32_t{}); break;
    case kInt64: f(int64_t{}); break;
    case kFloat16: f(__half{}); break;
    case kBFloat16: f(__nv_bfloat16{}); break;
    case kFloat32: f(float{}); break;
    case kFloat64: f(double{}); break;
    default: throw std::runtime_error(std::string("[cuda] ") + op + ": no kernel for this dtype");
  }
}

}  // namespace ember::cuda
