// The CudaBackend implementation that core loads from libember_cuda.so (device_backend.h):
// device count, allocators, synchronization, and copies between host and device.
#include <cstring>
#include <memory>
#include <vector>

#include "core/cpu/copy.h"
#include "core/cuda/caching_allocator.h"
#include "core/cuda/cuda_context.h"
#include "core/cuda/graph_capture.h"
#include "core/cuda/index_errors.h"
#include "core/cuda/pinned_staging.h"
#include "core/cuda/tensor_args.h"
#include "core/device_backend.h"

namespace ember::cuda {
namespace {

// The values of src broadcast and cast to dst's shape and dtype, as a contiguous tensor on
// `device` (src itself when it already is one).
Tensor staged(const Tensor& src, const Tensor& dst, Device device) {
  if (src.device() == device && src.dtype() == dst.dtype() && src.shape() == dst.shape() &&
      src.is_contiguous()) {
    return src;
  }
  Tensor s = src;
  if (src.device() != device) {
    // Cross-device with a cast or broadcast: convert on the source side first.
    Tensor tmp = Tensor::empty(dst.shape(), dst.dtype(), src.device());
    cuda_backend()->copy(tmp, src);
    s = tmp;
    if (device == s.device()) return s;
  }
  Tensor out = Tensor::empty(dst.shape(), dst.dtype(), device);
  if (device.is_cpu()) {
    copy_into(out, s);
  } else {
    copy_on_device(out, s);
  }
  return out;
}

class Backend final : public CudaBackend {
 public:
  Backend() {
    for (int i = 0; i < device_count(); ++i) allocators_.push_back(std::make_unique<CachingAllocator>(i));
  }

  int device_count() const override { return cuda::device_count(); }
  Allocator& allocator(int device) override { return *allocators_.at(device); }
  DeviceMemoryStats memory_stats(int device) override { return allocators_.at(device)->stats(); }
  void reset_peak_memory_stats(int device) override { allocators_.at(device)->reset_peak(); }
  void empty_cache(int device) override { allocators_.at(device)->empty_cache(); }

  void synchronize(int device) override {
    set_device(device);
    check(cudaStreamSynchronize(stream(device)), "synchronize");
    raise_pending_index_error(device);
  }

  void copy(const Tensor& dst, const Tensor& src) override {
    if (dst.numel() == 0) return;
    const Device dd = dst.device(), sd = src.device();
    if (dd.is_cuda() && sd == dd) return copy_on_device(dst, src);
    if (dd.is_cuda() && sd.is_cpu()) {
      // Host -> device: a contiguous host buffer of dst's dtype, then one asynchronous
      // memcpy from a pinned staging block (pinned_staging.h), so the host does not wait.
      const Tensor host = staged(src, dst, kCPU);
      if (dst.numel() == 1 && is_capturing(stream_of(dst))) {
        // A host scalar inside a CUDA graph capture: recorded as a fill kernel with its
        // value as a parameter, since a staging buffer would be reused before the replay.
        return fill(dst, single_value(host));
      }
      const Tensor target = dst.is_contiguous() ? dst : Tensor::empty(dst.shape(), dst.dtype(), dd);
      copy_host_to_device(target.data_ptr(), host.data_ptr(), nbytes(dst), stream_of(dst));
      if (!target.is_same(dst)) copy_on_device(dst, target);
      return;
    }
    if (dd.is_cpu() && sd.is_cuda()) {
      // Device -> host: make it contiguous on the device, one memcpy, wait for it.
      const Tensor dev = staged(src, dst, sd);
      const Tensor target = dst.is_contiguous() ? dst : Tensor::empty(dst.shape(), dst.dtype(), kCPU);
      cudaStream_t s = stream_of(dev);
      check(cudaMemcpyAsync(target.data_ptr(), dev.data_ptr(), nbytes(dst),
                            cudaMemcpyDeviceToHost, s),
            "copy to host");
      check(cudaStreamSynchronize(s), "copy to host");
      raise_pending_index_error(sd.index);
      if (!target.is_same(dst)) copy_into(dst, target);
      return;
    }
    if (dd.is_cuda() && sd.is_cuda()) {  // another GPU: through the host (simple, slow)
      Tensor host = Tensor::empty(dst.shape(), dst.dtype(), kCPU);
      copy(host, src);
      copy(dst, host);
      return;
    }
    copy_into(dst, src);
  }

  std::unique_ptr<CudaGraphCapture> begin_graph_capture(int device) override {
    return start_graph_capture(*allocators_.at(device), device);
  }
  bool runs_through_host(std::string_view op_name) const override {
    return is_host_path_op(op_name);
  }

  void fill(const Tensor& t, const Scalar& value) override {
    ElementwiseArgs a = make_args(t.shape(), {&t}, "fill_");
    const bool as_int = !value.is_float() && !is_floating(t.dtype());
    launch_fill(a, value.to_double(), as_int ? value.to_int() : 0, as_int, stream_ptr(t));
  }

 private:
  // Through a pinned block when one is available (then cudaMemcpyAsync returns at once);
  // otherwise from pageable memory, where it returns once the driver has staged the data.
  // Either way `src` may be freed when this returns.
  static void copy_host_to_device(void* dst, const void* src, size_t n, cudaStream_t s) {
    PinnedStagingPool& pool = PinnedStagingPool::instance();
    void* pinned = n <= PinnedStagingPool::kMaxStagedBytes ? pool.acquire(n) : nullptr;
    if (pinned == nullptr) {
      check(cudaMemcpyAsync(dst, src, n, cudaMemcpyHostToDevice, s), "copy to device");
      return;
    }
    std::memcpy(pinned, src, n);
    const cudaError_t e = cudaMemcpyAsync(dst, pinned, n, cudaMemcpyHostToDevice, s);
    pool.release_after(pinned, s);
    check(e, "copy to device");
  }
  static bool is_capturing(cudaStream_t s) {
    cudaStreamCaptureStatus status = cudaStreamCaptureStatusNone;
    return cudaStreamIsCapturing(s, &status) == cudaSuccess &&
           status == cudaStreamCaptureStatusActive;
  }
  // The one element of a host tensor, exactly (a fill casts it back to the same dtype).
  static Scalar single_value(const Tensor& host) {
    Scalar v;
    EMBER_DISPATCH_ALL(host.dtype(), "copy", [&]<class T>() {
      const T x = *static_cast<const T*>(host.data_ptr());
      if constexpr (std::is_same_v<T, bool>) {
        v = Scalar(x);
      } else if constexpr (std::is_integral_v<T>) {
        v = Scalar(static_cast<int64_t>(x));
      } else {
        v = Scalar(static_cast<double>(static_cast<acc_t<T>>(x)));
      }
    });
    return v;
  }
  static size_t nbytes(const Tensor& t) { return static_cast<size_t>(t.numel() * t.element_size()); }
  std::vector<std::unique_ptr<CachingAllocator>> allocators_;
};

}  // namespace
}  // namespace ember::cuda

// Entry point looked up by core (device_backend.cpp) after dlopen. Never throws: a failure
// leaves `error` set and returns null.
extern "C" __attribute__((visibility("default"))) ember::CudaBackend* ember_cuda_backend_create(
    std::string* error) {
  try {
    static auto* backend = new ember::cuda::Backend();  // leaked: outlives every tensor
    return backend;
  } catch (const std::exception& e) {
    if (error) *error = e.what();
    return nullptr;
  }
}
