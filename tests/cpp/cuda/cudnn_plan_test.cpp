// cuDNN convolution descriptors from the ops' attributes, checked without a GPU: the output
// shape cuDNN derives from a plan's descriptors must be the shape the op infers, for every
// attribute (stride, padding, dilation, groups), so the attributes are read as the CPU eval
// reads them. The numbers themselves are compared with the CPU in test_cuda_dnn.py (GPU).
#include <gtest/gtest.h>

#include "core/cuda/cudnn_context.h"
#include "core/cuda/cudnn_conv_plan.h"
#include "core/ops.h"

namespace ember::cuda {
namespace {

struct Case {
  Shape x, w;
  ConvAttrs c;
};

const Case kCases[] = {
    {{2, 3, 8, 8}, {4, 3, 3, 3}, {{1, 1}, {0, 0}, {1, 1}, 1}},
    {{1, 4, 9, 7}, {6, 2, 3, 2}, {{2, 1}, {1, 0}, {1, 1}, 2}},
    {{3, 2, 11, 10}, {5, 2, 3, 3}, {{1, 2}, {2, 1}, {2, 3}, 1}},
    {{2, 6, 5, 5}, {6, 1, 3, 3}, {{1, 1}, {1, 1}, {1, 1}, 6}},  // depthwise
    {{1, 1, 4, 4}, {1, 1, 1, 1}, {{3, 3}, {0, 0}, {1, 1}, 1}},
};

std::array<int, 4> cudnn_output_dims(const ConvPlan& p) {
  std::array<int, 4> d{};
  EXPECT_EQ(cudnnGetConvolution2dForwardOutputDim(p.conv, p.x, p.f, &d[0], &d[1], &d[2], &d[3]),
            CUDNN_STATUS_SUCCESS);
  return d;
}

TEST(CudnnPlan, ForwardOutputShapeMatchesInfer) {
  for (const Case& k : kCases) {
    const Tensor x = zeros(k.x), w = zeros(k.w);
    const Tensor in[] = {x, w};
    const Shape y = Conv2dOp(k.c).infer(in)[0].shape;
    SCOPED_TRACE(shape_str(k.x) + " * " + shape_str(k.w) + " -> " + shape_str(y));
    for (DType dt : {DType::Float32, DType::Float64, DType::Float16, DType::BFloat16}) {
      auto plan = describe_convolution(ConvDirection::Forward, dt, {k.x, k.w, y}, k.c);
      const auto d = cudnn_output_dims(*plan);
      EXPECT_EQ((Shape{d[0], d[1], d[2], d[3]}), y);
    }
  }
}

// conv_transpose2d's output is the convolution's input: the convolution of that shape with
// the same attributes must come back to the transpose's input shape.
TEST(CudnnPlan, TransposeRoundTripsThroughForwardShape) {
  for (const Case& k : kCases) {
    const Tensor x = zeros(k.x), w = zeros(k.w);
    const Tensor in[] = {x, w};
    const Shape y = Conv2dOp(k.c).infer(in)[0].shape;
    // conv_transpose2d(y, w) with the output_padding that gives back x's size.
    Pair op{};
    for (int i = 0; i < 2; ++i) {
      op[i] = k.x[2 + i] - ((y[2 + i] - 1) * k.c.stride[i] - 2 * k.c.padding[i] +
                            k.c.dilation[i] * (k.w[2 + i] - 1) + 1);
    }
    const Tensor yt = zeros(y);
    const Tensor tin[] = {yt, w};
    const Shape back = ConvTranspose2dOp(k.c, op).infer(tin)[0].shape;
    ASSERT_EQ(back, k.x);
    auto plan = describe_convolution(ConvDirection::BackwardData, DType::Float32, {back, k.w, y}, k.c);
    const auto d = cudnn_output_dims(*plan);
    EXPECT_EQ((Shape{d[0], d[1], d[2], d[3]}), y);
  }
}

// The bias is added to the tensor the direction writes: conv2d's output, conv_transpose2d's
// output (the convolution's input side).
TEST(CudnnPlan, BiasDescriptorHasTheWrittenTensorsChannels) {
  const Case& k = kCases[1];  // 4 input channels, 6 output channels, groups 2
  const Tensor x = zeros(k.x), w = zeros(k.w);
  const Tensor in[] = {x, w};
  const Shape y = Conv2dOp(k.c).infer(in)[0].shape;
  auto bias_channels = [](const ConvPlan& p) {
    cudnnDataType_t t;
    int n, c, h, wd, sn, sc, sh, sw;
    EXPECT_EQ(cudnnGetTensor4dDescriptor(p.bias, &t, &n, &c, &h, &wd, &sn, &sc, &sh, &sw),
              CUDNN_STATUS_SUCCESS);
    EXPECT_EQ(n * h * wd, 1);
    return c;
  };
  EXPECT_EQ(bias_channels(*describe_convolution(ConvDirection::Forward, DType::Float32,
                                                {k.x, k.w, y}, k.c)), 6);
  EXPECT_EQ(bias_channels(*describe_convolution(ConvDirection::BackwardData, DType::Float32,
                                                {k.x, k.w, y}, k.c)), 4);
}

TEST(CudnnPlan, NonFloatDtypeRaisesNamingTheOp) {
  const Case& k = kCases[0];
  try {
    describe_convolution(ConvDirection::Forward, DType::Int64, {k.x, k.w, Shape{2, 4, 6, 6}}, k.c);
    FAIL() << "expected an error";
  } catch (const TypeError& e) {
    EXPECT_NE(std::string(e.what()).find("[conv2d]"), std::string::npos) << e.what();
  }
}

// A failing cuDNN call raises an ember error naming the op, the call and the shapes.
TEST(CudnnPlan, FailuresNameOpCallAndShapes) {
  EXPECT_NO_THROW(check_cudnn(CUDNN_STATUS_SUCCESS, "conv2d", "cudnnConvolutionForward", "s"));
  const ConvShapes s{Shape{2, 3, 8, 8}, Shape{4, 3, 3, 3}, Shape{2, 4, 6, 6}};
  try {
    check_cudnn(CUDNN_STATUS_BAD_PARAM, "conv2d", "cudnnConvolutionForward", s.describe());
    FAIL() << "expected an error";
  } catch (const Error& e) {
    const std::string msg = e.what();
    for (const char* part : {"[conv2d]", "cudnnConvolutionForward", "[2, 3, 8, 8]", "[4, 3, 3, 3]",
                             "[2, 4, 6, 6]"}) {
      EXPECT_NE(msg.find(part), std::string::npos) << part << " missing in: " << msg;
    }
  }
}

}  // namespace
}  // namespace ember::cuda
