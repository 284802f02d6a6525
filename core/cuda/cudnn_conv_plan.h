#pragma once
// A cuDNN convolution plan: the tensor, filter and convolution descriptors of one convolution
// and the algorithm chosen for it (cudnn_conv.cpp runs it). With X the convolution's input
// [N, C, H, W], F its filter [O, C/groups, kh, kw] and Y its output [N, O, Ho, Wo]:
//   conv2d                 Y  = conv(X, F)          cudnnConvolutionForward
//   conv_transpose2d       X  = conv^T(Y, F)        cudnnConvolutionBackwardData
//   conv2d_backward_weight F  = dF(X, Y)            cudnnConvolutionBackwardFilter
#include <cudnn.h>

#include <memory>
#include <string>

#include "core/ops/conv_ops.h"

namespace ember::cuda {

enum class ConvDirection : int64_t { Forward, BackwardData, BackwardFilter };
std::string_view op_name(ConvDirection d);

// The shapes of one convolution, in the convolution's own terms.
struct ConvShapes {
  Shape x, f, y;  // owned: a plan outlives the tensors it was made for
  std::string describe() const;
};

// Descriptors and chosen algorithm for one convolution; immutable once built.
struct ConvPlan {
  cudnnTensorDescriptor_t x = nullptr, y = nullptr, bias = nullptr;
  cudnnFilterDescriptor_t f = nullptr;
  cudnnConvolutionDescriptor_t conv = nullptr;
  int algo = 0;  // the cudnnConvolution*Algo_t of the plan's direction
  size_t workspace = 0;
  bool double_scaling = false;  // alpha/beta are doubles for float64 data, floats otherwise
  ConvPlan() = default;
  ConvPlan(const ConvPlan&) = delete;
  ConvPlan& operator=(const ConvPlan&) = delete;
  ~ConvPlan();
};

// The descriptors of a convolution with the op's attributes (stride, padding, dilation,
// groups read as its CPU eval reads them), no algorithm yet. Needs no GPU and no handle.
std::unique_ptr<ConvPlan> describe_convolution(ConvDirection dir, DType dt, const ConvShapes& s,
                                               const ConvAttrs& c);

}  // namespace ember::cuda
