#pragma once
// The CUDA backend as core sees it. core/cuda builds libember_cuda.so, which core loads with
// dlopen on first CUDA use: importing ember never needs the CUDA libraries or a GPU, and a
// CPU-only build links and runs unchanged. The backend's static initializers register one
// CUDA kernel per op name (register_cuda_kernel); Op::eval_cuda looks them up, so the op
// catalogue stays defined once, in core/ops.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "core/allocator.h"
#include "core/scalar.h"
#include "core/tensor.h"

namespace ember {

class Op;

struct DeviceMemoryStats {
  int64_t allocated_bytes = 0;       // bytes in live blocks
  int64_t reserved_bytes = 0;        // bytes held from the driver (live + cached)
  int64_t peak_allocated_bytes = 0;  // high-water mark of allocated_bytes
  int64_t num_device_allocs = 0;     // cudaMalloc calls so far (steady state: no growth)
};

// A CUDA graph recorded from the work queued on one device's stream (core/cuda/graph_capture.h),
// for ember.function(..., cuda_graph=True). Blocks allocated while capturing come from a
// private pool of the caching allocator that lives as long as this object.
class CudaGraphCapture {
 public:
  virtual ~CudaGraphCapture() = default;
  // Ends the capture and instantiates the graph: "" on success, otherwise why the recorded
  // work cannot be replayed (a copy from host memory, a capture the driver invalidated); the
  // graph is then empty and must not be launched.
  virtual std::string end_capture() = 0;
  // Ends a capture whose work raised part-way; clears the stream's capture error.
  virtual void abort_capture() = 0;
  virtual void launch() = 0;  // queues one replay on the device's stream
};

class CudaBackend {
 public:
  virtual ~CudaBackend() = default;
  virtual int device_count() const = 0;
  virtual Allocator& allocator(int device) = 0;
  virtual DeviceMemoryStats memory_stats(int device) = 0;
  virtual void reset_peak_memory_stats(int device) = 0;
  virtual void empty_cache(int device) = 0;
  // Waits for all work queued on the device's stream.
  virtual void synchronize(int device) = 0;
  // dst[...] = cast(broadcast(src)) where either side may live on the CPU or a CUDA
  // device. Returns when dst holds the values if dst is on the CPU (host reads are safe).
  virtual void copy(const Tensor& dst, const Tensor& src) = 0;
  virtual void fill(const Tensor& t, const Scalar& value) = 0;
  // Starts capturing the device's stream into a CUDA graph (cudaStreamBeginCapture).
  virtual std::unique_ptr<CudaGraphCapture> begin_graph_capture(int device) = 0;
  // Whether the op's "kernel" copies through the host (core/cuda/cpu_fallback.cpp): it
  // synchronizes, so a graph containing it is never captured.
  virtual bool runs_through_host(std::string_view op_name) const = 0;
};

// The loaded backend, or nullptr when this build has no CUDA or libember_cuda.so failed to
// load (cuda_backend_error says why). Loads on the first call.
CudaBackend* cuda_backend();
// The backend, or raises "[api] ..." naming the reason (no CUDA build, no GPU, ...).
CudaBackend& cuda_backend_checked(std::string_view api);
std::string cuda_backend_error();
bool cuda_is_available();  // backend loaded and at least one device
int cuda_device_count();   // 0 without backend or GPU
// Raises unless d is an existing CUDA device (clear message for 'cuda:3' on a 1-GPU box).
void check_cuda_device(Device d, std::string_view api);

// ---- kernel registry -------------------------------------------------------------------
// A CUDA kernel for one op: same contract as Op::eval_cpu (outputs allocated from infer).
using CudaKernel = void (*)(const Op& op, std::span<const Tensor> inputs,
                            std::span<Tensor> outputs);
void register_cuda_kernel(std::string_view op_name, CudaKernel kernel);
CudaKernel find_cuda_kernel(std::string_view op_name);  // nullptr if none
std::vector<std::string> cuda_kernel_names();

}  // namespace ember
