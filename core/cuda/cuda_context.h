#pragma once
// Per-device CUDA state: the current device of this thread, one stream per device (every
// kernel, copy and cuBLAS call of that device goes to it, so work on a device is ordered and
// the caching allocator may reuse a freed block at once), and one cuBLAS handle per device.
#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <string_view>

namespace ember::cuda {

// Raises ember::Error "[cuda] <what>: <CUDA error>" when e is not cudaSuccess.
void check(cudaError_t e, std::string_view what);
void check(cublasStatus_t s, std::string_view what);

int device_count();        // 0 when no driver or no GPU (never raises)
void set_device(int index);  // cudaSetDevice, skipped when already current on this thread
cudaStream_t stream(int device);
cublasHandle_t cublas(int device);

}  // namespace ember::cuda
