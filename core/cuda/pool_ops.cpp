// The pooling ops on CUDA (kernels in pool.cu): max_pool2d with its indices, avg_pool2d and
// adaptive_avg_pool2d, and their backwards, with the same attributes and windows as the
// CPU (avg_windows / adaptive_windows in core/ops/pool.cpp build both sides' windows).
#include <absl/container/flat_hash_map.h>

#include <algorithm>
#include <mutex>
#include <vector>

#include "core/cuda/cuda_context.h"
#include "core/cuda/pool_kernels.h"
#include "core/cuda/tensor_args.h"
#include "core/device_backend.h"
#include "core/ops/pool_ops.h"

namespace ember::cuda {
namespace {

int64_t planes_of(const Tensor& x) { return x.dim() == 4 ? x.size(0) * x.size(1) : x.size(0); }
int code_of(DType d) { return static_cast<int>(d); }

template <class OpT>
const OpT& as(const Op& op) {
  auto* o = dynamic_cast<const OpT*>(&op);
  if (!o) raise<TypeError>("[cuda] kernel of {} got op {}", OpT::kName, op.name());
  return *o;
}

// Where a backward kernel accumulates: the output itself when it is a contiguous float32 or
// float64 tensor, else a float32 buffer cast into the output afterwards. Zeroed.
Tensor accumulator_for(const Tensor& out) {
  const bool direct = out.is_contiguous() &&
                      (out.dtype() == DType::Float32 || out.dtype() == DType::Float64);
  Tensor acc = direct ? out : Tensor::empty(out.shape(), DType::Float32, out.device());
  cuda_backend()->fill(acc, 0);
  return acc;
}

void finish(const Tensor& out, const Tensor& acc) {
  if (!acc.is_same(out)) copy_on_device(out, acc);
}

// A result tensor the kernel may write densely: out itself or a buffer copied in later.
Tensor dense_target(const Tensor& out) {
  return out.is_contiguous() ? out : Tensor::empty(out.shape(), out.dtype(), out.device());
}

// The windows on the device: hs, he, fh, ws, we, fw back to back in one int64 tensor,
// uploaded once per (device, geometry) and kept: a training loop pools the same shapes every
// step, and a launch then needs no host-to-device copy (nor a later CUDA graph capture).
struct DeviceWindows {
  Tensor data;  // keeps the device copy alive
  AvgPoolParams params;
};

const Tensor& windows_on_device(const std::vector<int64_t>& host_key, Device device) {
  static std::mutex mu;
  // Leaked on purpose: device tensors must not be freed after the CUDA runtime shuts down.
  static auto* cache = new absl::flat_hash_map<std::vector<int64_t>, Tensor>();
  std::vector<int64_t> key = host_key;
  key.push_back(device.index);
  std::lock_guard<std::mutex> lock(mu);
  auto it = cache->find(key);
  if (it != cache->end()) return it->second;
  const int64_t n = static_cast<int64_t>(host_key.size());
  Tensor host = Tensor::empty({n}, DType::Int64, kCPU);
  std::copy(host_key.begin(), host_key.end(), host.data<int64_t>());
  Tensor dev = Tensor::empty({n}, DType::Int64, device);
  cuda_backend()->copy(dev, host);  // queued on the stream; the host tensor may go at once
  return cache->emplace(std::move(key), std::move(dev)).first->second;
}

DeviceWindows upload(const cpu::AvgWindows& w, Device device) {
  const int64_t Ho = w.Ho(), Wo = w.Wo();
  std::vector<int64_t> flat;
  flat.reserve(3 * (Ho + Wo));
  for (const auto* v : {&w.hs, &w.he, &w.fh, &w.ws, &w.we, &w.fw}) flat.insert(flat.end(), v->begin(), v->end());
  DeviceWindows d;
  d.data = windows_on_device(flat, device);
  const int64_t* p = static_cast<const int64_t*>(d.data.data_ptr());
  d.params = {w.planes, w.H, w.W, Ho, Wo, w.divisor,
              p, p + Ho, p + 2 * Ho, p + 3 * Ho, p + 3 * Ho + Wo, p + 3 * Ho + 2 * Wo};
  return d;
}

void max_pool2d_kernel(const Op& op, std::span<const Tensor> in, std::span<Tensor> out) {
  const PoolAttrs& a = as<MaxPool2dOp>(op).p;
  if (out[0].numel() == 0) return;
  set_device(out[0].device().index);
  const Tensor x = contiguous_as(in[0], in[0].dtype());
  const Tensor y = dense_target(out[0]), idx = dense_target(out[1]);
  const MaxPoolParams p{planes_of(x), x.size(-2), x.size(-1), y.size(-2), y.size(-1),
                        a.kernel[0], a.kernel[1], a.stride[0], a.stride[1], a.padding[0],
                        a.padding[1], a.dilation[0], a.dilation[1]};
  launch_max_pool2d(code_of(x.dtype()), x.data_ptr(), y.data_ptr(),
                    static_cast<int64_t*>(idx.data_ptr()), p, stream_ptr(x));
  finish(out[0], y);
  finish(out[1], idx);
}

void max_pool2d_backward_kernel(const Op& op, std::span<const Tensor> in, std::span<Tensor> out) {
  const Pair size = as<MaxPool2dBackwardOp>(op).input_size;
  set_device(out[0].device().index);
  const Tensor acc = accumulator_for(out[0]);
  const Tensor gy = contiguous_as(in[0], in[0].dtype());
  const Tensor idx = contiguous_as(in[1], DType::Int64);
  const int64_t planes = planes_of(gy);
  if (gy.numel() > 0 && planes > 0) {
    launch_max_pool2d_backward(code_of(gy.dtype()), gy.data_ptr(),
                               static_cast<const int64_t*>(idx.data_ptr()), acc.data_ptr(), planes,
                               size[0] * size[1], gy.numel() / planes, stream_ptr(gy));
  }
  finish(out[0], acc);
}

void avg_forward(const cpu::AvgWindows& w, const Tensor& x_in, const Tensor& out) {
  if (out.numel() == 0) return;
  set_device(out.device().index);
  const Tensor x = contiguous_as(x_in, x_in.dtype());
  const Tensor y = dense_target(out);
  const DeviceWindows d = upload(w, out.device());
  launch_avg_pool2d(code_of(x.dtype()), x.data_ptr(), y.data_ptr(), d.params, stream_ptr(x));
  finish(out, y);
}

void avg_backward(const cpu::AvgWindows& w, const Tensor& gy_in, const Tensor& out) {
  set_device(out.device().index);
  const Tensor acc = accumulator_for(out);
  const Tensor gy = contiguous_as(gy_in, gy_in.dtype());
  if (gy.numel() > 0) {
    const DeviceWindows d = upload(w, out.device());
    launch_avg_pool2d_backward(code_of(gy.dtype()), gy.data_ptr(), acc.data_ptr(), d.params,
                               stream_ptr(gy));
  }
  finish(out, acc);
}

void avg_pool2d_kernel(const Op& op, std::span<const Tensor> in, std::span<Tensor> out) {
  const Tensor& x = in[0];
  avg_forward(avg_windows(as<AvgPool2dOp>(op).p, planes_of(x), x.size(-2), x.size(-1),
                          {out[0].size(-2), out[0].size(-1)}),
              x, out[0]);
}

void avg_pool2d_backward_kernel(const Op& op, std::span<const Tensor> in, std::span<Tensor> out) {
  const auto& o = as<AvgPool2dBackwardOp>(op);
  const Tensor& g = in[0];
  avg_backward(avg_windows(o.p, planes_of(g), o.input_size[0], o.input_size[1],
                           {g.size(-2), g.size(-1)}),
               g, out[0]);
}

void adaptive_avg_pool2d_kernel(const Op& op, std::span<const Tensor> in, std::span<Tensor> out) {
  const Tensor& x = in[0];
  avg_forward(adaptive_windows(planes_of(x), x.size(-2), x.size(-1),
                               as<AdaptiveAvgPool2dOp>(op).output_size),
              x, out[0]);
}

void adaptive_avg_pool2d_backward_kernel(const Op& op, std::span<const Tensor> in,
                                         std::span<Tensor> out) {
  const Pair size = as<AdaptiveAvgPool2dBackwardOp>(op).input_size;
  const Tensor& g = in[0];
  avg_backward(adaptive_windows(planes_of(g), size[0], size[1], {g.size(-2), g.size(-1)}), g,
               out[0]);
}

struct Registrar {
  Registrar() {
    register_cuda_kernel("max_pool2d", &max_pool2d_kernel);
    register_cuda_kernel("max_pool2d_backward", &max_pool2d_backward_kernel);
    register_cuda_kernel("avg_pool2d", &avg_pool2d_kernel);
    register_cuda_kernel("avg_pool2d_backward", &avg_pool2d_backward_kernel);
    register_cuda_kernel("adaptive_avg_pool2d", &adaptive_avg_pool2d_kernel);
    register_cuda_kernel("adaptive_avg_pool2d_backward", &adaptive_avg_pool2d_backward_kernel);
  }
};
const Registrar registrar;

}  // namespace
}  // namespace ember::cuda
