#pragma once
// cuDNN state of the CUDA backend: one cudnnHandle per device, bound to the device's stream
// (cuda_context.h) so cuDNN work is ordered with every other kernel of the device; status
// checks that name the op and its shapes; and workspace taken from the caching allocator.
#include <cudnn.h>

#include <string>
#include <string_view>

#include "core/dtype.h"

namespace ember::cuda {

// Raises ember::Error "[<op>] cuDNN <call> failed: <status> (<shapes>)" unless s is success.
void check_cudnn(cudnnStatus_t s, std::string_view op, std::string_view call,
                 const std::string& shapes);

cudnnHandle_t cudnn(int device);  // created on first use, set to stream(device)

// The cuDNN storage type of an ember floating dtype; raises for other dtypes.
cudnnDataType_t cudnn_data_type(DType d, std::string_view op);

// Scratch device memory from the device's caching allocator, returned when it goes out of
// scope. Safe right after the cuDNN call is queued: the allocator hands the block out again
// only to later work on the same stream.
class CudnnWorkspace {
 public:
  CudnnWorkspace(int device, size_t nbytes);
  ~CudnnWorkspace();
  CudnnWorkspace(const CudnnWorkspace&) = delete;
  CudnnWorkspace& operator=(const CudnnWorkspace&) = delete;
  void* data() const { return data_; }
  size_t size() const { return nbytes_; }

 private:
  int device_;
  size_t nbytes_;
  void* data_ = nullptr;
};

}  // namespace ember::cuda
