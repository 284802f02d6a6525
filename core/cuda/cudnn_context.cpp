#include "core/cuda/cudnn_context.h"

#include <memory>
#include <mutex>
#include <vector>

#include "core/cuda/cuda_context.h"
#include "core/device_backend.h"
#include "core/error.h"

namespace ember::cuda {
namespace {

struct CudnnState {
  std::once_flag once;
  cudnnHandle_t handle = nullptr;
};

// Leaked on purpose, like the streams: handles must outlive tensors freed at exit.
CudnnState& state(int device) {
  static auto* states = [] {
    auto* v = new std::vector<std::unique_ptr<CudnnState>>();
    for (int i = 0; i < device_count(); ++i) v->push_back(std::make_unique<CudnnState>());
    return v;
  }();
  if (device < 0 || device >= static_cast<int>(states->size())) {
    raise<ValueError>("[cuda] device cuda:{} does not exist ({} found)", device, states->size());
  }
  return *(*states)[device];
}

}  // namespace

void check_cudnn(cudnnStatus_t s, std::string_view op, std::string_view call,
                 const std::string& shapes) {
  if (s != CUDNN_STATUS_SUCCESS) {
    raise<Error>("[{}] cuDNN {} failed: {} ({})", op, call, cudnnGetErrorString(s), shapes);
  }
}

cudnnHandle_t cudnn(int device) {
  CudnnState& s = state(device);
  cudaStream_t st = stream(device);
  std::call_once(s.once, [&] {
    set_device(device);
    check_cudnn(cudnnCreate(&s.handle), "cuda", "cudnnCreate", "no shapes");
    check_cudnn(cudnnSetStream(s.handle, st), "cuda", "cudnnSetStream", "no shapes");
  });
  return s.handle;
}

cudnnDataType_t cudnn_data_type(DType d, std::string_view op) {
  switch (d) {
    case DType::Float32: return CUDNN_DATA_FLOAT;
    case DType::Float64: return CUDNN_DATA_DOUBLE;
    case DType::Float16: return CUDNN_DATA_HALF;
    case DType::BFloat16: return CUDNN_DATA_BFLOAT16;
    default:
      raise<TypeError>("[{}] cuDNN supports floating dtypes, got {}", op, dtype_name(d));
  }
}

CudnnWorkspace::CudnnWorkspace(int device, size_t nbytes) : device_(device), nbytes_(nbytes) {
  if (nbytes_ > 0) data_ = cuda_backend()->allocator(device_).allocate(nbytes_);
}

CudnnWorkspace::~CudnnWorkspace() {
  if (data_) cuda_backend()->allocator(device_).deallocate(data_, nbytes_);
}

}  // namespace ember::cuda
