#include "core/cuda/cuda_context.h"

#include <memory>
#include <mutex>
#include <vector>

#include "core/error.h"

namespace ember::cuda {
namespace {

struct DeviceState {
  std::once_flag once;
  cudaStream_t stream = nullptr;
  cublasHandle_t blas = nullptr;
  std::once_flag blas_once;
};

// Leaked on purpose: streams and handles must outlive tensors freed at exit.
std::vector<std::unique_ptr<DeviceState>>& devices() {
  static auto* v = [] {
    auto* d = new std::vector<std::unique_ptr<DeviceState>>();
    for (int i = 0; i < device_count(); ++i) d->push_back(std::make_unique<DeviceState>());
    return d;
  }();
  return *v;
}

DeviceState& state(int device) {
  auto& v = devices();
  if (device < 0 || device >= static_cast<int>(v.size())) {
    raise<ValueError>("[cuda] device cuda:{} does not exist ({} found)", device, v.size());
  }
  return *v[device];
}

thread_local int t_current = -1;

}  // namespace

void check(cudaError_t e, std::string_view what) {
  if (e != cudaSuccess) {
    cudaGetLastError();  // clear the sticky-free error so later calls start clean
    raise<Error>("[cuda] {}: {} ({})", what, cudaGetErrorString(e), cudaGetErrorName(e));
  }
}

void check(cublasStatus_t s, std::string_view what) {
  if (s != CUBLAS_STATUS_SUCCESS) {
    raise<Error>("[cuda] {}: cuBLAS error {} ({})", what, static_cast<int>(s),
                 cublasGetStatusString(s));
  }
}

int device_count() {
  static const int n = [] {
    int count = 0;
    if (cudaGetDeviceCount(&count) != cudaSuccess) {
      cudaGetLastError();
      return 0;
    }
    return count;
  }();
  return n;
}

void set_device(int index) {
  if (t_current == index) return;
  check(cudaSetDevice(index), "cudaSetDevice");
  t_current = index;
}

cudaStream_t stream(int device) {
  DeviceState& s = state(device);
  std::call_once(s.once, [&] {
    set_device(device);
    check(cudaStreamCreateWithFlags(&s.stream, cudaStreamNonBlocking), "cudaStreamCreate");
  });
  return s.stream;
}

cublasHandle_t cublas(int device) {
  DeviceState& s = state(device);
  cudaStream_t st = stream(device);
  std::call_once(s.blas_once, [&] {
    set_device(device);
    check(cublasCreate(&s.blas), "cublasCreate");
    check(cublasSetStream(s.blas, st), "cublasSetStream");
  });
  return s.blas;
}

}  // namespace ember::cuda
