// conv2d, conv_transpose2d and conv2d_backward_weight on CUDA through cuDNN's legacy API:
// three sides of one convolution (cudnn_conv_plan.h). One plan per (direction, dtype, shapes,
// attributes) holds the descriptors and the algorithm cuDNN's heuristics picked
// (cudnnGet...Algorithm_v7), so a training loop sets them up once. float32 runs with FMA
// math only (no TF32), so results match the CPU.
#include <absl/container/flat_hash_map.h>
#include <fmt/format.h>

#include <memory>
#include <mutex>
#include <vector>

#include "core/cuda/cuda_context.h"
#include "core/cuda/cudnn_context.h"
#include "core/cuda/cudnn_conv_plan.h"
#include "core/cuda/tensor_args.h"
#include "core/device_backend.h"
#include "core/ops/conv_ops.h"

namespace ember::cuda {
namespace {

// Math modes: float32 must not use TF32 tensor cores (10-bit mantissa): the CPU and the
// tests expect float32 accuracy. 16-bit types use tensor cores.
bool allowed_math(cudnnMathType_t m, DType dt) {
  if (dt == DType::Float32 || dt == DType::Float64) {
    return m != CUDNN_TENSOR_OP_MATH && m != CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION;
  }
  return true;
}

// First algorithm of the heuristics' ranking that works in an allowed math mode.
template <class Perf>
const Perf* pick(const Perf* perf, int n, DType dt) {
  for (int i = 0; i < n; ++i) {
    if (perf[i].status == CUDNN_STATUS_SUCCESS && allowed_math(perf[i].mathType, dt)) return &perf[i];
  }
  return nullptr;
}

void choose_algorithm(ConvPlan& p, ConvDirection dir, cudnnHandle_t h, DType dt,
                      const std::string& shapes) {
  const std::string_view op = op_name(dir);
  int n = 0;
  auto take = [&](const auto* best, std::string_view call) {
    if (!best) check_cudnn(CUDNN_STATUS_NOT_SUPPORTED, op, call, shapes);
    p.algo = static_cast<int>(best->algo);
    p.workspace = best->memory;
    // 16-bit types run in the mode the algorithm was ranked for; float32/64 stay on FMA.
    if (dt != DType::Float32 && dt != DType::Float64) {
      check_cudnn(cudnnSetConvolutionMathType(p.conv, best->mathType), op,
                  "cudnnSetConvolutionMathType", shapes);
    }
  };
  switch (dir) {
    case ConvDirection::Forward: {
      cudnnConvolutionFwdAlgoPerf_t perf[CUDNN_CONVOLUTION_FWD_ALGO_COUNT];
      check_cudnn(cudnnGetConvolutionForwardAlgorithm_v7(h, p.x, p.f, p.conv, p.y,
                                                         CUDNN_CONVOLUTION_FWD_ALGO_COUNT, &n, perf),
                  op, "cudnnGetConvolutionForwardAlgorithm_v7", shapes);
      take(pick(perf, n, dt), "cudnnGetConvolutionForwardAlgorithm_v7");
      break;
    }
    case ConvDirection::BackwardData: {
      cudnnConvolutionBwdDataAlgoPerf_t perf[CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT];
      check_cudnn(cudnnGetConvolutionBackwardDataAlgorithm_v7(
                      h, p.f, p.y, p.conv, p.x, CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT, &n, perf),
                  op, "cudnnGetConvolutionBackwardDataAlgorithm_v7", shapes);
      take(pick(perf, n, dt), "cudnnGetConvolutionBackwardDataAlgorithm_v7");
      break;
    }
    case ConvDirection::BackwardFilter: {
      cudnnConvolutionBwdFilterAlgoPerf_t perf[CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT];
      check_cudnn(cudnnGetConvolutionBackwardFilterAlgorithm_v7(
                      h, p.x, p.y, p.conv, p.f, CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT, &n, perf),
                  op, "cudnnGetConvolutionBackwardFilterAlgorithm_v7", shapes);
      take(pick(perf, n, dt), "cudnnGetConvolutionBackwardFilterAlgorithm_v7");
      break;
    }
  }
}

std::unique_ptr<ConvPlan> build_plan(ConvDirection dir, DType dt, const ConvShapes& s,
                                     const ConvAttrs& c, int device) {
  std::unique_ptr<ConvPlan> p = describe_convolution(dir, dt, s, c);
  choose_algorithm(*p, dir, cudnn(device), dt, s.describe());
  return p;
}

// Plans by (device, direction, dtype, shapes, attributes). Plans are never evicted: a model
// has few distinct convolution shapes.
const ConvPlan& plan_for(ConvDirection dir, DType dt, const ConvShapes& s, const ConvAttrs& c,
                         int device) {
  static std::mutex mu;
  static auto* plans = new absl::flat_hash_map<std::vector<int64_t>, std::unique_ptr<ConvPlan>>();
  std::vector<int64_t> key = {device, static_cast<int64_t>(dir), static_cast<int64_t>(dt),
                              c.stride[0], c.stride[1], c.padding[0], c.padding[1],
                              c.dilation[0], c.dilation[1], c.groups};
  for (const Shape* l : {&s.x, &s.f, &s.y}) key.insert(key.end(), l->begin(), l->end());
  std::lock_guard<std::mutex> lock(mu);
  auto it = plans->find(key);
  if (it == plans->end()) it = plans->emplace(std::move(key), build_plan(dir, dt, s, c, device)).first;
  return *it->second;
}

// The scaling factors cuDNN reads: doubles for double data, floats otherwise.
struct Scaling {
  float f1 = 1, f0 = 0;
  double d1 = 1, d0 = 0;
  const void* one(const ConvPlan& p) const { return p.double_scaling ? static_cast<const void*>(&d1) : &f1; }
  const void* zero(const ConvPlan& p) const { return p.double_scaling ? static_cast<const void*>(&d0) : &f0; }
};

// Runs one convolution: `x`, `f`, `y` are the convolution's input, filter and output (one of
// them is written, per direction); bias (optional) is added to the written tensor.
void run_conv(ConvDirection dir, const ConvAttrs& c, const Tensor& x, const Tensor& f,
              const Tensor& y, const Tensor& bias, const Tensor& result) {
  const std::string_view op = op_name(dir);
  const ConvShapes s{x.shape(), f.shape(), y.shape()};
  if (result.numel() == 0) return;
  const int dev = result.device().index;
  set_device(dev);
  const DType dt = result.dtype();
  // Operands as contiguous NCHW in the result's dtype; the written one gets a buffer when
  // the output tensor is not contiguous.
  const Tensor target = result.is_contiguous() ? result : Tensor::empty(result.shape(), dt, result.device());
  const Tensor xd = x.is_same(result) ? target : contiguous_as(x, dt);
  const Tensor fd = f.is_same(result) ? target : contiguous_as(f, dt);
  const Tensor yd = y.is_same(result) ? target : contiguous_as(y, dt);
  const bool empty_reduction = x.numel() == 0 || f.numel() == 0 || y.numel() == 0;
  if (empty_reduction) {
    cuda_backend()->fill(target, 0);
  } else {
    const ConvPlan& p = plan_for(dir, dt, s, c, dev);
    cudnnHandle_t h = cudnn(dev);
    CudnnWorkspace ws(dev, p.workspace);
    const Scaling k;
    const std::string shapes = s.describe();
    switch (dir) {
      case ConvDirection::Forward:
        check_cudnn(cudnnConvolutionForward(h, k.one(p), p.x, xd.data_ptr(), p.f, fd.data_ptr(),
                                            p.conv, static_cast<cudnnConvolutionFwdAlgo_t>(p.algo),
                                            ws.data(), ws.size(), k.zero(p), p.y, yd.data_ptr()),
                    op, "cudnnConvolutionForward", shapes);
        break;
      case ConvDirection::BackwardData:
        check_cudnn(cudnnConvolutionBackwardData(
                        h, k.one(p), p.f, fd.data_ptr(), p.y, yd.data_ptr(), p.conv,
                        static_cast<cudnnConvolutionBwdDataAlgo_t>(p.algo), ws.data(), ws.size(),
                        k.zero(p), p.x, xd.data_ptr()),
                    op, "cudnnConvolutionBackwardData", shapes);
        break;
      case ConvDirection::BackwardFilter:
        check_cudnn(cudnnConvolutionBackwardFilter(
                        h, k.one(p), p.x, xd.data_ptr(), p.y, yd.data_ptr(), p.conv,
                        static_cast<cudnnConvolutionBwdFilterAlgo_t>(p.algo), ws.data(), ws.size(),
                        k.zero(p), p.f, fd.data_ptr()),
                    op, "cudnnConvolutionBackwardFilter", shapes);
        break;
    }
    if (bias.defined()) {
      const Tensor b = contiguous_as(on_device(bias, result.device()), dt);
      const cudnnTensorDescriptor_t out_desc = dir == ConvDirection::Forward ? p.y : p.x;
      check_cudnn(cudnnAddTensor(h, k.one(p), p.bias, b.data_ptr(), k.one(p), out_desc,
                                 target.data_ptr()),
                  op, "cudnnAddTensor (bias)", shapes);
    }
  }
  if (empty_reduction && bias.defined()) {
    // No cuDNN plan for empty operands: the result is the bias alone, broadcast per channel.
    const Tensor b = on_device(bias, result.device());
    copy_on_device(target, make_view(b, target.shape(), {0, b.strides()[0], 0, 0}, b.offset()));
  }
  if (!target.is_same(result)) copy_on_device(result, target);
}

const ConvAttrs& attrs_of(const Op& op) {
  if (auto* o = dynamic_cast<const Conv2dOp*>(&op)) return o->c;
  if (auto* o = dynamic_cast<const ConvTranspose2dOp*>(&op)) return o->c;
  if (auto* o = dynamic_cast<const Conv2dBackwardWeightOp*>(&op)) return o->c;
  raise<TypeError>("[cuda] {} is not a convolution op", op.name());
}

Tensor optional_bias(std::span<const Tensor> in) { return in.size() == 3 ? in[2] : Tensor(); }

void conv2d_kernel(const Op& op, std::span<const Tensor> in, std::span<Tensor> out) {
  run_conv(ConvDirection::Forward, attrs_of(op), in[0], in[1], out[0], optional_bias(in), out[0]);
}

// conv_transpose2d(x, w) is the input gradient of conv2d(out-shaped input, w) at x.
void conv_transpose2d_kernel(const Op& op, std::span<const Tensor> in, std::span<Tensor> out) {
  run_conv(ConvDirection::BackwardData, attrs_of(op), out[0], in[1], in[0], optional_bias(in),
           out[0]);
}

void conv2d_backward_weight_kernel(const Op& op, std::span<const Tensor> in,
                                   std::span<Tensor> out) {
  run_conv(ConvDirection::BackwardFilter, attrs_of(op), in[0], out[0], in[1], Tensor(), out[0]);
}

struct Registrar {
  Registrar() {
    register_cuda_kernel("conv2d", &conv2d_kernel);
    register_cuda_kernel("conv_transpose2d", &conv_transpose2d_kernel);
    register_cuda_kernel("conv2d_backward_weight", &conv2d_backward_weight_kernel);
  }
};
const Registrar registrar;

}  // namespace
}  // namespace ember::cuda
