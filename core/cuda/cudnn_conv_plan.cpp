#include "core/cuda/cudnn_conv_plan.h"

#include <fmt/format.h>

#include "core/cuda/cudnn_context.h"

namespace ember::cuda {
namespace {

// float32 must not use TF32 tensor cores (10-bit mantissa): the CPU and the tests expect
// float32 accuracy. 16-bit types use tensor cores.
cudnnMathType_t math_for(DType dt) {
  return dt == DType::Float32 || dt == DType::Float64 ? CUDNN_FMA_MATH : CUDNN_TENSOR_OP_MATH;
}

void set_4d(cudnnTensorDescriptor_t d, cudnnDataType_t t, IntList s, std::string_view op,
            const std::string& shapes) {
  check_cudnn(cudnnSetTensor4dDescriptor(d, CUDNN_TENSOR_NCHW, t, static_cast<int>(s[0]),
                                         static_cast<int>(s[1]), static_cast<int>(s[2]),
                                         static_cast<int>(s[3])),
              op, "cudnnSetTensor4dDescriptor", shapes);
}

}  // namespace

std::string_view op_name(ConvDirection d) {
  switch (d) {
    case ConvDirection::Forward: return "conv2d";
    case ConvDirection::BackwardData: return "conv_transpose2d";
    default: return "conv2d_backward_weight";
  }
}

std::string ConvShapes::describe() const {
  return fmt::format("conv input {}, filter {}, conv output {}", shape_str(x), shape_str(f),
                     shape_str(y));
}

ConvPlan::~ConvPlan() {
  if (x) cudnnDestroyTensorDescriptor(x);
  if (y) cudnnDestroyTensorDescriptor(y);
  if (bias) cudnnDestroyTensorDescriptor(bias);
  if (f) cudnnDestroyFilterDescriptor(f);
  if (conv) cudnnDestroyConvolutionDescriptor(conv);
}

std::unique_ptr<ConvPlan> describe_convolution(ConvDirection dir, DType dt, const ConvShapes& s,
                                               const ConvAttrs& c) {
  const std::string_view op = op_name(dir);
  const std::string shapes = s.describe();
  const cudnnDataType_t t = cudnn_data_type(dt, op);
  auto p = std::make_unique<ConvPlan>();
  p->double_scaling = dt == DType::Float64;
  check_cudnn(cudnnCreateTensorDescriptor(&p->x), op, "cudnnCreateTensorDescriptor", shapes);
  check_cudnn(cudnnCreateTensorDescriptor(&p->y), op, "cudnnCreateTensorDescriptor", shapes);
  check_cudnn(cudnnCreateTensorDescriptor(&p->bias), op, "cudnnCreateTensorDescriptor", shapes);
  check_cudnn(cudnnCreateFilterDescriptor(&p->f), op, "cudnnCreateFilterDescriptor", shapes);
  check_cudnn(cudnnCreateConvolutionDescriptor(&p->conv), op, "cudnnCreateConvolutionDescriptor",
              shapes);
  set_4d(p->x, t, s.x, op, shapes);
  set_4d(p->y, t, s.y, op, shapes);
  // The bias is per channel of the tensor the direction writes: Y for conv2d, X for
  // conv_transpose2d (conv2d_backward_weight has none).
  const int64_t bias_channels = dir == ConvDirection::BackwardData ? s.x[1] : s.y[1];
  const Shape bias_shape{1, bias_channels, 1, 1};
  set_4d(p->bias, t, bias_shape, op, shapes);
  check_cudnn(cudnnSetFilter4dDescriptor(p->f, t, CUDNN_TENSOR_NCHW, static_cast<int>(s.f[0]),
                                         static_cast<int>(s.f[1]), static_cast<int>(s.f[2]),
                                         static_cast<int>(s.f[3])),
              op, "cudnnSetFilter4dDescriptor", shapes);
  const cudnnDataType_t compute = dt == DType::Float64 ? CUDNN_DATA_DOUBLE : CUDNN_DATA_FLOAT;
  check_cudnn(cudnnSetConvolution2dDescriptor(
                  p->conv, static_cast<int>(c.padding[0]), static_cast<int>(c.padding[1]),
                  static_cast<int>(c.stride[0]), static_cast<int>(c.stride[1]),
                  static_cast<int>(c.dilation[0]), static_cast<int>(c.dilation[1]),
                  CUDNN_CROSS_CORRELATION, compute),
              op, "cudnnSetConvolution2dDescriptor", shapes);
  check_cudnn(cudnnSetConvolutionGroupCount(p->conv, static_cast<int>(c.groups)), op,
              "cudnnSetConvolutionGroupCount", shapes);
  check_cudnn(cudnnSetConvolutionMathType(p->conv, math_for(dt)), op,
              "cudnnSetConvolutionMathType", shapes);
  return p;
}

}  // namespace ember::cuda
